"""The plan van aanpak in the browser (issue 12): the editor at /casussen/{id}/plan stores
versions through the same service as PUT /api/v1/casussen/{id}/plan, validates with the
API's schema (a Dutch message beside each field, input kept), notices a newer version by
someone else without losing input, refuses non-participants, compares two versions side by
side; and no uitvoering without a plan."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from plan_first import MINIMAL_PLAN

from services.casework.domain.local_time import local_today
from tenants.reference import ZRM_DOMAINS

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T, OTHER = ZEIST, ZOETERMEER
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
OUTSIDER, FOREIGN = ZEIST_KLANTMANAGER, ZOETERMEER_PGA_EXPERT
TODAY = local_today()


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


def plan_version(html: str) -> str:
    form = html[html.index('id="plan-formulier"') :]
    match = re.search(r'name="versie" value="(\d+)"', form)
    assert match, "no plan version in the editor"
    return match.group(1)


def post(client: Client, url: str, data: dict[str, Any], status: int = 303) -> Any:
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:2000])
    return response


def casus_in_plan(client: Client, token_for: Headers, name: str) -> str:
    """A Zeist person casus in the phase 'plan', zeist-casusregisseur its casusregisseur."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden: een integrale aanpak is nodig.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": name, "achternaam": "Plantest", "geboortedatum": "2001-02-03"},
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id = str(created.json()["id"])
    url = f"/api/v1/casussen/{casus_id}"
    expert = token_for(T, EXPERT)
    moved = client.post(
        f"{url}/overgang",
        json={"naar": "in_triage"},
        headers={**expert, "If-Match": created.headers["etag"]},
    )
    triaged = client.post(
        f"{url}/triage",
        json={"criteria": ["overlast-criminaliteit", "politieregistraties"], "besluit": "opnemen"},
        headers={**expert, "If-Match": moved.headers["etag"]},
    )
    assert triaged.status_code == 200, triaged.text
    regie = client.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
    )
    assert regie.status_code == 200, regie.text
    regisseur = token_for(T, REGISSEUR)
    etag = client.get(url, headers=regisseur).headers["etag"]
    step = client.post(
        f"{url}/overgang", json={"naar": "plan"}, headers={**regisseur, "If-Match": etag}
    )
    assert step.status_code == 200, step.text
    return casus_id


def api_plan(client: Client, token_for: Headers, casus_id: str) -> Any:
    return client.get(f"/api/v1/casussen/{casus_id}/plan", headers=token_for(T, REGISSEUR))


def full_form(html: str, **overrides: str) -> dict[str, str]:
    deadline = (TODAY + dt.timedelta(weeks=4)).isoformat()
    data = {
        "csrf_token": token(html),
        "versie": plan_version(html),
        "actie": "opslaan",
        "doelen.0.leefgebied": "financien",
        "doelen.0.probleem": "Schulden bij zes schuldeisers.",
        "doelen.0.doel": "Schulden in beeld en een budgetplan.",
        "eindcriterium": "Schulden onder bewind en drie maanden geen nieuwe meldingen.",
        "acties.0.id": "",
        "acties.0.omschrijving": "Aanmelden bij schuldhulpverlening.",
        "acties.0.eigenaar_organisatie": "sociaal-wijkteam-zeist",
        "acties.0.eigenaar_gebruiker": REGISSEUR,
        "acties.0.deadline": deadline,
        "acties.0.status": "open",
        "interventies.0.spoor": "zorg",
        "interventies.0.omschrijving": "Budgetcoaching.",
        "interventies.0.organisatie": "",
        "toezeggingen.0.organisatie": "rsd-krh",
        "toezeggingen.0.tekst": "Beslagvrije voet herberekenen.",
        "toezeggingen.0.gedaan_op": TODAY.isoformat(),
        "toezeggingen.0.controle_op": "",
        "toezeggingen.0.status": "open",
        "toelichting": "",
    }
    data.update(overrides)
    return data


