"""A request takes a slot before it takes a database connection (issue 14): as many slots as
the pool keeps open, waited for without a worker thread, one set per event loop."""

from __future__ import annotations

import anyio

from services.casework.unit_of_work import request_slots
from services.runtime import Runtime


def test_the_slots_are_the_pools_size_per_event_loop(runtime: Runtime) -> None:
    deps = runtime.casework
    pool_size = deps.sessions.kw["bind"].pool.size()

    async def slots() -> int:
        first, again = request_slots(deps), request_slots(deps)
        assert first is again  # one set for the whole loop
        return int(first.total_tokens)

    assert anyio.run(slots) == pool_size
    assert anyio.run(slots) == pool_size  # a new loop (a TestClient's) gets its own


def test_requests_beyond_the_slots_wait_and_then_all_finish(runtime: Runtime) -> None:
    deps = runtime.casework
    done: list[int] = []

    async def many() -> int:
        slots = request_slots(deps)
        peak = 0

        async def one(n: int) -> None:
            nonlocal peak
            async with slots:
                peak = max(peak, int(slots.borrowed_tokens))
                await anyio.sleep(0)
                done.append(n)

        async with anyio.create_task_group() as group:
            for n in range(4 * int(slots.total_tokens)):
                group.start_soon(one, n)
        return peak

    peak = anyio.run(many)
    pool_size = deps.sessions.kw["bind"].pool.size()
    assert peak <= pool_size
    assert sorted(done) == list(range(4 * pool_size))
