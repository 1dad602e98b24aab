"""Cost per page (issue 14): CPU milliseconds and SQL statements per request, in process.

Run: ``.venv/bin/python tests/benchmarks/bench_cost.py [--rounds N] [--page NAME ...]``
(``make bench`` runs it with the other benchmarks).

Wall-clock latencies on a shared machine measure the queue for a core; the CPU time a request
costs does not. This harness serves the casework app in this process (``create_app`` over the
benchmark database of ``load_data.py``: 342 tenants, 100,000 casussen in GM0355, PostgreSQL
over TCP) through Litestar's test client and, per request, measures:

* ``cpu``  - ``time.process_time()`` of this process (all its threads: the app, the client),
* ``pg``   - CPU time of the app's PostgreSQL backends (``/proc``, when the server is local),
* ``stmts`` - SQL statements sent by the app (SQLAlchemy ``before_cursor_execute``).

It prints the median and p95 per page; ``cpu + pg`` is what a request costs the machine
(two idle cores serve about ``2000 / (cpu + pg)`` of them per second).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from bench_load import _cpu_of, bench_data, machine, percentile
from load_data import prepare

#: The pages measured: name, path (``{id}`` = a casus of the user), API (bearer) or web (cookie).
PAGES: tuple[tuple[str, str, bool], ...] = (
    ("casus-json", "/api/v1/casussen/{id}", True),
    ("lijst-50", "/api/v1/casussen?limiet=50", True),
    ("html-casussen", "/casussen", False),
    ("html-casus", "/casussen/{id}", False),
    ("html-werkvoorraad", "/werkvoorraad", False),
    ("werkvoorraad-json", "/api/v1/werkvoorraad", True),
    ("html-overzicht", "/overzicht", False),
)


class StatementCounter:
    """Counts the SQL statements the app's engines send while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.count = 0
        self.trace: list[tuple[float, str]] | None = None
        self._started = 0.0
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._before)
        sa.event.listen(sa.engine.Engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if self.active:
            self.count += 1
            self._started = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if self.active and self.trace is not None:
            elapsed = (time.perf_counter() - self._started) * 1000
            self.trace.append((elapsed, " ".join(statement.split())[:160]))


class Sampler:
    """A sampling profile of every thread but the sampler's (the app serves requests in
    worker threads, which cProfile would not see): every ``interval`` seconds, the functions
    on each thread's stack. ``cumulative``: in how many samples a function was on a stack;
    ``own``: in how many it was the innermost frame."""

    def __init__(self, interval: float = 0.0005) -> None:
        self.interval = interval
        self.cumulative: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.samples = 0
        self._running = False
        self._thread: threading.Thread | None = None
        self._client_thread = threading.get_ident()

    def _run(self) -> None:
        me = threading.get_ident()
        while self._running:
            for ident, frame in sys._current_frames().items():
                if ident in (me, self._client_thread):
                    continue
                names: set[str] = set()
                inner = True
                current: Any = frame
                while current is not None:
                    code = current.f_code
                    name = f"{code.co_filename.split('site-packages/')[-1]}:{code.co_name}"
                    if inner:
                        self.own[name] += 1
                        inner = False
                    names.add(name)
                    current = current.f_back
                if any("services/" in n for n in names):  # a thread serving a request
                    self.samples += 1
                    self.cumulative.update(names)
            time.sleep(self.interval)

    def __enter__(self) -> Sampler:
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.join()

    def report(self, top: int = 45) -> None:
        total = max(self.samples, 1)
        print(f"    sampling profile: {self.samples} samples of request threads")
        for name, n in self.cumulative.most_common(top):
            own = 100 * self.own[name] / total
            print(f"    {100 * n / total:5.1f}% cum  {own:5.1f}% own  {name}")


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving this process in the benchmark database
    (not the admin connection of this meter)."""

    def __init__(self, admin_url: str, database: str) -> None:
        self.engine = sa.create_engine(
            sa.engine.make_url(admin_url).set(drivername="postgresql+psycopg"),
            isolation_level="AUTOCOMMIT",
        )
        self.database = database
        with self.engine.connect() as conn:
            self.own = conn.scalar(sa.text("SELECT pg_backend_pid()"))
        self.pids: list[int] = []

    def refresh(self) -> None:
        # Only this process's backends (application_name ends with its pid, see
        # services/platform/db/engine.py): on a shared machine other benchmarks use the same
        # database, and their backends' CPU (or their exit: nan) made ``pg`` meaningless.
        with self.engine.connect() as conn:
            self.pids = [
                int(r[0])
                for r in conn.execute(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :d"
                        " AND application_name LIKE :mine"
                    ),
                    {"d": self.database, "mine": f"regietafel % {os.getpid()}"},
                )
            ]

    def read(self) -> float:
        if not all(Path(f"/proc/{pid}").exists() for pid in self.pids):
            return float("nan")
        return sum(_cpu_of(pid) for pid in self.pids)


def signed_in(client: Any, user: dict[str, Any], *, api: bool) -> dict[str, str]:
    """Sign ``client`` in as ``user`` of :func:`bench_load.bench_data`: the headers of an API
    request (a bearer token), or for a page the session cookie (and no headers)."""
    client.cookies.clear()
    if not api:
        client.cookies.set("regietafel_token", user["token"])
        return {}
    return {"Authorization": f"Bearer {user['token']}", "Accept": "application/json"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="requests per page")
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    parser.add_argument(
        "--sql", action="store_true", help="print the statements of the last request per page"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print a sampling profile per page (slower)"
    )
    parser.add_argument(
        "--user",
        help="measure as this user of bench_load.bench_data (default: the first professional)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "regietafel-bench"
    )
    args = parser.parse_args()
    settings, server = prepare(args.data_dir, say=lambda line: print(line, flush=True))
    try:
        return run(
            settings,
            server,
            args.rounds,
            args.page,
            sql=args.sql,
            profile=args.profile,
            user_id=args.user,
        )
    finally:
        server.stop()


def run(
    settings: Any,
    server: Any,
    rounds: int,
    only: list[str] | None,
    *,
    sql: bool = False,
    profile: bool = False,
    user_id: str | None = None,
) -> int:
    from litestar.testing import TestClient

    from services.app import create_app
    from services.platform.identity.dev_issuer import DevIssuer
    from services.runtime import start_runtime

    issuer = DevIssuer(settings, settings.base_url + "/oidc")
    data = bench_data(server.admin_url, settings, issuer)
    users = [u for group in data.values() for u in group]
    if user_id is None:
        user = data["professional"][0]
    else:
        found = [u for u in users if u["id"] == user_id]
        if not found:
            known = ", ".join(u["id"] for u in users)
            print(f"unknown user {user_id}; known: {known}", file=sys.stderr)
            return 2
        user = found[0]
    runtime = start_runtime(settings, migrate=False)
    app = create_app(runtime, start_worker=False)
    counter = StatementCounter()
    backends = BackendCpu(server.admin_url, settings.database_name)
    print(f"machine: {machine()}")
    print(
        f"user {user['id']} ({len(user['casussen'])} running casussen sampled); "
        f"{rounds} requests per page after 3 warm-up requests; CPU ms per request"
    )
    header = (
        f"{'page':<20}{'cpu p50':>9}{'cpu p95':>9}{'pg mean':>8}{'total':>8}"
        f"{'stmts':>7}{'wall p50':>10}"
    )
    print(header)
    try:
        with TestClient(app) as client:
            for name, template, api in PAGES:
                if only and name not in only:
                    continue
                if "{id}" in template and not user["casussen"]:
                    print(f"{name:<20}skipped ({user['id']} has no sampled casussen)")
                    continue
                headers = signed_in(client, user, api=api)
                cpu: list[float] = []
                wall: list[float] = []
                stmts: list[int] = []
                pg0 = 0.0
                sampler = Sampler() if profile else None
                for i in range(rounds + 3):
                    if i == 3:  # after the warm-up: the pool's backends are connected
                        backends.refresh()
                        pg0 = backends.read()
                    casus = user["casussen"][i % len(user["casussen"])] if user["casussen"] else ""
                    path = template.replace("{id}", casus)
                    counter.count, counter.active = 0, True
                    counter.trace = [] if sql else None
                    c0, w0 = time.process_time(), time.perf_counter()
                    if sampler is not None and i >= 3:
                        with sampler:
                            response = client.get(path, headers=headers)
                    else:
                        response = client.get(path, headers=headers)
                    c1, w1 = time.process_time(), time.perf_counter()
                    counter.active = False
                    if response.status_code != 200:
                        print(f"{name}: {path} answered {response.status_code}", file=sys.stderr)
                        return 1
                    if i < 3:
                        continue
                    cpu.append((c1 - c0) * 1000)
                    wall.append((w1 - w0) * 1000)
                    stmts.append(counter.count)
                cpu50 = statistics.median(cpu)
                pg50 = (backends.read() - pg0) * 1000 / rounds  # mean: /proc counts ticks
                print(
                    f"{name:<20}{cpu50:>9.1f}{percentile(cpu, 95):>9.1f}{pg50:>8.1f}"
                    f"{cpu50 + pg50:>8.1f}{statistics.median(stmts):>7.0f}"
                    f"{statistics.median(wall):>10.1f}",
                    flush=True,
                )
                if sampler is not None:
                    sampler.report()
                if counter.trace is not None:
                    for elapsed, statement in counter.trace:
                        print(f"    {elapsed:7.2f} ms  {statement}")
    finally:
        runtime.close()
        backends.engine.dispose()
    print(
        "(cpu: this process, time.process_time; pg: the app's PostgreSQL backends, /proc, "
        "mean over the rounds; total = cpu p50 + pg mean; stmts: SQL statements, median)"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
