"""The audit rows of a transaction are written in one INSERT right before its COMMIT (issue
14, docs/adr/0018-audit-chain.md "Amended"): the chain's per-tenant lock is taken there, not
at the first decision. What a row holds, which rows a rolled-back savepoint or transaction
keeps, and the chain under concurrent writers are as when each decision added an ORM row."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from concurrency import all_at_once
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import VEENENDAAL, ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import Undo, principal_of, rolled_back

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.unit_of_work import workspace
from services.casework.workspace import Workspace
from services.platform.authz import chain, enforce
from services.platform.authz.enforce import (
    AUDIT_LOG,
    AccessDenied,
    Enforcer,
    Target,
    insert_audit_rows,
)
from services.platform.db.models import AuditEntry
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from services.platform.policy import PolicyEngineUnavailable
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
#: A casus of another gemeente: the policy refuses (``tenant-anders``).
OTHER_TENANT = "GM0000"
#: Columns the database or the chain trigger sets: the row's identity and place in the chain.
CHAIN_COLUMNS = ("id", "seq", "prev_hash", "hash")


@pytest.fixture(scope="module")
def casus_ids(app: Litestar, token_for: Headers) -> list[uuid.UUID]:
    with TestClient(app) as client:
        return [
            uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), f"Bufferaudit{n}"))
            for n in range(3)
        ]


@pytest.fixture
def expert(runtime: Runtime) -> Principal:
    return principal_of(runtime, ZEIST_PGA_EXPERT, T)


class Sent(NamedTuple):
    connection: int  #: the DBAPI connection (id)
    sql: str
    many: bool  #: an executemany
    rows: int  #: the audit rows an INSERT INTO audit_log carries (its jsonb parameter)


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[list[Sent]]:
    """Every statement sent while the test runs."""
    seen: list[Sent] = []

    def record(conn: Any, _cursor: Any, statement: str, p: Any, _ctx: Any, many: bool) -> None:
        sql = " ".join(statement.split())
        rows = (
            len(json.loads(p["rows"]))
            if sql.startswith("INSERT INTO audit_log") and isinstance(p, dict) and "rows" in p
            else 0
        )
        seen.append(Sent(id(conn.connection.dbapi_connection), sql, many, rows))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _audit_inserts(seen: list[Sent]) -> list[Sent]:
    return [s for s in seen if s.sql.startswith("INSERT INTO audit_log")]


def _read(ws: Workspace, casus_id: uuid.UUID, label: str, marker: uuid.UUID) -> None:
    """An allowed decision on a real casus, its audit row labelled by ``resource_id``."""
    casus = ws.load_casus(casus_id)
    ws.enforcer.decide(
        "read",
        ws.resource(casus),
        ws.context(ws.purpose_for(casus, None)),
        Target("casus", label, marker),
    )


def _refuse(ws: Workspace, label: str, marker: uuid.UUID, *, raise_on_deny: bool = True) -> None:
    resource = {
        "type": "casus",
        "tenant": OTHER_TENANT,
        "casus_kind": "persoon",
        "contains_person_identifiers": True,
    }
    ws.enforcer.decide(
        "read",
        resource,
        ws.context("uitvoering"),
        Target("casus", label, marker),
        raise_on_deny=raise_on_deny,
    )


def _rows(runtime: Runtime, marker: uuid.UUID) -> list[tuple[str | None, bool]]:
    """(label, allowed) of the committed rows of ``marker``, in chain order."""
    with workspace(runtime.casework, principal_of(runtime, ZEIST_PGA_EXPERT, T)) as ws:
        rows = ws.session.execute(
            sa.select(AuditEntry.resource_id, AuditEntry.allowed)
            .where(AuditEntry.casus_id == marker)
            .order_by(AuditEntry.seq)
        ).all()
    return [(r.resource_id, r.allowed) for r in rows]


def test_the_list_of_a_page_writes_its_rows_in_one_insert_right_before_commit(
    client: TestClient[Litestar],
    token_for: Headers,
    casus_ids: list[uuid.UUID],
    statements: list[Sent],
    runtime: Runtime,
) -> None:
    request_id = uuid.uuid4().hex
    statements.clear()
    listing = client.get(
        "/api/v1/casussen?limiet=50",
        headers={**token_for(T, ZEIST_PGA_EXPERT), "X-Request-ID": request_id},
    )
    assert listing.status_code == 200, listing.text
    inserts = _audit_inserts(statements)
    assert len(inserts) == 1, inserts
    (insert,) = inserts
    on_its_connection = [s for s in statements if s.connection == insert.connection]
    assert on_its_connection[-1] == insert  # the request's last statement: then the COMMIT
    with workspace(runtime.casework, principal_of(runtime, ZEIST_PGA_EXPERT, T)) as ws:
        written = ws.session.scalar(
            sa.select(sa.func.count()).where(AuditEntry.request_id == request_id)
        )
    assert written is not None and written >= len(casus_ids)
    # All of them in that one statement (its one jsonb parameter holds every row).
    assert not insert.many
    assert insert.rows == written


def test_decisions_between_queries_hold_no_chain_lock_until_the_end(
    runtime: Runtime,
    casus_ids: list[uuid.UUID],
    expert: Principal,
    statements: list[Sent],
) -> None:
    """Before issue 14 the first query after a decision flushed its row: the INSERT took the
    tenant's chain lock and held it for the rest of the transaction."""
    marker = uuid.uuid4()
    with workspace(runtime.casework, expert) as ws:
        pid = ws.session.scalar(sa.text("SELECT pg_backend_pid()"))
        mine = id(ws.session.connection().connection.dbapi_connection)
        for n, casus_id in enumerate(casus_ids):
            _read(ws, casus_id, f"lezen-{n}", marker)
            ws.session.execute(sa.text("SELECT 1"))
            ws.load_casus(casus_id, for_update=True)  # a query after each decision
        assert [s for s in _audit_inserts(statements) if s.connection == mine] == []
        with runtime.engine.connect() as other:
            held = other.scalar(
                sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = :p"),
                {"p": pid},
            )
        assert held == 0
    assert len([s for s in _audit_inserts(statements) if s.connection == mine]) == 1
    assert _rows(runtime, marker) == [(f"lezen-{n}", True) for n in range(len(casus_ids))]