def test_the_casusregisseur_writes_and_revises_the_plan(web: Client, token_for: Headers) -> None:
    casus_id = casus_in_plan(web, token_for, "Editor")
    login(web, REGISSEUR)
    casus_page = get(web, f"/casussen/{casus_id}")
    assert f'href="/casussen/{casus_id}/plan" id="plan-openen"' in casus_page
    url = f"/casussen/{casus_id}/plan"
    html = get(web, url)
    assert "<h1>Plan van aanpak" in html
    assert "Er is nog geen plan van aanpak vastgesteld." in html
    for label in (
        '<label for="plan-doelen-0-leefgebied">Leefgebied</label>',
        '<label for="plan-eindcriterium">',
        '<label for="plan-acties-0-eigenaar-organisatie">Eigenaar (organisatie)</label>',
        '<label for="plan-acties-0-deadline">Termijn (uiterlijk)</label>',
        '<label for="plan-interventies-0-spoor">Spoor</label>',
        '<label for="plan-toezeggingen-0-gedaan-op">Toegezegd op</label>',
    ):
        assert label in html, label
    assert plan_version(html) == "0"

    response = post(web, url, full_form(html))
    assert response.headers["location"] == f"{url}?melding=plan-opgeslagen"
    saved = api_plan(web, token_for, casus_id)
    assert saved.status_code == 200 and saved.headers["etag"] == '"v1"'
    plan = saved.json()
    assert plan["doelen"][0]["doel"] == "Schulden in beeld en een budgetplan."
    assert plan["acties"][0]["id"] == "a1"
    assert plan["acties"][0]["eigenaar_gebruiker"] == REGISSEUR
    assert plan["interventies"][0]["spoor"] == "zorg"
    assert plan["toezeggingen"][0]["organisatie"] == "rsd-krh"

    html = get(web, response.headers["location"])
    assert "Het plan van aanpak is vastgesteld als nieuwe versie." in html
    assert plan_version(html) == "1"
    assert 'name="acties.0.id" value="a1"' in html
    assert "Aanmelden bij schuldhulpverlening.</textarea>" in html

    # A status update and a second goal: version 2, compared side by side with version 1.
    revised = full_form(
        html,
        **{
            "acties.0.id": "a1",
            "acties.0.status": "loopt",
            "doelen.0.status": "loopt",
            "doelen.1.leefgebied": "huisvesting",
            "doelen.1.probleem": "Huurachterstand.",
            "doelen.1.doel": "Huur op tijd betaald.",
        },
    )
    post(web, url, revised)
    assert api_plan(web, token_for, casus_id).headers["etag"] == '"v2"'
    compared = get(web, f"{url}/vergelijken?van=1&naar=2")
    assert "Versies naast elkaar" in compared
    assert "Actie &#39;Aanmelden bij schuldhulpverlening.&#39;: status open → loopt." in compared
    doelen = compared[compared.index('id="vergelijk-doelen"') :].split("</table>")[0]
    assert "Huurachterstand." in doelen and "Nieuw" in doelen
    acties = compared[compared.index('id="vergelijk-acties"') :].split("</table>")[0]
    assert "Gewijzigd" in acties and ", open" in acties and ", loopt" in acties
    assert "Doel bij Financiën (Schulden in beeld en een budgetplan.): status open → loopt." in (
        compared
    )
    assert '<label for="plan-doelen-0-status">Status van het doel</label>' in html

    # Sending the same content again stores nothing new.
    html = get(web, url)
    unchanged = post(web, url, {**revised, "versie": plan_version(html)})
    assert unchanged.headers["location"] == f"{url}?melding=plan-ongewijzigd"
    assert api_plan(web, token_for, casus_id).headers["etag"] == '"v2"'


def test_invalid_input_comes_back_beside_its_field(web: Client, token_for: Headers) -> None:
    casus_id = casus_in_plan(web, token_for, "Validatie")
    login(web, REGISSEUR)
    url = f"/casussen/{casus_id}/plan"
    html = get(web, url)
    data = full_form(
        html,
        **{
            "eindcriterium": "",
            "acties.0.deadline": "",
            "acties.0.eigenaar_gebruiker": OUTSIDER,  # rsd-krh, not the owner organisation
            "toezeggingen.0.gedaan_op": "31-02-2026",
        },
    )
    response = post(web, url, data, status=422)
    page = response.text
    assert "Het plan is nog niet opgeslagen." in page
    # pydantic (the API's PlanIn) answers first, in Dutch beside each field.
    assert (
        '<p class="field-error" id="plan-eindcriterium-fout1"><span class="sr-only">Fout: </span>'
        "Vul dit veld in.</p>"
    ) in page
    assert 'aria-describedby="plan-eindcriterium-fout1" aria-invalid="true"' in page
    assert 'id="plan-acties-0-deadline-fout1"' in page
    assert 'id="plan-toezeggingen-0-gedaan-op-fout1"' in page
    assert "Vul een geldige datum in" in page
    # Everything typed is still there.
    for kept in (
        "Schulden bij zes schuldeisers.</textarea>",
        "Aanmelden bij schuldhulpverlening.</textarea>",
        'value="31-02-2026"',
        f'<option value="{OUTSIDER}" selected>',
        '<option value="financien" selected>',
    ):
        assert kept in page, kept
    assert api_plan(web, token_for, casus_id).status_code == 404  # nothing stored

    # The service's own checks (owner user of another organisation) land beside the field.
    fixed = full_form(html, **{"acties.0.eigenaar_gebruiker": OUTSIDER})
    page = post(web, url, fixed, status=422).text
    assert "hoort niet bij organisatie" in page
    assert 'id="plan-acties-0-eigenaar-gebruiker-fout1"' in page
    assert api_plan(web, token_for, casus_id).status_code == 404

    # A goal is required; an empty row is not a goal.
    empty_goal = full_form(
        html, **{"doelen.0.leefgebied": "", "doelen.0.probleem": "", "doelen.0.doel": ""}
    )
    page = post(web, url, empty_goal, status=422).text
    assert "Vul ten minste één doel in" in page
    assert 'id="sectie-doelen" aria-describedby="plan-doelen-fout1"' in page

    # "Lege regels toevoegen" stores nothing and keeps the input, with more empty rows.
    more = post(web, url, {**full_form(html), "actie": "regels"}, status=200).text
    assert 'id="plan-doelen-2-leefgebied"' in more
    assert "Schulden bij zes schuldeisers.</textarea>" in more
    assert api_plan(web, token_for, casus_id).status_code == 404


