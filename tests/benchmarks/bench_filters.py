"""The casussen list's filters and sortings on the benchmark database (issue 14).

Run: ``.venv/bin/python tests/benchmarks/bench_filters.py [--rounds N] [--case NAME ...]
[--plan]`` (``BENCH_DATABASE_NAME`` names a copy of the benchmark database, see
``load_data.py``).

Serves the casework app in this process (as ``bench_cost.py``) and requests, as users of
GM0355 (100,000 casussen), every filter of the list — the HTML page ``/casussen?...``, the
JSON list ``GET /api/v1/casussen?...`` and ``POST /api/v1/casussen/zoeken`` — alone and with
sortings, paging and the regisseur filter. Per case it prints:

* ``pg ms``  - the median PostgreSQL execution time of the list query (the slowest statement
  of the request), from ``EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)`` as the app role with the
  tenant setting the app uses (row-level security on), over the rounds;
* ``bufs``   - the shared buffers that query touched (hit + read);
* ``sql ms`` - the wall time of all the request's statements (median);
* ``cpu ms`` - ``time.process_time()`` of this process per request (median);
* ``pg cpu`` - CPU of the app's PostgreSQL backends per request (mean, ``/proc``).

``--plan`` prints the plan of each case's list query.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench_cost import BackendCpu, signed_in
from bench_load import REGISSEUR, bench_data, machine
from load_data import BIG_TENANT, prepare

#: A case: name, method, path, JSON body (POST) or None, who asks ("professional"/"regisseur").
Case = tuple[str, str, str, dict[str, Any] | None, str]

ZOEKEN = "/api/v1/casussen/zoeken"
REG = REGISSEUR[0]


def cases() -> list[Case]:
    out: list[Case] = []

    def html(name: str, query: str, who: str = "professional") -> None:
        out.append((name, "GET", f"/casussen{'?' + query if query else ''}", None, who))

    # The HTML page (lijst.list_page -> zoeken.find).
    html("html", "")
    for sort in ("oudste", "fase", "referentie"):
        html(f"html sort={sort}", f"sortering={sort}")
    html("html p2", "na=p25")
    html("html p40", "na=p1000")
    for soort in ("groep", "persoon"):
        html(f"html soort={soort}", f"soort={soort}")
    for sort in ("oudste", "fase", "referentie"):
        html(f"html groep sort={sort}", f"soort=groep&sortering={sort}")
    html("html groep p2", "soort=groep&na=p25")
    for fase in ("afgeschaald", "aangemeld", "uitvoering", "stap-4"):
        html(f"html fase={fase}", f"fase={fase}")
    html("html fase=aangemeld ref", "fase=aangemeld&sortering=referentie")
    html("html fase=uitvoering oud", "fase=uitvoering&sortering=oudste")
    # aanmeld dates of the benchmark data: 24 dates with ~4,167 casussen each, two with one.
    ranges = {
        "1 day": ("2026-09-14", "2026-09-14"),
        "1 case": ("2026-07-24", "2026-07-24"),
        "empty": ("2024-01-01", "2024-12-31"),
        "month": ("2026-11-01", "2026-11-30"),
        "year": ("2025-11-27", "2026-11-27"),
        "old": ("2025-08-01", "2025-08-31"),
        "sparse": ("2026-07-01", "2026-08-03"),
    }
    for label, (van, tot) in ranges.items():
        html(f"html van/tot {label}", f"van={van}&tot={tot}")
    html("html van only", "van=2026-11-25")
    html("html tot only", "tot=2025-08-23")
    for sort in ("oudste", "fase", "referentie"):
        html(f"html 1 case sort={sort}", f"van=2026-07-24&tot=2026-07-24&sortering={sort}")
        html(f"html old sort={sort}", f"van=2025-08-01&tot=2025-08-31&sortering={sort}")
    html("html 1 day p2", "van=2026-09-14&tot=2026-09-14&na=p25")
    html("html 1 day oudste", "van=2026-09-14&tot=2026-09-14&sortering=oudste")
    html("html 2 days", "van=2026-09-14&tot=2026-09-15")
    html("html van/tot groep", "van=2025-01-01&tot=2026-12-31&soort=groep")
    html("html regisseur", f"regisseur={REG}")
    html("html regisseur other", "regisseur=yara-benali")
    for sort in ("oudste", "fase", "referentie"):
        html(f"html regisseur sort={sort}", f"regisseur={REG}&sortering={sort}")
    html("html regisseur p40", f"regisseur={REG}&na=p1000")
    html("html regisseur groep", f"regisseur={REG}&soort=groep")
    html("html regisseur 1 case", f"regisseur={REG}&van=2026-07-24&tot=2026-07-24")
    html("html regisseur aangemeld", f"regisseur={REG}&fase=aangemeld")
    html("html R: list", "", "regisseur")
    html("html R: groep", "soort=groep", "regisseur")
    html("html R: 1 case", "van=2026-07-24&tot=2026-07-24", "regisseur")
    html("html R: regisseur", f"regisseur={REG}", "regisseur")
    # The JSON list (zichtbaar.list_casussen): fase, soort, cursor.
    out.append(("api list", "GET", "/api/v1/casussen?limiet=50", None, "professional"))
    out.append(("api soort=groep", "GET", "/api/v1/casussen?soort=groep", None, "professional"))
    out.append(
        ("api fase=aangemeld", "GET", "/api/v1/casussen?fase=aangemeld", None, "professional")
    )
    out.append(("api fase=stap-4", "GET", "/api/v1/casussen?fase=stap-4", None, "professional"))
    # The JSON search without a term: the list's filters (zoeken.find).
    out.append(("zoeken soort=groep", "POST", ZOEKEN, {"soort": "groep"}, "professional"))
    out.append(
        (
            "zoeken van/tot",
            "POST",
            ZOEKEN,
            {"van": "2026-07-24", "tot": "2026-07-24", "sortering": "oudste"},
            "professional",
        )
    )
    return out


class Recorder:
    """The statements (with their parameters and wall time) the app sends while active."""

    def __init__(self) -> None:
        self.active = False
        self.trace: list[tuple[float, str, Any]] = []
        self._started = 0.0
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._before)
        sa.event.listen(sa.engine.Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if self.active:
            self._started = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.active:
            elapsed = (time.perf_counter() - self._started) * 1000
            self.trace.append((elapsed, statement, parameters))


def list_statement(trace: list[tuple[float, str, Any]]) -> tuple[str, Any] | None:
    """The request's list query: the slowest statement that selects casussen with a LIMIT."""
    listing = [t for t in trace if "FROM casussen" in t[1] and "LIMIT" in t[1]]
    if not listing:
        return None
    _, statement, parameters = max(listing, key=lambda t: t[0])
    return statement, parameters


