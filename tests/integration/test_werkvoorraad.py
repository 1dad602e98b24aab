"""The werkvoorraad: herijking, positive closure, commitment checks and doorbreekglas review,
with dates set in the past so items are due or overdue."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from factories import werkvoorraad_items
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.casework.domain.local_time import local_today
from services.platform.db.models import Casus, PlanVersion, UrgentAccess
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime
from tenants.reference import ZRM_DOMAINS

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR = ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR
OUTSIDER, ADVISEUR = ZEIST_KLANTMANAGER, ZEIST_ADVISEUR
TODAY = local_today()


def casus_in_uitvoering(client: Client, token_for: Headers, name: str) -> str:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden: een integrale aanpak is nodig.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": name, "achternaam": "Werktest", "geboortedatum": "2002-03-03"},
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
    assert (
        client.put(
            f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": REGISSEUR}, headers=expert
        ).status_code
        == 200
    )
    regisseur = token_for(T, REGISSEUR)
    etag = client.get(url, headers=regisseur).headers["etag"]
    for target in ("plan", "uitvoering"):
        if target == "uitvoering":  # no uitvoering without a plan van aanpak
            make_plan(client, token_for, casus_id)
        step = client.post(
            f"{url}/overgang", json={"naar": target}, headers={**regisseur, "If-Match": etag}
        )
        assert step.status_code == 200, step.text
        etag = step.headers["etag"]
    return casus_id


def make_plan(client: Client, token_for: Headers, casus_id: str) -> None:
    plan = {
        "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
        "eindcriterium": "Schulden onder bewind.",
        "toezeggingen": [
            {
                "organisatie": "rsd-krh",
                "tekst": "Beslagvrije voet herberekenen",
                "gedaan_op": (TODAY - dt.timedelta(weeks=8)).isoformat(),
            },
            {
                "organisatie": "politie-basisteam-zeist",
                "tekst": "Wekelijks langslopen",
                "gedaan_op": (TODAY - dt.timedelta(weeks=10)).isoformat(),
                "status": "nagekomen",
            },
            {
                "organisatie": "kwintes",
                "tekst": "Intake begeleid wonen",
                "gedaan_op": TODAY.isoformat(),
            },
        ],
    }
    saved = client.put(
        f"/api/v1/casussen/{casus_id}/plan", json=plan, headers=token_for(T, REGISSEUR)
    )
    assert saved.status_code == 201, saved.text


def backdate(runtime: Runtime, casus_id: str, *, plan_on: dt.date, melding_on: dt.date) -> None:
    cid = uuid.UUID(casus_id)
    with tenant_transaction(runtime.sessions, T) as session:
        session.execute(
            sa.update(PlanVersion)
            .where(PlanVersion.casus_id == cid)
            .values(created_at=dt.datetime.combine(plan_on, dt.time(12), dt.UTC))
        )
        session.execute(
            sa.update(Casus)
            .where(Casus.id == cid)
            .values(plan_date=plan_on, last_melding_on=melding_on)
        )


def items_for(client: Client, headers: dict[str, str], casus_id: str, **params: Any) -> list[Any]:
    """The items of one casus in the caller's werkvoorraad (all pages)."""
    return [i for i in werkvoorraad_items(client, headers, **params) if i["casus_id"] == casus_id]


def test_timers_are_due_for_those_who_may_see_the_casus(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus_id = casus_in_uitvoering(client, token_for, "Tim")
    # Plan made 10 months ago, last melding 11 months ago (Zeist: 6 / 9 months / 6 weeks).
    backdate(
        runtime,
        casus_id,
        plan_on=TODAY - dt.timedelta(days=305),
        melding_on=TODAY - dt.timedelta(days=335),
    )
    regisseur = token_for(T, REGISSEUR)

    items = items_for(client, regisseur, casus_id)
    by_kind = {(i["soort"], i["onderwerp"]): i for i in items}
    assert set(by_kind) == {
        ("herijking", None),
        ("positieve-afsluiting", None),
        ("toezegging-controleren", "toezegging-1"),
        ("toezegging-controleren", "toezegging-3"),
    }
    herijking = by_kind[("herijking", None)]
    assert herijking["te_laat"] is True
    assert herijking["omschrijving"].startswith("Herijking plan van aanpak (elke 6 maanden)")
    assert "te laat sinds" in herijking["omschrijving"]
    closure = by_kind[("positieve-afsluiting", None)]
    assert closure["te_laat"] is True
    assert "9 maanden geen nieuwe meldingen" in closure["omschrijving"]
    late = by_kind[("toezegging-controleren", "toezegging-1")]
    assert late["te_laat"] is True
    assert late["datum"] == (TODAY - dt.timedelta(weeks=2)).isoformat()
    assert "Beslagvrije voet herberekenen" in late["omschrijving"]
    fresh = by_kind[("toezegging-controleren", "toezegging-3")]
    assert fresh["te_laat"] is False
    assert fresh["datum"] == (TODAY + dt.timedelta(weeks=6)).isoformat()
    # Sorted by due date; the horizon leaves out what is due later.
    assert [i["datum"] for i in items] == sorted(i["datum"] for i in items)
    soon = items_for(client, regisseur, casus_id, horizon_dagen=7)
    assert ("toezegging-controleren", "toezegging-3") not in {
        (i["soort"], i["onderwerp"]) for i in soon
    }
    assert len(soon) == 3

    # A tussentijdse meting two months ago counts as the last herijking: next one in 4 months.
    measured = client.post(
        f"/api/v1/casussen/{casus_id}/zelfredzaamheid",
        json={
            "moment": "tussentijds",
            "datum": (TODAY - dt.timedelta(days=61)).isoformat(),
            "scores": dict.fromkeys(ZRM_DOMAINS, 3),
        },
        headers=regisseur,
    )
    assert measured.status_code == 201, measured.text
    herijking = next(i for i in items_for(client, regisseur, casus_id) if i["soort"] == "herijking")
    assert herijking["te_laat"] is False
    assert herijking["datum"] > TODAY.isoformat()

    # The PGA-expert sees the casus too; an organisation that does not take part does not,
    # and the adviser's pseudonymised view carries no work.
    assert len(items_for(client, token_for(T, EXPERT), casus_id)) == 4
    assert items_for(client, token_for(T, OUTSIDER), casus_id) == []
    assert items_for(client, token_for(T, ADVISEUR), casus_id) == []
    assert items_for(client, token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT), casus_id) == []