def test_a_newer_version_by_someone_else_is_shown_and_nothing_is_lost(
    web: Client, token_for: Headers
) -> None:
    casus_id = casus_in_plan(web, token_for, "Verouderd")
    login(web, REGISSEUR)
    url = f"/casussen/{casus_id}/plan"
    post(web, url, full_form(get(web, url)))
    html = get(web, url)
    assert plan_version(html) == "1"

    # Meanwhile a colleague stores version 2 through the API.
    other = client_put = web.put(
        f"/api/v1/casussen/{casus_id}/plan",
        json={**MINIMAL_PLAN, "eindcriterium": "Door een collega aangepast eindcriterium."},
        headers={**token_for(T, REGISSEUR), "If-Match": '"v1"'},
    )
    assert client_put.status_code == 200, other.text

    mine = full_form(html, eindcriterium="Mijn eigen eindcriterium, nog niet opgeslagen.")
    response = post(web, url, mine, status=409)
    page = response.text
    assert "Iemand anders heeft het plan van aanpak intussen gewijzigd (nu versie 2)." in page
    assert "Eindcriterium gewijzigd: Door een collega aangepast eindcriterium." in page
    assert "Mijn eigen eindcriterium, nog niet opgeslagen.</textarea>" in page
    assert plan_version(page) == "2"
    assert api_plan(web, token_for, casus_id).json()["eindcriterium"] == (
        "Door een collega aangepast eindcriterium."
    )
    # Saving again after seeing the change is a deliberate new version.
    post(web, url, {**mine, "versie": plan_version(page)})
    assert api_plan(web, token_for, casus_id).json()["eindcriterium"] == (
        "Mijn eigen eindcriterium, nog niet opgeslagen."
    )


def test_non_participants_are_refused_and_nothing_changes(web: Client, token_for: Headers) -> None:
    casus_id = casus_in_plan(web, token_for, "Buitenstaander")
    login(web, REGISSEUR)
    url = f"/casussen/{casus_id}/plan"
    html = get(web, url)
    data = full_form(html)
    post(web, url, data)

    login(web, OUTSIDER)
    assert "niet" in get(web, url, status=403)
    refused = web.post(url, data={**data, "csrf_token": token(get(web, "/aanmelden"))})
    assert refused.status_code == 403
    assert api_plan(web, token_for, casus_id).headers["etag"] == '"v1"'
    get(web, f"{url}/vergelijken", status=403)

    login(web, FOREIGN, OTHER)
    get(web, url, status=404)
    other = web.post(url, data={**data, "csrf_token": token(get(web, "/aanmelden"))})
    assert other.status_code == 404
    assert api_plan(web, token_for, casus_id).headers["etag"] == '"v1"'


