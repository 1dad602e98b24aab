"""Verifying the per-tenant hash chain of the audit log, and checkpointing its head.

The database builds the chain on insert (migration 0013): row ``n`` of a tenant has
``seq = n``, ``prev_hash`` = the hash of row ``n - 1`` (64 zeros for the first) and
``hash = sha256(canonical text of the row)``, where the canonical text covers every column
but ``hash`` (prev_hash included). :func:`verify_tenant` walks the rows in ``seq`` order,
recomputes every hash *here* (the canonical text is built by the expression below, not by the
database function an owner could replace) and reports the first broken link:

* ``gewijzigd``: the row's content no longer gives its hash (edited, or moved: ``seq`` is
  part of the content);
* ``ontbreekt``: a position is missing (a deleted row); the row after the gap is named;
* ``schakel``: the row does not point at the hash of the row before (a row recomputed after
  an edit, or one inserted);
* ``controlepunt``: a row differs from a checkpoint of the chain head taken earlier (a chain
  rewritten consistently from some row on);
* ``afgekapt``: the log ends before a checkpoint (the tail cut off, or the whole log
  truncated); the missing head row is named.

Checkpoints (``audit_checkpoints``, append-only) are recorded only by the owner-defined
function ``audit_checkpoint()``, which records each tenant's current head; the runtime roles
may call it and read, never add, change or remove one. docs/adr/0018-audit-chain.md.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from services.platform.db.unit_of_work import SET_TENANT

_log = logging.getLogger(__name__)

GENESIS: Final = "0" * 64

#: The canonical text of row ``a`` (the same expression as ``audit_log_canonical``).
CANONICAL: Final = """jsonb_build_array(
  a.tenant_id, a.seq, a.id::text,
  to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  a.user_id, a.organisation_id, to_jsonb(a.roles), a.action, a.resource_type, a.resource_id,
  a.casus_id::text, a.purpose, a.legal_basis, a.allowed, a.decision_id::text,
  a.policy_revision, a.data_revision, to_jsonb(a.reasons), a.decision_input, a.request_id,
  a.trace_id, a.span_id, a.parent_span_id, a.status, a.processing_activity,
  a.data_subject_ref, encode(a.data_subject_enc, 'base64'), a.data_subject_type,
  a.prev_hash
)::text"""

_ROWS = sa.text(
    f"SELECT a.id, a.seq, a.prev_hash, a.hash, {CANONICAL} AS canonical "
    "FROM audit_log a WHERE a.tenant_id = :tenant ORDER BY a.seq"
)
_CHECKPOINTS = sa.text(
    "SELECT seq, hash, row_id FROM audit_checkpoints WHERE tenant_id = :tenant ORDER BY seq"
)


def row_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first broken link of a tenant's chain."""

    kind: str
    seq: int
    row_id: uuid.UUID | None
    detail: str

    def describe(self) -> str:
        row = f"rij {self.row_id}" if self.row_id else "rij (onbekend)"
        return f"{self.kind}: {row} (positie {self.seq}): {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    tenant: str
    rows: int
    head_seq: int
    checkpoint_seq: int
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    def describe(self) -> str:
        if self.first_break is None:
            return (
                f"{self.tenant}: keten intact ({self.rows} rijen, laatste controlepunt "
                f"positie {self.checkpoint_seq})"
            )
        return f"{self.tenant}: KETEN GEBROKEN, eerste breuk: {self.first_break.describe()}"


def verify_tenant(conn: sa.Connection, tenant: str) -> ChainReport:
    """Verify one tenant's chain on ``conn`` (any role that may read the log: the app role
    sees the tenant's rows once the tenant is set in the transaction)."""
    conn.execute(SET_TENANT, {"tenant": tenant})
    marks: dict[int, tuple[str, uuid.UUID | None]] = {}
    for seq, digest, row_id in conn.execute(_CHECKPOINTS, {"tenant": tenant}):
        marks[int(seq)] = (str(digest), row_id)
    expected_seq, expected_prev = 1, GENESIS
    rows = 0
    first: Break | None = None
    for row in conn.execute(_ROWS, {"tenant": tenant}):
        rows += 1
        if first is not None:
            continue
        first = _check(row, expected_seq, expected_prev, marks)
        expected_seq, expected_prev = int(row.seq) + 1, str(row.hash)
    last = expected_seq - 1
    top = max(marks, default=0)
    if first is None and top > last:
        digest, row_id = marks[top]
        first = Break(
            "afgekapt",
            top,
            row_id,
            f"het log eindigt bij positie {last}, een controlepunt kent positie {top}: "
            f"{top - last} rij(en) aan het eind ontbreken",
        )
    return ChainReport(tenant, rows, last, top, first)


def _check(
    row: sa.Row[tuple[uuid.UUID, int, str | None, str | None, str]],
    expected_seq: int,
    expected_prev: str,
    marks: dict[int, tuple[str, uuid.UUID | None]],
) -> Break | None:
    seq = int(row.seq)
    if seq > expected_seq:
        return Break(
            "ontbreekt",
            seq,
            row.id,
            f"positie {expected_seq}"
            + (f" t/m {seq - 1}" if seq - 1 > expected_seq else "")
            + " ontbreekt vóór deze rij (verwijderd)",
        )
    if seq < expected_seq:
        return Break("ingevoegd", seq, row.id, "positie komt dubbel voor (ingevoegde rij)")
    if row.hash is None or row_hash(row.canonical) != row.hash:
        return Break(
            "gewijzigd", seq, row.id, "de inhoud van de rij past niet bij haar hash (gewijzigd)"
        )
    if row.prev_hash != expected_prev:
        return Break(
            "schakel",
            seq,
            row.id,
            "de rij verwijst niet naar de hash van de rij ervoor (ingevoegd, of een eerdere "
            "rij herschreven)",
        )
    mark = marks.get(seq)
    if mark is not None and mark[0] != row.hash:
        return Break(
            "controlepunt", seq, row.id, "de rij wijkt af van een eerder vastgelegd controlepunt"
        )
    return None


def tenants(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.text("SELECT code FROM tenants ORDER BY code")).scalars())


def verify(engine: sa.Engine, only: Sequence[str] | None = None) -> list[ChainReport]:
    """Verify the chains of ``only`` (default: every tenant), one transaction each."""
    with engine.connect() as conn:
        codes = list(only) if only else tenants(conn)
    reports = []
    for code in codes:
        with engine.begin() as conn:
            reports.append(verify_tenant(conn, code))
    return reports


def checkpoint(engine: sa.Engine) -> int:
    """Record every tenant's current chain head as a checkpoint (the owner's function)."""
    with engine.begin() as conn:
        return int(conn.execute(sa.text("SELECT audit_checkpoint()")).scalar_one())


def verify_and_checkpoint(engine: sa.Engine) -> list[ChainReport]:
    """The periodic job: verify every chain, log the result, then checkpoint the heads."""
    reports = verify(engine)
    for report in reports:
        if report.ok:
            _log.info("audit chain %s", report.describe())
        else:
            _log.error("audit chain %s", report.describe())
    written = checkpoint(engine)
    _log.info("audit chain: %d checkpoint(s) written", written)
    return reports


def broken(reports: Iterable[ChainReport]) -> list[ChainReport]:
    return [r for r in reports if not r.ok]
