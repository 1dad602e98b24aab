"""Steps of the walk through the PGA that several browser tests share (issue 12). A step is
what a person does on a page, with only the browser; each page it reaches passes the checks
of :class:`browsing.Browsing`. New parts of the walk (plan, ZRM, overleg, group steps 3–7,
search) add their steps here and a test function of their own."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from browsing import Browsing
from people import (
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_DRIEHOEK,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
)

from services.casework.domain.local_time import local_today

Browse = Callable[[str, str], Browsing]

# --- Who is who: every user and organisation id the browser tests use, in one place ---
T = ZEIST
#: Politie (aanmelder), PGA-expert / procesregisseur (triage, regie, overleg voorzitter, AVG
#: inzage), casusregisseur (sociaal wijkteam).
WIJKAGENT, PROCESREGISSEUR, CASUSREGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
PGA_EXPERT = PROCESREGISSEUR
#: Uitvoeringscoördinator of groups (jongerenwerk); a professional of an organisation that
#: takes part in no casus of the walk; a member of the driehoek.
JONGERENWERK, NIET_BETROKKEN, DRIEHOEK = ZEIST_COORDINATOR, ZEIST_PSYCHIATER, ZEIST_DRIEHOEK
#: A partner's professional (klantmanager of the RSD): owner of actions of plan and overleg.
PARTNER = ZEIST_KLANTMANAGER
#: The tenantbeheerder (users and roles).
TENANTBEHEERDER = ZEIST_BEHEERDER
#: Organisations (ids of the tenant manifest).
PARTNER_ORG, WIJKTEAM_ORG = "rsd-krh", "sociaal-wijkteam-zeist"
POLITIE_ORG, GEMEENTE_ORG = "politie-basisteam-zeist", "gemeente-zeist-oov"
OVERLEG_TYPE = "pga-kernteam"

CASUS_PATH = re.compile(r"/casussen/([0-9a-f-]{36})")


def day(offset: int = 0) -> str:
    """A date relative to today, as a date input takes it (ISO)."""
    return (local_today() + dt.timedelta(days=offset)).isoformat()


def follow(b: Browsing, link: Any, name: str) -> None:
    """Click a link and check the page it leads to."""
    with b.page.expect_navigation():
        link.click()
    b.check(name)


def casus_id_of(url: str) -> str:
    match = CASUS_PATH.search(url)
    assert match, url
    return match.group(1)


def phase(b: Browsing) -> str:
    return str(b.page.locator(".casus-head .phase").inner_text()).strip()


def flash(b: Browsing) -> str:
    return str(b.page.locator(".flash[role=status]").inner_text()).strip()


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
    invite.get_by_label("Organisatie").select_option(PARTNER_ORG)
    invite.get_by_label("Rol in de casus").fill("schulden en werk")
    b.submit("Uitnodigen", "casus-uitgenodigd", within=invite)
    assert "De organisatie neemt nu deel aan de casus." in flash(b)

    page.get_by_text("Regie aanstellen of overdragen").click()
    regie = page.locator("form[action*='/regie']")
    regie.get_by_label("Rol").select_option("casusregisseur")
    regie.get_by_label("Wie").select_option(CASUSREGISSEUR)
    b.submit("Regie vastleggen", "casus-regie", within=regie)
    assert "De regie is vastgelegd." in flash(b)


# --- Plan van aanpak (the editor, versions side by side) ------------------------------------

PLAN_ACTIE = "Aanvraag beschermingsbewind indienen."
PLAN_TOEZEGGING = "Intakegesprek werk binnen twee weken."


def open_plan(b: Browsing, casus_id: str) -> None:
    """From the casus page, the link to the plan editor."""
    b.goto(f"/casussen/{casus_id}", "casus")
    follow(b, b.page.locator("#plan-openen"), "plan")


def write_plan(b: Browsing) -> None:
    """The first version: a problem and a goal per leefgebied, the eindcriterium, an action
    with owner (organisation and person) and termijn, an intervention per spoor and a
    partner's toezegging. The editor offers one empty row per section; "Lege regels
    toevoegen" gives more without storing anything."""
    page = b.page
    page.locator("#plan-doelen-0-leefgebied").select_option("financien")
    page.locator("#plan-doelen-0-probleem").fill("Schulden bij meerdere partijen.")
    page.locator("#plan-doelen-0-doel").fill("Schulden onder bewind.")
    page.locator("#plan-eindcriterium").fill("Schulden geregeld en een vaste dagbesteding.")
    page.locator("#plan-acties-0-omschrijving").fill(PLAN_ACTIE)
    page.locator("#plan-acties-0-eigenaar-organisatie").select_option(PARTNER_ORG)
    page.locator("#plan-acties-0-eigenaar-gebruiker").select_option(PARTNER)
    page.locator("#plan-acties-0-deadline").fill(day(14))
    page.locator("#plan-interventies-0-spoor").select_option("zorg")
    page.locator("#plan-interventies-0-organisatie").select_option(WIJKTEAM_ORG)
    page.locator("#plan-interventies-0-omschrijving").fill("Wekelijks huisbezoek.")
    page.locator("#plan-toezeggingen-0-organisatie").select_option(PARTNER_ORG)
    page.locator("#plan-toezeggingen-0-tekst").fill(PLAN_TOEZEGGING)
    page.locator("#plan-toezeggingen-0-gedaan-op").fill(day())
    b.submit("Lege regels toevoegen", "plan-meer-regels")
    # Nothing stored yet, everything typed is still there, with empty rows below it.
    assert page.locator("#plan-acties-0-omschrijving").input_value() == PLAN_ACTIE
    info = page.locator("#plan-versie-info").inner_text()
    assert "Er is nog geen plan van aanpak vastgesteld." in info
    page.locator("#plan-doelen-1-leefgebied").select_option("werk-opleiding")
    page.locator("#plan-doelen-1-probleem").fill("Geen werk of dagbesteding.")
    page.locator("#plan-doelen-1-doel").fill("Intake bij de RSD en een werkervaringsplek.")
    page.locator("#plan-interventies-1-spoor").select_option("strafrechtelijk")
    page.locator("#plan-interventies-1-organisatie").select_option(POLITIE_ORG)
    page.locator("#plan-interventies-1-omschrijving").fill("Lik-op-stuk bij nieuwe overlast.")
    page.locator("#plan-interventies-2-spoor").select_option("bestuurlijk")
    page.locator("#plan-interventies-2-organisatie").select_option(GEMEENTE_ORG)
    page.locator("#plan-interventies-2-omschrijving").fill("Gesprek bij de burgemeester.")
    b.submit("Plan vaststellen", "plan-versie-1")
    assert "Het plan van aanpak is vastgesteld als nieuwe versie." in flash(b)
    assert "Huidige versie: 1" in page.locator("#plan-versie-info").inner_text()