def test_rows_hold_what_the_orm_rows_held(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    """Allowed, denied, count and engine-failure rows, written by the enforcer's INSERT and
    again as ORM objects of the same entries (as before issue 14): every column equal but
    the row's identity and place in the chain; none left NULL that the ORM filled."""
    marker = uuid.uuid4()
    with rolled_back(runtime, expert) as ws:
        _read(ws, casus_ids[0], "toegestaan", marker)
        _refuse(ws, "geweigerd", marker, raise_on_deny=False)
        casus = ws.load_casus(casus_ids[1])
        ws.enforcer.decide_count("list", [ws.resource(casus)], [7], ws.context("uitvoering"), "x")
        with pytest.raises(PolicyEngineUnavailable):  # an input the engine cannot take
            ws.enforcer.decide("read", {"type": 1}, ws.context(None), Target("casus", "fout"))
        entries = ws.enforcer.recorded
        assert len(entries) == 4
        ws.enforcer.write_audit()
        ws.session.add_all(AuditEntry(**entry) for entry in entries)
        ws.session.flush()
        rows = ws.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.request_id.is_(None), AuditEntry.user_id == expert.user_id)
            .order_by(AuditEntry.seq.desc())
            .limit(8)
        ).all()[::-1]
        core, orm = rows[:4], rows[4:]
        columns = [c.key for c in sa.inspect(AuditEntry).column_attrs]
        for new, old in zip(core, orm, strict=True):
            for column in columns:
                if column not in CHAIN_COLUMNS:
                    assert getattr(new, column) == getattr(old, column), column
        assert [r.resource_id for r in core] == ["toegestaan", "geweigerd", None, "fout"]
        assert {r.status for r in core} == {"ok", "unset", "error"}
        raise Undo


