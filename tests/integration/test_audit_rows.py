"""Audit rows of a list hold the decision about their own casus, not the whole page."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from masking_oracle import oracle_record_parts
from people import HILVERSUM, HILVERSUM_PGA_EXPERT, HILVERSUM_WIJKAGENT

from services.platform.authz import enforce
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


def test_a_list_pages_records_equal_the_first_masking(
    client: TestClient[Litestar],
    token_for: Headers,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 14: the page's decision records (subject and context masked once per page) are
    byte for byte what the first masking made of each resource's input, and the rows
    written hold exactly them (nothing unmasked: the person's name is nowhere)."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Audit-test: BSN 123456782 in de tekst.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Maskeer", "achternaam": "Paginalijst"},
        },
        headers=token_for(HILVERSUM, HILVERSUM_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    seen: list[tuple[list[Any], list[Any], list[Any]]] = []
    page_records = enforce.make_decision_records

    def spy(engine: Any, inputs: Any, decisions: Any) -> Any:
        records = page_records(engine, inputs, decisions)
        seen.append((list(inputs), list(decisions), records))
        return records

    monkeypatch.setattr(enforce, "make_decision_records", spy)
    request_id = uuid.uuid4().hex
    listing = client.get(
        "/api/v1/casussen?limiet=50",
        headers={**token_for(HILVERSUM, HILVERSUM_PGA_EXPERT), "X-Request-ID": request_id},
    )
    assert listing.status_code == 200
    assert len(seen) == 1
    inputs, decisions, records = seen[0]
    assert len(inputs) >= 3
    expected_by_casus: dict[str, dict[str, Any]] = {}
    for input, decision, record in zip(inputs, decisions, records, strict=True):
        expected = oracle_record_parts(input, decision)
        assert json.dumps(record.masked_input) == json.dumps(expected["input"])
        assert json.dumps(record.result) == json.dumps(expected["result"])
        expected_by_casus[input["resource"]["casus_id"]] = expected["input"]
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT casus_id, decision_input, decision_input::text AS stored FROM audit_log "
                "WHERE request_id = :r AND action = 'list'"
            ),
            {"r": request_id},
        ).all()
    engine.dispose()
    assert len(rows) == len(records)
    for row in rows:
        assert row.decision_input == expected_by_casus[str(row.casus_id)]
        assert "Paginalijst" not in row.stored and "123456782" not in row.stored
