"""The per-tenant hash chain of the audit log: an untouched log verifies; every kind of
tampering by the database owner (edit, delete, reorder, insert, cut-off tail, truncation,
a chain rewritten consistently) is reported by ``regietafel audit verify`` at its first bad
row; the runtime role cannot write checkpoints; concurrent inserts keep the chain whole."""

from __future__ import annotations

import argparse
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from people import VEENENDAAL

from services.audit_commands import cmd_verify
from services.platform.authz import chain
from services.platform.authz.audit import AuditRecord, append_audit
from services.platform.db.unit_of_work import tenant_transaction
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


def _rows(conn: sa.Connection) -> list[sa.Row[tuple[int, uuid.UUID]]]:
    conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": T})
    return list(
        conn.execute(
            sa.text("SELECT seq, id FROM audit_log WHERE tenant_id = :t ORDER BY seq"), {"t": T}
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
    assert ours.rows >= ROWS and ours.head_seq == ours.rows


def test_the_cli_passes_on_an_untouched_log(
    runtime: Runtime, owner: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _cli(runtime, capsys)
    assert code == 0, out
    assert f"{T}: keten intact" in out


def _positions(owner: sa.Engine) -> dict[int, uuid.UUID]:
    with owner.begin() as conn:
        return {row.seq: row.id for row in _rows(conn)}


@pytest.mark.parametrize(
    ("case", "statement", "kind", "bad"),
    [
        (
            "edit",
            "UPDATE audit_log SET allowed = false WHERE tenant_id = :t AND seq = {k}",
            "gewijzigd",
            "k",
        ),
        ("delete", "DELETE FROM audit_log WHERE tenant_id = :t AND seq = {k}", "ontbreekt", "k+1"),
        (
            "reorder",
            "UPDATE audit_log SET seq = -seq WHERE tenant_id = :t AND seq IN ({k}, {k} + 1) ;; "
            "UPDATE audit_log SET seq = CASE WHEN seq = -{k} THEN {k} + 1 ELSE {k} END "
            "WHERE tenant_id = :t AND seq < 0",
            "gewijzigd",
            "k+1",
        ),
        (
            "insert",
            "INSERT INTO audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
            "resource_type, allowed, reasons, decision_input, seq, status, prev_hash, hash) "
            "SELECT tenant_id, gen_random_uuid(), 'vervalst', organisation_id, roles, action, "
            "resource_type, allowed, reasons, decision_input, seq + 1, status, hash, "
            "repeat('f', 64) FROM audit_log WHERE tenant_id = :t "
            "ORDER BY seq DESC LIMIT 1",
            "gewijzigd",
            "new",
        ),
        (
            "cut-tail",
            "DELETE FROM audit_log WHERE tenant_id = :t AND seq >= {k}",
            "afgekapt",
            "head",
        ),
        ("truncate", "DELETE FROM audit_log WHERE tenant_id = :t", "afgekapt", "head"),
        (
            "rewrite",
            # An insider who recomputes every hash after an edit keeps the chain consistent;
            # only the checkpoint of the head gives it away.
            "UPDATE audit_log SET action = 'list' WHERE tenant_id = :t AND seq = {k} ;; "
            "DO $$ DECLARE r record; prev text; BEGIN "
            f"FOR r IN SELECT seq FROM audit_log WHERE tenant_id = '{VEENENDAAL}' "
            "ORDER BY seq LOOP "
            "IF prev IS NOT NULL THEN UPDATE audit_log SET prev_hash = prev "
            f"WHERE tenant_id = '{VEENENDAAL}' AND seq = r.seq; END IF; "
            "SELECT encode(sha256(convert_to(audit_log_canonical(a), 'UTF8')), 'hex') INTO prev "
            f"FROM audit_log a WHERE a.tenant_id = '{VEENENDAAL}' AND a.seq = r.seq; "
            f"UPDATE audit_log SET hash = prev WHERE tenant_id = '{VEENENDAAL}' AND seq = r.seq; "
            "END LOOP; END $$",
            "controlepunt",
            "head",
        ),
    ],
)
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
    before = _positions(owner)
    head = max(before)
    k = head - 3
    tamper(statement.replace("{k}", str(k)))
    after = _positions(owner)
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

    code, out = _cli(runtime, capsys)
    assert code == 1
    assert "KETEN GEBROKEN" in out and str(expected) in out and kind in out


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
                "resource_type, allowed, reasons, decision_input, seq, prev_hash, hash) VALUES "
                "(:t, :i, 'u', 'o', '{}', 'read', 'casus', false, '{}', '{}', 999999, 'x', 'y')"
            ),
            {"t": T, "i": uuid.uuid4()},
        )
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()


def test_concurrent_inserts_keep_one_unbroken_chain(runtime: Runtime, owner: sa.Engine) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with tenant_transaction(runtime.sessions, T) as session:
                    append_audit(session, _record(100 * n + i))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert report.rows == report.head_seq


def test_the_cli_refuses_an_unknown_tenant(
    runtime: Runtime, owner: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cmd_verify(argparse.Namespace(tenant=["GM9999"]), runtime.settings)
    assert code == 2
    assert "Onbekende tenant(s): GM9999" in capsys.readouterr().out
