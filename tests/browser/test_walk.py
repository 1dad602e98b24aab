"""The PGA walked with only the browser (issue 12): every step is a click or a keystroke in
Chromium, every page reached passes the checks of :class:`browsing.Browsing` (axe, reflow at
320 px, focus and border contrast) and leaves a screenshot.

Each test function is one part of the walk on the fixtures of this folder, built from the
steps of :mod:`walk_steps` (a casus reported and taken on, or a group of its own): the
lifecycle, the plan van aanpak with its versions and the ZRM, the overleg with its verslag,
toestemming and the delen wizard with the AVG pages, the group approach steps 1–7, search.
The owner of an overleg action marks it done from their werkvoorraad, as plan actions are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST_CASUSREGISSEUR_NAME, ZEIST_KLANTMANAGER_NAME
from walk_steps import (
    CASUSREGISSEUR,
    DEEL_TITEL,
    DRIEHOEK,
    NIET_BETROKKEN,
    OVERLEG_ACTIE,
    OVERLEG_PLAATS,
    PARTNER,
    PARTNER_ORG,
    PGA_EXPERT,
    PLAN_ACTIE,
    PLAN_TOEZEGGING,
    PROCESREGISSEUR,
    WIJKAGENT,
    WIJKTEAM_ORG,
    Browse,
    T,
    aanmelden,
    add_information,
    compare_versions,
    day,
    flash,
    follow,
    group_form,
    group_step_saved,
    group_steps_1_and_2,
    next_step,
    open_plan,
    phase,
    plan_overleg,
    put_on_agenda,
    record_and_revoke_consent,
    record_zrm,
    reference,
    revise_plan,
    search,
    share_with_the_checklist,
    triage_and_invite,
    werk_row,
    write_plan,
    write_verslag,
)

from services.casework.domain.local_time import local_today


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
    today = local_today().isoformat()
    informeren.get_by_label("Ondertekend door").fill("Burgemeester van Zeist")
    informeren.get_by_label("Overhandigd door").fill("Wijkagent")
    informeren.get_by_role("group", name="Notificatiebrief").get_by_label("Datum").fill(today)
    informeren.get_by_role("group", name="Startgesprek").get_by_label("Datum").fill(today)
    informeren.get_by_label("Wat is besproken?").fill("Open gesprek; wil hulp bij schulden.")
    b.submit("Informeren vastleggen", "casus-geinformeerd", within=informeren)
    assert "Het informeren van de persoon is vastgelegd." in flash(b)

    b.submit("Plan van aanpak opstellen", "casus-plan")
    assert phase(b) == "Plan van aanpak"
    # No uitvoering without a plan van aanpak: the casusregisseur writes it in the editor.
    b.goto(f"/casussen/{casus_id}/plan", "plan")
    page.locator("#plan-doelen-0-leefgebied").select_option("financien")
    page.locator("#plan-doelen-0-probleem").fill("Schulden en geen werk.")
    page.locator("#plan-doelen-0-doel").fill("Schulden onder bewind; intake werk.")
    page.locator("#plan-eindcriterium").fill("Schulden geregeld en een vaste dagbesteding.")
    b.submit("Plan vaststellen", "plan-vastgesteld")
    assert "Het plan van aanpak is vastgesteld als nieuwe versie." in page.content()
    b.goto(f"/casussen/{casus_id}", "casus-met-plan")
    b.submit("Uitvoering starten", "casus-uitvoering")
    assert phase(b) == "Uitvoering"

    page.get_by_text("Casus afsluiten", exact=True).first.click()
    close = page.locator("form[action$='/afsluiting']")
    close.get_by_label("Afsluitreden").select_option("afgeschaald")
    close.get_by_label("Ontvangende organisatie (warme overdracht)").select_option(WIJKTEAM_ORG)
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


def test_group_approach_steps_1_to_7(browse: Browse) -> None:
    b, group_id = group_steps_1_and_2(browse, "Groep Stappenplein")
    page = b.page
    assert "Groep Stappenplein" in page.locator("#kop-persoon + dl").inner_text()
    next_step(b, 3, "groep-stap-3")
    assert phase(b).startswith("Stap 3")
    missing = page.locator("#groepsstap-ontbreekt").inner_text()
    assert "Leg het integraal beeld van de groep vast." in missing

    # An empty step cannot be clicked through: refused, with what is missing, in Dutch.
    next_step(b, 4, "groep-stap-4-geweigerd")
    refused = page.locator("[role=alert]").first.inner_text()
    assert "Leg het integraal beeld van de groep vast." in refused
    assert "Stel een conceptplan van aanpak op." in refused
    assert phase(b).startswith("Stap 3")

    # Step 3: the integraal beeld (too short first: the message beside the field) and the
    # concept plan.
    form = group_form(b, "integraal-beeld")
    text = form.get_by_label(re.compile("^Integraal beeld van de groep"))
    text.fill("Kort.")
    b.submit("Integraal beeld opslaan", "groep-integraal-beeld-te-kort", within=form)
    form = group_form(b, "integraal-beeld")
    assert "ten minste 20 tekens" in form.locator(".field-error").first.inner_text()
    beeld = "Kern van drie jongeren, meelopers uit de buurt; 's avonds bij de bushalte."
    form.get_by_label(re.compile("^Integraal beeld van de groep")).fill(beeld)
    group_step_saved(b, form, "Integraal beeld opslaan", "groep-integraal-beeld", "integraal beeld")
    form = group_form(b, "conceptdoel")
    form.get_by_label(re.compile("^Leefgebied")).select_option("tijdsbesteding")
    form.get_by_label(re.compile("^Probleem")).fill("Geen dagbesteding; rondhangen.")
    form.get_by_label(re.compile("^Doel")).fill("Iedere jongere heeft school, werk of sport.")
    form.get_by_label(re.compile("^Eindcriterium")).fill("Drie maanden geen meldingen.")
    group_step_saved(b, form, "Doel opslaan", "groep-conceptdoel", "conceptplan")
    assert "is compleet" in page.locator("#groepsstap-compleet").inner_text()
    next_step(b, 4, "groep-stap-4")

    # Step 4: the anonymised voorlegging (a member's name is refused) and the advice.
    form = group_form(b, "voorlegging")
    form.get_by_label(re.compile("^Geanonimiseerde voorlegging")).fill(
        "Milan en twee anderen intimideren reizigers bij de bushalte."
    )
    b.submit("Voorlegging opslaan", "groep-voorlegging-met-naam", within=form)
    form = group_form(b, "voorlegging")
    assert "geanonimiseerd" in form.locator(".field-error").first.inner_text()
    voorlegging = "Groep van circa tien jongeren; kern van drie; intimidatie bij de bushalte."
    form.get_by_label(re.compile("^Geanonimiseerde voorlegging")).fill(voorlegging)
    group_step_saved(b, form, "Voorlegging opslaan", "groep-voorlegging", "voorlegging")
    form = group_form(b, "advies")
    form.get_by_label(re.compile("^Prioriteit")).select_option("hoog")
    form.get_by_label(re.compile("^Advies")).fill("Integrale aanpak met voorrang.")
    form.get_by_label(re.compile("^Besproken in de driehoek op")).fill(day())
    group_step_saved(b, form, "Advies opslaan", "groep-advies", "advies")
    follow(b, page.locator("#driehoek-link"), "groep-driehoek-voorbeeld")
    assert voorlegging in page.locator("main").inner_text()
    driehoek = browse(T, DRIEHOEK)
    driehoek.goto("/driehoek", "driehoek")
    seen = driehoek.page.locator("main").inner_text()
    assert "Hoog: met voorrang aanpakken" in seen and "Milan" not in seen
    b.goto(f"/casussen/{group_id}", "casus")
    next_step(b, 5, "groep-stap-5")

    # Step 5: an intervention on a spoor of the plan and its nulmeting.
    form = group_form(b, "interventie")
    form.get_by_label(re.compile("^Spoor")).select_option("bestuurlijk")
    form.get_by_label(re.compile("^Interventie")).fill("Cameratoezicht bij de bushalte.")
    group_step_saved(b, form, "Interventie opslaan", "groep-interventie", "interventie")
    next_step(b, 6, "groep-stap-6-geweigerd")
    assert "Leg de nulmeting vast." in page.locator("[role=alert]").first.inner_text()
    form = group_form(b, "nulmeting")
    form.get_by_label(re.compile("^Spoor")).select_option("bestuurlijk")
    form.get_by_label(re.compile("^Wat meet u")).fill("Meldingen per maand")
    form.get_by_label(re.compile("^Waarde bij de start")).fill("11")
    group_step_saved(b, form, "Nulmeting opslaan", "groep-nulmeting", "nulmeting")
    spoor = page.locator("#plan-per-spoor tbody tr", has_text="Bestuurlijk").inner_text()
    assert "Cameratoezicht bij de bushalte." in spoor and "Meldingen per maand" in spoor
    next_step(b, 6, "groep-stap-6")

    # Step 6: voortgang; step 7: the evaluation with the nameting.
    form = group_form(b, "voortgang")
    form.get_by_label(re.compile("^Spoor")).select_option("bestuurlijk")
    form.get_by_label(re.compile("^Wat is er gedaan")).fill("Camera's geplaatst; minder meldingen.")
    group_step_saved(b, form, "Voortgang opslaan", "groep-voortgang", "voortgang")
    assert "Camera's geplaatst" in page.locator("#voortgang").inner_text()
    next_step(b, 7, "groep-stap-7")
    form = group_form(b, "evaluatie")
    form.get_by_label(re.compile("^Conclusie")).fill("Overlast sterk afgenomen; de kern is weg.")
    form.get_by_label(re.compile("^Nameting bestuurlijk")).fill("2")
    form.get_by_label(re.compile("^Vervolg")).fill("Jongerenwerk houdt contact.")
    group_step_saved(b, form, "Evaluatie opslaan", "groep-evaluatie", "evaluatie")
    assert "Overlast sterk afgenomen" in page.locator("#evaluatie-conclusie").inner_text()
    assert "Meldingen per maand: 11" in page.locator("#evaluatie-metingen").inner_text()


def test_search_and_a_non_participating_professional_finds_nothing(browse: Browse) -> None:
    wijkagent = browse(T, WIJKAGENT)
    casus_id = aanmelden(wijkagent, "Nietzichtbaar")
    ref = reference(wijkagent)
    # A participant finds the casus by name and by reference.
    wijkagent.goto("/casussen", "casussen")
    for term in ("Bradley Nietzichtbaar", ref):
        found = search(wijkagent, term, "casussen-zoeken")
        assert ref in found and "Nietzichtbaar" in found, found

    outsider = browse(T, NIET_BETROKKEN)
    outsider.goto("/casussen", "casussen")
    assert outsider.page.get_by_text("Nietzichtbaar").count() == 0
    outsider.goto(f"/casussen/{casus_id}", "casus-niet-betrokken")
    body = outsider.page.locator("main").inner_text()
    assert "Nietzichtbaar" not in body and "Bradley" not in body
    outsider.goto("/werkvoorraad", "werkvoorraad")
    assert outsider.page.get_by_text("Nietzichtbaar").count() == 0
    outsider.goto("/casussen", "casussen")
    for term in ("Nietzichtbaar", ref):
        found = search(outsider, term, "casussen-zoeken-niet-betrokken")
        assert "Niets gevonden dat u mag zien." in found and "Nietzichtbaar" not in found


def test_plan_van_aanpak_zrm_and_the_owner_acting_on_the_werkvoorraad(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Planmaker")
    triage_and_invite(browse(T, PROCESREGISSEUR), casus_id)

    b = browse(T, CASUSREGISSEUR)
    open_plan(b, casus_id)
    write_plan(b)
    revise_plan(b)
    compared = compare_versions(b)
    assert "Dreigende huisuitzetting." in compared  # the goal added in version 2
    assert "Schulden onder bewind." in compared
    b.goto(f"/casussen/{casus_id}", "casus-met-plan")
    plan = b.page.locator("section[aria-labelledby=kop-plan]").inner_text()
    for text in (
        PLAN_ACTIE,
        PLAN_TOEZEGGING,
        "Gesprek bij de burgemeester.",
        ZEIST_KLANTMANAGER_NAME,
    ):
        assert text in plan

    # ZRM: a nulmeting and a tussentijdse meting; a chart per domain with both points.
    follow(b, b.page.locator("#zrm-openen"), "zelfredzaamheid")
    record_zrm(b, "Intake (nulmeting)", {"financien": 1, "werk-opleiding": 2}, 3)
    record_zrm(b, "Tussentijdse meting", {"financien": 3, "werk-opleiding": 2}, 4)
    page = b.page
    domains = page.locator("#zrm-scores fieldset.score-group").count()
    assert domains == 13 and page.locator(".zrm-chart figure").count() == domains
    # A chart per domain, except one masked for this purpose (justitie, for the wijkteam).
    masked = page.locator(".zrm-chart figure", has_text="Afgeschermd bij deze doelbinding.")
    assert page.locator(".zrm-chart svg[role=img]").count() == domains - masked.count()
    financien = page.locator("#zrm-grafiek-financien")
    assert financien.locator("circle.point").count() == 2
    assert financien.locator("polyline.line").count() == 1
    assert "Financiën" in page.locator("#zrm-grafiek-financien-titel").inner_text()
    row = page.locator("#zrm-tabel tbody tr", has_text="Financiën").inner_text()
    assert "1" in row and "3" in row

    # The owner of the action (another organisation) sees it in the werkvoorraad, postpones
    # it (a missing reason is a form error beside the field) and then marks it done.
    owner = browse(T, PARTNER)
    owner.goto("/werkvoorraad", "werkvoorraad")
    item = werk_row(owner, PLAN_ACTIE)
    assert item.count() == 1
    item.locator("summary", has_text="Uitstellen").click()
    item.get_by_label("Nieuwe datum").fill(day(30))
    postpone = item.locator("form.form")
    owner.submit("Uitstellen", "werkvoorraad-uitstel-zonder-reden", within=postpone)
    item = werk_row(owner, PLAN_ACTIE)
    reason = item.get_by_label(re.compile("^Reden van uitstel"))
    error_id = str(reason.get_attribute("aria-describedby")).split()[-1]
    assert "Vul dit veld in." in item.locator(f"#{error_id}").inner_text()
    assert item.get_by_label("Nieuwe datum").input_value() == day(30)
    reason.fill("Bewindvoerder pas volgende maand.")
    owner.submit("Uitstellen", "werkvoorraad-uitgesteld", within=item.locator("form.form"))
    assert "Het item is uitgesteld" in flash(owner)
    item = werk_row(owner, PLAN_ACTIE)
    owner.submit("Gereed", "werkvoorraad-gereed", within=item)
    assert "Het item is afgehandeld" in flash(owner)
    assert werk_row(owner, PLAN_ACTIE).count() == 0

    # The casusregisseur sees the action done and the reason of the postponement.
    open_plan(b, casus_id)
    versions = b.page.locator("#plan-versies").inner_text()
    assert "Bewindvoerder pas volgende maand." in versions


def test_the_werkvoorraad_in_pages(
    browse: Browse, client: TestClient[Litestar], token_for: Callable[[str, str], dict[str, str]]
) -> None:
    """More items than fit on a page (25, issue 14): the casusregisseur pages through the
    werkvoorraad with Volgende and Vorige, and the links keep the filter. The plan's 30
    actions are put in through the API (typing them is the plan editor's walk, above)."""
    casus_id = aanmelden(browse(T, WIJKAGENT), "Bladeren")
    triage_and_invite(browse(T, PROCESREGISSEUR), casus_id)
    b = browse(T, CASUSREGISSEUR)
    b.goto(f"/casussen/{casus_id}", "casus")
    ref = reference(b)
    actions = [
        {
            "id": f"blad-{i}",
            "omschrijving": f"Bladeractie {i:02d}.",
            "eigenaar_organisatie": WIJKTEAM_ORG,
            "eigenaar_gebruiker": CASUSREGISSEUR,
            "deadline": day(i),
        }
        for i in range(1, 31)
    ]
    plan = {
        "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
        "eindcriterium": "Schulden onder bewind.",
        "acties": actions,
    }
    saved = client.put(
        f"/api/v1/casussen/{casus_id}/plan", json=plan, headers=token_for(T, CASUSREGISSEUR)
    )
    assert saved.status_code == 201, saved.text

    b.goto(f"/werkvoorraad?soort=planactie&casus={ref}", "werkvoorraad-pagina-1")
    page = b.page
    rows = page.locator("#werkvoorraad-tabel tbody tr")
    pager = page.locator("#werk-bladeren")
    assert rows.count() == 25 and "Bladeractie 01." in rows.first.inner_text()
    assert "Pagina 1 van 2 (30 items)" in pager.inner_text()
    assert page.locator("#werk-vorige").count() == 0
    follow(b, page.locator("#werk-volgende"), "werkvoorraad-pagina-2")
    assert "pagina=2" in page.url and f"casus={ref}" in page.url
    assert rows.count() == 5 and "Bladeractie 30." in rows.last.inner_text()
    assert "Pagina 2 van 2 (30 items)" in pager.inner_text()
    assert page.locator("#werk-volgende").count() == 0
    follow(b, page.locator("#werk-vorige"), "werkvoorraad-pagina-1-terug")
    assert rows.count() == 25 and "Bladeractie 25." in rows.last.inner_text()
    assert page.locator("#filter-soort").input_value() == "planactie"


def test_overleg_with_verslag_and_the_action_in_the_owners_werkvoorraad(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Overlegtafel")
    voorzitter = browse(T, PROCESREGISSEUR)
    triage_and_invite(voorzitter, casus_id)
    ref = reference(voorzitter)

    overleg_id = plan_overleg(voorzitter)
    page = voorzitter.page
    facts = page.locator("dl.facts").inner_text()
    assert OVERLEG_PLAATS in facts and "Gepland" in facts
    put_on_agenda(voorzitter, casus_id, "Stand van de schulden; inkomen nog onzeker.")
    agenda = page.locator("ol.agenda").inner_text()
    assert ref in agenda and "Stand van de schulden" in agenda
    write_verslag(voorzitter, owner_org=PARTNER_ORG, owner=PARTNER)
    agenda = page.locator("ol.agenda").inner_text()
    for text in ("Schulden lopen op", "Plan loopt door", "RSD herbeoordeelt de uitkering."):
        assert text in agenda
    actions = page.locator("ol.agenda table").inner_text()
    assert (
        OVERLEG_ACTIE in actions and ZEIST_KLANTMANAGER_NAME in actions and PARTNER not in actions
    )

    # The owner (another organisation) sees the overleg and the action in the werkvoorraad.
    owner = browse(T, PARTNER)
    owner.goto("/werkvoorraad", "werkvoorraad")
    item = werk_row(owner, OVERLEG_ACTIE)
    assert item.count() == 1 and ref in item.inner_text()
    owner.goto(f"/overleggen/{overleg_id}", "overleg")
    assert OVERLEG_ACTIE in owner.page.locator("ol.agenda").inner_text()
    owner.goto("/werkvoorraad", "werkvoorraad")
    item = werk_row(owner, OVERLEG_ACTIE)
    assert item.get_by_role("button", name="Gereed").count() == 1
    owner.submit("Gereed", "werkvoorraad-overlegactie-gereed", within=item)
    assert werk_row(owner, OVERLEG_ACTIE).count() == 0


def test_toestemming_delen_and_the_avg_pages(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Toestemming")
    triage_and_invite(browse(T, PROCESREGISSEUR), casus_id)

    b = browse(T, CASUSREGISSEUR)
    b.goto(f"/casussen/{casus_id}", "casus")
    record_and_revoke_consent(b)
    add_information(b)
    share_with_the_checklist(b)
    row = b.page.locator("#kop-info ~ table tbody tr", has_text=DEEL_TITEL)
    assert "nog niet gedeeld" not in row.inner_text()

    # The toegangslog of the casus: who read it (the casusregisseur, just now).
    follow(b, b.page.get_by_role("link", name="Wie heeft deze casus ingezien"), "toegangslog")
    assert ZEIST_CASUSREGISSEUR_NAME in b.page.locator("main").inner_text()

    # The PGA-expert: the AVG page of the person, and the inzage (art. 15).
    expert = browse(T, PGA_EXPERT)
    expert.goto(f"/casussen/{casus_id}", "casus")
    follow(expert, expert.page.get_by_role("link", name="AVG-verzoeken van de persoon"), "avg")
    assert "AVG-verzoeken van Bradley Toestemming" in expert.page.locator("h1").inner_text()
    expert.submit("Inzage bekijken", "avg-inzage")
    document = expert.page.locator("body").inner_text()  # a document for the person
    assert "Bradley" in document and "Toestemming" in document
