"""Generated hostile input for every route with a body or a form (see fuzz.py): ids of other
tenants and casussen, unknown codes, missing and unknown fields, wrong types, extreme values.
Bad input must give a 4xx (API: problem+json), never a 5xx, never a partial write, and never
a leak; the same runner and oracle as the hostile probes judge every answer.

Deterministic by default; ``REGIETAFEL_HOSTILE_INPUTS=<n per route>`` and
``REGIETAFEL_HOSTILE_SEED=random`` give a larger randomised run.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from .changes import ChangeLog, fingerprint
from .fuzz import FuzzSource, Mutator, Pools
from .runner import Runner, leak_table, summary, table_text, totals
from .session import SEED, Hostile, write_report

PER_ROUTE = int(os.environ.get("REGIETAFEL_HOSTILE_INPUTS", "16"))
SHARDS = 2


@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_input_never_breaks_or_leaks(
    shard: int,
    hostile: Hostile,
    probing: ChangeLog,
    tmp_path_factory: pytest.TempPathFactory,
    record_property: Callable[[str, object], None],
) -> None:
    routes = [r for r in hostile.routes if r.write][shard::SHARDS]
    assert routes
    rng = random.Random(SEED * 31 + shard)
    source = FuzzSource(
        gen=hostile.generator,
        world=hostile.world,
        oracle=hostile.oracle,
        mutator=Mutator(Pools.of(hostile.world), rng),
        rng=rng,
    )
    probes = source.probes(routes, PER_ROUTE)
    world = hostile.world
    person_casus = {p: c.id for c in world.casussen.values() for p in c.person_ids}
    casus_ids = [c.id for c in world.casussen.values()]
    probing.forget()
    before = fingerprint(hostile.admin, casus_ids, person_casus)
    with TestClient(hostile.app) as client:
        tally = Runner(client, world, hostile.oracle, probing, hostile.tokens, before).run(probes)
    report = write_report(f"hostile-invoer-{shard}", tally, tmp_path_factory)
    record_property("hostile", totals(tally, "generated input"))
    print(f"\n[invoer {shard}/{SHARDS}, seed {SEED}] " + summary(tally) + f"\n  rapport: {report}")
    assert fingerprint(hostile.admin, casus_ids, person_casus) == before
    assert tally.probes == len(routes) * PER_ROUTE
    assert not tally.findings, (
        f"{len(tally.findings)} findings on generated input (seed {SEED}):\n"
        + table_text(leak_table(tally.findings))
        + "\nexamples:\n"
        + "\n".join(f"{f.line()} | {f.url}" for f in tally.findings[:15])
    )
