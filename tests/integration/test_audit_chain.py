"""The per-tenant hash chains of the audit log: an untouched log verifies; every kind of
tampering by the database owner (edit, delete, reorder, insert, cut-off tail, truncation,
a chain rewritten consistently) is reported by ``regietafel audit verify`` at its first bad
row, in chain 0 and in another chain; the runtime role cannot write checkpoints; concurrent
inserts keep the chains whole; concurrent transactions of one tenant append to different
chains and do not wait for each other (migration 0056); a rollback leaves no gap."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from concurrency import all_at_once
from people import VEENENDAAL, ZEIST

from services.audit_commands import cmd_verify
from services.platform.authz import chain
from services.platform.authz.audit import AuditRecord, append_audit
from services.platform.db.unit_of_work import SET_TENANT, tenant_transaction
from services.runtime import Runtime
from tenants.manifest import Manifest

T = VEENENDAAL  # this module's tampering is on Veenendaal's log only, and undone after each case
ROWS = 6


def _record(n: int) -> AuditRecord:
    return AuditRecord(
        tenant_id=T,
        user_id=f"ketentest-{n}",
        organisation_id="ketentest",
        roles=["tenantbeheerder"],
        action="user-update",
        resource_type="gebruiker",
        resource_id=f"ketentest-{n}",
        allowed=True,
        purpose="gebruikersbeheer",
    )


@pytest.fixture(scope="module")
def owner(runtime: Runtime, test_tenants: list[Manifest]) -> Iterator[sa.Engine]:
    """The owner role (what migrations run as): the role an insider would tamper with."""
    for n in range(ROWS):
        with tenant_transaction(runtime.sessions, T) as session:
            append_audit(session, _record(n))
    engine = sa.create_engine(runtime.urls.owner, poolclass=sa.NullPool)
    yield engine
    engine.dispose()


def _rows(conn: sa.Connection, number: int = 0) -> list[sa.Row[tuple[int, uuid.UUID]]]:
    """The rows of chain ``number`` of the tenant (0: where a lone writer appends)."""
    conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": T})
    return list(
        conn.execute(
            sa.text(
                "SELECT seq, id FROM audit_log WHERE tenant_id = :t AND chain = :c ORDER BY seq"
            ),
            {"t": T, "c": number},
        ).all()
    )


@pytest.fixture
def tamper(owner: sa.Engine, runtime: Runtime) -> Iterator[Callable[[str], None]]:
    """Run SQL as the owner (statements separated by ' ;; ') with the append-only and
    chain triggers off, committed; afterwards the tenant's log is put back as it was."""
    chain.checkpoint(runtime.engine)  # as the app role: through the owner's function
    keep = owner.connect()
    keep.execute(sa.text("SELECT set_config('pga.tenant_id', :t, false)"), {"t": T})
    keep.execute(
        sa.text("CREATE TEMP TABLE snapshot AS SELECT * FROM audit_log WHERE tenant_id = :t"),
        {"t": T},
    )
    keep.commit()

    def run(statements: str) -> None:
        with keep.begin():
            keep.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            for statement in statements.split(" ;; "):
                keep.execute(sa.text(statement), {"t": T} if ":t" in statement else {})
            keep.execute(sa.text("ALTER TABLE audit_log ENABLE TRIGGER USER"))

    yield run
    run(
        "DELETE FROM audit_log WHERE tenant_id = :t ;; INSERT INTO audit_log SELECT * FROM snapshot"
    )
    keep.close()


