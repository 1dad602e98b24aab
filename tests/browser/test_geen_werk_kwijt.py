"""No lost work, in the browser (issue 12): a form sent with a stale CSRF token (logged in
again in another tab) or after the session expired comes back with what was typed and a
Dutch message; a radio group's error is tied to its group."""

from __future__ import annotations

import re
from collections.abc import Callable

from browsing import Browsing
from playwright.sync_api import expect
from walk_steps import PARTNER_ORG, PROCESREGISSEUR, WIJKAGENT, T, aanmelden, flash

Browse = Callable[[str, str], Browsing]
STALE = "Formulier niet verwerkt: het hoorde bij een eerdere inlogsessie"


def fill_aanmelding(b: Browsing, achternaam: str, *, informed: bool = True) -> None:
    page = b.page
    page.get_by_label("Voornamen").fill("Bradley")
    page.get_by_label("Achternaam").fill(achternaam)
    page.get_by_role("textbox", name=re.compile("^Toelichting")).fill(
        "Herhaald overlast en schulden; de politie alleen komt niet verder."
    )
    page.get_by_label("Financiën").fill("Schulden bij meerdere partijen.")
    if informed:
        page.get_by_role("group", name=re.compile("Is de persoon geïnformeerd")).get_by_label(
            "Ja"
        ).check()


def test_a_radio_group_error_describes_its_group_and_values_stay(browse: Browse) -> None:
    b = browse(T, WIJKAGENT)
    b.goto("/aanmelden", "aanmelden")
    fill_aanmelding(b, "Radiotest", informed=False)
    b.submit("Aanmelding opslaan", "aanmelden-fout")
    page = b.page
    group = page.get_by_role("group", name=re.compile("Is de persoon geïnformeerd"))
    expect(group).to_have_accessible_description(
        re.compile("Geef aan of de persoon is geïnformeerd")
    )
    expect(page.get_by_label("Achternaam")).to_have_value("Radiotest")
    expect(page.get_by_label("Financiën")).to_have_value("Schulden bij meerdere partijen.")


def test_a_stale_token_shows_the_form_again_filled_in(browse: Browse) -> None:
    b = browse(T, WIJKAGENT)
    b.goto("/aanmelden", "aanmelden")
    fill_aanmelding(b, "Tokentest")
    b.login_in_another_tab(T, WIJKAGENT)  # the open form's token is now stale
    b.submit("Aanmelding opslaan", "aanmelden-verlopen-token")
    page = b.page
    expect(page.get_by_role("alert")).to_contain_text(STALE)
    expect(page.get_by_label("Achternaam")).to_have_value("Tokentest")
    expect(page.get_by_label("Financiën")).to_have_value("Schulden bij meerdere partijen.")
    b.submit("Aanmelding opslaan", "casus-aangemeld")
    assert "De aanmelding is opgeslagen." in flash(b)


def test_an_expired_session_keeps_what_was_typed(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Sessietest")
    b = browse(T, PROCESREGISSEUR)
    b.goto(f"/casussen/{casus_id}", "casus")
    page = b.page
    page.get_by_text("Organisatie uitnodigen").click()
    invite = page.locator("form[action*='/deelnemers']")
    invite.get_by_label("Organisatie").select_option(PARTNER_ORG)
    invite.get_by_label("Rol in de casus").fill("schulden en werk (sessietest)")

    b.context.clear_cookies()  # the session ends while the form is open
    b.submit("Uitnodigen", "sessie-verlopen", within=invite)
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw sessie is verlopen")
    expect(page.locator("main")).to_contain_text("schulden en werk (sessietest)")
    expect(page.locator("main")).not_to_contain_text("Sessietest")  # nothing of the casus

    with page.expect_popup() as popup:  # log in again in a new tab, as the page says
        page.get_by_role("link", name="Log opnieuw in").click()
    b.choose_user(popup.value, T, PROCESREGISSEUR)
    popup.value.close()

    b.submit("Opnieuw versturen", "casus-formulier-terug")
    expect(page.get_by_role("alert")).to_contain_text(STALE)
    invite = page.locator("form[action*='/deelnemers']")
    expect(invite.get_by_label("Rol in de casus")).to_have_value("schulden en werk (sessietest)")
    expect(invite.get_by_label("Organisatie")).to_have_value(PARTNER_ORG)
    b.submit("Uitnodigen", "casus-uitgenodigd", within=invite)
    assert "De organisatie neemt nu deel aan de casus." in flash(b)
