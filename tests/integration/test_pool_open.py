"""A server worker opens its whole pool at start (issue 14, ADR 0020 amendment `pool`): the
connections exist before the first burst, and the pool hands them out in turn, so the first
requests warm all of them instead of a burst meeting cold ones."""

from __future__ import annotations

import sqlalchemy as sa

from services.platform.db.engine import make_engine, open_pool
from services.runtime import Runtime


def test_open_pool_opens_pool_size_connections_and_no_more_are_made(runtime: Runtime) -> None:
    engine = make_engine(runtime.engine.url, pool_size=3)
    connects: list[int] = []
    sa.event.listen(engine, "connect", lambda *_: connects.append(1))
    try:
        assert open_pool(engine) == 3
        assert len(connects) == 3
        backends = []
        for _ in range(9):  # one at a time, as requests in a row
            with engine.connect() as conn:
                backends.append(int(conn.scalar(sa.text("SELECT pg_backend_pid()")) or 0))
        assert len(connects) == 3  # nothing new was opened
        # First in, first out: each of the three is used in turn, so each warms.
        assert len(set(backends)) == 3
        assert backends[:3] == backends[3:6] == backends[6:]
    finally:
        engine.dispose()
