"""The audit rows' ids are time-ordered (migration 0071, ADR 0018 amendment ``auditid``): the
enforcer's INSERT gives each row ``public.uuid7()``, a version-7 UUID whose first 48 bits are
the Unix time in milliseconds, so a tenant's new rows go to the right-most leaf of the primary
key ``(tenant_id, id)`` instead of a random one (a full-page image in the WAL and a block
read per row once the log is large). The ids stay unique under concurrent writers, the chain
verifies, the function is inlined (no per-row function call) and qualifies every name, and
migration 0071 goes down and up."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from concurrency import all_at_once
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from migrations import SCRATCH_TENANT, migrate, scratch_database
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from sqlalchemy.engine import URL
from workspaces import Undo, principal_of, rolled_back

from services.casework.unit_of_work import workspace
from services.platform.authz import chain
from services.platform.authz.enforce import AUDIT_LOG, insert_audit_rows
from services.platform.db.unit_of_work import SET_TENANT
from services.platform.identity.principal import Principal
from services.runtime import Runtime

T = ZEIST


def _ms(value: uuid.UUID) -> int:
    """The Unix time in milliseconds in a version-7 id's first 48 bits."""
    return value.int >> 80


@pytest.fixture(scope="module")
def casus_ids(app: Litestar, token_for: Callable[[str, str], dict[str, str]]) -> list[uuid.UUID]:
    """Casussen for the list pages below (the test world may have none of its own)."""
    with TestClient(app) as client:
        return [
            uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), f"Tijdid{n}"))
            for n in range(3)
        ]


@pytest.fixture
def expert(runtime: Runtime, casus_ids: list[uuid.UUID]) -> Principal:
    return principal_of(runtime, ZEIST_PGA_EXPERT, T)


def _page_rows(runtime: Runtime, expert: Principal) -> list[dict[str, object]]:
    """The audit rows of a real list page (as the enforcer records them), not written."""
    from services.casework.casussen.zichtbaar import list_casussen

    with rolled_back(runtime, expert) as ws:
        list_casussen(ws, limit=50)
        rows = [dict(r) for r in ws.enforcer.recorded]
        ws.enforcer.forget_since(0)
    assert rows
    return rows


def _ids(conn: sa.Connection | sa.orm.Session, marker: str) -> list[tuple[uuid.UUID, int, int]]:
    """``(id, ms of at, chain seq)`` of the rows whose request id starts with ``marker``."""
    return [
        (r[0], int(r[1]), r[2])
        for r in conn.execute(
            sa.select(
                AUDIT_LOG.c.id,
                sa.func.floor(sa.extract("epoch", AUDIT_LOG.c.at) * 1000),
                AUDIT_LOG.c.seq,
            )
            .where(AUDIT_LOG.c.request_id.startswith(marker))
            .order_by(AUDIT_LOG.c.chain, AUDIT_LOG.c.seq)
        )
    ]


def test_the_function_makes_version_7_ids_that_carry_the_time(runtime: Runtime) -> None:
    """As the app role: 20,000 ids, all distinct, version 7 with the RFC 9562 variant, their
    first 48 bits the clock's milliseconds at the call, non-decreasing in the order made."""
    with runtime.engine.connect() as conn:
        before, ids, after = conn.execute(
            sa.text(
                "SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint, "
                "(SELECT array_agg(public.uuid7() ORDER BY n) FROM generate_series(1, 20000) n), "
                "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
            )
        ).one()
    assert len(set(ids)) == len(ids) == 20000
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    stamps = [_ms(i) for i in ids]
    assert before <= stamps[0] and stamps[-1] <= after
    assert stamps == sorted(stamps)
    # The random part is random: the 74 bits after the time and version are not all alike.
    assert len({i.int & ((1 << 62) - 1) for i in ids}) == len(ids)


def test_a_page_writes_time_ordered_ids(runtime: Runtime, expert: Principal) -> None:
    """The enforcer's INSERT: each row's id is version 7 with the time of its INSERT (not
    before the transaction's start, ``at``), and a later INSERT's ids are not older. Before
    migration 0071 they were random version-4 ids."""
    rows = _page_rows(runtime, expert)
    with rolled_back(runtime, expert) as ws:
        for n in range(3):
            insert_audit_rows(ws.session, [r | {"request_id": f"tijd-{n}"} for r in rows], T)
        now_ms = ws.session.execute(
            sa.text("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint")
        ).scalar_one()
        pages = [_ids(ws.session, f"tijd-{n}") for n in range(3)]
        raise Undo
    for page in pages:
        assert len(page) == len(rows)
        assert all(i.version == 7 for i, _, _ in page)
        assert all(at_ms <= _ms(i) <= now_ms for i, at_ms, _ in page)
        # In the chain's order (the rows' order in the INSERT) the time does not go back.
        assert [_ms(i) for i, _, _ in page] == sorted(_ms(i) for i, _, _ in page)
    for earlier, later in itertools.pairwise(pages):
        assert max(_ms(i) for i, _, _ in earlier) <= min(_ms(i) for i, _, _ in later)


