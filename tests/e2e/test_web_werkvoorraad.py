"""The werkvoorraad can be acted on (issue 12): an action of the plan van aanpak or a partner
toezegging is marked done or postponed with a reason, in the browser and through the API
(POST /api/v1/werkvoorraad/gereed and /uitstellen), so an item marked "te laat" can be
cleared; filters (soort, te laat, casus) and sorting."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from factories import werkvoorraad_items
from litestar import Litestar
from litestar.testing import TestClient
from test_web_plan import OUTSIDER, REGISSEUR, T, casus_in_plan, get, login, post, token

from services.casework.domain.local_time import local_today
from services.platform.db.models import PlanVersion
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime
from tenants.reference import ZRM_DOMAINS

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
TODAY = local_today()
WIJKTEAM = "sociaal-wijkteam-zeist"


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


def casus_with_overdue_work(client: Client, token_for: Headers, name: str) -> tuple[str, str]:
    """A casus in uitvoering whose plan has an overdue action of zeist-casusregisseur, an action of
    the wijkteam due later and an overdue toezegging; returns (casus id, reference)."""
    casus_id = casus_in_plan(client, token_for, name)
    url = f"/api/v1/casussen/{casus_id}"
    regisseur = token_for(T, REGISSEUR)
    plan = {
        "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
        "eindcriterium": "Schulden onder bewind.",
        "acties": [
            {
                "id": "a1",
                "omschrijving": "Budgetgesprek voeren.",
                "eigenaar_organisatie": WIJKTEAM,
                "eigenaar_gebruiker": REGISSEUR,
                "deadline": (TODAY - dt.timedelta(days=10)).isoformat(),
            },
            {
                "id": "a2",
                "omschrijving": "Huisbezoek plannen.",
                "eigenaar_organisatie": WIJKTEAM,
                "deadline": (TODAY + dt.timedelta(days=5)).isoformat(),
            },
        ],
        "toezeggingen": [
            {
                "organisatie": "rsd-krh",
                "tekst": "Beslagvrije voet herberekenen.",
                "gedaan_op": (TODAY - dt.timedelta(weeks=10)).isoformat(),
            }
        ],
    }
    saved = client.put(f"{url}/plan", json=plan, headers={**regisseur, "If-Match": "*"})
    assert saved.status_code == 201, saved.text
    etag = client.get(url, headers=regisseur).headers["etag"]
    moved = client.post(
        f"{url}/overgang", json={"naar": "uitvoering"}, headers={**regisseur, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    return casus_id, str(moved.json()["referentie"])


def row(html: str, kind: str, casus_id: str, subject: str) -> str:
    """The table row of one item ('' when it is not listed)."""
    start = html.find(f'id="werk-{kind}-{casus_id}-{subject}"')
    return "" if start < 0 else html[start : html.index("</tr>", start)]


def hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))


def api_queue(client: Client, token_for: Headers, casus_id: str) -> list[dict[str, Any]]:
    items = werkvoorraad_items(client, token_for(T, REGISSEUR))
    return [i for i in items if i["casus_id"] == casus_id]


def plan_of(client: Client, token_for: Headers, casus_id: str) -> Any:
    response = client.get(f"/api/v1/casussen/{casus_id}/plan", headers=token_for(T, REGISSEUR))
    assert response.status_code == 200, response.text
    return response


def test_done_and_postponed_in_the_browser_clear_overdue_items(
    web: Client, token_for: Headers
) -> None:
    casus_id, reference = casus_with_overdue_work(web, token_for, "Werkweb")
    login(web, REGISSEUR)
    html = get(web, f"/werkvoorraad?casus={reference}")  # (one page of 25: this casus's)
    action = row(html, "planactie", casus_id, "a1")
    commitment = row(html, "toezegging-controleren", casus_id, "toezegging-1")
    later = row(html, "planactie", casus_id, "a2")
    assert 'class="overdue"' in action and "Budgetgesprek voeren." in action
    assert 'class="overdue"' in commitment and "Beslagvrije voet herberekenen." in commitment
    assert later and 'class="overdue"' not in later  # owned by the wijkteam, not yet due
    # Accessible filter form: every control has a label.
    for label in ("filter-soort", "filter-casus", "filter-sorteer", "filter-te-laat"):
        assert f'for="{label}"' in html and f'id="{label}"' in html

    # Filters: te laat, soort, casus; sorting by soort.
    overdue = get(web, f"/werkvoorraad?te_laat=ja&casus={reference}")
    assert row(overdue, "planactie", casus_id, "a1")
    assert row(overdue, "toezegging-controleren", casus_id, "toezegging-1")
    assert not row(overdue, "planactie", casus_id, "a2")
    actions = get(web, f"/werkvoorraad?soort=planactie&casus={reference}&sorteer=soort")
    assert row(actions, "planactie", casus_id, "a2")
    assert not row(actions, "toezegging-controleren", casus_id, "toezegging-1")

    # Done: the overdue action leaves the werkvoorraad; the plan says gereed.
    done = hidden(action)
    assert done["plan_versie"] == "1" and done["onderwerp"] == "a1"
    response = post(web, "/werkvoorraad/gereed", done)
    assert response.headers["location"] == "/werkvoorraad?melding=werk-gereed"
    html = get(web, response.headers["location"])
    assert "Het item is afgehandeld" in html
    still = get(web, f"/werkvoorraad?casus={reference}")  # this casus's page, not the user's first
    assert not row(still, "planactie", casus_id, "a1") and row(still, "planactie", casus_id, "a2")
    plan = plan_of(web, token_for, casus_id).json()
    assert [a["status"] for a in plan["acties"]] == ["gereed", "open"]
    assert any("status open → gereed" in s for s in plan["samenvatting"])

    # An old plan version (the page was open while the plan changed): nothing stored.
    stale = post(web, "/werkvoorraad/gereed", {**done, "onderwerp": "a2"}, status=409).text
    assert "Iemand anders heeft het plan van aanpak van deze casus intussen gewijzigd" in stale
    assert plan_of(web, token_for, casus_id).json()["acties"][1]["status"] == "open"

    # Postpone the toezegging: a date in the past and no reason come back beside the fields.
    commitment = row(html, "toezegging-controleren", casus_id, "toezegging-1")
    fields = hidden(commitment)
    assert fields["plan_versie"] == "2"
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    page = post(
        web, "/werkvoorraad/uitstellen", {**fields, "nieuwe_datum": yesterday}, status=422
    ).text
    key = f"uitstellen-{casus_id}-toezegging-1"
    assert f'id="{key}-reden-fout1"' in page and "Vul dit veld in." in page
    page = post(
        web,
        "/werkvoorraad/uitstellen",
        {**fields, "nieuwe_datum": yesterday, "reden": "Wachtlijst bij de RSD."},
        status=422,
    ).text
    assert "Kies een datum na vandaag." in page
    assert f'aria-describedby="{key}-nieuwe-datum-fout1" aria-invalid="true"' in page
    assert "Wachtlijst bij de RSD.</textarea>" in page and f'value="{yesterday}"' in page
    assert "<details open>" in page
    assert plan_of(web, token_for, casus_id).headers["etag"] == '"v2"'

    new_date = TODAY + dt.timedelta(days=14)
    response = post(
        web,
        "/werkvoorraad/uitstellen",
        {
            **fields,
            "nieuwe_datum": new_date.strftime("%d-%m-%Y"),
            "reden": "Wachtlijst bij de RSD.",
        },
    )
    assert response.headers["location"] == "/werkvoorraad?melding=werk-uitgesteld"
    get(web, response.headers["location"])
    # Pages of 25: look for the moved item on this casus's page, not on the user's first.
    html = get(web, f"/werkvoorraad?casus={reference}")
    moved = row(html, "toezegging-controleren", casus_id, "toezegging-1")
    assert moved and 'class="overdue"' not in moved
    items = {i["onderwerp"]: i for i in api_queue(web, token_for, casus_id)}
    assert items["toezegging-1"]["datum"] == new_date.isoformat()
    assert not items["toezegging-1"]["te_laat"]
    assert not any(i["te_laat"] for i in items.values())
    plan = plan_of(web, token_for, casus_id).json()
    assert plan["toezeggingen"][0]["controle_op"] == new_date.isoformat()
    assert any("Wachtlijst bij de RSD." in s for s in plan["samenvatting"])


def test_a_non_participant_cannot_act_on_the_items(web: Client, token_for: Headers) -> None:
    casus_id, reference = casus_with_overdue_work(web, token_for, "Werkbuiten")
    login(web, REGISSEUR)
    fields = hidden(row(get(web, f"/werkvoorraad?casus={reference}"), "planactie", casus_id, "a1"))
    login(web, OUTSIDER)
    own = get(web, f"/werkvoorraad?casus={reference}")
    assert not row(own, "planactie", casus_id, "a1")
    refused = post(web, "/werkvoorraad/gereed", {**fields, "csrf_token": token(own)}, status=403)
    assert "Niet uitgevoerd." in refused.text
    plan = plan_of(web, token_for, casus_id)
    assert plan.headers["etag"] == '"v1"' and plan.json()["acties"][0]["status"] == "open"


def test_the_api_marks_done_and_postpones(web: Client, token_for: Headers) -> None:
    casus_id, _ = casus_with_overdue_work(web, token_for, "Werkapi")
    regisseur = token_for(T, REGISSEUR)
    item = {"casus_id": casus_id, "soort": "planactie", "onderwerp": "a1", "plan_versie": 1}

    missing = web.post(
        "/api/v1/werkvoorraad/uitstellen", json={**item, "nieuwe_datum": "2099-01-01"}
    )
    assert missing.status_code in (401, 403)  # no login: nothing happens
    invalid = web.post(
        "/api/v1/werkvoorraad/uitstellen",
        json={**item, "nieuwe_datum": TODAY.isoformat(), "reden": "Later."},
        headers=regisseur,
    )
    assert invalid.status_code == 422, invalid.text
    assert "nieuwe_datum" in invalid.text

    later = (TODAY + dt.timedelta(days=30)).isoformat()
    postponed = web.post(
        "/api/v1/werkvoorraad/uitstellen",
        json={**item, "nieuwe_datum": later, "reden": "Cliënt opgenomen in het ziekenhuis."},
        headers=regisseur,
    )
    assert postponed.status_code == 200, postponed.text
    body = postponed.json()
    assert body == {
        "casus_id": casus_id,
        "soort": "planactie",
        "onderwerp": "a1",
        "status": "open",
        "datum": later,
        "plan_versie": 2,
        "nieuwe_versie": True,
    }
    stale = web.post("/api/v1/werkvoorraad/gereed", json=item, headers=regisseur)
    assert stale.status_code == 412, stale.text

    unknown = web.post(
        "/api/v1/werkvoorraad/gereed",
        json={**item, "onderwerp": "a9", "plan_versie": 2},
        headers=regisseur,
    )
    assert unknown.status_code == 404, unknown.text

    outsider = web.post(
        "/api/v1/werkvoorraad/gereed",
        json={**item, "plan_versie": 2},
        headers=token_for(T, OUTSIDER),
    )
    assert outsider.status_code == 403, outsider.text

    done = web.post(
        "/api/v1/werkvoorraad/gereed",
        json={
            **item,
            "soort": "toezegging-controleren",
            "onderwerp": "toezegging-1",
            "plan_versie": 2,
        },
        headers=regisseur,
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "nagekomen" and done.json()["plan_versie"] == 3
    assert "toezegging-1" not in {i["onderwerp"] for i in api_queue(web, token_for, casus_id)}

    # Typed request and response models in the API description.
    paths = web.get("/api/docs/openapi.json").json()["paths"]
    operation = paths["/api/v1/werkvoorraad/uitstellen"]["post"]
    assert "requestBody" in operation and "200" in operation["responses"]


def test_an_overdue_herijking_is_cleared_by_a_tussentijdse_meting(
    web: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus_id, reference = casus_with_overdue_work(web, token_for, "Herijking")
    plan_on = TODAY - dt.timedelta(days=220)  # herijking every 6 months: overdue
    with tenant_transaction(runtime.sessions, T) as session:
        session.execute(
            sa.update(PlanVersion)
            .where(PlanVersion.casus_id == uuid.UUID(casus_id))
            .values(created_at=dt.datetime.combine(plan_on, dt.time(12), dt.UTC))
        )
    login(web, REGISSEUR)
    html = get(web, f"/werkvoorraad?soort=herijking&casus={reference}")
    item = row(html, "herijking", casus_id, "casus")
    assert 'class="overdue"' in item, item
    link = re.search(r'href="(/casussen/[^"]+/zelfredzaamheid\?moment=tussentijds)"', item)
    assert link
    form = get(web, link.group(1))
    assert 'name="moment" value="tussentijds" checked' in form
    data = {"csrf_token": token(form), "moment": "tussentijds", "datum": TODAY.isoformat()}
    data.update({f"scores.{code}": "3" for code in ZRM_DOMAINS})
    post(web, f"/casussen/{casus_id}/zelfredzaamheid", data)
    again = get(web, f"/werkvoorraad?soort=herijking&casus={reference}")
    after = row(again, "herijking", casus_id, "casus")
    assert after and 'class="overdue"' not in after


def test_the_page_shows_25_items_with_vorige_and_volgende_keeping_the_filter(
    web: Client, token_for: Headers
) -> None:
    """Pages of 25 (issue 14): more actions than fit on one page; the links keep the
    filter and the order."""
    casus_id = casus_in_plan(web, token_for, "Bladeren")
    plan = {
        "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
        "eindcriterium": "Schulden onder bewind.",
        "acties": [
            {
                "id": f"b{i}",
                "omschrijving": f"Bladeractie {i}.",
                "eigenaar_organisatie": WIJKTEAM,
                "eigenaar_gebruiker": REGISSEUR,
                "deadline": (TODAY + dt.timedelta(days=i)).isoformat(),
            }
            for i in range(1, 31)
        ],
    }
    saved = web.put(
        f"/api/v1/casussen/{casus_id}/plan",
        json=plan,
        headers={**token_for(T, REGISSEUR), "If-Match": "*"},
    )
    assert saved.status_code == 201, saved.text
    reference = web.get(f"/api/v1/casussen/{casus_id}", headers=token_for(T, REGISSEUR)).json()[
        "referentie"
    ]
    login(web, REGISSEUR)
    first = get(web, f"/werkvoorraad?soort=planactie&casus={reference}")
    assert first.count('<tr id="werk-planactie-') == 25
    assert 'id="werk-vorige"' not in first
    assert (
        f'href="/werkvoorraad?soort=planactie&amp;casus={reference}&amp;pagina=2" rel="next"'
        in first
    )
    assert "Pagina 1 van 2 (30 items)" in first
    second = get(web, f"/werkvoorraad?soort=planactie&casus={reference}&pagina=2")
    assert second.count('<tr id="werk-planactie-') == 5
    assert 'id="werk-volgende"' not in second
    assert f'href="/werkvoorraad?soort=planactie&amp;casus={reference}" rel="prev"' in second
    assert row(second, "planactie", casus_id, "b30") and not row(
        first, "planactie", casus_id, "b30"
    )
    # Sorted by date across the pages: the first page has the earliest deadlines.
    assert row(first, "planactie", casus_id, "b1") and not row(second, "planactie", casus_id, "b1")