def _cli(runtime: Runtime, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cmd_verify(argparse.Namespace(tenant=[T]), runtime.settings)
    return code, capsys.readouterr().out


def test_an_untouched_log_verifies_for_every_tenant(runtime: Runtime, owner: sa.Engine) -> None:
    reports = chain.verify(runtime.engine)
    assert reports and all(r.ok for r in reports), [r.describe() for r in chain.broken(reports)]
    ours = next(r for r in reports if r.tenant == T)
    assert ours.rows >= ROWS and ours.positions == ours.rows


def test_the_cli_passes_on_an_untouched_log(
    runtime: Runtime, owner: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _cli(runtime, capsys)
    assert code == 0, out
    assert f"{T}: keten intact" in out


def _positions(owner: sa.Engine, number: int = 0) -> dict[int, uuid.UUID]:
    with owner.begin() as conn:
        return {row.seq: row.id for row in _rows(conn, number)}


#: Tampering cases, each on chain ``{c}`` at position ``{k}`` (three before its head).
CASES = [
    (
        "edit",
        "UPDATE audit_log SET allowed = NOT allowed WHERE tenant_id = :t AND chain = {c} "
        "AND seq = {k}",
        "gewijzigd",
        "k",
    ),
    (
        "delete",
        "DELETE FROM audit_log WHERE tenant_id = :t AND chain = {c} AND seq = {k}",
        "ontbreekt",
        "k+1",
    ),
    (
        "reorder",
        "UPDATE audit_log SET seq = -seq WHERE tenant_id = :t AND chain = {c} "
        "AND seq IN ({k}, {k} + 1) ;; "
        "UPDATE audit_log SET seq = CASE WHEN seq = -{k} THEN {k} + 1 ELSE {k} END "
        "WHERE tenant_id = :t AND chain = {c} AND seq < 0",
        "gewijzigd",
        "k+1",
    ),
    (
        "insert",
        "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
        "resource_type, allowed, reasons, decision_input, chain, seq, status, prev_hash, hash) "
        "SELECT tenant_id, gen_random_uuid(), 'vervalst', organisation_id, roles, action, "
        "resource_type, allowed, reasons, decision_input, chain, seq + 1, status, hash, "
        "repeat('f', 64) FROM audit_log WHERE tenant_id = :t AND chain = {c} "
        "ORDER BY seq DESC LIMIT 1",
        "gewijzigd",
        "new",
    ),
    (
        "cut-tail",
        "DELETE FROM audit_log WHERE tenant_id = :t AND chain = {c} AND seq >= {k}",
        "afgekapt",
        "head",
    ),
    # Chain 0: the whole log; chain k: that chain and those after it (the lower ones stay).
    ("truncate", "DELETE FROM audit_log WHERE tenant_id = :t AND chain >= {c}", "afgekapt", "head"),
    (
        "rewrite",
        # An insider who recomputes every hash after an edit keeps the chain consistent;
        # only the checkpoint of the head gives it away.
        "UPDATE audit_log SET action = 'list' WHERE tenant_id = :t AND chain = {c} "
        "AND seq = {k} ;; "
        "DO $$ DECLARE r record; prev text; BEGIN "
        f"FOR r IN SELECT seq FROM audit_log WHERE tenant_id = '{VEENENDAAL}' AND chain = {{c}} "
        "ORDER BY seq LOOP "
        "IF prev IS NOT NULL THEN UPDATE audit_log SET prev_hash = prev "
        f"WHERE tenant_id = '{VEENENDAAL}' AND chain = {{c}} AND seq = r.seq; END IF; "
        "SELECT encode(sha256(convert_to(audit_log_canonical(a), 'UTF8')), 'hex') INTO prev "
        f"FROM audit_log a WHERE a.tenant_id = '{VEENENDAAL}' AND a.chain = {{c}} "
        "AND a.seq = r.seq; "
        f"UPDATE audit_log SET hash = prev WHERE tenant_id = '{VEENENDAAL}' AND chain = {{c}} "
        "AND seq = r.seq; END LOOP; END $$",
        "controlepunt",
        "head",
    ),
]


def _tamper_and_verify(
    runtime: Runtime,
    owner: sa.Engine,
    tamper: Callable[[str], None],
    capsys: pytest.CaptureFixture[str],
    number: int,
    case: str,
    statement: str,
    kind: str,
    bad: str,
) -> None:
    before = _positions(owner, number)
    head = max(before)
    k = head - 3
    assert k >= 1
    tamper(statement.replace("{k}", str(k)).replace("{c}", str(number)))
    after = _positions(owner, number)
    expected = {
        "k": before[k],
        "k+1": before[k + 1],
        "head": before[head],
        "new": next(iter(set(after.values()) - set(before.values())), None),
    }[bad]
    assert expected is not None

    (report,) = chain.verify(runtime.engine, [T])
    assert report.first_break is not None, case
    assert report.first_break.kind == kind, report.describe()
    assert report.first_break.row_id == expected, report.describe()
    assert report.first_break.chain == number, report.describe()

    code, out = _cli(runtime, capsys)
    assert code == 1
    assert "KETEN GEBROKEN" in out and str(expected) in out and kind in out


@pytest.mark.parametrize(("case", "statement", "kind", "bad"), CASES)
def test_verify_names_the_first_bad_row(
    runtime: Runtime,
    owner: sa.Engine,
    tamper: Callable[[str], None],
    capsys: pytest.CaptureFixture[str],
    case: str,
    statement: str,
    kind: str,
    bad: str,
) -> None:
    _tamper_and_verify(runtime, owner, tamper, capsys, 0, case, statement, kind, bad)


def test_after_restoring_the_log_it_verifies_again(runtime: Runtime, owner: sa.Engine) -> None:
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()


def test_a_real_truncate_is_detected_from_the_checkpoints(
    runtime: Runtime, owner: sa.Engine
) -> None:
    """TRUNCATE (every tenant's rows at once), seen inside the owner's own transaction."""
    chain.checkpoint(runtime.engine)
    with owner.connect() as conn, conn.begin() as tx:
        head = _rows(conn)[-1]
        conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        conn.execute(sa.text("TRUNCATE audit_log"))
        report = chain.verify_tenant(conn, T)
        tx.rollback()
    assert report.first_break is not None
    assert report.first_break.kind == "afgekapt"
    assert report.first_break.row_id == head.id
    assert report.rows == 0


def test_the_runtime_role_cannot_write_checkpoints(runtime: Runtime, owner: sa.Engine) -> None:
    refusals = {
        "INSERT INTO audit_checkpoints (tenant_id, seq, hash) VALUES (:t, 999999, 'x')": (
            "permission denied"
        ),
        "UPDATE audit_checkpoints SET hash = 'x'": "append-only",
        "DELETE FROM audit_checkpoints": "append-only",
        "TRUNCATE audit_checkpoints": "permission denied",
        "UPDATE audit_log SET action = 'list'": "append-only",
        "DELETE FROM audit_log": "append-only",
    }
    for statement, refusal in refusals.items():
        with runtime.engine.connect() as conn:
            conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": T})
            with pytest.raises(sa.exc.DBAPIError, match=refusal):
                conn.execute(sa.text(statement), {"t": T})
            conn.rollback()
    # What the app sends for the chain columns is overwritten by the trigger. (A refused
    # row: an allowed read would need a legal basis, which test_logboek checks log-wide.)
    with tenant_transaction(runtime.sessions, T) as session:
        session.execute(
            sa.text(
                "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
                "resource_type, allowed, reasons, decision_input, processing_activity, seq, "
                "prev_hash, hash) VALUES (:t, :i, 'u', 'o', '{}', 'read', 'casus', false, '{}', "
                "'{}', 'pga-algemeen', 999999, 'x', 'y')"
            ),
            {"t": T, "i": uuid.uuid4()},
        )
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()


def test_concurrent_inserts_keep_one_unbroken_chain(runtime: Runtime, owner: sa.Engine) -> None:
    def writer(n: int) -> None:
        for i in range(10):
            with tenant_transaction(runtime.sessions, T) as session:
                append_audit(session, _record(100 * n + i))

    all_at_once(writer)
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert report.rows == report.positions


def test_the_cli_refuses_an_unknown_tenant(
    runtime: Runtime, owner: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cmd_verify(argparse.Namespace(tenant=["GM9999"]), runtime.settings)
    assert code == 2
    assert "Onbekende tenant(s): GM9999" in capsys.readouterr().out


# --- Several chains per tenant (migration 0056) -------------------------------------------

#: The canonical text of migration 0013, which rows of chain 0 keep (frozen history).
CANONICAL_0013 = """jsonb_build_array(
  a.tenant_id, a.seq, a.id::text,
  to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  a.user_id, a.organisation_id, to_jsonb(a.roles), a.action, a.resource_type, a.resource_id,
  a.casus_id::text, a.purpose, a.legal_basis, a.allowed, a.decision_id::text,
  a.policy_revision, a.data_revision, to_jsonb(a.reasons), a.decision_input, a.request_id,
  a.trace_id, a.span_id, a.parent_span_id, a.status, a.processing_activity,
  a.data_subject_ref, encode(a.data_subject_enc, 'base64'), a.data_subject_type,
  a.prev_hash
)::text"""

#: A refused row of the general activity (so the log-wide legal-basis and activity checks of
#: test_logboek hold); the trigger sets chain, seq, prev_hash and hash.
_INSERT = sa.text(
    "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
    "resource_type, resource_id, allowed, reasons, decision_input, processing_activity) "
    "VALUES (:t, :i, 'ketentest', 'ketentest', '{}', 'read', 'casus', :label, false, '{}', "
    "'{}', 'pga-algemeen') "
    "RETURNING chain, seq"
)


@pytest.fixture(scope="module")
def app(runtime: Runtime) -> Iterator[sa.Engine]:
    """The runtime role, one connection per transaction (several are held open at once)."""
    engine = sa.create_engine(runtime.urls.app, poolclass=sa.NullPool)
    yield engine
    engine.dispose()


def _insert(conn: sa.Connection, label: str, tenant: str = T) -> tuple[int, int]:
    """One audit row of ``tenant`` in ``conn``'s transaction, which must not wait more than
    2 s for a chain; (chain, seq) as the trigger set them."""
    conn.execute(SET_TENANT, {"tenant": tenant})
    conn.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
    row = conn.execute(_INSERT, {"t": tenant, "i": uuid.uuid4(), "label": label}).one()
    return int(row.chain), int(row.seq)


@contextmanager
def _holding(app: sa.Engine, count: int) -> Iterator[list[int]]:
    """``count`` transactions of the tenant, each with an audit row written and left open
    (so each holds its chain); yields their chains and commits them afterwards."""
    connections = [app.connect() for _ in range(count)]
    try:
        chains = [_insert(conn, f"open-{n}")[0] for n, conn in enumerate(connections)]
        yield chains
        for conn in connections:
            conn.commit()
    finally:
        for conn in connections:
            conn.close()


@pytest.fixture(scope="module")
def other_chain(owner: sa.Engine, app: sa.Engine) -> int:
    """A chain other than 0 with ROWS rows: while two transactions hold the first two free
    chains, ROWS transactions one after another all append to the next one."""
    with _holding(app, 2) as held:
        assert len(set(held)) == 2
        found = set()
        for n in range(ROWS):
            with app.begin() as conn:
                found.add(_insert(conn, f"andere-keten-{n}")[0])
    (number,) = found
    assert number not in held and number > 0
    return number


def test_a_transaction_held_open_does_not_hold_up_another_of_its_tenant(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """Before migration 0056 the second INSERT waited for the first transaction's COMMIT
    (here: the lock timeout). Now it takes another chain and commits while the first is
    still open."""
    row_label = f"tweede-{uuid.uuid4()}"
    with _holding(app, 1) as (first,):
        with app.begin() as conn:
            second, _ = _insert(conn, row_label)
        assert second != first
        with app.begin() as conn:
            conn.execute(SET_TENANT, {"tenant": T})
            seen = conn.execute(
                sa.text("SELECT count(*) FROM audit_log WHERE resource_id = :r"), {"r": row_label}
            ).scalar_one()
        assert seen == 1  # committed while the first transaction still holds its chain
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert report.rows == report.positions


def test_a_transaction_keeps_to_one_chain_and_one_lock(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """All rows of a transaction (several statements, a multi-row INSERT) are appended to the
    one chain it took first, holding that chain's lock only."""
    with _holding(app, 1) as (first,), app.begin() as conn:
        chains = {_insert(conn, f"een-keten-{n}")[0] for n in range(3)}
        chains |= set(
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, "
                    "action, resource_type, allowed, reasons, decision_input, "
                    "processing_activity) SELECT :t, gen_random_uuid(), 'ketentest', "
                    "'ketentest', '{}', 'read', 'casus', false, '{}', '{}', 'pga-algemeen' "
                    "FROM generate_series(1, 4) RETURNING chain"
                ),
                {"t": T},
            ).scalars()
        )
        locks = conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            )
        ).scalar_one()
    assert len(chains) == 1 and first not in chains
    assert locks == 1
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()


def test_a_transaction_of_two_tenants_keeps_one_chain_of_each(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """The chain a transaction took is remembered per tenant: rows of another tenant in
    between neither move it nor share it."""
    with _holding(app, 1) as (first,), app.begin() as conn:
        ours = _insert(conn, "twee-tenants-1")[0]
        theirs = _insert(conn, "twee-tenants-2", ZEIST)[0]
        again = _insert(conn, "twee-tenants-3")[0]
        theirs_again = _insert(conn, "twee-tenants-4", ZEIST)[0]
    assert ours == again != first
    assert theirs == theirs_again == 0  # nobody held Zeist's chain 0
    for report in chain.verify(runtime.engine, [T, ZEIST]):
        assert report.ok, report.describe()


def test_the_chain_setting_is_only_a_hint(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """A client that names a chain in the transaction's setting cannot append to it without
    its lock (it waits, here until the lock timeout), nor make a chain beyond the count."""
    hint = sa.text("SELECT set_config('regietafel.audit_chain.t' || md5(:t), :c, true)")
    with app.begin() as conn:
        conn.execute(hint, {"t": T, "c": "30000"})
        count = conn.execute(sa.text("SELECT audit_chain_count()")).scalar_one()
        assert 0 <= _insert(conn, "hint-buiten-bereik")[0] < count
    with _holding(app, 1) as (first,), app.connect() as conn:
        conn.execute(hint, {"t": T, "c": str(first)})
        with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
            _insert(conn, "hint-zonder-slot")
        conn.rollback()
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert max(c.chain for c in report.chains) < count


def test_every_chain_verifies_and_is_checkpointed(
    runtime: Runtime, owner: sa.Engine, other_chain: int
) -> None:
    chain.checkpoint(runtime.engine)
    with owner.begin() as conn:
        conn.execute(SET_TENANT, {"tenant": T})
        heads = dict(
            conn.execute(
                sa.text(
                    "SELECT chain, max(seq) FROM audit_log WHERE tenant_id = :t GROUP BY chain"
                ),
                {"t": T},
            ).all()
        )
        marks = dict(
            conn.execute(
                sa.text(
                    "SELECT chain, max(seq) FROM audit_checkpoints WHERE tenant_id = :t "
                    "GROUP BY chain"
                ),
                {"t": T},
            ).all()
        )
    assert len(heads) >= 3 and other_chain in heads
    assert marks == heads
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert {c.chain: c.head_seq for c in report.chains} == heads
    assert {c.chain: c.checkpoint_seq for c in report.chains} == heads
    assert all(c.rows == c.head_seq for c in report.chains)
    assert report.chain(other_chain).rows >= ROWS


@pytest.mark.parametrize(("case", "statement", "kind", "bad"), CASES)
def test_verify_names_the_first_bad_row_in_another_chain(
    runtime: Runtime,
    owner: sa.Engine,
    other_chain: int,
    tamper: Callable[[str], None],
    capsys: pytest.CaptureFixture[str],
    case: str,
    statement: str,
    kind: str,
    bad: str,
) -> None:
    _tamper_and_verify(runtime, owner, tamper, capsys, other_chain, case, statement, kind, bad)


@pytest.mark.parametrize(
    "move",
    [
        "UPDATE audit_log SET chain = 0, seq = seq + 1000000 WHERE tenant_id = :t "
        "AND chain = {c} AND seq = {k}",
        "UPDATE audit_log SET chain = {c} + 1000, seq = 1, prev_hash = repeat('0', 64) "
        "WHERE tenant_id = :t AND chain = {c} AND seq = {k}",
    ],
    ids=["to-chain-0", "to-a-new-chain"],
)
def test_a_row_moved_to_another_chain_is_detected(
    runtime: Runtime,
    owner: sa.Engine,
    other_chain: int,
    tamper: Callable[[str], None],
    move: str,
) -> None:
    """The chain number is content: a row moved out of its chain no longer gives its hash
    (and leaves a gap where it was)."""
    before = _positions(owner, other_chain)
    k = max(before) - 2
    tamper(move.replace("{k}", str(k)).replace("{c}", str(other_chain)))
    (report,) = chain.verify(runtime.engine, [T])
    assert report.first_break is not None
    kinds = {report.first_break.kind}
    assert kinds <= {"gewijzigd", "ontbreekt"}, report.describe()
    with owner.begin() as conn:
        conn.execute(SET_TENANT, {"tenant": T})
        moved = conn.execute(
            sa.text(
                f"SELECT {chain.CANONICAL} AS canonical, a.hash FROM audit_log a "
                "WHERE a.tenant_id = :t AND a.id = :i"
            ),
            {"t": T, "i": before[k]},
        ).one()
    assert chain.row_hash(moved.canonical) != moved.hash


def test_a_rollback_leaves_no_gap_in_a_chain(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    with _holding(app, 1) as (first,):
        with app.connect() as conn:
            taken = _insert(conn, "teruggedraaid")
            conn.rollback()
        with app.begin() as conn:
            again = _insert(conn, "na-terugdraaien")
        assert again == taken and taken[0] != first
    # A rolled-back savepoint gives up the chain it took (its lock and its setting).
    with app.connect() as conn:
        savepoint = conn.begin_nested()
        taken = _insert(conn, "savepoint-teruggedraaid")
        savepoint.rollback()
        with app.begin() as other:
            assert _insert(other, "na-savepoint") == taken  # free at once, same position
        assert _insert(conn, "na-savepoint-zelf") == (taken[0], taken[1] + 1)
        conn.commit()
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert report.rows == report.positions


def test_chain_zero_keeps_the_canonical_text_of_migration_0013(
    owner: sa.Engine, other_chain: int
) -> None:
    """The hashes of rows written before migration 0056 stay valid: a row of chain 0 has the
    old canonical text; a row of another chain a different one (its number is in it). The
    database's function and the verifier's copy agree on every row."""
    with owner.begin() as conn:
        conn.execute(SET_TENANT, {"tenant": T})
        rows = conn.execute(
            sa.text(
                f"SELECT a.chain, {CANONICAL_0013} AS old, {chain.CANONICAL} AS new, "
                "audit_log_canonical(a) AS db FROM audit_log a WHERE a.tenant_id = :t"
            ),
            {"t": T},
        ).all()
    assert {r.chain for r in rows} >= {0, other_chain}
    assert all(r.new == r.db for r in rows)
    assert all((r.old == r.new) == (r.chain == 0) for r in rows)


# --- Savepoints, exception blocks, several tenants; a client's hint (ADR 0018: the head is
# --- read by the trigger for every row, never taken from the transaction's setting) ----------

_HINT = sa.text("SELECT current_setting('regietafel.audit_chain.t' || md5(:t), true)")
_MANY = sa.text(
    "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
    "resource_type, resource_id, allowed, reasons, decision_input, processing_activity) "
    "SELECT :t, gen_random_uuid(), 'ketentest', 'ketentest', '{}', 'read', 'casus', "
    ":label || n, false, '{}', jsonb_build_object('n', n), 'pga-algemeen' "
    "FROM generate_series(1, :n) AS n RETURNING chain, seq, hash"
)


def _many(conn: sa.Connection, label: str, n: int, tenant: str = T) -> list[tuple[int, int, str]]:
    """``n`` audit rows of ``tenant`` in ONE statement: (chain, seq, hash) in insert order."""
    conn.execute(SET_TENANT, {"tenant": tenant})
    rows = conn.execute(_MANY, {"t": tenant, "label": label, "n": n}).all()
    return [(int(r.chain), int(r.seq), str(r.hash)) for r in rows]


def _verified(runtime: Runtime, *tenants: str) -> None:
    for report in chain.verify(runtime.engine, list(tenants) or [T]):
        assert report.ok, report.describe()
        assert report.rows == report.positions


def test_a_rolled_back_savepoint_between_two_rows_leaves_no_gap(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """Rows written inside a savepoint that is rolled back are gone: the next row follows the
    last row that stayed (the trigger reads the head again after the rollback)."""
    with app.connect() as conn:
        first = _many(conn, "sp-voor-", 3)
        savepoint = conn.begin_nested()
        _many(conn, "sp-weg-", 4)
        _insert(conn, "sp-weg-los")
        savepoint.rollback()
        after = _many(conn, "sp-na-", 2)
        released = conn.begin_nested()
        kept = _insert(conn, "sp-bewaard")
        released.commit()
        last = _insert(conn, "sp-laatste")
        conn.commit()
    c, s, _ = first[-1]
    assert [(n, q) for (n, q, _) in after] == [(c, s + 1), (c, s + 2)]
    assert kept == (c, s + 3) and last == (c, s + 4)
    _verified(runtime)


def test_an_exception_block_leaves_no_gap(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """A PL/pgSQL exception block is a savepoint too: its rows are undone, no gap."""
    with app.connect() as conn:
        c, s, _ = _many(conn, "blok-voor-", 2)[-1]
        conn.execute(
            sa.text(
                "DO $$ BEGIN "
                "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
                "resource_type, allowed, reasons, decision_input, processing_activity) "
                f"SELECT '{T}', gen_random_uuid(), 'ketentest', 'ketentest', '{{}}', 'read', "
                "'casus', false, '{}', '{}', 'pga-algemeen' FROM generate_series(1, 3); "
                "RAISE EXCEPTION 'terug'; "
                "EXCEPTION WHEN raise_exception THEN NULL; END $$"
            )
        )
        after = _insert(conn, "blok-na")
        conn.commit()
    assert after == (c, s + 1)
    _verified(runtime)


def test_rows_of_two_tenants_in_one_transaction_keep_a_head_each(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """Interleaved multi-row INSERTs of two tenants: each tenant's rows follow its own last
    row, never the other tenant's."""
    with app.begin() as conn:
        ours = _many(conn, "tt-a-", 3)
        theirs = _many(conn, "tt-b-", 2, ZEIST)
        ours += _many(conn, "tt-c-", 2)
        theirs += _many(conn, "tt-d-", 3, ZEIST)
        ours.append((*_insert(conn, "tt-e"), ""))
    for rows in (ours, theirs):
        assert len({c for (c, _, _) in rows}) == 1
        seqs = [s for (_, s, _) in rows]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    _verified(runtime, T, ZEIST)


def test_the_chain_setting_is_never_used_by_another_transaction(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """The setting ends with its transaction (COMMIT or ROLLBACK): the next transaction on
    the same connection reads the head again, which another transaction has moved on."""
    with app.connect() as conn:
        c, s, _ = _many(conn, "ander-1-", 3)[-1]
        conn.commit()
        assert conn.execute(_HINT, {"t": T}).scalar_one() in (None, "")
        with app.begin() as other:
            moved = _many(other, "ander-2-", 2)
        conn.rollback()
        if moved[0][0] == c:
            assert moved[0][1] == s + 1
        again = _insert(conn, "ander-3")
        conn.rollback()  # rolled back: its row and its chain setting go with it
        assert conn.execute(_HINT, {"t": T}).scalar_one() in (None, "")
        final = _insert(conn, "ander-4")
        conn.commit()
    assert final == again
    _verified(runtime)


def test_a_head_written_by_the_client_cannot_link_a_row_to_it(
    runtime: Runtime, owner: sa.Engine, app: sa.Engine
) -> None:
    """The transaction's setting only names a chain; the trigger reads the chain's head
    itself. A client (the runtime role can write any placeholder setting) that writes a head
    of its own, '<chain>:<seq>:<hash>', cannot make the next row skip positions or link to a
    wrong hash (the trade-off rejected in ADR 0018: remembering the head in the setting)."""
    hint = sa.text("SELECT set_config('regietafel.audit_chain.t' || md5(:t), :h, true)")
    with app.connect() as conn:
        c, s, h = _many(conn, "vals-voor-", 2)[-1]
        conn.execute(hint, {"t": T, "h": f"{c}:{s + 40}:{'0' * 64}"})
        after = _many(conn, "vals-na-", 2)
        conn.commit()
    with owner.begin() as read:
        read.execute(SET_TENANT, {"tenant": T})
        prev = read.execute(
            sa.text(
                "SELECT prev_hash FROM audit_log WHERE tenant_id = :t AND chain = :c AND seq = :s"
            ),
            {"t": T, "c": after[0][0], "s": after[0][1]},
        ).scalar_one()
    if after[0][0] == c:
        assert [q for (_, q, _) in after] == [s + 1, s + 2]
        assert prev == h
    _verified(runtime)
