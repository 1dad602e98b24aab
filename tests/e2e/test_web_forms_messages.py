"""The aanmelden, triage and afsluiten forms validate with the API's schemas (AanmeldingIn,
TriageIn, AfsluitingIn) and keep their own Dutch message per field: each message is beside
its field and tied to it (aria-describedby, aria-invalid), and what was entered stays."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_COORDINATOR, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from plan_first import ensure_plan

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT
CASUS_URL = re.compile(r"^/casussen/([0-9a-f-]{36})\?melding=aangemeld$")


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


def login(client: Client, user: str) -> None:
    assert login_as(client, T, user).status_code == 200


def get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:800])
    return response.text


def post(client: Client, url: str, data: dict[str, Any], status: int = 303) -> Any:
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:2000])
    return response


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def version(html: str) -> str:
    match = re.search(r'name="versie" value="(\d+)"', html)
    assert match, "no casus version in the page"
    return match.group(1)


def api(client: Client, token_for: Headers, casus_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/casussen/{casus_id}", headers=token_for(T, EXPERT))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def errors_of(html: str, form: str, field: str) -> list[str]:
    """The messages shown beside a field, each with the id the field points to."""
    prefix = f"{form}-{field}".replace("_", "-")
    found = re.findall(
        rf'<p class="field-error" id="({re.escape(prefix)}-fout\d+)"><span class="sr-only">'
        r"Fout: </span>([^<]*)</p>",
        html,
    )
    for error_id, _message in found:
        described = re.search(rf'aria-describedby="([^"]*\b{re.escape(error_id)}\b[^"]*)"', html)
        assert described, f"nothing is described by {error_id}"
    return [markup.unescape(message) for _id, message in found]


def aanmelding(achternaam: str, **overrides: str) -> dict[str, str]:
    form = {
        "voornamen": "Bradley",
        "achternaam": achternaam,
        "roepnaam": "Brad",
        "geboortedatum": "2004-05-17",
        "bsn": "",
        "waarom_integraal": "Herhaald overlast en schulden; de politie alleen komt niet verder.",
        "probleem_financien": "Schulden bij meerdere partijen.",
        "geinformeerd": "ja",
        "reden_niet_geinformeerd": "",
        "overleg": "pga-kernteam",
        "vrijwillig": "ja",
    }
    form.update(overrides)
    return form


def test_aanmelden_says_per_field_what_is_wrong_and_keeps_the_input(
    web: Client, token_for: Headers
) -> None:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    data = {
        **aanmelding(
            "",
            voornamen="",
            roepnaam="Berichtentest",
            geboortedatum="31-02-2004",
            bsn="1234 5678",
            waarom_integraal="Kort",
            probleem_financien="x" * 10_001,
            geinformeerd="",
            tekst_categorie="onbekend",
        ),
        "csrf_token": token(form),
    }
    html = post(web, "/aanmelden", data, status=422).text
    assert "De aanmelding is nog niet opgeslagen." in html
    assert errors_of(html, "aanmelden", "voornamen") == ["Vul de voornamen in."]
    assert errors_of(html, "aanmelden", "achternaam") == ["Vul de achternaam in."]
    assert errors_of(html, "aanmelden", "geboortedatum") == [
        "Vul een geldige datum in (dd-mm-jjjj)."
    ]
    assert errors_of(html, "aanmelden", "bsn") == ["Een BSN bestaat uit 9 cijfers."]
    assert errors_of(html, "aanmelden", "waarom_integraal") == [
        "Leg in ten minste 10 tekens uit waarom een integrale aanpak nodig is."
    ]
    assert errors_of(html, "aanmelden", "probleem_financien") == [
        "Dit veld is te lang (maximaal 10000 tekens)."
    ]
    assert errors_of(html, "aanmelden", "geinformeerd") == [
        "Geef aan of de persoon is geïnformeerd."
    ]
    assert errors_of(html, "aanmelden", "tekst_categorie") == [
        "Kies een van de genoemde soorten gegevens."
    ]
    for kept in (
        'value="Berichtentest"',
        'value="31-02-2004"',
        'value="1234 5678"',
        ">Kort</textarea>",
        '<option value="pga-kernteam" selected>',
    ):
        assert kept in html, kept
    # Nothing was registered.
    listing = web.get("/api/v1/casussen?limiet=100", headers=token_for(T, EXPERT)).json()
    assert "Berichtentest" not in str(listing)


def test_aanmelden_asks_why_not_informed_and_says_what_is_missing(web: Client) -> None:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    data = {
        **aanmelding("Redentest", waarom_integraal="", geinformeerd="nee"),
        "csrf_token": token(form),
    }
    html = post(web, "/aanmelden", data, status=422).text
    assert errors_of(html, "aanmelden", "waarom_integraal") == [
        "Leg uit waarom een integrale aanpak nodig is."
    ]
    assert errors_of(html, "aanmelden", "reden_niet_geinformeerd") == [
        "Geef aan waarom de persoon (nog) niet is geïnformeerd over de aanmelding."
    ]
    assert 'name="geinformeerd" value="nee" checked' in html


def test_aanmelden_reads_a_dutch_date_and_a_bsn_with_dots(web: Client, token_for: Headers) -> None:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    data = {
        **aanmelding("Datumtest", geboortedatum="17-05-2004", bsn="1112.22.333"),
        "csrf_token": token(form),
    }
    match = CASUS_URL.match(post(web, "/aanmelden", data).headers["location"])
    assert match
    person = api(web, token_for, match.group(1))["persoon"]
    assert person["achternaam"] == "Datumtest"
    assert person["geboortedatum"] == "2004-05-17"


def _casus_in_triage(web: Client, name: str) -> str:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    location = post(web, "/aanmelden", {**aanmelding(name), "csrf_token": token(form)})
    match = CASUS_URL.match(location.headers["location"])
    assert match
    casus_id = match.group(1)
    login(web, EXPERT)
    html = get(web, f"/casussen/{casus_id}")
    post(
        web,
        f"/casussen/{casus_id}/overgang",
        {"naar": "in_triage", "versie": version(html), "csrf_token": token(html)},
    )
    return casus_id


def test_triage_without_a_decision_says_so_beside_the_choice(
    web: Client, token_for: Headers
) -> None:
    casus_id = _casus_in_triage(web, "Triageberichttest")
    url = f"/casussen/{casus_id}"
    html = get(web, url)
    data = {
        "criteria": ["overlast-criminaliteit"],
        "reden": "Nog te bespreken.",
        "actie": "besluiten",
        "versie": version(html),
        "csrf_token": token(html),
    }
    refused = post(web, f"{url}/triage", data, status=422).text
    assert errors_of(refused, "triage", "besluit") == ["Kies een triagebesluit."]
    assert 'value="overlast-criminaliteit" checked' in refused
    assert "Nog te bespreken.</textarea>" in refused
    assert api(web, token_for, casus_id)["fase"] == "in_triage"


def test_afsluiten_says_per_field_what_is_wrong_and_reads_dutch_dates(
    web: Client, token_for: Headers
) -> None:
    casus_id = _casus_in_triage(web, "Afsluitberichttest")
    url = f"/casussen/{casus_id}"

    def step(path: str, data: dict[str, Any], status: int = 303) -> Any:
        html = get(web, url)
        return post(
            web,
            f"{url}/{path}",
            {**data, "versie": version(html), "csrf_token": token(html)},
            status,
        )

    step(
        "triage",
        {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
    )
    step("overgang", {"naar": "plan"})
    ensure_plan(web, f"/api/v1/casussen/{casus_id}", token_for(T, EXPERT))
    step("overgang", {"naar": "uitvoering"})

    refused = step(
        "afsluiting",
        {
            "toelichting": "Doelen behaald.",
            "eindgesprek_datum": "32-13-2026",
            "afsluitbrief_datum": "morgen",
        },
        status=422,
    ).text
    assert errors_of(refused, "afsluiten", "reden") == ["Kies een afsluitreden."]
    assert errors_of(refused, "afsluiten", "eindgesprek_datum") == [
        "Vul een geldige datum in (dd-mm-jjjj)."
    ]
    assert errors_of(refused, "afsluiten", "afsluitbrief_datum") == [
        "Vul een geldige datum in (dd-mm-jjjj)."
    ]
    assert "Doelen behaald.</textarea>" in refused
    assert 'value="32-13-2026"' in refused and 'value="morgen"' in refused
    assert '<details class="subform" open>' in refused
    assert api(web, token_for, casus_id)["fase"] == "uitvoering"

    step(
        "afsluiting",
        {
            "reden": "afgeschaald",
            "ontvangende_organisatie": "sociaal-wijkteam-zeist",
            "eindgesprek_datum": "05-01-2026",
            "eindgesprek_notities": "Wijkteam neemt over.",
            "afsluitbrief_datum": "6-1-2026",
        },
    )
    closed = api(web, token_for, casus_id)
    assert closed["fase"] == "afgeschaald"
    assert closed["afsluiting"]["eindgesprek"] == {
        "datum": "2026-01-05",
        "notities": "Wijkteam neemt over.",
    }
    assert closed["afsluiting"]["afsluitbrief_datum"] == "2026-01-06"


def test_informatie_toevoegen_says_per_field_what_is_missing(web: Client) -> None:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    location = post(web, "/aanmelden", {**aanmelding("Itemberichttest"), "csrf_token": token(form)})
    match = CASUS_URL.match(location.headers["location"])
    assert match
    url = f"/casussen/{match.group(1)}"
    html = get(web, url)
    refused = post(
        web,
        f"{url}/informatie",
        {"csrf_token": token(html), "doel": "", "grondslag": "publieke-taak"},
        status=422,
    ).text
    assert errors_of(refused, "informatie", "categorie") == ["Kies een categorie."]
    assert errors_of(refused, "informatie", "titel") == ["Geef de informatie een titel."]
    assert errors_of(refused, "informatie", "inhoud") == ["Vul de inhoud in."]
    assert errors_of(refused, "informatie", "doel") == ["Kies het doel (doelbinding)."]
    assert '<option value="publieke-taak" selected>' in refused
    unknown = post(
        web,
        f"{url}/informatie",
        {
            "csrf_token": token(html),
            "categorie": "algemeen",
            "titel": "Titel",
            "inhoud": "Inhoud.",
            "doel": "onbekend-doel",
        },
        status=422,
    ).text
    assert errors_of(unknown, "informatie", "doel") == ["Kies het doel (doelbinding)."]
    assert 'value="Titel"' in unknown


def test_deelnemer_and_regie_forms_say_per_field_what_is_wrong(
    web: Client, token_for: Headers
) -> None:
    casus_id = _casus_in_triage(web, "Regieberichttest")
    url = f"/casussen/{casus_id}"
    html = get(web, url)
    post(
        web,
        f"{url}/triage",
        {
            "criteria": ["overlast-criminaliteit", "meerdere-organisaties"],
            "besluit": "opnemen",
            "versie": version(html),
            "csrf_token": token(html),
        },
    )
    html = get(web, url)
    regie = post(
        web, f"{url}/regie", {"reden": "Overdracht.", "csrf_token": token(html)}, status=422
    ).text
    assert errors_of(regie, "regie", "rol") == ["Kies de rol."]
    assert errors_of(regie, "regie", "gebruiker") == ["Kies wie de regie krijgt."]
    assert "Overdracht.</textarea>" in regie
    invite = post(
        web,
        f"{url}/deelnemers",
        {"deelname": "soms", "rol": "Schulden", "csrf_token": token(html)},
        status=422,
    ).text
    assert errors_of(invite, "deelnemer", "organisatie") == ["Kies een organisatie."]
    assert errors_of(invite, "deelnemer", "deelname") == ["Kies 'kern' of 'op-afroep'."]
    assert 'value="Schulden"' in invite
    assert [p["organisatie"] for p in api(web, token_for, casus_id)["deelnemers"]] == [
        "politie-basisteam-zeist"
    ]


def test_group_aanmelding_and_signal_forms_say_per_field_what_is_wrong(web: Client) -> None:
    login(web, ZEIST_COORDINATOR)  # jongerenwerk
    form = get(web, "/aanmelden/groep")
    refused = post(
        web,
        "/aanmelden/groep",
        {
            "groepsnaam": "",
            "waarom_integraal": "Overlast",
            "overleg": "groepsoverleg",
            "csrf_token": token(form),
        },
        status=422,
    ).text
    assert errors_of(refused, "aanmelden-groep", "groepsnaam") == [
        "Geef de (werk)naam van de groep op."
    ]
    assert errors_of(refused, "aanmelden-groep", "waarom_integraal") == [
        "Beschrijf de signalen over de groep in ten minste 10 tekens."
    ]
    assert ">Overlast</textarea>" in refused
    response = post(
        web,
        "/aanmelden/groep",
        {
            "groepsnaam": "Groep Berichtenplein",
            "waarom_integraal": "Groep jongeren veroorzaakt 's avonds overlast op het plein.",
            "overleg": "groepsoverleg",
            "csrf_token": token(form),
        },
    )
    url = response.headers["location"].split("?")[0]
    html = get(web, url)
    signal = post(
        web,
        f"{url}/signalen",
        {"tekst": "Ruzie", "waargenomen_op": "gisteren", "csrf_token": token(html)},
        status=422,
    ).text
    assert errors_of(signal, "signaal", "waargenomen_op") == [
        "Vul een geldige datum in (dd-mm-jjjj)."
    ]
    assert errors_of(signal, "signaal", "tekst") == []  # five characters is enough
    short = post(web, f"{url}/signalen", {"tekst": "Oei", "csrf_token": token(html)}, 422).text
    assert errors_of(short, "signaal", "tekst") == ["Beschrijf het signaal in ten minste 5 tekens."]
    post(
        web,
        f"{url}/signalen",
        {"tekst": "Groep op het plein.", "waargenomen_op": "20-11-2026", "csrf_token": token(html)},
    )
    assert "Het signaal over de groep is vastgelegd." in get(
        web, f"{url}?melding=signaal-toegevoegd"
    )