def test_savepoints_keep_what_they_kept_before(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    """A failed part of a page (Workspace.attempt, a savepoint) loses the rows of what it
    decided and keeps its refusals (once) when it failed on a refusal; a part that succeeds
    keeps its rows; rows recorded before the part stay, also when the part read the log (and
    so wrote them) before it was rolled back."""
    marker = uuid.uuid4()
    with workspace(runtime.casework, expert) as ws:
        _read(ws, casus_ids[0], "voor", marker)
        with pytest.raises(AccessDenied), ws.attempt():  # noqa: PT012 - the part that fails
            _read(ws, casus_ids[1], "deel1-toegestaan", marker)
            _refuse(ws, "deel1-geweigerd", marker)
        with pytest.raises(DomainValidationError), ws.attempt():  # noqa: PT012
            _read(ws, casus_ids[1], "deel2-toegestaan", marker)
            _refuse(ws, "deel2-geweigerd", marker, raise_on_deny=False)
            raise DomainValidationError([FieldProblem("x", "Fout in het formulier.")])
        with ws.attempt():
            _read(ws, casus_ids[2], "deel3", marker)
        with pytest.raises(AccessDenied), ws.attempt():  # noqa: PT012
            ws.session.scalars(sa.select(AuditEntry).where(AuditEntry.casus_id == marker)).all()
            _refuse(ws, "deel4-geweigerd", marker)
        _read(ws, casus_ids[0], "na", marker)
    assert _rows(runtime, marker) == [
        ("voor", True),
        ("deel1-geweigerd", False),
        ("deel3", True),
        ("deel4-geweigerd", False),
        ("na", True),
    ]


def test_a_read_of_the_log_sees_the_transactions_own_rows(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    marker = uuid.uuid4()
    with rolled_back(runtime, expert) as ws:
        _read(ws, casus_ids[0], "zelf", marker)
        seen = ws.session.scalars(
            sa.select(AuditEntry.resource_id).where(AuditEntry.casus_id == marker)
        ).all()
        assert seen == ["zelf"]
        raise Undo
    assert _rows(runtime, marker) == []


def test_a_refused_request_keeps_only_its_refusal_also_after_its_rows_were_written(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    marker = uuid.uuid4()
    with pytest.raises(AccessDenied), workspace(runtime.casework, expert) as ws:  # noqa: PT012
        _read(ws, casus_ids[0], "gelezen", marker)
        ws.session.scalars(sa.select(AuditEntry).where(AuditEntry.casus_id == marker)).all()
        _refuse(ws, "geweigerd", marker)
    assert _rows(runtime, marker) == [("geweigerd", False)]


def test_rows_of_two_tenants_go_in_tenant_order_and_the_tenant_is_set_back(
    runtime: Runtime,
    casus_ids: list[uuid.UUID],
    expert: Principal,
    statements: list[Sent],
) -> None:
    """A shared casus: the owner's row is written under the owner's tenant. Tenants in code
    order, so two such transactions take the chain locks in the same order (no deadlock)."""
    assert VEENENDAAL < T
    with rolled_back(runtime, expert) as ws:
        _read(ws, casus_ids[0], "eigen", uuid.uuid4())
        (entry,) = ws.enforcer.recorded
        statements.clear()
        insert_audit_rows(ws.session, [entry, entry | {"tenant_id": VEENENDAAL}, entry], T)
        kinds = [
            "insert" if s.sql.startswith("INSERT INTO audit_log") else "tenant"
            for s in statements
            if s.sql.startswith(("INSERT INTO audit_log", "SELECT set_config('pga.tenant_id'"))
        ]
        assert kinds == ["tenant", "insert", "tenant", "insert"]
        tenant = ws.session.scalar(sa.text("SELECT current_setting('pga.tenant_id')"))
        assert tenant == T
        raise Undo


def test_any_commit_of_the_session_writes_the_rows(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    """Not only the unit of work's: an enforcer on a plain tenant transaction (before_commit);
    a savepoint released keeps its rows for the transaction's commit."""
    marker = uuid.uuid4()
    deps = runtime.casework
    with tenant_transaction(runtime.sessions, T) as session:
        enforcer = Enforcer(session, expert, deps.gateway.engine(), subjects=deps.subjects)
        ws = Workspace(session, expert, enforcer, deps.vault, deps.pseudonym_secret)
        with session.begin_nested():
            _read(ws, casus_ids[0], "los", marker)
        assert enforcer.unwritten == 1
    assert _rows(runtime, marker) == [("los", True)]


def test_concurrent_requests_keep_one_unbroken_chain(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    marker = uuid.uuid4()

    def request(n: int) -> None:
        for i in range(5):
            with workspace(runtime.casework, expert) as ws:
                for casus_id in casus_ids:
                    _read(ws, casus_id, f"{n}-{i}", marker)

    all_at_once(request)
    assert len(_rows(runtime, marker)) == 4 * 5 * len(casus_ids)
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert report.rows == report.positions


#: The INSERT of the enforcer before ADR 0024's amendment 5 (the oracle of the tests below):
#: every row whole in one jsonb array, its id made in Python.
_NAMES_BEFORE = ", ".join(enforce._COLUMNS)
_INSERT_BEFORE = sa.text(
    f"INSERT INTO audit_log ({_NAMES_BEFORE}) SELECT {_NAMES_BEFORE} FROM "
    "jsonb_populate_recordset(NULL::audit_log, CAST(:rows AS jsonb)) WITH ORDINALITY AS r "
    "ORDER BY r.ordinality"
)


def _json_row_before(row: dict[str, Any]) -> dict[str, Any]:
    out = {name: row[name] for name in enforce._COLUMNS}
    for name in enforce._UUID_COLUMNS:
        if out.get(name) is not None:
            out[name] = str(uuid.UUID(str(out[name])))
    for name in enforce._BINARY_COLUMNS:
        if out.get(name) is not None:
            out[name] = "\\x" + bytes(out[name]).hex()
    return out


def _insert_before(ws: Workspace, rows: list[dict[str, Any]]) -> None:
    encoded = [_json_row_before(enforce._UNSET | dict(r) | {"id": uuid.uuid4()}) for r in rows]
    ws.session.execute(_INSERT_BEFORE, {"rows": json.dumps(encoded)})


def _variants(page: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Groups of rows for one INSERT each: a list page's as recorded, and rows that differ
    where the INSERT's common part could go wrong."""
    one = page[0]
    sealed = one | {"data_subject_enc": b"\x00\x01sealed", "data_subject_ref": "ref-1"}
    head_less = dict(one) | {
        "decision_input": {k: v for k, v in one["decision_input"].items() if k != "context"}
    }
    return [
        page,
        [one],
        [sealed, one, sealed],  # bytes in some rows only
        [one, one | {"roles": []}, one | {"reasons": ["x"], "allowed": False}],
        [one, head_less, one],  # a member missing from one record: not in the head
        [one, one | {"decision_input": ["geen", "object"]}],  # no head at all
        [one | {"decision_input": {}}, one | {"decision_input": {}}],
        [one | {"decision_input": {"n": 1}}, one | {"decision_input": {"n": 1.0}}],
        [one | {"decision_input": {"n": True}}, one | {"decision_input": {"n": 1}}],
        [one | {"purpose": None}, one, one | {"casus_id": None, "resource_id": None}],
    ]


def test_the_insert_stores_what_the_insert_before_stored(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    """Differential (ADR 0024, amendment 5): each group of rows written by the enforcer's
    INSERT (the common part sent once) and by the INSERT before it (every row whole) gives
    rows equal in every column but the row's identity and place in the chain, their
    decision records as stored text too."""
    from services.casework.casussen.zichtbaar import list_casussen

    with rolled_back(runtime, expert) as ws:
        list_casussen(ws, limit=50)
        page = [dict(r) for r in ws.enforcer.recorded]
        assert len(page) >= len(casus_ids)
        ws.enforcer.forget_since(0)
        groups = _variants(page)
        columns = [c for c in enforce._COLUMNS if c not in (*CHAIN_COLUMNS, "chain")]
        for n, group in enumerate(groups):
            marked = [r | {"request_id": f"{n}-nieuw"} for r in group]
            insert_audit_rows(ws.session, marked, T)
            _insert_before(ws, [r | {"request_id": f"{n}-oud"} for r in group])
            stored = {}
            for label in ("nieuw", "oud"):
                stored[label] = ws.session.execute(
                    sa.select(*(AUDIT_LOG.c[c] for c in columns if c != "request_id"))
                    .add_columns(sa.cast(AUDIT_LOG.c.decision_input, sa.Text), AUDIT_LOG.c.id)
                    .where(AUDIT_LOG.c.request_id == f"{n}-{label}")
                    .order_by(AUDIT_LOG.c.seq)
                ).all()
            assert len(stored["nieuw"]) == len(group)
            assert [r[:-1] for r in stored["nieuw"]] == [r[:-1] for r in stored["oud"]], n
            ids = [r[-1] for r in stored["nieuw"]]
            # The ids are the database's: distinct, and time-ordered (version 7) since
            # migration 0071 (ADR 0018, amendment ``auditid``); version 4 before, as the
            # ``uuid.uuid4()`` they replaced. Nothing uses an audit id as a secret.
            assert len(set(ids)) == len(ids) and all(i.version == 7 for i in ids)
        raise Undo


def test_a_page_sends_what_its_rows_share_once(
    runtime: Runtime, casus_ids: list[uuid.UUID], expert: Principal
) -> None:
    """The INSERT of a list page carries the columns and the decision-record members its
    rows share once, not once per row (ADR 0024, amendment 5: 97 KB of JSON for 50 rows,
    most of it the same in every row)."""
    from services.casework.casussen.zichtbaar import list_casussen

    sent: list[dict[str, Any]] = []

    def record(_c: Any, _cur: Any, statement: str, p: Any, _ctx: Any, _many: bool) -> None:
        if statement.startswith("INSERT INTO audit_log") and isinstance(p, dict):
            sent.append(p)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        with rolled_back(runtime, expert) as ws:
            list_casussen(ws, limit=50)
            rows = len(ws.enforcer.recorded)
            revision = ws.enforcer.engine.policy_revision
            ws.enforcer.write_audit()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert rows >= len(casus_ids) >= 2
    (params,) = sent
    text = json.dumps(params)
    assert text.count(revision) == 1
    assert text.count(f'\\"user_id\\":\\"{expert.user_id}\\"') == 2  # the column, the subject
    assert len(json.loads(params["rows"])) == rows
