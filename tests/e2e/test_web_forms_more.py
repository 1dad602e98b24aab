"""More Dutch web forms for daily work: informeren, sharing through the checklist
gegevensdeling (achterhouden, vrijgeven), deelnemers and regie, and the group approach
(group aanmelding, signals, the namenlijst). Every form calls the same casework service as
the JSON API; the checks below read the result back through the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_CASUSREGISSEUR_NAME,
    ZEIST_COORDINATOR,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZEIST_WOONBEGELEIDER,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T, OTHER = ZEIST, ZOETERMEER
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
JONGERENWERK, FOREIGN = ZEIST_COORDINATOR, ZOETERMEER_PGA_EXPERT
STALE = (
    "Iemand anders heeft deze casus intussen gewijzigd; bekijk de nieuwe stand en probeer opnieuw."
)
CASUS_URL = re.compile(r"^/casussen/([0-9a-f-]{36})\?melding=(aangemeld|groep-aangemeld)$")


def login(client: Client, user: str, tenant: str = T) -> None:
    response = login_as(client, tenant, user)
    assert response.status_code == 200, response.text


def get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:800])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def version_in(html: str, action: str) -> str:
    """The hidden version of the form posting to ``action``."""
    start = html.index(f'action="{action}')
    match = re.search(r'name="versie" value="(\d+)"', html[start:])
    assert match, f"no version in the form {action}"
    return match.group(1)


def post(client: Client, url: str, data: dict[str, Any], status: int = 303) -> Any:
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:1500])
    return response


def api(client: Client, token_for: Headers, path: str, user: str = EXPERT) -> Any:
    response = client.get(f"/api/v1{path}", headers=token_for(T, user))
    assert response.status_code == 200, response.text
    return response.json()


def aanmelden(client: Client, achternaam: str) -> str:
    """A person casus made through the form by the wijkagent; returns its id."""
    login(client, WIJKAGENT)
    html = get(client, "/aanmelden")
    assert 'href="/aanmelden/groep"' in html
    data = {
        "voornamen": "Bradley",
        "achternaam": achternaam,
        "geboortedatum": "2004-05-17",
        "waarom_integraal": "Herhaald overlast en schulden; de politie alleen komt niet verder.",
        "probleem_financien": "Schulden bij meerdere partijen.",
        "geinformeerd": "ja",
        "overleg": "pga-kernteam",
        "vrijwillig": "ja",
        "csrf_token": token(html),
    }
    match = CASUS_URL.match(post(client, "/aanmelden", data).headers["location"])
    assert match
    return match.group(1)


def opgenomen(client: Client, achternaam: str) -> str:
    """A person casus taken in (triage: opnemen) by the PGA-expert, through the forms."""
    casus_id = aanmelden(client, achternaam)
    url = f"/casussen/{casus_id}"
    login(client, EXPERT)
    html = get(client, url)
    post(
        client,
        f"{url}/overgang",
        {
            "naar": "in_triage",
            "versie": version_in(html, f"{url}/overgang"),
            "csrf_token": token(html),
        },
    )
    html = get(client, url)
    post(
        client,
        f"{url}/triage",
        {
            "criteria": ["overlast-criminaliteit", "politieregistraties"],
            "besluit": "opnemen",
            "actie": "besluiten",
            "versie": version_in(html, f"{url}/triage"),
            "csrf_token": token(html),
        },
    )
    return casus_id


# ---------------------------------------------------------------------------------------------
# Deelnemers and regie
# ---------------------------------------------------------------------------------------------


def test_invite_and_regie_with_handover(client: Client, token_for: Headers) -> None:
    casus_id = opgenomen(client, "Regietest")
    url = f"/casussen/{casus_id}"
    html = get(client, url)  # the PGA-expert
    assert "Organisatie uitnodigen" in html and "Regie aanstellen of overdragen" in html
    invite = html.split('id="deelnemer-uitnodigen"')[1].split("</details>")[0]
    assert '<option value="rsd-krh">' in invite
    assert 'value="politie-basisteam-zeist"' not in invite  # takes part already
    assert 'value="uitvoeringscoordinator"' not in html.split('id="regie-vastleggen"')[1]

    # No organisation chosen: the form comes back with the entered role.
    missing = post(
        client,
        f"{url}/deelnemers",
        {"deelname": "op-afroep", "rol": "schulden en werk", "csrf_token": token(html)},
        status=422,
    ).text
    assert "Kies een organisatie." in missing
    assert 'value="schulden en werk"' in missing and 'value="op-afroep" checked' in missing
    assert '<details class="subform" id="deelnemer-uitnodigen" open>' in missing

    response = post(
        client,
        f"{url}/deelnemers",
        {
            "organisatie": "rsd-krh",
            "deelname": "kern",
            "rol": "schulden en werk",
            "csrf_token": token(html),
        },
    )
    assert response.headers["location"] == f"{url}?melding=deelnemer-uitgenodigd"
    html = get(client, response.headers["location"])
    assert "De organisatie neemt nu deel aan de casus." in html
    assert '<option value="rsd-krh">' not in html
    deelnemers = {d["organisatie"]: d for d in api(client, token_for, url)["deelnemers"]}
    assert deelnemers["rsd-krh"]["deelname"] == "kern"
    assert deelnemers["rsd-krh"]["rol"] == "schulden en werk"

    # Appoint the casusregisseur.
    post(
        client,
        f"{url}/regie",
        {"rol": "casusregisseur", "gebruiker": REGISSEUR, "csrf_token": token(html)},
    )
    html = get(client, f"{url}?melding=regie-vastgelegd")
    assert "De regie is vastgelegd." in html
    assert f"<strong>Casusregisseur:</strong>\n      {ZEIST_CASUSREGISSEUR_NAME}" in html

    # A handover without a reason changes nothing and keeps the choices.
    before = api(client, token_for, url)
    refused = post(
        client,
        f"{url}/regie",
        {"rol": "casusregisseur", "gebruiker": ZEIST_WOONBEGELEIDER, "csrf_token": token(html)},
        status=422,
    ).text
    assert "Geef een reden voor de overdracht van de regie." in refused
    assert f'<option value="{ZEIST_WOONBEGELEIDER}" selected>' in refused
    assert '<option value="casusregisseur" selected>' in refused
    assert 'id="regie-reden"' in refused and 'aria-invalid="true"' in refused
    assert api(client, token_for, url)["regie"] == before["regie"]

    post(
        client,
        f"{url}/regie",
        {
            "rol": "casusregisseur",
            "gebruiker": ZEIST_WOONBEGELEIDER,
            "reden": "Begeleid wonen wordt de belangrijkste partner.",
            "csrf_token": token(html),
        },
    )
    regie = api(client, token_for, url)["regie"]
    assert [(r["rol"], r["gebruiker"]) for r in regie] == [("casusregisseur", ZEIST_WOONBEGELEIDER)]


def test_a_participant_gets_no_regie_forms_and_other_tenants_get_404(client: Client) -> None:
    casus_id = aanmelden(client, "Deelnemertest")
    url = f"/casussen/{casus_id}"
    html = get(client, url)  # the wijkagent: takes part, is not the regie
    assert "Organisatie uitnodigen" not in html and "Regie aanstellen" not in html
    login(client, FOREIGN, OTHER)
    other = get(client, "/aanmelden")
    response = post(
        client,
        f"{url}/regie",
        {"rol": "casusregisseur", "gebruiker": REGISSEUR, "csrf_token": token(other)},
        status=404,
    )
    assert "niet gevonden" in response.text.lower()


# ---------------------------------------------------------------------------------------------
# Informeren
# ---------------------------------------------------------------------------------------------


def test_informeren_by_the_casusregisseur(client: Client, token_for: Headers) -> None:
    casus_id = opgenomen(client, "Informeertest")
    url = f"/casussen/{casus_id}"
    html = get(client, url)
    post(
        client,
        f"{url}/regie",
        {"rol": "casusregisseur", "gebruiker": REGISSEUR, "csrf_token": token(html)},
    )
    login(client, REGISSEUR)
    html = get(client, url)
    assert "Informeren van de persoon" in html
    assert '<details class="subform" open>' in html.split('id="informeren"')[1][:200]
    action = f"{url}/informeren"
    base = {"versie": version_in(html, action), "csrf_token": token(html)}

    # A startgesprek without notes: the service's check, shown at the field, values kept.
    missing = post(
        client,
        action,
        {
            **base,
            "brief_ondertekend_door": "Burgemeester van Zeist",
            "startgesprek_datum": "2026-11-21",
        },
        status=422,
    ).text
    assert "Leg vast wat er in het startgesprek is besproken." in missing
    assert 'value="Burgemeester van Zeist"' in missing and 'value="2026-11-21"' in missing
    assert api(client, token_for, url)["informeren"] == {}
    empty = post(client, action, base, status=422).text
    assert "Vul de notificatiebrief of het startgesprek in" in empty

    response = post(
        client,
        action,
        {
            **base,
            "brief_ondertekend_door": "Burgemeester van Zeist",
            "brief_overhandigd_door": "Wijkagent",
            "brief_datum": "20-11-2026",
            "startgesprek_datum": "2026-11-21",
            "startgesprek_notities": "Open gesprek; wil hulp bij schulden.",
        },
    )
    assert response.headers["location"] == f"{url}?melding=geinformeerd"
    html = get(client, response.headers["location"])
    assert "Het informeren van de persoon is vastgelegd." in html
    # The form starts with what was recorded (a new save replaces it all).
    assert "Open gesprek; wil hulp bij schulden.</textarea>" in html
    assert 'value="2026-11-20"' in html
    informing = api(client, token_for, url)["informeren"]
    assert informing["notificatiebrief"] == {
        "ondertekend_door": "Burgemeester van Zeist",
        "overhandigd_door": "Wijkagent",
        "datum": "2026-11-20",
    }
    assert informing["startgesprek"]["notities"] == "Open gesprek; wil hulp bij schulden."

    # The old version does not land again.
    stale = post(client, action, {**base, "geen_reactie": "ja", "toelichting": "Handhaving."})
    assert stale.headers["location"] == f"{url}?melding=verouderd"
    assert STALE in get(client, stale.headers["location"])
    assert api(client, token_for, url)["informeren"]["geen_reactie"] is False


# ---------------------------------------------------------------------------------------------
# Delen via de checklist gegevensdeling, achterhouden, vrijgeven
# ---------------------------------------------------------------------------------------------


def _add_item(client: Client, url: str, category: str, title: str) -> str:
    html = get(client, url)
    post(
        client,
        f"{url}/informatie",
        {
            "categorie": category,
            "doel": "casusoverleg",
            "titel": title,
            "inhoud": "Drie buren meldden geluidsoverlast in het weekend.",
            "csrf_token": token(html),
        },
    )
    html = get(client, url)
    match = re.search(
        rf"<strong>{title}</strong>.*?/informatie/([0-9a-f-]{{36}})/achterhouden", html, re.S
    )
    assert match, "no actions for the own item"
    return match.group(1)


def _item(client: Client, token_for: Headers, url: str, item_id: str) -> dict[str, Any]:
    items = api(client, token_for, f"{url}/informatie", user=WIJKAGENT)["items"]
    found: dict[str, Any] = next(i for i in items if i["id"] == item_id)
    return found


def wizard_step(client: Client, action: str, data: dict[str, Any], status: int = 200) -> str:
    """Post one step of the delen wizard; the next (or the same) step comes back as a page."""
    return str(post(client, action, data, status=status).text)


def test_sharing_through_the_checklist(client: Client, token_for: Headers) -> None:
    casus_id = aanmelden(client, "Deeltest")
    url = f"/casussen/{casus_id}"
    item_id = _add_item(client, url, "algemeen", "Melding buurtbewoners")
    html = get(client, url)
    action = f"{url}/informatie/{item_id}/delen"
    assert f'href="{action}"' in html
    assert "Delen via de checklist gegevensdeling" in html
    page = get(client, action)
    assert "Stap 1: Doel en grondslag" in page and 'aria-current="step"' in page
    assert "art9_uitzondering" not in page.split("<h2>Stap 1")[1]  # only for bijzondere
    base = {"versie": version_in(page, action), "csrf_token": token(page)}

    # Each step checks its own part: a message beside the field, not a policy refusal.
    answers: dict[str, str] = {"doel": "casusoverleg", "grondslag": ""}
    refused = wizard_step(client, action, {**base, **answers, "stap": "0", "knop": "verder"}, 422)
    assert "Kies de grondslag (art. 6 AVG) waarop u deelt." in refused
    assert "het beleid staat dit niet toe" not in refused.lower()
    assert '<option value="casusoverleg" selected>' in refused
    answers["grondslag"] = "publieke-taak"
    step2 = wizard_step(client, action, {**base, **answers, "stap": "0", "knop": "verder"})
    assert "Stap 2: Noodzaak, proportionaliteit en subsidiariteit" in step2
    assert 'name="grondslag" value="publieke-taak"' in step2  # carried along
    answers.update(
        noodzaak="Zonder deze melding kan het overleg geen passende aanpak kiezen.",
        proportionaliteit="",
        subsidiariteit="Een gesprek alleen met de wijkagent is geprobeerd en werkte niet.",
    )
    refused = wizard_step(client, action, {**base, **answers, "stap": "1", "knop": "verder"}, 422)
    assert "Leg uit waarom deze gegevens in verhouding staan tot het doel" in refused
    assert f"{answers['noodzaak']}</textarea>" in refused
    # Back to step 1 and forward again: nothing typed is lost.
    back = wizard_step(client, action, {**base, **answers, "stap": "1", "knop": "terug"})
    assert "Stap 1: Doel en grondslag" in back and '<option value="publieke-taak" selected>' in back
    assert f'name="noodzaak" value="{answers["noodzaak"]}"' in back
    answers["proportionaliteit"] = "Alleen de melding zelf, zonder namen van de buren."
    step3 = wizard_step(client, action, {**base, **answers, "stap": "1", "knop": "verder"})
    assert "Stap 3: Transparantie" in step3
    assert "<legend>Is de persoon geïnformeerd over het delen?" in step3
    answers["persoon_geinformeerd"] = "nee"
    refused = wizard_step(client, action, {**base, **answers, "stap": "2", "knop": "verder"}, 422)
    assert "Geef aan waarom de persoon (nog) niet is geïnformeerd." in refused
    assert 'name="persoon_geinformeerd" value="nee" checked' in refused
    answers["persoon_geinformeerd"] = "ja"
    step4 = wizard_step(client, action, {**base, **answers, "stap": "2", "knop": "verder"})
    assert "Stap 4: Ontvangers en bevestigen" in step4
    assert "Wie ziet het item na het delen?" in step4 and "Publieke taak" in step4
    assert _item(client, token_for, url, item_id)["gedeeld"] is False

    # The expert (another organisation) does not see the item at all before it is shared.
    login(client, EXPERT)
    assert "Melding buurtbewoners" not in get(client, url)

    login(client, WIJKAGENT)
    base["csrf_token"] = token(get(client, url))
    response = post(client, action, {**base, **answers, "stap": "3", "knop": "delen"})
    assert response.headers["location"] == f"{url}?melding=gedeeld"
    html = get(client, response.headers["location"])
    assert "Het item is gedeeld met de deelnemers van de casus" in html
    assert f'href="{action}"' not in html  # shared: no share link any more
    shared = _item(client, token_for, url, item_id)
    assert shared["gedeeld"] is True and shared["grondslag"] == "publieke-taak"
    assert shared["persoon_geinformeerd"] is True
    assert "Proportionaliteit: Alleen de melding zelf" in shared["noodzaak"]

    # Only the source gets the actions; the expert now sees the item.
    login(client, EXPERT)
    seen = get(client, url)
    assert "Melding buurtbewoners" in seen and f"/informatie/{item_id}/achterhouden" not in seen

    # Achterhouden and vrijgeven by the source.
    login(client, WIJKAGENT)
    html = get(client, url)
    withhold = f"{url}/informatie/{item_id}/achterhouden"
    post(client, withhold, {"versie": version_in(html, withhold), "csrf_token": token(html)})
    html = get(client, f"{url}?melding=achtergehouden")
    assert "Het item is achtergehouden" in html and "Vrijgeven" in html
    assert _item(client, token_for, url, item_id)["achtergehouden"] is True
    login(client, EXPERT)
    assert "Melding buurtbewoners" not in get(client, url)
    login(client, WIJKAGENT)
    html = get(client, url)
    release = f"{url}/informatie/{item_id}/vrijgeven"
    response = post(
        client, release, {"versie": version_in(html, release), "csrf_token": token(html)}
    )
    assert response.headers["location"] == f"{url}?melding=vrijgegeven"
    assert _item(client, token_for, url, item_id)["achtergehouden"] is False


def own_item(client: Client, token_for: Headers, url: str, item_id: str) -> dict[str, Any]:
    """The item as its source (the expert) reads it through the API."""
    items = api(client, token_for, f"{url}/informatie", user=EXPERT)["items"]
    found: dict[str, Any] = next(i for i in items if i["id"] == item_id)
    return found


def test_special_categories_ask_for_their_ground(client: Client, token_for: Headers) -> None:
    casus_id = aanmelden(client, "Art9test")
    url = f"/casussen/{casus_id}"
    login(client, EXPERT)
    item_id = _add_item(client, url, "bijzonder", "Medische situatie")
    action = f"{url}/informatie/{item_id}/delen"
    page = get(client, action)
    step1 = page.split("<h2>Stap 1")[1]
    assert 'name="art9_uitzondering"' in step1 and "beroepsgeheim_grond" not in step1
    # Everything at once (no step): the first incomplete step comes back with its message.
    refused = post(
        client,
        action,
        {
            "versie": version_in(page, action),
            "csrf_token": token(page),
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "noodzaak": "Nodig om de zorg af te stemmen.",
            "proportionaliteit": "Alleen de diagnose.",
            "subsidiariteit": "Anders niet mogelijk.",
            "persoon_geinformeerd": "ja",
        },
        status=422,
    ).text
    assert "Bijzondere persoonsgegevens (art. 9 AVG) deelt u alleen met een uitzonderingsgrond" in (
        refused
    )
    assert "Stap 1: Doel en grondslag" in refused
    assert 'name="noodzaak" value="Nodig om de zorg af te stemmen."' in refused
    assert '<option value="publieke-taak" selected>' in refused
    assert not own_item(client, token_for, url, item_id)["gedeeld"]

    # Complete, but on consent that was never recorded: the policy refuses at the last step
    # and says why; the answers are kept.
    denied = post(
        client,
        action,
        {
            "versie": version_in(page, action),
            "csrf_token": token(page),
            "stap": "3",
            "knop": "delen",
            "doel": "casusoverleg",
            "grondslag": "toestemming",
            "art9_uitzondering": "uitdrukkelijke-toestemming",
            "noodzaak": "Nodig om de zorg af te stemmen.",
            "proportionaliteit": "Alleen de diagnose.",
            "subsidiariteit": "Anders niet mogelijk.",
            "persoon_geinformeerd": "ja",
        },
        status=403,
    ).text
    assert "Het beleid staat het zo niet toe" in denied
    assert "toestemming" in denied.lower()
    assert 'name="grondslag" value="toestemming"' in denied
    assert not own_item(client, token_for, url, item_id)["gedeeld"]

    # Someone of another organisation cannot reach the wizard of this item.
    login(client, WIJKAGENT)
    get(client, action, status=404)


def test_group_aanmelding_signals_and_namenlijst(client: Client, token_for: Headers) -> None:
    login(client, JONGERENWERK)
    form = get(client, "/aanmelden/groep")
    assert "<h1>Groep aanmelden</h1>" in form
    assert "Overleg jeugdgroepen" in form and "PGA-kernteam" not in form
    data = {
        "groepsnaam": "Groep Webwinkelcentrum",
        "waarom_integraal": "Groep jongeren veroorzaakt overlast; één van hen is bereikbaar op "
        "06-12345678.",
        "probleem_justitie": "Vernielingen rond het winkelcentrum.",
        "overleg": "groepsoverleg",
        "csrf_token": token(form),
    }
    # Person data in step 1: the form comes back, nothing is registered.
    refused = post(client, "/aanmelden/groep", data, status=422).text
    assert "Stap 1 gaat over de groep als geheel: geen persoonsgegevens (gevonden: " in refused
    assert "een telefoonnummer)" in refused
    assert 'value="Groep Webwinkelcentrum"' in refused
    assert "Vernielingen rond het winkelcentrum.</textarea>" in refused
    assert '<option value="groepsoverleg" selected>' in refused
    listing = api(client, token_for, "/casussen?limiet=100")
    assert "Groep Webwinkelcentrum" not in str(listing)

    data["waarom_integraal"] = "Groep van tien jongeren veroorzaakt 's avonds overlast."
    response = post(client, "/aanmelden/groep", data)
    match = CASUS_URL.match(response.headers["location"])
    assert match and match.group(2) == "groep-aangemeld"
    group_id = match.group(1)
    url = f"/casussen/{group_id}"
    html = get(client, response.headers["location"])
    assert "De groep is aangemeld." in html and "Groepsaanpak — stap 1" in html
    assert "In stap 1 worden geen personen vastgelegd" in html
    assert "Groepslid toevoegen" not in html
    casus = api(client, token_for, url)
    assert casus["soort"] == "groep" and casus["fase"] == "stap-1"
    assert casus["groepsnaam"] == "Groep Webwinkelcentrum" and casus["overleg"] == "groepsoverleg"

    # Signals on group level.
    personal = post(
        client,
        f"{url}/signalen",
        {"tekst": "Jongen van de Dorpsstraat 12 gooit met stenen.", "csrf_token": token(html)},
        status=422,
    ).text
    assert "Signalen gaan over de groep als geheel: geen persoonsgegevens" in personal
    assert "Jongen van de Dorpsstraat 12 gooit met stenen.</textarea>" in personal
    post(
        client,
        f"{url}/signalen",
        {
            "tekst": "Groep hangt rond bij de bushalte; vernielingen.",
            "waargenomen_op": "2026-11-20",
            "locatie": "Winkelcentrum Noord",
            "csrf_token": token(html),
        },
    )
    html = get(client, f"{url}?melding=signaal-toegevoegd")
    assert "Het signaal over de groep is vastgelegd." in html
    assert "(Winkelcentrum Noord): Groep hangt rond bij de bushalte; vernielingen." in html

    # Step 1: a hand-made member form is refused by the policy.
    member = {"rol": "kern", "voornamen": "Milan", "achternaam": "Webgroepslid"}
    step1 = post(client, f"{url}/leden", {**member, "csrf_token": token(html)}, status=403).text
    assert "Groepsaanpak stap 1 (signalen delen)" in step1

    # The procesregisseur appoints the uitvoeringscoördinator and moves to step 2.
    login(client, EXPERT)
    html = get(client, url)
    assert 'value="uitvoeringscoordinator"' in html.split('id="regie-vastleggen"')[1]
    post(
        client,
        f"{url}/regie",
        {"rol": "uitvoeringscoordinator", "gebruiker": JONGERENWERK, "csrf_token": token(html)},
    )
    html = get(client, url)
    post(
        client,
        f"{url}/overgang",
        {
            "naar": "stap-2",
            "reden": "Signalen wegen: informatie verzamelen.",
            "versie": version_in(html, f"{url}/overgang"),
            "csrf_token": token(html),
        },
    )

    # Step 2: the coordinator builds the namenlijst.
    login(client, JONGERENWERK)
    html = get(client, url)
    assert "Groepslid toevoegen" in html and "Nog niemand op de namenlijst." in html
    missing = post(
        client,
        f"{url}/leden",
        {"rol": "kern", "voornamen": "Milan", "roepnaam": "Mil", "csrf_token": token(html)},
        status=422,
    ).text
    assert "Vul de achternaam in." in missing
    assert 'value="Milan"' in missing and 'value="Mil"' in missing
    assert '<details class="subform" id="groepslid-toevoegen" open>' in missing
    response = post(
        client,
        f"{url}/leden",
        {**member, "roepnaam": "Mil", "geboortedatum": "2007-09-12", "csrf_token": token(html)},
    )
    assert response.headers["location"] == f"{url}?melding=groepslid-toegevoegd"
    html = get(client, response.headers["location"])
    assert "Milan Webgroepslid (Mil)" in html
    leden = api(client, token_for, f"{url}/leden", user=JONGERENWERK)["leden"]
    assert [m["persoon"]["achternaam"] for m in leden] == ["Webgroepslid"]
    person_id = leden[0]["persoon"]["id"]

    # Off the namenlijst: a reason is needed; the record stays with it.
    remove = f"{url}/leden/{person_id}/verwijderen"
    assert f'action="{remove}#lid-{person_id}"' in html
    assert "Geef een reden op." in post(client, remove, {"csrf_token": token(html)}, 422).text
    response = post(
        client, remove, {"reden": "Hoort niet (meer) bij de groep.", "csrf_token": token(html)}
    )
    assert response.headers["location"] == f"{url}?melding=groepslid-verwijderd"
    html = get(client, response.headers["location"])
    assert "Milan Webgroepslid" not in html and "Nog niemand op de namenlijst." in html
    ended = api(client, token_for, f"{url}/leden?ook_verwijderd=true", user=JONGERENWERK)
    assert ended["leden"][0]["reden_verwijderd"] == "Hoort niet (meer) bij de groep."
    assert ended["leden"][0]["verwijderd_op"] is not None