def revise_plan(b: Browsing) -> None:
    """A second version: a third goal and the first goal's status."""
    page = b.page
    page.locator("#plan-doelen-0-status").select_option("loopt")
    page.locator("#plan-doelen-2-leefgebied").select_option("huisvesting")
    page.locator("#plan-doelen-2-probleem").fill("Dreigende huisuitzetting.")
    page.locator("#plan-doelen-2-doel").fill("Betalingsregeling met de verhuurder.")
    b.submit("Plan vaststellen", "plan-versie-2")
    assert "Huidige versie: 2" in page.locator("#plan-versie-info").inner_text()


def compare_versions(b: Browsing) -> str:
    """Versions 1 and 2 side by side; returns the text of the comparison."""
    follow(b, b.page.locator("#plan-vergelijken-link"), "plan-vergelijken")
    page = b.page
    head = page.locator("#vergelijk-doelen thead").inner_text()
    assert "Versie 1" in head and "Versie 2" in head
    return str(page.locator("main").inner_text())


# --- Zelfredzaamheid (ZRM): two measurements and the chart per domain -----------------------


def record_zrm(b: Browsing, moment: str, scores: dict[str, int], default: int) -> None:
    """On the zelfredzaamheid page: the meetmoment and a score for every domain."""
    page = b.page
    form = page.locator("#zrm-formulier")
    form.get_by_role("group", name=re.compile("^Meetmoment")).get_by_label(moment).check()
    for group in form.locator("#zrm-scores fieldset.score-group").all():
        domain = str(group.get_attribute("id")).removeprefix("zrm-scores-")
        group.locator(f"#zrm-scores-{domain}-{scores.get(domain, default)}").check()
    b.submit("Meting vastleggen", "zelfredzaamheid-vastgelegd")
    assert "De zelfredzaamheidsmeting is vastgelegd." in flash(b)


