"""Policy benchmark: decisions/s and p50/p99 latency per resource, single and batched.

Run: .venv/bin/python tests/benchmarks/bench_policy.py [--rounds N] [--batch N]
Uses the embedded engine (regopy) over policies/ and the fixture policy data, without the
cache (the cache only helps on repeats). Optionally the OPA server with --opa-url.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from services.platform.policy import PolicyEngine, build_input
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.opa_server import OpaServerEngine
from services.platform.policy.source import PolicySource

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "policy" / "fixtures" / "policy_data.json"

SUBJECT = {
    "kind": "user",
    "tenant": "GM0355",
    "user_id": "u-wijkteam",
    "organisation": "gm0355-sociaal-wijkteam",
    "roles": ["professional"],
}


def ref(identifier: str) -> dict[str, str]:
    return {"tenant": "GM0355", "id": identifier}


CONTEXT = {"purpose": "casusoverleg", "now": "2026-11-20T10:00:00Z"}


def page(size: int, offset: int = 0) -> list[dict[str, Any]]:
    """A realistic mixed page: casussen, items with categories, some not participating."""
    out: list[dict[str, Any]] = []
    categories = ["algemeen", "identificerend", "financieel", "bijzonder", "politiegegevens"]
    for n in range(offset, offset + size):
        participants = ["gm0355-sociaal-wijkteam", "politie-utrecht"]
        if n % 5 == 0:
            participants = ["politie-utrecht"]
        resource: dict[str, Any] = {
            "type": "casus" if n % 2 == 0 else "informatie_item",
            "tenant": "GM0355",
            "casus_id": f"zeist-{n:04d}",
            "casus_kind": "persoon",
            "phase": "uitvoering",
            "participants": [ref(p) for p in participants],
            "regisseurs": [ref("u-regisseur")],
            "contains_person_identifiers": True,
        }
        if resource["type"] == "informatie_item":
            resource["category"] = categories[n % len(categories)]
            resource["source_organisation"] = ref("politie-utrecht")
            resource["withheld"] = n % 7 == 0
        out.append(resource)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench(engine: PolicyEngine, label: str, rounds: int, batch: int) -> None:
    resources = page(batch)
    # warm-up
    engine.decide(build_input(SUBJECT, "read", CONTEXT, resources[0]))
    engine.decide_many(SUBJECT, "read", CONTEXT, resources)

    single: list[float] = []
    start = time.perf_counter()
    for i in range(rounds * batch):
        r = resources[i % batch]
        t0 = time.perf_counter()
        engine.decide(build_input(SUBJECT, "read", CONTEXT, r))
        single.append((time.perf_counter() - t0) * 1000)
    single_rate = len(single) / (time.perf_counter() - start)

    per_resource: list[float] = []
    per_batch: list[float] = []
    start = time.perf_counter()
    for _ in range(rounds):
        t0 = time.perf_counter()
        engine.decide_many(SUBJECT, "read", CONTEXT, resources)
        elapsed = (time.perf_counter() - t0) * 1000
        per_batch.append(elapsed)
        per_resource.append(elapsed / batch)
    batch_rate = rounds * batch / (time.perf_counter() - start)

    print(f"\n== {label} ==")
    print(
        f"single : {single_rate:8.0f} decisions/s   p50 {statistics.median(single):.3f} ms"
        f"   p99 {percentile(single, 0.99):.3f} ms   (n={len(single)})"
    )
    print(
        f"batch{batch:<3}: {batch_rate:8.0f} decisions/s   per resource p50 "
        f"{statistics.median(per_resource):.3f} ms   p99 {percentile(per_resource, 0.99):.3f} ms"
        f"   (per batch p50 {statistics.median(per_batch):.1f} ms, n={rounds} batches)"
    )
    goal = percentile(per_resource, 0.99) <= 1.0
    print(f"goal p99 <= 1 ms per resource batched: {'met' if goal else 'NOT met'}")


def fast_path_figures(rounds: int, batch: int = 50) -> tuple[float, float, str]:
    """The decision fast path as the service uses it (issue 14): ``create_engine`` (regopy
    behind the decision cache keyed by the decision-relevant projection of the typed input).
    Every request is a new page: new casus ids and a new ``context.now``, as in the service;
    the first pages fill the cache (warm-up), then p99 of single decisions and of batched
    pages per resource. Returns (single p99 ms, batched p99 ms per resource, detail)."""
    from services.platform.policy import PolicySettings, create_engine

    engine = create_engine(PolicySettings(), PolicySource.load(DATA).data)
    base = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)

    def request(n: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        now = base + dt.timedelta(seconds=n, microseconds=n * 7)
        context = {**CONTEXT, "now": now.isoformat().replace("+00:00", "Z")}
        return context, page(batch, offset=n * batch)

    for n in range(3):  # warm-up: the first pages fill the cache
        context, resources = request(n)
        engine.decide_many(SUBJECT, "read", context, resources)
    single: list[float] = []
    per_resource: list[float] = []
    single_cpu: list[float] = []
    per_resource_cpu: list[float] = []
    for n in range(3, 3 + rounds):
        context, resources = request(n)
        for resource in resources:
            t0, c0 = time.perf_counter(), time.thread_time()
            engine.decide(build_input(SUBJECT, "read", context, resource))
            single.append((time.perf_counter() - t0) * 1000)
            single_cpu.append((time.thread_time() - c0) * 1000)
        context, resources = request(n + 10_000)
        t0, c0 = time.perf_counter(), time.thread_time()
        engine.decide_many(SUBJECT, "read", context, resources)
        per_resource.append((time.perf_counter() - t0) * 1000 / batch)
        per_resource_cpu.append((time.thread_time() - c0) * 1000 / batch)
    stats = getattr(getattr(engine, "cache", None), "stats", None)
    detail = (
        f"p50 single {percentile(single, 0.5):.3f} ms, batched {percentile(per_resource, 0.5):.3f}"
        f" ms; CPU time p99 single {percentile(single_cpu, 0.99):.3f} ms, batched "
        f"{percentile(per_resource_cpu, 0.99):.3f} ms; n={len(single)} single, "
        f"{len(per_resource)} pages of {batch}"
    )
    if stats is not None:
        s = stats()
        detail += f", cache hits {s.hits} misses {s.misses}"
    return percentile(single, 0.99), percentile(per_resource, 0.99), detail


def bench_regorus(source: PolicySource, n: int) -> None:
    """Single decisions on regorus (its batch rule is not trusted, see ADR 0004)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "policy"))
    from regorus_reference import RegorusReference

    reference = RegorusReference(source)
    resources = page(50)
    reference.decide(build_input(SUBJECT, "read", CONTEXT, resources[0]))
    times: list[float] = []
    start = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        reference.decide(build_input(SUBJECT, "read", CONTEXT, resources[i % len(resources)]))
        times.append((time.perf_counter() - t0) * 1000)
    rate = n / (time.perf_counter() - start)
    print("\n== regorus via opa-eval (test-only reference engine) ==")
    print(
        f"single : {rate:8.0f} decisions/s   p50 {statistics.median(times):.3f} ms"
        f"   p99 {percentile(times, 0.99):.3f} ms   (n={n})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--opa-url", default=None)
    parser.add_argument(
        "--regorus",
        action="store_true",
        help="also time single decisions on regorus (the test-only reference engine)",
    )
    args = parser.parse_args()
    source = PolicySource.load(DATA)
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"policy {source.policy_revision[:12]}, data {source.data_revision[:12]}"
    )
    t0 = time.perf_counter()
    embedded = EmbeddedRegoEngine(source)
    print(f"embedded bundle build: {(time.perf_counter() - t0) * 1000:.0f} ms")
    bench(embedded, "embedded (regopy)", args.rounds, args.batch)
    single, batched, detail = fast_path_figures(args.rounds, args.batch)
    print("\n== service fast path (decision cache keyed by the decision-relevant projection) ==")
    print(f"single p99 {single:.3f} ms, batched p99 {batched:.3f} ms per resource ({detail})")
    goal = max(single, batched) <= 1.0
    print(f"goal p99 <= 1 ms batched or single: {'met' if goal else 'NOT met'}")
    if args.regorus:
        bench_regorus(source, args.rounds * args.batch)
    if args.opa_url:
        bench(
            OpaServerEngine(source, args.opa_url, timeout=5.0),
            "OPA server",
            args.rounds,
            args.batch,
        )


if __name__ == "__main__":
    main()
