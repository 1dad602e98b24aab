"""A short fixed-rate probe of one endpoint: CPU per request of the server and PostgreSQL.

``bench_load.py`` runs the whole benchmark (about a minute on both cores). This probe starts
the same server (``uvicorn --factory load_server:create``, N workers, PostgreSQL over TCP)
on its own port, warms it (a few seconds at 100 req/s, then sequential requests), and drives
only the casus page ``GET /api/v1/casussen/{id}`` at one rate for a few seconds, with the
benchmark's open-loop generator. It prints the latencies, the CPU per request of the
workers (user and system time apart) and of their PostgreSQL backends, the workers'
context switches per request, and the server's own timers. To compare two trees, run it
from each in turn, alternating (the machine's speed drifts; ±0.2 ms per run is common on
a shared two-core machine).

Run: ``PYTHONPATH=. .venv/bin/python tests/benchmarks/probe_casus.py [--rate 200]
[--seconds 15] [--workers 2] [--port 8791]`` (``BENCH_DATABASE_NAME`` as for bench_load).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import bench_load as bench
from load_data import prepare

#: Fields of /proc/<pid>/stat after the command: utime and stime (clock ticks).
_UTIME, _STIME = 11, 12


def _workers(server_pid: int) -> list[int]:
    """The uvicorn worker processes (not the multiprocessing resource tracker)."""
    return [
        pid
        for pid in bench._children(server_pid)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def _snapshot(server_pid: int) -> tuple[int, int, int, int]:
    """utime and stime (ticks) and the voluntary and involuntary context switches of the
    workers' threads."""
    user = system = voluntary = involuntary = 0
    for pid in _workers(server_pid):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        user += int(fields[_UTIME])
        system += int(fields[_STIME])
        for task in Path(f"/proc/{pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    voluntary += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    involuntary += int(line.split()[1])
    return user, system, voluntary, involuntary


def main() -> int:
    parser = argparse.ArgumentParser(description="CPU per casus page at a fixed rate")
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    bench.PORT = args.port  # the server, the generator and the drain read it
    settings, server = prepare(Path(tempfile.gettempdir()) / "regietafel-bench")
    from services.platform.identity.dev_issuer import DevIssuer

    settings = settings.model_copy(update={"port": args.port})
    issuer = DevIssuer(settings, settings.base_url + "/oidc")
    data = bench.bench_data(server.admin_url, settings, issuer)
    work = Path(tempfile.mkdtemp(prefix="regietafel-probe-"))
    proc = bench.ServerProcess(settings, args.workers, work)
    phase = f"casus@{args.rate:g}"
    try:
        proc.wait_ready()
        cpu = bench.CpuMeter(proc.proc.pid, server.admin_url, settings.database_name)
        bench.drive("warmup", {"casus": 1}, 100, 6, data, work)
        bench.drive("warmup", {"casus": 1}, 1, 1, data, work, sequential_count=200)
        bench.drain()
        before = _snapshot(proc.proc.pid)
        summary = bench.drive(phase, {"casus": 1}, args.rate, args.seconds, data, work, cpu)
        after = _snapshot(proc.proc.pid)
        row: dict[str, Any] = summary["ops"]["casus"]
        n = row["n"]
        tick_ms = 1000 / bench._TICK
        result = {
            "rate": args.rate,
            "per_s": round(row["per_s"], 1),
            **{q: round(row[q], 2) for q in ("p50", "p95", "p99")},
            "errors": row["errors"],
            "cpu_server_ms": round(summary["cpu_ms"][0], 3),
            "cpu_postgres_ms": round(summary["cpu_ms"][1], 3),
            "cpu_generator_ms": round(summary["generator_ms"], 3),
            "user_ms": round((after[0] - before[0]) * tick_ms / n, 3),
            "system_ms": round((after[1] - before[1]) * tick_ms / n, 3),
            "voluntary_switches": round((after[2] - before[2]) / n, 2),
            "involuntary_switches": round((after[3] - before[3]) / n, 2),
            "load_average": round(os.getloadavg()[0], 1),
        }
        print(json.dumps(result))
        print("\n".join(bench.breakdown(bench.read_timings(work), {phase})))
        cpu.close()
    finally:
        proc.stop()
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
