"""The audit rows of a casus's reads, as what they say about each decision: for tests that
compare two ways of serving the same request (the rows must be the same)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from services.platform.db.models import AuditEntry
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

#: What an audit row says about the decision (not when, its id, chain, seq, span or trace).
DECIDED = (
    "user_id",
    "organisation_id",
    "roles",
    "action",
    "resource_type",
    "resource_id",
    "casus_id",
    "purpose",
    "legal_basis",
    "allowed",
    "status",
    "policy_revision",
    "data_revision",
    "reasons",
    "processing_activity",
    "data_subject_ref",
)


def decided_reads(
    runtime: Runtime, tenant: str, casus_id: uuid.UUID, *, with_input: bool = False
) -> list[dict[str, Any]]:
    """The casus's read rows in the order they were written: by transaction time, then
    position in the chain (``seq`` alone does not order rows of different chains, ADR 0018).
    ``with_input``: with the decision input, but for the time of the decision."""
    with tenant_transaction(runtime.sessions, tenant) as session:
        rows = session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.casus_id == casus_id, AuditEntry.action == "read")
            .order_by(AuditEntry.at, AuditEntry.seq)
        ).all()
        out = []
        for row in rows:
            entry = {name: getattr(row, name) for name in DECIDED}
            if with_input:
                decided = dict(row.decision_input or {})
                decided["context"] = {
                    k: v for k, v in (decided.get("context") or {}).items() if k != "now"
                }
                entry["decision_input"] = decided
            out.append(entry)
        return out