def explain(
    engine: sa.Engine, app_role: str, statement: str, parameters: Any, *, plan: bool = False
) -> tuple[float, int, list[str]]:
    """EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) as the app role with the tenant setting:
    execution ms (without the per-node clock readings, which cost more than some queries),
    shared buffers touched, and with ``plan`` the plan with per-node timing."""
    with engine.connect() as conn, conn.begin():
        conn.exec_driver_sql(f"SET LOCAL ROLE {app_role}")
        conn.exec_driver_sql("SET LOCAL jit = off")  # as the app's connections (engine.py)
        conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": BIG_TENANT})
        rows = conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + statement, parameters
        ).scalar_one()
        text = (
            conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            if plan
            else []
        )
    plan = rows[0] if isinstance(rows, list) else json.loads(rows)[0]
    top = plan["Plan"]
    buffers = int(top.get("Shared Hit Blocks", 0)) + int(top.get("Shared Read Blocks", 0))
    return float(plan["Execution Time"]), buffers, [r[0] for r in text]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="requests per case")
    parser.add_argument("--case", action="append", help="only cases containing this text")
    parser.add_argument("--plan", action="store_true", help="print each list query's plan")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "regietafel-bench"
    )
    args = parser.parse_args()
    settings, server = prepare(args.data_dir, say=lambda line: print(line, flush=True))
    try:
        return run(settings, server, args.rounds, args.case, plan=args.plan)
    finally:
        server.stop()


