"""PostgreSQL backend CPU per statement of the list page (issue 14, ``lijst-50``).

Run: ``PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_pg_statements.py [USER]
[--limit 50] [--runs 60] [--page lijst|overzicht|werkvoorraad] [--explain]``
(``BENCH_DATABASE_NAME`` picks a copy of the benchmark database).

``bench_cost.py`` gives the backend CPU of a whole request; this tells where it goes. It
captures the statements one ``zichtbaar.list_casussen`` (``--page overzicht``: the home
page's ``home_counts``; ``--page werkvoorraad``: the first page of ``work_queue``) sends
for USER (default dennis-koster; the request commits, so its audit rows are written as by a
real request), then replays each on its own connection as the app role with the tenant
setting, ``--runs`` times after 6 warm-up runs, and reads the backend's CPU time from
``/proc`` (local server only) around them:

* ``unprepared`` - sent as the app sends a statement before psycopg prepares it (parse,
  row-level-security rewrite and plan on every execution),
* ``prepared``  - prepared, ``plan_cache_mode = auto``: what the app pays once psycopg has
  prepared the statement on a connection (after 5 executions),
* ``generic``   - prepared with ``plan_cache_mode = force_generic_plan``: what a connection
  would pay if PostgreSQL switched to the generic plan.

The audit INSERT is replayed as sent (each row's id is the database's: ADR 0024, amendment 5),
each in its own rolled-back transaction, less the same transaction without it. CPU ticks are
10 ms: use enough runs (60 gives ~0.2 ms). ``--explain`` also prints each SELECT's
``EXPLAIN (ANALYZE, BUFFERS)`` (as the app role, tenant set, JIT off as in the app).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from load_data import BIG_TENANT, prepare

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK * 1000


def capture(
    settings: Any, user: str, limit: int, page: str = "lijst"
) -> tuple[str, list[tuple[str, Any]]]:
    from services.casework.casussen import zichtbaar
    from services.casework.overzicht.pages import home_counts
    from services.casework.unit_of_work import workspace
    from services.casework.werkvoorraad import service as werkvoorraad
    from services.platform.identity.directory import PrincipalDirectory
    from services.platform.identity.tokens import Claims
    from services.runtime import start_runtime

    runtime = start_runtime(settings, migrate=False)
    captured: list[tuple[str, Any]] = []

    def request(ws: Any) -> None:
        if page == "overzicht":
            home_counts(ws)
        elif page == "werkvoorraad":
            werkvoorraad.work_queue(ws, selection=werkvoorraad.Selection())
        else:
            zichtbaar.list_casussen(ws, limit=limit)

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    try:
        principal = PrincipalDirectory(runtime.sessions).resolve(Claims(user, BIG_TENANT, {}))
        # A first request loads the policy data and the like: not the page's statements.
        with workspace(runtime.casework, principal) as ws:
            request(ws)
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
        with workspace(runtime.casework, principal) as ws:
            request(ws)
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
    finally:
        runtime.close()
    return principal.tenant, [(s, p) for s, p in captured if "set_config" not in s]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("user", nargs="?", default="dennis-koster")
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--page", choices=("lijst", "overzicht", "werkvoorraad"), default="lijst")
    parser.add_argument("--explain", action="store_true", help="print each SELECT's plan")
    parser.add_argument(
        "--modes",
        default="unprepared,prepared,generic",
        help="replay modes of a SELECT, comma-separated",
    )
    args = parser.parse_args()
    settings, server = prepare(Path(tempfile.gettempdir()) / "regietafel-bench", say=print)
    try:
        tenant, statements = capture(settings, args.user, args.limit, args.page)
        dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={settings.database_name}"
        with psycopg.connect(dsn, autocommit=True) as conn:
            pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
            conn.execute(f"SET ROLE {settings.db_app_role}")
            conn.execute("SET jit = off")
            for statement, params in statements:
                label = " ".join(statement.split())[:48]
                if statement.lstrip().upper().startswith("INSERT"):
                    ms = _insert(conn, pid, tenant, statement, params, args.runs)
                    print(f"{label:<50} {'insert':<11} {ms:6.2f} ms")
                    continue
                if args.explain:
                    _explain(conn, tenant, statement, params)
                for mode in args.modes.split(","):
                    ms = _select(conn, pid, tenant, statement, params, mode, args.runs)
                    print(f"{label:<50} {mode:<11} {ms:6.2f} ms", flush=True)
    finally:
        server.stop()
    return 0


def _select(
    conn: psycopg.Connection[Any],
    pid: int,
    tenant: str,
    sql: str,
    params: Any,
    mode: str,
    runs: int,
) -> float:
    conn.execute("DEALLOCATE ALL")
    prepared = mode != "unprepared"
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT set_config('pga.tenant_id', %s, true)", [tenant])
        if mode == "generic":
            conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        # A fresh name per mode: psycopg keeps its own cache of prepared statements.
        text = f"{sql} /* {mode} {uuid.uuid4().hex} */"
        for _ in range(6):
            conn.execute(text, params, prepare=prepared)  # type: ignore[arg-type]
        started = backend_cpu_ms(pid)
        for _ in range(runs):
            conn.execute(text, params, prepare=prepared)  # type: ignore[arg-type]
        return (backend_cpu_ms(pid) - started) / runs


def _explain(conn: psycopg.Connection[Any], tenant: str, sql: str, params: Any) -> None:
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT set_config('pga.tenant_id', %s, true)", [tenant])
        conn.execute(sql, params)  # warm
        rows = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
    print("\n".join(f"    {r[0]}" for r in rows), flush=True)


def _insert(
    conn: psycopg.Connection[Any], pid: int, tenant: str, sql: str, params: Any, runs: int
) -> float:

    def once(insert: bool) -> None:
        with conn.transaction(force_rollback=True):
            conn.execute("SELECT set_config('pga.tenant_id', %s, true)", [tenant])
            if insert:
                conn.execute(sql, params)

    costs = {}
    for insert in (False, True):
        once(insert)
        started = backend_cpu_ms(pid)
        for _ in range(runs):
            once(insert)
        costs[insert] = (backend_cpu_ms(pid) - started) / runs
    return costs[True] - costs[False]


if __name__ == "__main__":
    raise SystemExit(main())
