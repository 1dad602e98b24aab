"""The Dutch web pages for professionals: logged in through the form (cookie), rendered from
the same casework services as the API, so the policy decides (and audits) every page view."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_CASUSREGISSEUR_NAME,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_PGA_EXPERT_NAME,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.casework.domain.local_time import local_today
from services.runtime import Runtime
from tenants.reference import ZRM_DOMAINS

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T, OTHER = ZEIST, ZOETERMEER
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
OUTSIDER, ADVISEUR, FOREIGN = ZEIST_KLANTMANAGER, ZEIST_ADVISEUR, ZOETERMEER_PGA_EXPERT
FOOTER = "Alle inzage wordt vastgelegd (doelbinding: "
NAME = "Bradley Webtest"
SECRET = "Geheime schuldeninformatie webtest"


@dataclass(frozen=True)
class Scenario:
    casus_id: str
    referentie: str
    overleg_id: str


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


def login(client: Client, user: str, tenant: str = T) -> None:
    response = login_as(client, tenant, user)
    assert response.status_code == 200, response.text
    assert "regietafel_token" in response.headers.get("set-cookie", "")


def page(client: Client, url: str, user: str, tenant: str = T, status: int = 200) -> str:
    login(client, user, tenant)
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, user, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response


@pytest.fixture(scope="module")
def scenario(web: Client, token_for: Headers) -> Scenario:
    """A Zeist person casus with triage, regie, a plan, two ZRM measurements, a shared item
    and a meeting, all made through the JSON API by the roles that do it."""
    wijkagent, expert = token_for(T, WIJKAGENT), token_for(T, EXPERT)
    regisseur = token_for(T, REGISSEUR)
    today = local_today()
    created = ok(
        web.post(
            "/api/v1/casussen",
            json={
                "soort": "persoon",
                "waarom_integraal": "Herhaald overlast en schulden: de politie alleen komt "
                "niet verder.",
                "problemen": {
                    "financien": "Schulden bij meerdere partijen.",
                    "justitie": "Drie registraties wegens overlast.",
                },
                "geinformeerd": True,
                "persoon": {
                    "voornamen": "Bradley",
                    "achternaam": "Webtest",
                    "geboortedatum": "2004-05-17",
                },
            },
            headers=wijkagent,
        ),
        201,
    )
    casus_id, referentie = created.json()["id"], created.json()["referentie"]
    url = f"/api/v1/casussen/{casus_id}"
    moved = ok(
        web.post(
            f"{url}/overgang",
            json={"naar": "in_triage"},
            headers={**expert, "If-Match": created.headers["etag"]},
        )
    )
    ok(
        web.post(
            f"{url}/triage",
            json={
                "criteria": ["overlast-criminaliteit", "politieregistraties"],
                "besluit": "opnemen",
            },
            headers={**expert, "If-Match": moved.headers["etag"]},
        )
    )
    ok(
        web.put(
            f"{url}/regie",
            json={"rol": "casusregisseur", "gebruiker": REGISSEUR},
            headers=expert,
        )
    )
    etag = web.get(url, headers=regisseur).headers["etag"]
    ok(web.post(f"{url}/overgang", json={"naar": "plan"}, headers={**regisseur, "If-Match": etag}))
    ok(
        web.put(
            f"{url}/plan",
            json={
                "doelen": [
                    {
                        "leefgebied": "financien",
                        "probleem": "Schulden bij meerdere schuldeisers.",
                        "doel": "Schulden in beeld en een budgetplan.",
                    }
                ],
                "eindcriterium": "Zes maanden geen meldingen en schulden onder bewind.",
                "acties": [
                    {
                        "id": "a1",
                        "omschrijving": "Aanmelden bij schuldhulpverlening",
                        "eigenaar_organisatie": "sociaal-wijkteam-zeist",
                        "deadline": (today + dt.timedelta(days=30)).isoformat(),
                    }
                ],
                "toezeggingen": [
                    {
                        "organisatie": "politie-basisteam-zeist",
                        "tekst": "Wijkagent loopt wekelijks langs.",
                        "gedaan_op": (today - dt.timedelta(days=120)).isoformat(),
                    }
                ],
            },
            headers=regisseur,
        ),
        201,
    )
    for moment, days_ago, financien, wonen in (("intake", 60, 2, 3), ("tussentijds", 1, 4, 2)):
        scores = dict.fromkeys(ZRM_DOMAINS, 3)
        scores.update({"financien": financien, "huisvesting": wonen})
        ok(
            web.post(
                f"{url}/zelfredzaamheid",
                json={
                    "moment": moment,
                    "datum": (today - dt.timedelta(days=days_ago)).isoformat(),
                    "scores": scores,
                },
                headers=regisseur,
            ),
            201,
        )
    item = ok(
        web.post(
            f"{url}/informatie",
            json={
                "categorie": "financieel",
                "titel": "Schuldenoverzicht",
                "inhoud": SECRET,
                "doel": "casusoverleg",
                "grondslag": "publieke-taak",
            },
            headers=regisseur,
        ),
        201,
    ).json()
    ok(
        web.post(
            f"{url}/informatie/{item['id']}/delen",
            json={
                "doel": "casusoverleg",
                "grondslag": "publieke-taak",
                "noodzaak": "Zonder dit overzicht kan het overleg geen aanpak kiezen.",
                "persoon_geinformeerd": True,
            },
            headers=regisseur,
        )
    )
    meeting = ok(
        web.post(
            "/api/v1/overleggen",
            json={
                "type": "pga-kernteam",
                "datum_tijd": f"{today + dt.timedelta(days=7)}T09:30:00+01:00",
                "agenda": [{"casus_id": casus_id, "briefing": "Stand van de schulden bespreken."}],
            },
            headers=expert,
        ),
        201,
    )
    return Scenario(casus_id, referentie, str(meeting.json()["id"]))


def test_pages_redirect_to_login_without_cookie(app: Litestar, scenario: Scenario) -> None:
    with TestClient(app) as anonymous:
        for url in (
            "/casussen",
            f"/casussen/{scenario.casus_id}",
            "/werkvoorraad",
            "/overleggen",
            f"/overleggen/{scenario.overleg_id}",
            "/overzicht",
        ):
            response = anonymous.get(url, follow_redirects=False)
            assert response.status_code == 303, url
            assert response.headers["location"] == "/inloggen"
        anonymous.cookies.set("regietafel_token", "niet-geldig")
        assert anonymous.get("/casussen", follow_redirects=False).status_code == 303


def test_my_casussen_lists_the_casus_with_name_for_participants(
    web: Client, scenario: Scenario
) -> None:
    html = page(web, "/casussen", REGISSEUR)
    assert "<h1>Mijn casussen</h1>" in html
    assert scenario.referentie in html and NAME in html
    assert '<span class="phase">Plan van aanpak</span>' in html  # fase label
    assert (
        ZEIST_CASUSREGISSEUR_NAME in html and "Sociaal wijkteam Zeist" in html and "Zeist" in html
    )
    assert FOOTER + "casusoverleg" in html
    assert '<th scope="col">Referentie</th>' in html
    assert '<label for="fase">Fase</label>' in html

    filtered = page(web, "/casussen?fase=plan", REGISSEUR)
    assert scenario.referentie in filtered
    other_phase = page(web, "/casussen?fase=monitoring", REGISSEUR)
    assert scenario.referentie not in other_phase


def test_adviseur_sees_pseudonymised_rows_and_page(web: Client, scenario: Scenario) -> None:
    listing = page(web, "/casussen", ADVISEUR)
    assert scenario.referentie in listing
    assert "Bradley" not in listing and "Webtest" not in listing
    assert re.search(r"P-[0-9A-F]{6}", listing)
    assert "gepseudonimiseerd" in listing

    casus = page(web, f"/casussen/{scenario.casus_id}", ADVISEUR)
    assert "Bradley" not in casus and "Webtest" not in casus
    assert "de politie alleen komt" not in casus  # free text of the aanmelding
    assert re.search(r"P-[0-9A-F]{6}", casus)
    assert SECRET not in casus
    assert FOOTER in casus


def test_casus_page_for_the_casusregisseur(web: Client, scenario: Scenario) -> None:
    html = page(web, f"/casussen/{scenario.casus_id}", REGISSEUR)
    assert NAME in html and scenario.referentie in html
    # Fase and next possible phases (as information).
    assert "Volgende mogelijke fasen" in html and "Uitvoering" in html
    # Participants and regie.
    assert "Casusregisseur:" in html and ZEIST_CASUSREGISSEUR_NAME in html
    assert "Politie Midden-Nederland, basisteam Zeist" in html
    # Aanmelding, triage.
    assert "Waarom een integrale aanpak?" in html and "de politie alleen komt" in html
    assert "Schulden bij meerdere partijen." in html
    assert "Opnemen in de PGA" in html or "Besluit" in html
    # Plan van aanpak.
    assert "Schulden in beeld en een budgetplan." in html
    assert "Zes maanden geen meldingen" in html
    assert "Aanmelden bij schuldhulpverlening" in html
    # ZRM: financien went from 2 to 4.
    assert "▲" in html and "+2" in html and "Financiën" in html
    assert "▼" in html and "-1" in html  # huisvesting 3 -> 2
    # Information (own, shared) and timeline.
    assert SECRET in html
    assert "Tijdlijn" in html and "Aangemeld door" in html
    assert FOOTER + "plan van aanpak)" in html  # purpose_for('plan')


def test_purpose_can_be_chosen_and_is_audited(
    web: Client, scenario: Scenario, runtime: Runtime
) -> None:
    html = page(web, f"/casussen/{scenario.casus_id}?doel=monitoring", REGISSEUR)
    assert FOOTER + "monitoring)" in html
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        purposes = set(
            conn.execute(
                sa.text(
                    "SELECT purpose FROM audit_log WHERE casus_id = :c AND user_id = :u "
                    "AND action = 'read' AND resource_type = 'casus' AND allowed"
                ),
                {"c": scenario.casus_id, "u": REGISSEUR},
            ).scalars()
        )
    engine.dispose()
    assert "monitoring" in purposes


def test_hidden_items_are_counted_not_shown(web: Client, scenario: Scenario) -> None:
    # The politie has no grant for financial data: the item is counted, not shown.
    html = page(web, f"/casussen/{scenario.casus_id}", WIJKAGENT)
    assert NAME in html
    assert SECRET not in html
    assert "1 item niet zichtbaar voor u" in html


def test_outsider_gets_the_friendly_403_page_with_the_reason(
    web: Client, scenario: Scenario
) -> None:
    html = page(web, f"/casussen/{scenario.casus_id}", OUTSIDER, status=403)
    assert "Geen toegang" in html
    assert "geen-need-to-know" in html
    assert "Bradley" not in html and SECRET not in html
    assert "Traceback" not in html
    assert FOOTER in html


def test_other_gemeente_gets_the_404_page(web: Client, scenario: Scenario) -> None:
    html = page(web, f"/casussen/{scenario.casus_id}", FOREIGN, tenant=OTHER, status=404)
    assert "Niet gevonden" in html and "Bradley" not in html
    assert scenario.referentie not in page(web, "/casussen", FOREIGN, tenant=OTHER)


def test_werkvoorraad_highlights_overdue_items(web: Client, scenario: Scenario) -> None:
    html = page(web, f"/werkvoorraad?casus={scenario.referentie}", REGISSEUR)
    assert "<h1>Werkvoorraad</h1>" in html
    assert scenario.referentie in html
    assert "Toezegging controleren" in html
    assert 'class="overdue"' in html and "Te laat" in html
    assert FOOTER + "monitoring)" in html


def test_meetings_and_the_per_participant_agenda(web: Client, scenario: Scenario) -> None:
    listing = page(web, "/overleggen", REGISSEUR)
    assert "Komende overleggen" in listing and "PGA-kernteam" in listing
    assert f"/overleggen/{scenario.overleg_id}" in listing

    agenda = page(web, f"/overleggen/{scenario.overleg_id}", REGISSEUR)
    assert scenario.referentie in agenda and NAME in agenda
    assert "Stand van de schulden bespreken." in agenda
    assert ZEIST_PGA_EXPERT_NAME in agenda  # voorzitter
    assert FOOTER + "casusoverleg)" in agenda

    # Werk & inkomen takes no part: the meeting is not listed, the agenda item is hidden.
    assert f"/overleggen/{scenario.overleg_id}" not in page(web, "/overleggen", OUTSIDER)
    hidden = page(web, f"/overleggen/{scenario.overleg_id}", OUTSIDER)
    assert scenario.referentie not in hidden and "Bradley" not in hidden
    assert "1 agendapunt niet getoond" in hidden


def test_home_links_and_counts(web: Client, scenario: Scenario) -> None:
    home = page(web, "/", REGISSEUR)
    for link in ('href="/casussen"', 'href="/werkvoorraad"', 'href="/overleggen"'):
        assert link in home
    overview = page(web, "/overzicht", REGISSEUR)
    counts = re.findall(r'<span class="tile-count">(\d+)\+?</span>', overview)
    assert len(counts) == 2 and int(counts[0]) >= 1 and int(counts[1]) >= 1
    assert "te laat" in overview