def test_no_uitvoering_without_a_plan(web: Client, token_for: Headers) -> None:
    casus_id = casus_in_plan(web, token_for, "Zonderplan")
    api_url = f"/api/v1/casussen/{casus_id}"
    regisseur = token_for(T, REGISSEUR)
    etag = web.get(api_url, headers=regisseur).headers["etag"]
    refused = web.post(
        f"{api_url}/overgang", json={"naar": "uitvoering"}, headers={**regisseur, "If-Match": etag}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "plan-vereist"

    login(web, REGISSEUR)
    url = f"/casussen/{casus_id}"
    html = get(web, url)
    version = re.search(r'name="versie" value="(\d+)"', html)
    assert version
    page = post(
        web,
        f"{url}/overgang",
        {"naar": "uitvoering", "versie": version.group(1), "csrf_token": token(html)},
        status=409,
    ).text
    assert "Stel eerst het plan van aanpak vast" in page
    assert web.get(api_url, headers=regisseur).json()["fase"] == "plan"

    post(web, f"{url}/plan", full_form(get(web, f"{url}/plan")))
    html = get(web, url)
    version = re.search(r'name="versie" value="(\d+)"', html)
    assert version
    post(
        web,
        f"{url}/overgang",
        {"naar": "uitvoering", "versie": version.group(1), "csrf_token": token(html)},
    )
    assert web.get(api_url, headers=regisseur).json()["fase"] == "uitvoering"


# ---------------------------------------------------------------------------------------------
# Zelfredzaamheid (ZRM): entry and a chart per domain
# ---------------------------------------------------------------------------------------------

ZRM_CODES = tuple(ZRM_DOMAINS)


def zrm_form(html: str, score: int, **overrides: str) -> dict[str, str]:
    data = {"csrf_token": token(html), "moment": "intake", "datum": TODAY.isoformat()}
    data.update({f"scores.{code}": str(score) for code in ZRM_CODES})
    data.update(overrides)
    return data


def test_zrm_entry_and_a_chart_per_domain(web: Client, token_for: Headers) -> None:
    casus_id = casus_in_plan(web, token_for, "Zrm")
    login(web, REGISSEUR)
    assert f'href="/casussen/{casus_id}/zelfredzaamheid" id="zrm-openen"' in get(
        web, f"/casussen/{casus_id}"
    )
    url = f"/casussen/{casus_id}/zelfredzaamheid"
    html = get(web, url)
    assert "Nog geen metingen." in html
    # Radio groups in a fieldset with a legend; every radio has a label.
    assert '<fieldset class="field score-group" id="zrm-scores-financien">' in html
    assert '<legend class="label">Financiën <span class="req">(verplicht)</span></legend>' in html
    assert '<label class="choice" for="zrm-scores-financien-3">' in html
    assert '<label for="zrm-datum">' in html

    # Missing scores and a future date: messages tied to their group, input kept.
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    incomplete = zrm_form(html, 2, datum=future)
    del incomplete["scores.justitie"]
    page = post(web, url, incomplete, status=422).text
    assert "De meting is nog niet vastgelegd." in page
    assert 'id="zrm-scores-justitie" aria-describedby="zrm-scores-justitie-fout1"' in page
    assert "Kies een score voor Justitie." in page
    assert 'id="zrm-scores-financien-2" name="scores.financien" value="2" checked' in page
    assert f'value="{future}"' in page
    history = web.get(
        f"/api/v1/casussen/{casus_id}/zelfredzaamheid", headers=token_for(T, REGISSEUR)
    ).json()
    assert history["metingen"] == []

    page = post(web, url, zrm_form(html, 2, datum=future), status=422).text
    assert "De datum van de meting ligt in de toekomst." in page
    assert 'id="zrm-datum-fout1"' in page

    earlier = (TODAY - dt.timedelta(days=60)).isoformat()
    response = post(web, url, zrm_form(html, 2, datum=earlier))
    assert response.headers["location"] == f"{url}?melding=zrm-vastgelegd"
    post(
        web,
        url,
        zrm_form(get(web, url), 4, moment="tussentijds", **{"scores.justitie": "3"}),
    )
    history = web.get(
        f"/api/v1/casussen/{casus_id}/zelfredzaamheid", headers=token_for(T, REGISSEUR)
    ).json()
    assert [m["moment"] for m in history["metingen"]] == ["intake", "tussentijds"]

    page = get(web, url)
    chart = page[page.index('id="zrm-grafiek-financien"') :].split("</svg>")[0]
    assert 'role="img"' in page and "<polyline" in chart
    assert chart.count("<circle") == 2
    assert "Financiën: Intake (nulmeting)" in chart and ": 2; Tussentijdse meting" in chart
    assert "<caption>Scores per meting (dezelfde gegevens als de grafieken)</caption>" in page
    tabel = page[page.index('id="zrm-tabel"') :]
    assert "verbeterd met 2" in tabel  # financien 2 -> 4

    # A non-participant sees nothing and records nothing.
    login(web, OUTSIDER)
    get(web, url, status=403)
    refused = web.post(url, data=zrm_form(get(web, "/aanmelden"), 1))
    assert refused.status_code == 403
    history = web.get(
        f"/api/v1/casussen/{casus_id}/zelfredzaamheid", headers=token_for(T, REGISSEUR)
    ).json()
    assert len(history["metingen"]) == 2
