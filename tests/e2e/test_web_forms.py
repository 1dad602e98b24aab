"""The Dutch web forms: professionals do the daily work in the browser (plain HTML forms,
POST then 303 back), through the same casework services as the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from plan_first import ensure_plan

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT
STALE = (
    "Iemand anders heeft deze casus intussen gewijzigd; bekijk de nieuwe stand en probeer opnieuw."
)
CASUS_URL = re.compile(r"^/casussen/([0-9a-f-]{36})\?melding=aangemeld$")


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


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


def version(html: str) -> str:
    match = re.search(r'name="versie" value="(\d+)"', html)
    assert match, "no casus version in the page"
    return match.group(1)


def post(client: Client, url: str, data: dict[str, Any], status: int = 303) -> Any:
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:1500])
    return response


def aanmelding(achternaam: str, **overrides: str) -> dict[str, str]:
    form = {
        "voornamen": "Bradley",
        "achternaam": achternaam,
        "roepnaam": "Brad",
        "geboortedatum": "2004-05-17",
        "bsn": "",
        "waarom_integraal": "Herhaald overlast en schulden; de politie alleen komt niet verder.",
        "probleem_financien": "Schulden bij meerdere partijen.",
        "probleem_justitie": "Drie registraties wegens overlast.",
        "geinformeerd": "ja",
        "reden_niet_geinformeerd": "",
        "overleg": "pga-kernteam",
        "vrijwillig": "ja",
    }
    form.update(overrides)
    return form


def aanmelden(client: Client, achternaam: str) -> str:
    """A casus made through the form by the wijkagent; returns its id."""
    login(client, WIJKAGENT)
    html = get(client, "/aanmelden")
    response = post(client, "/aanmelden", {**aanmelding(achternaam), "csrf_token": token(html)})
    match = CASUS_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def casus_json(client: Client, token_for: Headers, casus_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/casussen/{casus_id}", headers=token_for(T, EXPERT))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_aanmelden_via_the_form_goes_to_the_new_casus_page(web: Client) -> None:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    assert "<h1>Persoon aanmelden</h1>" in form
    assert "Waarom is een integrale aanpak nodig?" in form
    assert "Financiën" in form and "Maatschappelijke participatie" in form  # ZRM leefgebieden
    assert "PGA-kernteam" in form and "Veldtafel" in form  # Zeist's meeting types
    assert "Overleg jeugdgroepen" not in form  # a group meeting, not for a person

    response = post(web, "/aanmelden", {**aanmelding("Formtest"), "csrf_token": token(form)})
    location = response.headers["location"]
    assert CASUS_URL.match(location)
    html = get(web, location)
    assert "Bradley Formtest (Brad)" in html
    assert "De aanmelding is opgeslagen." in html
    assert '<span class="phase phase-lg">Aangemeld</span>' in html
    assert "de politie alleen komt" in html
    # Financial and justice problems are not granted to the police for the aanmelding:
    # afgeschermd, also for the aanmelder (issue 9: free text carries its category).
    assert "Schulden bij meerdere partijen." not in html
    assert "Drie registraties wegens overlast." not in html
    assert "Afgeschermd voor uw organisatie en doel." in html
    # The politie takes part but is not the regie: no phase forms, the policy's reason instead.
    assert 'action="/casussen/' not in html.split("Informatie toevoegen")[0].split("kop-acties")[1]
    assert "U kunt de fase van deze casus niet wijzigen" in html
    assert "Alleen de casusregisseur" in html


def test_the_writer_marks_the_toelichting_and_the_mask_follows(web: Client) -> None:
    """Issue 9, defect 4: free text carries the category its writer chose."""
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    assert "Bevat de toelichting gevoelige gegevens?" in form
    data = {
        **aanmelding("Categorietest", waarom_integraal="Hoge schulden bij zes schuldeisers."),
        "tekst_categorie": "financieel",
        "csrf_token": token(form),
    }
    location = post(web, "/aanmelden", data).headers["location"]
    html = get(web, location)
    # The police have no grant for financieel: the toelichting is afgeschermd for them.
    assert "Hoge schulden bij zes schuldeisers." not in html
    assert "Afgeschermd: deze toelichting gaat over gegevens" in html
    # The pga-expert (gemeente-oov: financieel granted for casusoverleg) reads it.
    login(web, EXPERT)
    assert "Hoge schulden bij zes schuldeisers." in get(web, location + "&doel=casusoverleg")


def test_invalid_bsn_keeps_every_value_and_names_the_field(web: Client, token_for: Headers) -> None:
    login(web, WIJKAGENT)
    form = get(web, "/aanmelden")
    data = {
        **aanmelding("Bsntest", bsn="123456789", geinformeerd="nee"),
        "csrf_token": token(form),
    }
    response = post(web, "/aanmelden", data, status=422)
    html = response.text
    assert "De aanmelding is nog niet opgeslagen." in html
    assert "Dit is geen geldig BSN (elfproef)." in html
    assert "Geef aan waarom de persoon (nog) niet is geïnformeerd" in html
    assert 'id="aanmelden-bsn" name="bsn" value="123456789"' in html
    assert 'aria-invalid="true"' in html
    for kept in (
        'value="Bradley"',
        'value="Bsntest"',
        'value="Brad"',
        'value="2004-05-17"',
        "Herhaald overlast en schulden; de politie alleen komt niet verder.</textarea>",
        "Schulden bij meerdere partijen.</textarea>",
        "Drie registraties wegens overlast.</textarea>",
        '<option value="pga-kernteam" selected>',
        'name="geinformeerd" value="nee" checked',
    ):
        assert kept in html, kept
    # Nothing was registered.
    listing = web.get("/api/v1/casussen?limiet=100", headers=token_for(T, EXPERT)).json()
    names = [i.get("persoon", {}).get("achternaam") for i in listing["items"]]
    assert "Bsntest" not in names


def test_expert_starts_triage_and_decides_through_the_forms(
    web: Client, token_for: Headers
) -> None:
    casus_id = aanmelden(web, "Triagetest")
    url = f"/casussen/{casus_id}"
    login(web, EXPERT)
    html = get(web, url)
    assert f'action="{url}/overgang"' in html and "Triage starten" in html
    post(
        web,
        f"{url}/overgang",
        {"naar": "in_triage", "versie": version(html), "csrf_token": token(html)},
    )

    html = get(web, url + "?melding=fase-gewijzigd")
    assert "De fase van de casus is gewijzigd." in html
    assert '<span class="phase phase-lg">In triage</span>' in html
    assert "Triagebesluit" in html and "0 van 3 criteria (minimaal 2)" in html
    assert "binnen" in html  # age band of the tenant

    # Counting the criteria decides nothing: the page comes back with the new count.
    criteria = ["overlast-criminaliteit", "politieregistraties"]
    base = {"versie": version(html), "csrf_token": token(html), "criteria": criteria}
    counted = post(web, f"{url}/triage", {**base, "actie": "toetsen"}, status=200).text
    assert "2 van 3 criteria (minimaal 2)" in counted
    assert 'value="overlast-criminaliteit" checked' in counted
    assert 'value="meerdere-organisaties" checked' not in counted
    assert casus_json(web, token_for, casus_id)["fase"] == "in_triage"

    # "Niet opnemen" needs a reason: the form comes back with the choice kept.
    refused = post(
        web, f"{url}/triage", {**base, "besluit": "niet-opnemen", "actie": "besluiten"}, 422
    ).text
    assert "Geef een reden op voor het besluit" in refused
    assert 'name="besluit" value="niet-opnemen" checked' in refused
    assert casus_json(web, token_for, casus_id)["fase"] == "in_triage"

    post(web, f"{url}/triage", {**base, "besluit": "opnemen", "actie": "besluiten"})
    html = get(web, url + "?melding=triage-besloten")
    assert "Het triagebesluit is vastgelegd." in html
    assert '<span class="phase phase-lg">Opgenomen (informeren)</span>' in html
    assert "Opnemen in de PGA" in html
    triage = casus_json(web, token_for, casus_id)["triage"]
    assert triage["besluit"] == "opnemen" and triage["inclusie"] == "2 van 3 criteria (minimaal 2)"


def test_stale_version_changes_nothing_and_says_so(web: Client, token_for: Headers) -> None:
    casus_id = aanmelden(web, "Versietest")
    url = f"/casussen/{casus_id}"
    login(web, EXPERT)
    html = get(web, url)
    stale = {"naar": "in_triage", "versie": version(html), "csrf_token": token(html)}
    # Someone else moves it first (through the API).
    moved = web.post(
        f"/api/v1{url}/overgang",
        json={"naar": "in_triage"},
        headers={**token_for(T, EXPERT), "If-Match": '"v1"'},
    )
    assert moved.status_code == 200, moved.text
    before = casus_json(web, token_for, casus_id)

    response = post(web, f"{url}/overgang", stale)
    assert response.headers["location"] == f"{url}?melding=verouderd"
    assert STALE in get(web, response.headers["location"])
    # A stale triage decision does not land either.
    post(
        web,
        f"{url}/triage",
        {
            **stale,
            "besluit": "opnemen",
            "criteria": ["overlast-criminaliteit"],
            "afwijking_reden": "x",
        },
    )
    after = casus_json(web, token_for, casus_id)
    assert after["fase"] == before["fase"] == "in_triage"
    assert after["versie"] == before["versie"] and after["triage"] == {}


def test_post_without_the_csrf_token_is_refused(web: Client, token_for: Headers) -> None:
    casus_id = aanmelden(web, "Csrftest")
    url = f"/casussen/{casus_id}"
    login(web, EXPERT)
    html = get(web, url)
    for bad in ({}, {"csrf_token": "0" * 64}):
        response = post(
            web, f"{url}/overgang", {"naar": "in_triage", "versie": version(html), **bad}, 403
        )
        assert (
            "Formulier niet verwerkt" in response.text and "Er is niets gewijzigd" in response.text
        )
    assert casus_json(web, token_for, casus_id)["fase"] == "aangemeld"

    refused = post(web, "/aanmelden", aanmelding("Csrfaanmelding"), status=403)
    assert "Formulier niet verwerkt" in refused.text
    # No lost work: the form comes back filled in, with the token of this login.
    assert 'value="Csrfaanmelding"' in refused.text and token(refused.text) == token(html)
    # The token of another login does not fit this one.
    login(web, WIJKAGENT)
    response = post(
        web, f"{url}/informatie", {"csrf_token": token(html), "titel": "x", "inhoud": "y"}, 403
    )
    assert "Formulier niet verwerkt" in response.text
    # Without a login cookie (an expired session): what was typed comes back, ready to be
    # sent again after logging in; nothing about the casus is shown.
    with TestClient(web.app) as anonymous:
        gone = anonymous.post(f"{url}/overgang", data={"naar": "in_triage", "reden": "Mijn tekst"})
        assert gone.status_code == 401, gone.text
        assert "Uw sessie is verlopen" in gone.text and "Mijn tekst" in gone.text
        assert f'action="{url}/overgang"' in gone.text
        assert 'name="naar" value="in_triage"' in gone.text and "Bradley" not in gone.text


def test_a_policy_refusal_shows_the_reasons(web: Client, token_for: Headers) -> None:
    casus_id = aanmelden(web, "Beleidtest")
    url = f"/casussen/{casus_id}"
    html = get(web, url)  # still the wijkagent: a participant, not the regie
    assert 'name="versie"' not in html  # no phase forms are offered ...
    response = post(  # ... and a hand-made one is refused by the policy
        web,
        f"{url}/overgang",
        {"naar": "in_triage", "versie": "1", "csrf_token": token(html)},
        status=403,
    )
    assert "Niet uitgevoerd: het beleid staat dit niet toe." in response.text
    assert "Alleen de casusregisseur, de PGA-expert of de uitvoeringscoördinator" in response.text
    assert casus_json(web, token_for, casus_id)["fase"] == "aangemeld"


def test_adding_information_to_the_casus(web: Client) -> None:
    casus_id = aanmelden(web, "Informatietest")
    url = f"/casussen/{casus_id}"
    html = get(web, url)
    assert "Informatie toevoegen" in html
    assert f'action="{url}/informatie#informatie-toevoegen"' in html
    base = {"csrf_token": token(html), "categorie": "algemeen", "doel": "casusoverleg"}

    missing = post(web, f"{url}/informatie", {**base, "inhoud": "Alleen inhoud."}, status=422)
    assert "Geef de informatie een titel." in missing.text
    assert "Alleen inhoud.</textarea>" in missing.text
    assert '<details class="subform" id="informatie-toevoegen" open>' in missing.text

    response = post(
        web,
        f"{url}/informatie",
        {
            **base,
            "titel": "Melding buurtbewoners",
            "inhoud": "Drie buren meldden geluidsoverlast in het weekend.",
            "grondslag": "publieke-taak",
        },
    )
    assert response.headers["location"] == f"{url}?melding=informatie-toegevoegd"
    html = get(web, response.headers["location"])
    assert "De informatie is toegevoegd." in html
    assert "Melding buurtbewoners" in html and "Drie buren meldden geluidsoverlast" in html


def test_close_and_reopen_through_the_forms(web: Client, token_for: Headers) -> None:
    casus_id = aanmelden(web, "Afsluittest")
    url = f"/casussen/{casus_id}"
    login(web, EXPERT)

    def step(path: str, data: dict[str, Any], status: int = 303) -> Any:
        html = get(web, url)
        return post(
            web,
            f"{url}/{path}",
            {**data, "versie": version(html), "csrf_token": token(html)},
            status,
        )

    step("overgang", {"naar": "in_triage"})
    step(
        "triage",
        {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
    )
    step("overgang", {"naar": "plan"})
    # No uitvoering without a plan van aanpak (issue 12).
    ensure_plan(web, f"/api/v1/casussen/{casus_id}", token_for(T, EXPERT))
    step("overgang", {"naar": "uitvoering"})
    html = get(web, url)
    assert "Casus afsluiten" in html and "Ontvangende organisatie" in html

    refused = step("afsluiting", {"reden": "afgeschaald"}, status=422).text
    assert "kies de ontvangende organisatie" in refused
    assert '<option value="afgeschaald" selected>' in refused
    assert '<details class="subform" open>' in refused

    step(
        "afsluiting",
        {
            "reden": "afgeschaald",
            "ontvangende_organisatie": "sociaal-wijkteam-zeist",
            "eindgesprek_datum": "2026-01-05",
            "eindgesprek_notities": "Doelen behaald; wijkteam neemt over.",
        },
    )
    closed = casus_json(web, token_for, casus_id)
    assert closed["fase"] == "afgeschaald"
    assert closed["afsluiting"]["ontvangende_organisatie"] == "sociaal-wijkteam-zeist"
    assert closed["afsluiting"]["eindgesprek"]["notities"] == "Doelen behaald; wijkteam neemt over."

    step("overgang", {"naar": "waakvlam"})
    html = get(web, url)
    assert "Casus heropenen" in html and "Archiveren" in html
    assert "Geef een reden op voor het heropenen." in step("heropenen", {}, status=422).text
    response = step("heropenen", {"reden": "Nieuwe meldingen van overlast."})
    assert response.headers["location"] == f"{url}?melding=heropend"
    reopened = casus_json(web, token_for, casus_id)
    assert reopened["fase"] == "plan"
    assert reopened["afsluiting"]["heropen_reden"] == "Nieuwe meldingen van overlast."