def test_doorbreekglas_review_by_the_pga_expert(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus_id = casus_in_uitvoering(client, token_for, "Daan")
    outsider = token_for(T, OUTSIDER)
    reason = "Acute dreiging gemeld door de wachtdienst; overleg nodig over deze inwoner."
    grant = client.post(
        f"/api/v1/casussen/{casus_id}/doorbreekglas",
        json={"reden": reason, "uren": 2},
        headers=outsider,
    )
    assert grant.status_code == 201, grant.text
    grant_id = grant.json()["id"]
    with tenant_transaction(runtime.sessions, T) as session:
        session.execute(
            sa.update(UrgentAccess)
            .where(UrgentAccess.id == uuid.UUID(grant_id))
            .values(granted_at=sa.func.now() - dt.timedelta(days=10))
        )

    expert = token_for(T, EXPERT)
    items = [
        i for i in items_for(client, expert, casus_id) if i["soort"] == "doorbreekglas-beoordelen"
    ]
    assert len(items) == 1
    item = items[0]
    assert item["id"] == grant_id
    assert item["gebruiker"] == OUTSIDER
    assert item["reden"] == reason
    assert item["te_laat"] is True  # more than 7 days unreviewed
    # Only PGA-experts get these items.
    assert not any(
        i["soort"] == "doorbreekglas-beoordelen"
        for i in items_for(client, token_for(T, REGISSEUR), casus_id)
    )

    url = f"/api/v1/werkvoorraad/doorbreekglas/{grant_id}/beoordeeld"
    body = {"oordeel": "terecht", "toelichting": "Melding van de wachtdienst was acuut."}
    refused = client.post(url, json=body, headers=token_for(T, REGISSEUR))
    assert refused.status_code == 403, refused.text
    assert "alleen-pga-expert" in {r["code"] for r in refused.json()["redenen"]}
    assert (
        client.post(
            url, json=body, headers=token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)
        ).status_code
        == 404
    )
    empty = client.post(url, json={"oordeel": "terecht", "toelichting": "  "}, headers=expert)
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "toelichting"
    wrong = client.post(url, json={"oordeel": "misschien", "toelichting": "x"}, headers=expert)
    assert wrong.status_code == 422

    reviewed = client.post(url, json=body, headers=expert)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["oordeel"] == "terecht"
    assert reviewed.json()["beoordeeld_door"] == EXPERT
    again = client.post(url, json=body, headers=expert)
    assert again.status_code == 409
    assert again.json()["code"] == "al-beoordeeld"

    assert not any(
        i["soort"] == "doorbreekglas-beoordelen" for i in items_for(client, expert, casus_id)
    )
    with tenant_transaction(runtime.sessions, T) as session:
        row = session.get(UrgentAccess, (T, uuid.UUID(grant_id)))
        assert row is not None
        assert (row.review_verdict, row.review_note) == ("terecht", body["toelichting"])
    timeline = client.get(f"/api/v1/casussen/{casus_id}/tijdlijn", headers=expert).json()
    assert "Spoedtoegang (doorbreekglas) beoordeeld als terecht." in [
        e["samenvatting"] for e in timeline
    ]
    assert (
        client.post(
            f"/api/v1/werkvoorraad/doorbreekglas/{uuid.uuid4()}/beoordeeld",
            json=body,
            headers=expert,
        ).status_code
        == 404
    )