def run(settings: Any, server: Any, rounds: int, only: list[str] | None, *, plan: bool) -> int:
    from litestar.testing import TestClient

    from services.app import create_app
    from services.platform.identity.dev_issuer import DevIssuer
    from services.runtime import start_runtime

    issuer = DevIssuer(settings, settings.base_url + "/oidc")
    data = bench_data(server.admin_url, settings, issuer)
    users = {"professional": data["professional"][0], "regisseur": data["regisseur"][0]}
    runtime = start_runtime(settings, migrate=False)
    app = create_app(runtime, start_worker=False)
    recorder = Recorder()
    backends = BackendCpu(server.admin_url, settings.database_name)
    admin = sa.create_engine(
        sa.engine.make_url(server.admin_url)
        .set(database=settings.database_name)
        .set(drivername="postgresql+psycopg")
    )
    print(f"machine: {machine()}; database {settings.database_name}")
    print(f"users: {', '.join(u['id'] for u in users.values())}; {rounds} rounds after 2 warm-up")
    print(f"{'case':<34}{'rows':>5}{'pg ms':>8}{'bufs':>7}{'sql ms':>8}{'cpu ms':>8}{'pg cpu':>8}")
    try:
        with TestClient(app) as client:
            for name, method, path, body, who in cases():
                if only and not any(o in name for o in only):
                    continue
                user = users[who]
                api = path.startswith("/api/")
                headers = signed_in(client, user, api=api)
                cpu: list[float] = []
                sql: list[float] = []
                pg_ms: list[float] = []
                bufs = 0
                lines: list[str] = []
                pg0 = 0.0
                shown = 0
                for i in range(rounds + 2):
                    if i == 2:
                        backends.refresh()
                        pg0 = backends.read()
                    recorder.trace = []
                    recorder.active = True
                    c0 = time.process_time()
                    if method == "GET":
                        response = client.get(path, headers=headers)
                    else:
                        response = client.post(path, json=body, headers=headers)
                    c1 = time.process_time()
                    recorder.active = False
                    if response.status_code != 200:
                        print(f"{name}: {path} answered {response.status_code}", file=sys.stderr)
                        return 1
                    if i < 2:
                        continue
                    cpu.append((c1 - c0) * 1000)
                    sql.append(sum(t[0] for t in recorder.trace))
                    if api:
                        payload = response.json()
                        shown = len(payload.get("items", payload.get("treffers", [])))
                    else:
                        shown = len(re.findall(r'href="/casussen/[0-9a-f-]{36}"', response.text))
                pg_cpu = (backends.read() - pg0) * 1000 / rounds
                found = list_statement(recorder.trace)
                if found is not None:
                    for r in range(rounds):
                        ms, bufs, text = explain(
                            admin, settings.db_app_role, *found, plan=plan and r == 0
                        )
                        pg_ms.append(ms)
                        lines = text or lines
                pg = statistics.median(pg_ms) if pg_ms else float("nan")
                print(
                    f"{name:<34}{shown:>5}{pg:>8.2f}{bufs:>7}{statistics.median(sql):>8.1f}"
                    f"{statistics.median(cpu):>8.1f}{pg_cpu:>8.1f}",
                    flush=True,
                )
                if plan:
                    for line in lines:
                        print(f"    {line}")
    finally:
        runtime.close()
        backends.engine.dispose()
        admin.dispose()
    print(
        "(rows: casussen shown; pg ms: EXPLAIN ANALYZE execution time of the list query as "
        "the app role, median; bufs: its shared buffers; sql ms: all statements of the "
        "request, wall, median; cpu ms: this process, median; pg cpu: the app's backends, mean)"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
