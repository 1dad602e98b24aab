"""Verifying the hash chains of the audit log, and checkpointing their heads.

The database builds the chains on insert (migration 0013; several per tenant since 0056,
docs/adr/0018-audit-chain.md): every row is in one of its tenant's chains (``chain``, 0 to
``audit_chain_count() - 1``; one transaction's rows of a tenant are in one chain), and row
``n`` of a chain has ``seq = n``, ``prev_hash`` = the hash of row ``n - 1`` of that chain (64
zeros for the first) and ``hash = sha256(canonical text of the row)``, where the canonical
text covers every column but ``hash`` (prev_hash included; the chain number too, except for
chain 0, whose text is that of migration 0013). :func:`verify_tenant` walks each chain in
``seq`` order, recomputes every hash *here* (the canonical text is built by the expression
below, not by the database function an owner could replace) and reports the first broken
link (of the lowest chain that has one):

* ``gewijzigd``: the row's content no longer gives its hash (edited, or moved: ``seq`` and
  ``chain`` are part of the content);
* ``ontbreekt``: a position is missing (a deleted row); the row after the gap is named;
* ``schakel``: the row does not point at the hash of the row before (a row recomputed after
  an edit, or one inserted);
* ``controlepunt``: a row differs from a checkpoint of the chain head taken earlier (a chain
  rewritten consistently from some row on);
* ``afgekapt``: the chain ends before a checkpoint of it (the tail cut off, or the whole
  chain or log truncated); the missing head row is named.

Checkpoints (``audit_checkpoints``, append-only) are recorded only by the owner-defined
function ``audit_checkpoint()``, which records the current head of every chain of every
tenant; the runtime roles may call it and read, never add, change or remove one.
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

#: The columns of row ``a`` after the tenant, in the canonical order.
_FIELDS: Final = """a.seq, a.id::text,
  to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  a.user_id, a.organisation_id, to_jsonb(a.roles), a.action, a.resource_type, a.resource_id,
  a.casus_id::text, a.purpose, a.legal_basis, a.allowed, a.decision_id::text,
  a.policy_revision, a.data_revision, to_jsonb(a.reasons), a.decision_input, a.request_id,
  a.trace_id, a.span_id, a.parent_span_id, a.status, a.processing_activity,
  a.data_subject_ref, encode(a.data_subject_enc, 'base64'), a.data_subject_type,
  a.prev_hash"""

#: The canonical text of row ``a`` (the same expression as ``audit_log_canonical``): the
#: chain number follows the tenant except in chain 0 (whose rows keep migration 0013's text).
CANONICAL: Final = f"""(CASE WHEN a.chain = 0 THEN jsonb_build_array(a.tenant_id, {_FIELDS})
  ELSE jsonb_build_array(a.tenant_id, a.chain, {_FIELDS}) END)::text"""

_ROWS = sa.text(
    f"SELECT a.id, a.chain, a.seq, a.prev_hash, a.hash, {CANONICAL} AS canonical "
    "FROM audit_log a WHERE a.tenant_id = :tenant ORDER BY a.chain, a.seq"
)
_CHECKPOINTS = sa.text(
    "SELECT chain, seq, hash, row_id FROM audit_checkpoints WHERE tenant_id = :tenant "
    "ORDER BY chain, seq"
)

#: Checkpoints of one chain: position -> (hash, row id).
_Marks = dict[int, tuple[str, uuid.UUID | None]]


def row_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first broken link of a tenant's chains."""

    kind: str
    seq: int
    row_id: uuid.UUID | None
    detail: str
    chain: int = 0

    def describe(self) -> str:
        row = f"rij {self.row_id}" if self.row_id else "rij (onbekend)"
        return f"{self.kind}: {row} (keten {self.chain}, positie {self.seq}): {self.detail}"


@dataclass(frozen=True)
class ChainState:
    """One chain of a tenant as verified: its rows, its head and its last checkpoint."""

    chain: int
    rows: int
    head_seq: int
    checkpoint_seq: int


