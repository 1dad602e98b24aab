"""Pages outside the walk, in the browser: the HTML error pages, the developer page, the
overleggen. Each passes the same checks as the walk (axe, reflow, contrast, screenshot)."""

from __future__ import annotations

from people import ZEIST_BEHEERDER
from playwright.sync_api import expect
from walk_steps import CASUSREGISSEUR, WIJKAGENT, Browse, T


def test_error_pages_are_dutch_html(browse: Browse) -> None:
    b = browse(T, WIJKAGENT)
    b.goto("/bestaat-niet", "fout-404")
    expect(b.page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
    expect(b.page.get_by_role("link", name="Naar het overzicht")).to_be_visible()
    b.goto("/casussen/00000000-0000-4000-8000-000000000000/overgang", "fout-405")
    expect(b.page.get_by_role("heading", level=1)).to_have_text("Methode niet toegestaan")
    expect(b.page.get_by_role("link", name="Terug naar de casus")).to_be_visible()
    b.goto("/api/v1/casussen/00000000-0000-4000-8000-000000000000", "fout-api-401")
    expect(b.page.locator("main")).to_contain_text("Log in om verder te gaan.")


def test_developer_material_is_on_its_own_page(browse: Browse) -> None:
    b = browse(T, CASUSREGISSEUR)
    assert b.page.get_by_text("Token voor de API").count() == 0
    b.page.get_by_role("link", name="Voor ontwikkelaars: API en token").click()
    b.check("ontwikkelaar")
    expect(b.page.get_by_role("link", name="OpenAPI (JSON)")).to_be_visible()
    b.page.get_by_text("Toon mijn token").click()
    expect(b.page.locator("pre")).to_contain_text(".")
    b.goto("/overleggen", "overleggen")


def test_the_tenantbeheerder_pages(browse: Browse) -> None:
    b = browse(T, ZEIST_BEHEERDER)
    b.page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Gebruikers"
    ).click()
    b.check("gebruikers")
    expect(b.page.get_by_role("heading", level=1)).to_contain_text("Gebruikers")