def test_concurrent_pages_get_unique_ids_and_keep_the_chain(
    runtime: Runtime, expert: Principal
) -> None:
    """Four writers, ten pages each, at once: every id distinct and version 7, each
    transaction's ids in time order along its chain positions, and the tenant's chains
    verify."""
    rows = _page_rows(runtime, expert)
    marker = f"gelijk-{uuid.uuid4().hex[:8]}"

    def writer(n: int) -> None:
        for i in range(10):
            with workspace(runtime.casework, expert) as ws:
                marked = [r | {"request_id": f"{marker}-{n}-{i}"} for r in rows]
                insert_audit_rows(ws.session, marked, T)

    all_at_once(writer)
    with runtime.engine.connect() as conn:
        conn.execute(SET_TENANT, {"tenant": T})
        written = _ids(conn, marker)
        for n in range(4):
            for i in range(10):
                one = _ids(conn, f"{marker}-{n}-{i}")
                assert [_ms(x) for x, _, _ in one] == sorted(_ms(x) for x, _, _ in one)
    assert len(written) == 4 * 10 * len(rows)
    assert len({i for i, _, _ in written}) == len(written)
    assert all(i.version == 7 for i, _, _ in written)
    (report,) = chain.verify(runtime.engine, [T])
    assert report.ok, report.describe()
    assert report.rows == report.positions


def test_the_function_is_inlined_and_qualifies_every_name(runtime: Runtime) -> None:
    """Plain SQL, not SECURITY DEFINER, no configuration: PostgreSQL inlines it (the plan shows
    its body, not a call; a PL/pgSQL version cost ~4 µs a row against ~1.6). Inlined, the
    body is parsed under the caller's search path: every function and operator in it names
    ``pg_catalog``."""
    with runtime.engine.connect() as conn:
        definer, config, language, source = conn.execute(
            sa.text(
                "SELECT p.prosecdef, p.proconfig, l.lanname, p.prosrc FROM pg_proc p "
                "JOIN pg_language l ON l.oid = p.prolang "
                "WHERE p.oid = 'public.uuid7()'::regprocedure"
            )
        ).one()
        plan = "\n".join(
            r[0] for r in conn.execute(sa.text("EXPLAIN VERBOSE SELECT public.uuid7()"))
        )
    assert (definer, config, language) == (False, None, "sql")
    assert "uuid7" not in plan and "gen_random_uuid()" in plan, plan
    body = re.sub(r"'(?:[^']|'')*'", "''", source)
    calls = re.findall(r"([A-Za-z_][A-Za-z_0-9.]*)\s*\(", body)
    assert calls and all(c.startswith("pg_catalog.") or c == "OPERATOR" for c in calls), calls
    assert not re.search(r"[*+/%|-]{1,2}(?![^(]*\))", re.sub(r"OPERATOR\([^)]*\)", "", body))


# --- Migration 0071 down and up -----------------------------------------------------------------


@pytest.fixture
def scratch(pg_admin_url: URL, worker_suffix: str) -> Iterator[URL]:
    with scratch_database(pg_admin_url, f"regietafel_auditid0071{worker_suffix}") as url:
        yield url


def _state(engine: sa.Engine) -> tuple[str, bool]:
    with engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one(),
            conn.execute(
                sa.text("SELECT to_regprocedure('public.uuid7()') IS NOT NULL")
            ).scalar_one(),
        )


_ROWS = sa.text(
    "INSERT INTO public.audit_log (tenant_id, id, user_id, organisation_id, roles, action, "
    "resource_type, allowed, reasons, decision_input) "
    "SELECT 'GM0001', {id}, 'proef', 'proef', '{{}}', 'read', 'casus', true, '{{}}', "
    "jsonb_build_object('n', n) FROM generate_series(1, 5) n"
)


def _write(engine: sa.Engine, id_expression: str) -> None:
    with engine.begin() as conn:
        conn.execute(SET_TENANT, {"tenant": "GM0001"})
        conn.execute(sa.text(_ROWS.text.format(id=id_expression)))


def _verified(engine: sa.Engine) -> None:
    (report,) = chain.verify(engine, ["GM0001"])
    assert report.ok, report.describe()
    assert report.rows == report.positions


def test_migration_0071_goes_down_and_up(scratch: URL) -> None:
    migrate(scratch, "0071")
    engine = sa.create_engine(scratch)
    try:
        with engine.begin() as conn:
            conn.execute(SCRATCH_TENANT)
        assert _state(engine) == ("0071", True)
        _write(engine, "public.uuid7()")
        _verified(engine)

        migrate(scratch, "0070", down=True)
        assert _state(engine) == ("0070", False)
        _verified(engine)  # the time-ordered ids written before stay, and verify
        _write(engine, "gen_random_uuid()")
        _verified(engine)

        migrate(scratch, "0071")
        assert _state(engine) == ("0071", True)
        _write(engine, "public.uuid7()")
        _verified(engine)
        with engine.connect() as conn:
            conn.execute(SET_TENANT, {"tenant": "GM0001"})
            versions = conn.execute(
                sa.text("SELECT substr(id::text, 15, 1), count(*) FROM audit_log GROUP BY 1")
            ).all()
        assert sorted(versions) == [("4", 5), ("7", 10)]
    finally:
        engine.dispose()
