"""Audit rows of a list hold the decision about their own casus, not the whole page."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import HILVERSUM, HILVERSUM_PGA_EXPERT, HILVERSUM_WIJKAGENT

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]


def test_each_listed_casus_has_its_own_decision_record(
    client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    for name in ("Auditeen", "Audittwee"):
        created = client.post(
            "/api/v1/casussen",
            json={
                "soort": "persoon",
                "waarom_integraal": "Audit-test: meerdere problemen.",
                "geinformeerd": True,
                "persoon": {"voornamen": "A", "achternaam": name},
            },
            headers=token_for(HILVERSUM, HILVERSUM_WIJKAGENT),
        )
        assert created.status_code == 201, created.text
    request_id = uuid.uuid4().hex
    listing = client.get(
        "/api/v1/casussen",
        headers={**token_for(HILVERSUM, HILVERSUM_PGA_EXPERT), "X-Request-ID": request_id},
    )
    assert listing.status_code == 200
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT casus_id, decision_id, decision_input FROM audit_log "
                "WHERE request_id = :r AND action = 'list'"
            ),
            {"r": request_id},
        ).all()
    engine.dispose()
    assert len(rows) >= 2
    assert len({r.decision_id for r in rows}) == len(rows)
    for row in rows:
        assert "resources" not in row.decision_input
        assert row.decision_input["resource"]["casus_id"] == str(row.casus_id)
