"""Wall time of the list-scope queries of /overzicht and /werkvoorraad per user (issue 14).

Run: ``PYTHONPATH=$PWD .venv/bin/python tests/benchmarks/bench_queries.py USER ...``
(users of ``bench_load.bench_data``, e.g. eline-de-graaf robin-visser fatima-ouali
dennis-koster; ``BENCH_DATABASE_NAME`` picks a copy of the benchmark database).

Per user, the median over 60 runs (after 3 warm-up runs), each in its own workspace, of
:func:`zichtbaar.count_groups` (one chunk of 501, as the home count) and
:func:`kandidaten._running` (the werkvoorraad's running casussen).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from load_data import BIG_TENANT, prepare

RUNS = 60


def main(users: list[str]) -> int:
    from services.casework.casussen import zichtbaar
    from services.casework.unit_of_work import workspace
    from services.casework.werkvoorraad import kandidaten
    from services.platform.identity.directory import PrincipalDirectory
    from services.platform.identity.tokens import Claims
    from services.runtime import start_runtime

    settings, server = prepare(Path(tempfile.gettempdir()) / "regietafel-bench", say=print)
    runtime = start_runtime(settings, migrate=False)
    queries: dict[str, Callable[[Any], object]] = {
        "count_groups": lambda ws: zichtbaar.count_groups(ws, 501),
        "_running": kandidaten._running,
    }
    try:
        directory = PrincipalDirectory(runtime.sessions)
        for user in users:
            principal = directory.resolve(Claims(user, BIG_TENANT, {}))
            figures = []
            for name, query in queries.items():
                walls = []
                for i in range(RUNS + 3):
                    with workspace(runtime.casework, principal) as ws:
                        started = time.perf_counter()
                        query(ws)
                        elapsed = time.perf_counter() - started
                    if i >= 3:
                        walls.append(elapsed * 1000)
                figures.append(f"{name} p50 {statistics.median(walls):6.1f} ms")
            print(f"{user:<16} " + "  ".join(figures), flush=True)
    finally:
        runtime.close()
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["eline-de-graaf"]))
