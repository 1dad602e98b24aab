"""Outcome measurements (uitkomsten): recorded under policy, masked per data category, and
carried into the pseudonymised facts for the analytics service."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_CASUSREGISSEUR, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from services.casework.domain.local_time import local_today
from services.exports.facts import build_batch
from services.platform.db.models import Tenant
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


def test_outcomes_recorded_masked_and_exported(
    client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    wijkagent = token_for(T, ZEIST_WIJKAGENT)  # politie: no grant for financieel
    wijkteam = token_for(T, ZEIST_CASUSREGISSEUR)  # sociaal-wijkteam: financieel for monitoring
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Uitkomsten-test: werk, schulden en wonen tegelijk.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Rehane",
                "achternaam": "Uitkomsttest",
                "geboortedatum": "2002-04-04",
                "bsn": "135724697",  # persons without a BSN are not exported
            },
        },
        headers=wijkagent,
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    assert (
        client.post(
            f"{url}/deelnemers",
            json={"organisatie": "sociaal-wijkteam-zeist"},
            headers=token_for(T, ZEIST_PGA_EXPERT),
        ).status_code
        == 201
    )

    recorded = client.post(
        f"{url}/uitkomsten",
        json={
            "moment": "intake",
            "uitkomsten": {
                "werk_of_dagbesteding": False,
                "stabiele_huisvesting": True,
                "problematische_schulden": True,
            },
        },
        headers=wijkteam,
    )
    assert recorded.status_code == 201, recorded.text

    for body, field in (
        (
            {"moment": "intake", "uitkomsten": {"nieuwe_politieregistraties": True}},
            "uitkomsten.nieuwe_politieregistraties",
        ),
        ({"moment": "intake", "uitkomsten": {"loterij": True}}, "uitkomsten.loterij"),
        ({"moment": "intake", "uitkomsten": {}}, "uitkomsten"),
    ):
        refused = client.post(f"{url}/uitkomsten", json=body, headers=wijkteam)
        assert refused.status_code == 422, refused.text
        assert field in {e["field"] for e in refused.json()["errors"]}

    full = client.get(f"{url}/uitkomsten", headers=wijkteam).json()
    assert full[0]["uitkomsten"]["problematische_schulden"] is True
    assert full[0]["uitkomsten"]["werk_of_dagbesteding"] is False
    police = client.get(f"{url}/uitkomsten", headers=wijkagent).json()
    assert "problematische_schulden" not in police[0]["uitkomsten"]
    assert "problematische_schulden" in police[0]["gemaskeerd"]
    assert police[0]["uitkomsten"]["stabiele_huisvesting"] is True

    today = local_today()
    today_period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    with tenant_transaction(runtime.sessions, T) as session:
        tenant = session.get(Tenant, T)
        assert tenant is not None
        batch = build_batch(session, tenant, today_period, "k" * 40).batch
        count = session.scalar(sa.text("SELECT count(*) FROM outcome_measurements"))
    assert count and count >= 1
    with_outcomes = [r for r in batch.records if r.outcomes_intake.problematic_debts is not None]
    assert with_outcomes, "the intake outcomes reach the fact records"
    assert with_outcomes[0].outcomes_intake.work_or_dagbesteding is False
    assert with_outcomes[0].outcomes_intake.stable_housing is True
