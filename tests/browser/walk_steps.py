"""Steps of the walk through the PGA that several browser tests share (issue 12). A step is
what a person does on a page, with only the browser; each page it reaches passes the checks
of :class:`browsing.Browsing`. New parts of the walk (plan, ZRM, overleg, group steps 3–7,
search) add their steps here and a test function of their own."""

from __future__ import annotations

import re
from collections.abc import Callable

from browsing import Browsing
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
)

Browse = Callable[[str, str], Browsing]
T = ZEIST
WIJKAGENT, PROCESREGISSEUR, CASUSREGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
JONGERENWERK, NIET_BETROKKEN = ZEIST_COORDINATOR, ZEIST_PSYCHIATER
CASUS_PATH = re.compile(r"/casussen/([0-9a-f-]{36})")


def casus_id_of(url: str) -> str:
    match = CASUS_PATH.search(url)
    assert match, url
    return match.group(1)


def phase(b: Browsing) -> str:
    return str(b.page.locator(".casus-head .phase").inner_text()).strip()


def flash(b: Browsing) -> str:
    return str(b.page.locator(".flash").inner_text()).strip()


def aanmelden(b: Browsing, achternaam: str) -> str:
    """The wijkagent registers a person through the aanmeldformulier; returns the casus id."""
    b.page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Aanmelden").click()
    b.check("aanmelden")
    page = b.page
    page.get_by_label("Voornamen").fill("Bradley")
    page.get_by_label("Achternaam").fill(achternaam)
    page.get_by_label("Roepnaam").fill("Brad")
    page.get_by_label("Geboortedatum").fill("2004-05-17")
    page.get_by_role("textbox", name=re.compile("^Toelichting")).fill(
        "Herhaald overlast en schulden; de politie alleen komt niet verder."
    )
    page.get_by_label("Financiën").fill("Schulden bij meerdere partijen.")
    page.get_by_role("group", name="Informeren van de persoon").get_by_label("Ja").check()
    page.get_by_label("Overleg", exact=True).select_option("pga-kernteam")
    b.submit("Aanmelding opslaan", "casus-aangemeld")
    assert "De aanmelding is opgeslagen." in flash(b)
    assert phase(b) == "Aangemeld"
    return casus_id_of(page.url)


def triage_and_invite(b: Browsing, casus_id: str) -> None:
    """The procesregisseur: triage, opnemen, invite a partner, appoint the casusregisseur."""
    b.goto(f"/casussen/{casus_id}", "casus")
    b.submit("Triage starten", "casus-in-triage")
    assert phase(b) == "In triage"
    page = b.page
    triage = page.locator("form[action$='/triage']")
    triage.locator("input[name=criteria][value=overlast-criminaliteit]").check()
    triage.locator("input[name=criteria][value=politieregistraties]").check()
    b.submit("Criteria tellen", "casus-criteria-geteld", within=triage)
    triage = page.locator("form[action$='/triage']")
    assert "voldoende om op te nemen" in triage.locator(".inclusion").inner_text()
    triage.locator("input[name=besluit][value=opnemen]").check()
    b.submit("Triagebesluit vastleggen", "casus-opgenomen", within=triage)
    assert "Het triagebesluit is vastgelegd." in flash(b)

    page.get_by_text("Organisatie uitnodigen").click()
    invite = page.locator("form[action*='/deelnemers']")
    invite.get_by_label("Organisatie").select_option("rsd-krh")
    invite.get_by_label("Rol in de casus").fill("schulden en werk")
    b.submit("Uitnodigen", "casus-uitgenodigd", within=invite)
    assert "De organisatie neemt nu deel aan de casus." in flash(b)

    page.get_by_text("Regie aanstellen of overdragen").click()
    regie = page.locator("form[action*='/regie']")
    regie.get_by_label("Rol").select_option("casusregisseur")
    regie.get_by_label("Wie").select_option(CASUSREGISSEUR)
    b.submit("Regie vastleggen", "casus-regie", within=regie)
    assert "De regie is vastgelegd." in flash(b)
