"""The PGA walked with only the browser (issue 12): every step is a click or a keystroke in
Chromium, every page reached passes the checks of :class:`browsing.Browsing` (axe, reflow at
320 px, focus and border contrast) and leaves a screenshot.

Each test function is one part of the walk on the fixtures of this folder; later parts (plan
van aanpak, ZRM, overleg with verslag, group steps 3–7, search) are further test functions that
start from :func:`opgenomen_casus` or a group of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from browsing import Browsing

Browse = Callable[[str, str], Browsing]
T = "GM0355"
WIJKAGENT, PROCESREGISSEUR, CASUSREGISSEUR = "dennis-koster", "eline-de-graaf", "robin-visser"
JONGERENWERK, NIET_BETROKKEN = "yara-benali", "mirjam-de-lange"
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


def test_aanmelden_triage_and_inviting(browse: Browse) -> None:
    wijkagent = browse(T, WIJKAGENT)
    casus_id = aanmelden(wijkagent, "Browsertest")
    # The politie takes part but is not the regie: no phase forms for the wijkagent.
    assert wijkagent.page.get_by_role("button", name="Triage starten").count() == 0
    wijkagent.goto("/casussen", "casussen")
    assert wijkagent.page.locator("tbody tr", has_text="Bradley Browsertest (Brad)").count() == 1

    procesregisseur = browse(T, PROCESREGISSEUR)
    triage_and_invite(procesregisseur, casus_id)
    deelnemers = procesregisseur.page.locator("section[aria-labelledby=kop-regie]").inner_text()
    assert "schulden en werk" in deelnemers


def test_informeren_afschalen_waakvlam_heropenen(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Levensloop")
    triage_and_invite(browse(T, PROCESREGISSEUR), casus_id)

    b = browse(T, CASUSREGISSEUR)
    b.goto("/werkvoorraad", "werkvoorraad")
    b.goto(f"/casussen/{casus_id}", "casus")
    page = b.page
    informeren = page.locator("form[action*='/informeren']")
    today = dt.date.today().isoformat()
    informeren.get_by_label("Ondertekend door").fill("Burgemeester van Zeist")
    informeren.get_by_label("Overhandigd door").fill("Wijkagent")
    informeren.get_by_role("group", name="Notificatiebrief").get_by_label("Datum").fill(today)
    informeren.get_by_role("group", name="Startgesprek").get_by_label("Datum").fill(today)
    informeren.get_by_label("Wat is besproken?").fill("Open gesprek; wil hulp bij schulden.")
    b.submit("Informeren vastleggen", "casus-geinformeerd", within=informeren)
    assert "Het informeren van de persoon is vastgelegd." in flash(b)

    b.submit("Plan van aanpak opstellen", "casus-plan")
    assert phase(b) == "Plan van aanpak"
    b.submit("Uitvoering starten", "casus-uitvoering")
    assert phase(b) == "Uitvoering"

    page.get_by_text("Casus afsluiten", exact=True).first.click()
    close = page.locator("form[action$='/afsluiting']")
    close.get_by_label("Afsluitreden").select_option("afgeschaald")
    close.get_by_label("Ontvangende organisatie (warme overdracht)").select_option(
        "sociaal-wijkteam-zeist"
    )
    close.get_by_label("Datum", exact=True).fill(today)
    close.get_by_label("Wat is besproken?").fill("Doelen behaald; het wijkteam neemt over.")
    b.submit("Casus afsluiten", "casus-afgeschaald", within=close)
    assert phase(b) == "Afgeschaald"

    b.submit("Naar waakvlam", "casus-waakvlam")
    assert phase(b).startswith("Waakvlam")
    reopen = page.locator("form[action$='/heropenen']")
    reopen.get_by_label("Reden").fill("Nieuwe meldingen van overlast.")
    b.submit("Casus heropenen", "casus-heropend", within=reopen)
    assert "De casus is heropend" in flash(b)
    assert phase(b) == "Plan van aanpak"
    b.goto("/overzicht", "overzicht")
    b.goto("/casussen", "casussen")


def test_group_approach_steps_1_and_2(browse: Browse) -> None:
    coordinator = browse(T, JONGERENWERK)
    page = coordinator.page
    coordinator.goto("/aanmelden/groep", "aanmelden-groep")
    page.get_by_label("Groepsnaam").fill("Groep Browserplein")
    page.get_by_role("textbox", name=re.compile("^Welke signalen zijn er")).fill(
        "Groep van tien jongeren veroorzaakt 's avonds overlast."
    )
    page.get_by_label("Justitie").fill("Vernielingen rond het winkelcentrum.")
    page.get_by_label("Overleg", exact=True).select_option("groepsoverleg")
    coordinator.submit("Groep aanmelden", "groep-stap-1")
    assert "De groep is aangemeld." in flash(coordinator)
    group_id = casus_id_of(page.url)

    page.get_by_text("Signaal toevoegen").click()
    signal = page.locator("form[action$='/signalen']")
    signal.get_by_role("textbox", name=re.compile("^Signaal")).fill(
        "Groep hangt rond bij de bushalte; vernielingen."
    )
    coordinator.submit("Signaal vastleggen", "groep-signaal", within=signal)
    assert "Het signaal over de groep is vastgelegd." in flash(coordinator)

    procesregisseur = browse(T, PROCESREGISSEUR)
    procesregisseur.goto(f"/casussen/{group_id}", "casus")
    p = procesregisseur.page
    p.get_by_text("Regie aanstellen of overdragen").click()
    regie = p.locator("form[action*='/regie']")
    regie.get_by_label("Rol").select_option("uitvoeringscoordinator")
    regie.get_by_label("Wie").select_option(JONGERENWERK)
    procesregisseur.submit("Regie vastleggen", "groep-regie", within=regie)
    step2 = p.locator("form[action$='/overgang']:has(input[name=naar][value=stap-2])")
    step2.get_by_label("Reden").fill("Signalen wegen: informatie verzamelen.")
    procesregisseur.submit(
        step2.get_by_role("button").inner_text().strip(), "groep-stap-2", within=step2
    )

    coordinator.goto(f"/casussen/{group_id}", "casus")
    page.get_by_text("Groepslid toevoegen").click()
    member = page.locator("form[action$='/leden']")
    member.get_by_label("Voornamen").fill("Milan")
    member.get_by_label("Achternaam").fill("Browsergroepslid")
    coordinator.submit("Op de namenlijst zetten", "groep-lid", within=member)
    assert "Het groepslid staat op de namenlijst." in flash(coordinator)
    assert page.get_by_text("Milan Browsergroepslid").count() >= 1


def test_a_non_participating_professional_finds_nothing(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Nietzichtbaar")
    outsider = browse(T, NIET_BETROKKEN)
    outsider.goto("/casussen", "casussen")
    assert outsider.page.get_by_text("Nietzichtbaar").count() == 0
    outsider.goto(f"/casussen/{casus_id}", "casus-niet-betrokken")
    body = outsider.page.locator("main").inner_text()
    assert "Nietzichtbaar" not in body and "Bradley" not in body
    outsider.goto("/werkvoorraad", "werkvoorraad")
    assert outsider.page.get_by_text("Nietzichtbaar").count() == 0