# --- Werkvoorraad: act on an item -----------------------------------------------------------


def werk_row(b: Browsing, text: str) -> Any:
    return b.page.locator("#werkvoorraad-tabel tbody tr", has_text=text)


def reference(b: Browsing) -> str:
    """The reference of the casus whose page is open."""
    return str(b.page.locator(".casus-head h1 .subtle").inner_text()).strip()


# --- Overleg: plan, agenda with briefing, verslag with BOB, besluiten and acties ------------

OVERLEG_PLAATS = "Gemeentehuis Zeist, kamer 2.14"
OVERLEG_ACTIE = "Uitkering herbeoordelen en terugkoppelen aan de casusregisseur."


def plan_overleg(b: Browsing) -> str:
    """The voorzitter plans an overleg of today (type, date, time, place); returns its id."""
    menu = b.page.get_by_role("navigation", name="Hoofdmenu")
    follow(b, menu.get_by_role("link", name="Overleggen"), "overleggen")
    page = b.page
    page.locator("#overleg-plannen summary").click()
    form = page.locator("#overleg-plannen form")
    form.get_by_label("Soort overleg").select_option(OVERLEG_TYPE)
    form.get_by_label("Datum").fill(day())
    form.get_by_label("Begintijd").fill("09:30")
    form.get_by_label("Plaats").fill(OVERLEG_PLAATS)
    b.submit("Overleg plannen", "overleg-gepland", within=form)
    assert "Het overleg is gepland." in flash(b)
    match = re.search(r"/overleggen/([0-9a-f-]{36})", page.url)
    assert match, page.url
    return match.group(1)


def put_on_agenda(b: Browsing, casus_id: str, briefing: str) -> None:
    form = b.page.locator("#agenderen form")
    form.get_by_label(re.compile("^Casus")).select_option(casus_id)
    form.get_by_label("Briefing").fill(briefing)
    b.submit("Op de agenda zetten", "overleg-geagendeerd", within=form)
    assert "De casus staat op de agenda." in flash(b)


def write_verslag(b: Browsing, *, owner_org: str, owner: str) -> None:
    """BOB for the one agendapunt, two besluiten and an action for another organisation's
    professional; first without the besluitvorming (a form error), then complete."""
    page = b.page
    form = page.locator("#verslag form")
    for org in (GEMEENTE_ORG, WIJKTEAM_ORG, owner_org):
        form.locator(f"input[name=aanwezig][value={org}]").check()
    p = "#verslag-agendapunten-0-"
    form.locator(p + "beeldvorming").fill("Schulden lopen op; overlast neemt af.")
    form.locator(p + "oordeelsvorming").fill("Partners zien voortgang, inkomen is de sleutel.")
    form.locator(p + "besluiten").fill("Doorgaan met het plan.\nRSD herbeoordeelt de uitkering.")
    form.locator(p + "acties-0-omschrijving").fill(OVERLEG_ACTIE)
    form.locator(p + "acties-0-eigenaar-organisatie").select_option(owner_org)
    form.locator(p + "acties-0-eigenaar-gebruiker").select_option(owner)
    form.locator(p + "acties-0-deadline").fill(day(7))
    b.submit("Verslag vastleggen", "overleg-verslag-onvolledig", within=form)
    form = page.locator("#verslag form")
    assert form.locator(".field-error").count() >= 1
    # Everything typed is still there.
    assert form.locator(p + "acties-0-omschrijving").input_value() == OVERLEG_ACTIE
    form.locator(p + "besluitvorming").fill("Plan loopt door; RSD pakt het inkomen op.")
    b.submit("Verslag vastleggen", "overleg-verslag", within=form)
    assert "Het verslag is vastgelegd." in flash(b)


