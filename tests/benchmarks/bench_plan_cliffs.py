"""Plan cliffs of the hot pages (issue 14): each statement's plan and time under perturbed
statistics and cost settings.

Run: ``BENCH_DATABASE_NAME=regietafel_bench_NAME PYTHONPATH=$PWD .venv/bin/python
tests/benchmarks/bench_plan_cliffs.py capture FILE [--user U ...]`` records the statements
(SQL and parameters, and whether psycopg could prepare them) that one request of each page of
``bench_cost.PAGES`` sends, per user (any user of the big tenant; the casus pages only for
``bench_load``'s users, who have sampled casussen).

``replay FILE [--set NAME=VALUE ...] [--generic] [--out JSON] [--show USER:PAGE:N]`` replays
every SELECT as the app role with the request's ``set_config`` calls, as ``EXPLAIN (ANALYZE,
TIMING OFF, FORMAT JSON)`` (best of 3, execution time), and prints per statement its time, a
plan signature (changes when the plan's shape changes) and the warnings a plan cliff shows: a
hashed SubPlan, a Seq Scan or a node looped over many rows. ``--generic`` replays the
statements psycopg may prepare (``prepare_threshold`` not ``None``) with ``plan_cache_mode =
force_generic_plan``: the plan a connection would use if PostgreSQL's cost comparison chose
the generic one. ``--show`` prints one statement's text plan (``EXPLAIN (ANALYZE, BUFFERS)``).

Re-ANALYZE a COPY between replays (``SET default_statistics_target = 10; ANALYZE``): never the
shared ``regietafel_bench``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from load_data import BIG_TENANT, prepare
from psycopg._queries import PostgresQuery
from psycopg.adapt import Transformer

USERS = ("dennis-koster", "robin-visser", "eline-de-graaf")


def capture(path: Path, users: list[str]) -> int:
    from bench_cost import PAGES, signed_in
    from bench_load import bench_data
    from litestar.testing import TestClient

    from services.app import create_app
    from services.platform.identity.dev_issuer import DevIssuer
    from services.runtime import start_runtime

    settings, server = prepare(Path(tempfile.gettempdir()) / "regietafel-bench", say=print)
    issuer = DevIssuer(settings, settings.base_url + "/oidc")
    data = bench_data(server.admin_url, settings, issuer)
    known = {u["id"]: u for group in data.values() for u in group}
    runtime = start_runtime(settings, migrate=False)
    app = create_app(runtime, start_worker=False)
    out: list[dict[str, Any]] = []
    current: list[tuple[str, Any, bool]] | None = None

    def before(conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if current is not None:
            driver = conn.connection.driver_connection
            current.append((statement, parameters, driver.prepare_threshold is not None))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        with TestClient(app) as client:
            for user_id in users:
                # Another user of the tenant: a token of their own, no casus pages.
                user = known.get(user_id) or {
                    "id": user_id,
                    "token": issuer.issue(
                        tenant=BIG_TENANT, user_id=user_id, lifetime_seconds=3600
                    ),
                    "casussen": [],
                }
                for name, template, api in PAGES:
                    if "{id}" in template and not user["casussen"]:
                        continue
                    headers = signed_in(client, user, api=api)
                    casus = user["casussen"][0] if user["casussen"] else ""
                    url = template.replace("{id}", casus)
                    client.get(url, headers=headers)  # warm: principal, policy data
                    current = []
                    response = client.get(url, headers=headers)
                    statements, current = current, None
                    assert response.status_code == 200, (url, response.status_code)
                    out.append({"user": user_id, "page": name, "statements": statements})
                    print(f"{user_id:<16} {name:<20} {len(statements)} statements", flush=True)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
        runtime.close()
        server.stop()
    path.write_bytes(pickle.dumps({"database": settings.database_name, "requests": out}))
    return 0


def _walk(node: dict[str, Any]) -> Any:
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


def _signature(plan: dict[str, Any]) -> str:
    shape = [
        (n["Node Type"], n.get("Relation Name"), n.get("Index Name"), n.get("Subplan Name"))
        for n in _walk(plan)
    ]
    return hashlib.blake2b(repr(shape).encode()).hexdigest()[:8]


def _warnings(plan: dict[str, Any]) -> list[str]:
    found = []
    for n in _walk(plan):
        rows = n.get("Actual Rows", 0) * n.get("Actual Loops", 1)
        name = n.get("Subplan Name") or ""
        if name.startswith("hashed") and rows >= 1000:
            found.append(f"{name}:{rows}")
        if n["Node Type"] == "Seq Scan" and rows + n.get("Rows Removed by Filter", 0) >= 1000:
            found.append(f"seq {n.get('Relation Name')}:{rows}")
        if n.get("Actual Loops", 1) >= 2000:
            found.append(f"loops {n['Node Type']} {n.get('Relation Name', '')}:{n['Actual Loops']}")
    return found


def _is_select(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper()
    return head in ("SELECT", "WITH") and "set_config" not in sql


def replay(
    path: Path,
    sets: list[str],
    generic: bool,
    only: str | None,
    show: str | None = None,
    out: Path | None = None,
) -> int:
    saved = pickle.loads(path.read_bytes())  # noqa: S301 - a file this tool wrote
    settings, server = prepare(Path(tempfile.gettempdir()) / "regietafel-bench", say=lambda _: None)
    dsn = f"host=127.0.0.1 port=5432 user=postgres dbname={saved['database']}"
    seen: set[str] = set()
    results: dict[str, Any] = {}
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"SET ROLE {settings.db_app_role}")
        conn.execute("SET jit = off")
        for setting in sets:
            name, value = setting.split("=", 1)
            conn.execute(f"SET {name} = {value}")
        for request in saved["requests"]:
            if only and request["page"] != only:
                continue
            configs = [(s, p) for s, p, _ in request["statements"] if "set_config" in s]
            for n, (sql, params, preparable) in enumerate(request["statements"]):
                if not _is_select(sql) or (generic and not preparable):
                    continue
                if show is not None:
                    if show != f"{request['user']}:{request['page']}:{n}":
                        continue
                    _show(conn, configs, sql, params)
                    continue
                key = hashlib.blake2b((sql + repr(params)).encode()).hexdigest()
                if key in seen:
                    continue
                seen.add(key)
                ms, plan = _explain(conn, configs, sql, params, generic)
                label = " ".join(sql.split())[:60]
                flag = "P" if preparable else "C"
                warn = " ".join(_warnings(plan))
                results[f"{request['user']}:{request['page']}:{n}"] = (
                    ms,
                    _signature(plan),
                    warn,
                    label,
                )
                print(
                    f"{request['user'][:8]:<9}{request['page']:<18}#{n:<3}{flag} "
                    f"{ms:8.2f} ms {_signature(plan)} {label} | {warn}",
                    flush=True,
                )
    server.stop()
    if out is not None:
        out.write_text(json.dumps(results, indent=1))
    return 0


def _explain(
    conn: psycopg.Connection[Any],
    configs: list[tuple[str, Any]],
    sql: str,
    params: Any,
    generic: bool,
) -> tuple[float, dict[str, Any]]:
    best = float("inf")
    plan: dict[str, Any] = {}
    with conn.transaction(force_rollback=True):
        for s, p in configs:
            conn.execute(s, p)
        if generic:
            conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            query = PostgresQuery(Transformer(conn))
            query.convert(sql, params)
            types = [
                conn.execute("SELECT format_type(%s, NULL)", [oid]).fetchone()[0]  # type: ignore[index]
                if oid
                else "unknown"
                for oid in (query.types or ())
            ]
            typed = f"({', '.join(types)})" if types else ""
            conn.execute(f"PREPARE cliff{typed} AS {query.query.decode()}")
            order = getattr(query, "_order", None)
            values = [params[k] for k in order] if order else list(params or ())
            args = ", ".join(["%s"] * len(values))
            text = psycopg.ClientCursor(conn).mogrify(
                f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE cliff({args})"
                if values
                else "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) EXECUTE cliff",
                values,
            )
            for _ in range(3):
                row = conn.execute(text.encode()).fetchone()  # type: ignore[call-overload]
                assert row is not None
                doc = row[0][0]
                total = doc["Execution Time"]
                if total < best:
                    best, plan = total, doc["Plan"]
            conn.execute("DEALLOCATE cliff")
        else:
            for _ in range(3):
                row = conn.execute(
                    f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}", params
                ).fetchone()
                assert row is not None
                doc = row[0][0] if isinstance(row[0], list) else json.loads(row[0])[0]
                total = doc["Execution Time"]
                if total < best:
                    best, plan = total, doc["Plan"]
    return best, plan


def _show(
    conn: psycopg.Connection[Any], configs: list[tuple[str, Any]], sql: str, params: Any
) -> None:
    print(sql, params)
    with conn.transaction(force_rollback=True):
        for s, p in configs:
            conn.execute(s, p)
        for row in conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params):
            print(row[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture")
    cap.add_argument("file", type=Path)
    cap.add_argument("--user", action="append")
    rep = sub.add_parser("replay")
    rep.add_argument("file", type=Path)
    rep.add_argument("--set", action="append", default=[], help="NAME=VALUE, session level")
    rep.add_argument("--generic", action="store_true")
    rep.add_argument("--page")
    rep.add_argument("--out", type=Path, help="write the results as JSON")
    rep.add_argument("--show", help="USER:PAGE:N: print that statement's text plan")
    args = parser.parse_args()
    if args.command == "capture":
        return capture(args.file, args.user or list(USERS))
    return replay(args.file, args.set, args.generic, args.page, args.show, args.out)


if __name__ == "__main__":
    sys.exit(main())