@dataclass(frozen=True)
class ChainReport:
    tenant: str
    chains: tuple[ChainState, ...]
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    @property
    def rows(self) -> int:
        return sum(c.rows for c in self.chains)

    @property
    def positions(self) -> int:
        """The positions of all chains up to their heads: equal to ``rows`` when whole."""
        return sum(c.head_seq for c in self.chains)

    def chain(self, number: int) -> ChainState:
        return next(c for c in self.chains if c.chain == number)

    def describe(self) -> str:
        if self.first_break is None:
            marks = ", ".join(f"{c.chain}: {c.checkpoint_seq}" for c in self.chains) or "geen"
            return (
                f"{self.tenant}: keten intact ({self.rows} rijen in {len(self.chains)} "
                f"keten(s); laatste controlepunt per keten: {marks})"
            )
        return f"{self.tenant}: KETEN GEBROKEN, eerste breuk: {self.first_break.describe()}"


def verify_tenant(conn: sa.Connection, tenant: str) -> ChainReport:
    """Verify one tenant's chains on ``conn`` (any role that may read the log: the app role
    sees the tenant's rows once the tenant is set in the transaction)."""
    conn.execute(SET_TENANT, {"tenant": tenant})
    marks: dict[int, _Marks] = {}
    for number, seq, digest, row_id in conn.execute(_CHECKPOINTS, {"tenant": tenant}):
        marks.setdefault(int(number), {})[int(seq)] = (str(digest), row_id)
    walks: dict[int, _Walk] = {}
    for row in conn.execute(_ROWS, {"tenant": tenant}):
        number = int(row.chain)
        walk = walks.get(number)
        if walk is None:
            walk = walks[number] = _Walk(number, marks.get(number, {}))
        walk.step(row)
    states: list[ChainState] = []
    first: Break | None = None
    for number in sorted(set(walks) | set(marks)):
        walk = walks.get(number) or _Walk(number, marks.get(number, {}))
        found = walk.finish()
        states.append(walk.state())
        if first is None:
            first = found
    return ChainReport(tenant, tuple(states), first)


class _Walk:
    """One chain's rows in ``seq`` order, checked link by link."""

    def __init__(self, chain: int, marks: _Marks) -> None:
        self.chain = chain
        self.marks = marks
        self.expected_seq = 1
        self.expected_prev = GENESIS
        self.rows = 0
        self.first: Break | None = None

    def step(self, row: sa.Row[tuple[uuid.UUID, int, int, str | None, str | None, str]]) -> None:
        self.rows += 1
        if self.first is not None:
            return
        self.first = _check(row, self.chain, self.expected_seq, self.expected_prev, self.marks)
        self.expected_seq, self.expected_prev = int(row.seq) + 1, str(row.hash)

    def finish(self) -> Break | None:
        last = self.expected_seq - 1
        top = max(self.marks, default=0)
        if self.first is None and top > last:
            _digest, row_id = self.marks[top]
            self.first = Break(
                "afgekapt",
                top,
                row_id,
                f"de keten eindigt bij positie {last}, een controlepunt kent positie {top}: "
                f"{top - last} rij(en) aan het eind ontbreken",
                self.chain,
            )
        return self.first

    def state(self) -> ChainState:
        return ChainState(self.chain, self.rows, self.expected_seq - 1, max(self.marks, default=0))


def _check(
    row: sa.Row[tuple[uuid.UUID, int, int, str | None, str | None, str]],
    chain: int,
    expected_seq: int,
    expected_prev: str,
    marks: _Marks,
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
            chain,
        )
    if seq < expected_seq:
        return Break("ingevoegd", seq, row.id, "positie komt dubbel voor (ingevoegde rij)", chain)
    if row.hash is None or row_hash(row.canonical) != row.hash:
        return Break(
            "gewijzigd",
            seq,
            row.id,
            "de inhoud van de rij past niet bij haar hash (gewijzigd)",
            chain,
        )
    if row.prev_hash != expected_prev:
        return Break(
            "schakel",
            seq,
            row.id,
            "de rij verwijst niet naar de hash van de rij ervoor (ingevoegd, of een eerdere "
            "rij herschreven)",
            chain,
        )
    mark = marks.get(seq)
    if mark is not None and mark[0] != row.hash:
        return Break(
            "controlepunt",
            seq,
            row.id,
            "de rij wijkt af van een eerder vastgelegd controlepunt",
            chain,
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
    """Record the current head of every chain of every tenant as a checkpoint (the owner's
    function)."""
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