# --- Toestemming and the delen wizard (checklist gegevensdeling) ----------------------------

DEEL_TITEL = "Overzicht schuldeisers"


def record_and_revoke_consent(b: Browsing) -> None:
    page = b.page
    section = page.locator("#toestemming")
    section.locator("#toestemming-vastleggen summary").click()
    form = section.locator("#toestemming-vastleggen form")
    form.get_by_label(re.compile("^Doel van de toestemming")).select_option("plan-van-aanpak")
    form.get_by_label(re.compile("^Reikwijdte")).fill(
        "Inkomensgegevens delen met de schuldhulpverlening."
    )
    form.get_by_role("group", name=re.compile("^Is de persoon afhankelijk")).get_by_label(
        "Nee"
    ).check()
    b.submit("Toestemming vastleggen", "casus-toestemming", within=form)
    assert "De toestemming is vastgelegd." in flash(b)
    row = page.locator("#toestemming tbody tr", has_text="Plan van aanpak")
    assert "Geldig" in row.inner_text()
    b.submit(
        "Toestemming voor plan van aanpak intrekken", "casus-toestemming-ingetrokken", within=row
    )
    assert "De toestemming is ingetrokken" in flash(b)
    row = page.locator("#toestemming tbody tr", has_text="Plan van aanpak")
    assert "Ingetrokken op" in row.inner_text()


def add_information(b: Browsing) -> None:
    page = b.page
    page.locator("#informatie-toevoegen summary").click()
    form = page.locator("#informatie-toevoegen form")
    form.get_by_label(re.compile("^Categorie")).select_option("financieel")
    form.get_by_label(re.compile("^Titel")).fill(DEEL_TITEL)
    form.get_by_label(re.compile("^Inhoud")).fill("Zes schuldeisers; totaal ongeveer 14.000 euro.")
    b.submit("Informatie toevoegen", "casus-informatie", within=form)
    assert "De informatie is toegevoegd." in flash(b)


def share_with_the_checklist(b: Browsing) -> None:
    """The delen wizard: doel en grondslag, noodzaak (first incomplete: a form error in that
    step), transparantie, the recipients; then shared."""
    page = b.page
    row = page.locator("#kop-info ~ table tbody tr", has_text=DEEL_TITEL)
    link = page.locator("tr.item-row-acties").get_by_role(
        "link", name="Delen via de checklist gegevensdeling"
    )
    assert row.count() == 1 and link.count() == 1
    follow(b, link, "delen-stap-1")
    page.get_by_label(re.compile("^Doel van de deling")).select_option("plan-van-aanpak")
    page.get_by_label(re.compile("^Grondslag")).select_option("publieke-taak")
    b.submit("Volgende stap", "delen-stap-2")
    assert page.locator("[aria-current=step]").inner_text().startswith("Stap 2")
    page.get_by_label(re.compile("^Noodzaak")).fill("Zonder overzicht geen bewindvoering.")
    page.get_by_label(re.compile("^Proportionaliteit")).fill("Alleen de schuldeisers en bedragen.")
    b.submit("Volgende stap", "delen-stap-2-onvolledig")
    # Incomplete: a form error beside the empty field, still in step 2, the input kept.
    assert page.locator("[aria-current=step]").inner_text().startswith("Stap 2")
    assert "Nog niet compleet" in page.locator("form [role=alert]").inner_text()
    missing = page.get_by_label(re.compile("^Subsidiariteit"))
    assert missing.get_attribute("aria-invalid") == "true" or (
        "fout" in str(missing.get_attribute("aria-describedby"))
    )
    assert page.get_by_label(re.compile("^Noodzaak")).input_value().startswith("Zonder")
    missing.fill("De persoon kan het overzicht niet zelf aanleveren.")
    b.submit("Volgende stap", "delen-stap-3")
    page.get_by_role("group", name=re.compile("^Is de persoon geïnformeerd")).get_by_label(
        "Ja"
    ).check()
    b.submit("Volgende stap", "delen-stap-4")
    assert "Publieke taak" in page.locator("main dl").inner_text()
    b.submit("Delen met de deelnemers", "casus-gedeeld")
    assert "Het item is gedeeld met de deelnemers" in flash(b)


