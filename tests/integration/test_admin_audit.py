"""Every operator and beheer action leaves an audit row, over the route table.

The mutating routes of the operator API (``/api/v1/beheer``, ``/api/v1/operatie``), of user
and role management (``/api/v1/gebruikers``, ``/api/v1/rolwijzigingen``) and of doorbreekglas
are found from the app; each must have a recipe below (a new route fails this test until it
has one), and each call must leave at least one audit row with its request id, in the shape
of Logboek Dataverwerkingen (trace, span, processing activity, status; a legal basis when
allowed). Tenant export (a read, but an operator action) is checked too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    TEST_MANIFESTS_DIR,
    VEENENDAAL,
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_BEHEERDER_2,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from test_route_table import endpoints

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
ADMIN_PREFIXES = (
    "/api/v1/beheer",
    "/api/v1/operatie",
    "/api/v1/gebruikers",
    "/api/v1/rolwijzigingen",
)
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
T = ZEIST
OPERATOR = (REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
ADMIN, SECOND_ADMIN = (T, ZEIST_BEHEERDER), (T, ZEIST_BEHEERDER_2)
EXPERT, OUTSIDER = (T, ZEIST_PGA_EXPERT), (T, ZEIST_KLANTMANAGER)


def admin_routes(app: Litestar) -> set[str]:
    return {
        f"{e.method} {e.path}"
        for e in endpoints(app)
        if e.method in MUTATING and (e.path.startswith(ADMIN_PREFIXES) or "doorbreekglas" in e.path)
    }


@dataclass
class Call:
    route: str
    status: int
    request_id: str
    body: Any


def test_every_operator_and_beheer_action_is_audited(
    app: Litestar,
    client: TestClient[Litestar],
    token_for: Headers,
    runtime: Runtime,
) -> None:
    calls: list[Call] = []

    def call(
        route: str,
        who: tuple[str, str],
        path: str,
        *,
        json: Any = None,
        content: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        method = route.split(" ", 1)[0]
        request_id = uuid.uuid4().hex
        response = client.request(
            method,
            path,
            json=json,
            content=content,
            params=params,
            headers={**token_for(*who), "X-Request-ID": request_id, **(headers or {})},
        )
        assert response.status_code < 500, f"{route}: {response.status_code} {response.text}"
        body = response.json() if response.content else None
        calls.append(Call(route, response.status_code, request_id, body))
        return response

    # Operator: apply a manifest (unchanged: idempotent), suspend and resume, export.
    manifest = (TEST_MANIFESTS_DIR / "gm9345-veenendaal.toml").read_text(encoding="utf-8")
    applied = call(
        "POST /api/v1/beheer/tenants",
        OPERATOR,
        "/api/v1/beheer/tenants",
        content=manifest,
        headers={"Content-Type": "text/plain"},
    )
    assert applied.status_code == 201, applied.text
    call(
        "POST /api/v1/beheer/tenants/{code}/opschorten",
        OPERATOR,
        f"/api/v1/beheer/tenants/{VEENENDAAL}/opschorten",
        json={"reden": "Audittest: tijdelijk opgeschort."},
    )
    resumed = call(
        "POST /api/v1/beheer/tenants/{code}/heractiveren",
        OPERATOR,
        f"/api/v1/beheer/tenants/{VEENENDAAL}/heractiveren",
    )
    assert resumed.status_code == 200, resumed.text
    call(
        "GET export",
        OPERATOR,
        f"/api/v1/beheer/tenants/{VEENENDAAL}/export",
        params={"doel": "verzoek-toezichthouder", "grondslag": "wettelijke-verplichting"},
    )
    call(
        "POST /api/v1/operatie/dead-letters/{letter_id}/opnieuw",
        OPERATOR,
        f"/api/v1/operatie/dead-letters/{uuid.uuid4()}/opnieuw",
    )

    # Tenantbeheer: a new user (its roles a proposal), a change, approve and reject.
    user_id = f"audit-{uuid.uuid4().hex[:8]}"
    created = call(
        "POST /api/v1/gebruikers",
        ADMIN,
        "/api/v1/gebruikers",
        json={
            "id": user_id,
            "naam": "Audit Collega",
            "organisatie": "sociaal-wijkteam-zeist",
            "rollen": ["professional"],
        },
    )
    assert created.status_code == 201, created.text
    changed = call(
        "PATCH /api/v1/gebruikers/{user_id}",
        ADMIN,
        f"/api/v1/gebruikers/{user_id}",
        json={"naam": "Audit Collega-Anders"},
        headers={"If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    approved = call(
        "POST /api/v1/rolwijzigingen/{proposal_id}/goedkeuren",
        SECOND_ADMIN,
        f"/api/v1/rolwijzigingen/{created.json()['voorstel']['id']}/goedkeuren",
        json={"toelichting": "Akkoord."},
    )
    assert approved.status_code == 200, approved.text
    proposed = call(
        "POST /api/v1/rolwijzigingen",
        ADMIN,
        "/api/v1/rolwijzigingen",
        json={"gebruiker": user_id, "rollen": ["adviseur"], "reden": "Audittest: voorstel."},
    )
    assert proposed.status_code == 201, proposed.text
    rejected = call(
        "POST /api/v1/rolwijzigingen/{proposal_id}/afwijzen",
        SECOND_ADMIN,
        f"/api/v1/rolwijzigingen/{proposed.json()['id']}/afwijzen",
        json={"toelichting": "Niet nodig."},
    )
    assert rejected.status_code == 200, rejected.text

    # Doorbreekglas: a grant by someone outside the casus, reviewed by the pga-expert.
    casus = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Audittest: overlast en schulden tegelijk.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Anna", "achternaam": "Audittest"},
        },
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert casus.status_code == 201, casus.text
    grant = call(
        "POST /api/v1/casussen/{casus_id}/doorbreekglas",
        OUTSIDER,
        f"/api/v1/casussen/{casus.json()['id']}/doorbreekglas",
        json={"reden": "Acute dreiging, overleg met wachtdienst noodzakelijk.", "uren": 2},
    )
    assert grant.status_code == 201, grant.text
    call(
        "POST /api/v1/werkvoorraad/doorbreekglas/{grant_id}/beoordeeld",
        EXPERT,
        f"/api/v1/werkvoorraad/doorbreekglas/{grant.json()['id']}/beoordeeld",
        json={"oordeel": "terecht", "toelichting": "Acute dreiging; terecht."},
    )

    covered = {c.route for c in calls}
    missing = admin_routes(app) - covered
    assert not missing, f"operator/beheer routes without an audit check: {sorted(missing)}"

    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with engine.connect() as conn:
            for made in calls:
                rows = conn.execute(
                    sa.text(
                        "SELECT allowed, legal_basis, processing_activity, trace_id, span_id, "
                        "parent_span_id, status, hash FROM audit_log WHERE request_id = :r"
                    ),
                    {"r": made.request_id},
                ).all()
                assert rows, f"{made.route} ({made.status}) left no audit row"
                for row in rows:
                    assert row.processing_activity, made.route
                    assert row.trace_id and len(row.trace_id) == 32, made.route
                    assert row.span_id and len(row.span_id) == 16, made.route
                    assert row.parent_span_id and row.hash, made.route
                    assert row.status == ("ok" if row.allowed else "unset"), made.route
                    if row.allowed:
                        assert row.legal_basis, f"{made.route}: allowed without a legal basis"
    finally:
        engine.dispose()