# --- Search ---------------------------------------------------------------------------------


def search(b: Browsing, term: str, name: str) -> str:
    """Search on Mijn casussen; returns the text of the results (or of the empty message)."""
    form = b.page.locator("form.search")
    form.locator("#zoekterm").fill(term)
    b.submit("Zoeken", name, within=form)
    return str(b.page.locator("main").inner_text())


# --- Group approach -------------------------------------------------------------------------


def group_steps_1_and_2(browse: Browse, name: str) -> tuple[Browsing, str]:
    """Step 1 (aanmelden with a signal) by the jongerenwerk, regie and step 2 by the
    procesregisseur, a member on the namenlijst; returns the coordinator and the group id."""
    coordinator = browse(T, JONGERENWERK)
    page = coordinator.page
    coordinator.goto("/aanmelden/groep", "aanmelden-groep")
    page.get_by_label("Groepsnaam").fill(name)
    page.get_by_role("textbox", name=re.compile("^Welke signalen zijn er")).fill(
        "Groep van tien jongeren veroorzaakt 's avonds overlast."
    )
    page.get_by_label("Justitie").fill("Vernielingen rond het winkelcentrum.")
    page.get_by_label("Overleg", exact=True).select_option("groepsoverleg")
    coordinator.submit("Groep aanmelden", "groep-stap-1")
    assert "De groep is aangemeld." in flash(coordinator)
    group_id = casus_id_of(page.url)

    page.get_by_text("Signaal toevoegen").click()
    signal = page.locator("form[action*='/signalen']")
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
    procesregisseur.submit("Naar stap 2: Informatie verzamelen", "groep-stap-2")
    assert phase(procesregisseur).startswith("Stap 2")

    coordinator.goto(f"/casussen/{group_id}", "casus")
    page.get_by_text("Groepslid toevoegen").click()
    member = page.locator("form[action*='/leden#']")
    member.get_by_label("Rol in de groep").select_option("kern")
    member.get_by_label("Voornamen").fill("Milan")
    member.get_by_label("Achternaam").fill("Browsergroepslid")
    coordinator.submit("Op de namenlijst zetten", "groep-lid", within=member)
    assert "Het groepslid staat op de namenlijst." in flash(coordinator)
    assert page.get_by_text("Milan Browsergroepslid").count() >= 1
    return coordinator, group_id


def next_step(b: Browsing, step: int, name: str) -> None:
    """The transition button "Naar stap N: ..." of the casus page."""
    b.submit_matching(re.compile(f"^Naar stap {step}:"), name)


def group_form(b: Browsing, part: str) -> Any:
    """The form of one part of a group step (opened if its <details> is closed)."""
    details = b.page.locator(f"#groepsstap-{part}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def group_step_saved(b: Browsing, form: Any, button: str, name: str, melding: str) -> None:
    b.submit(button, name, within=form)
    assert melding in flash(b), flash(b)
