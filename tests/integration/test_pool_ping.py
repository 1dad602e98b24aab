"""A pooled connection is pinged only after it sat unused (issue 14): a connection handed out
again within the window is not pinged (no extra round trip per request), one that sat longer
is, and a connection the server dropped meanwhile is replaced without an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from services.platform.db import engine as engines
from services.platform.db.engine import make_engine
from services.runtime import Runtime


@pytest.fixture
def pinged(
    monkeypatch: pytest.MonkeyPatch, runtime: Runtime
) -> Iterator[tuple[sa.Engine, list[int]]]:
    engine = make_engine(runtime.engine.url, pool_size=1)
    seen: list[int] = []
    real = engine.dialect.do_ping

    def do_ping(dbapi: Any) -> bool:
        seen.append(1)
        return bool(real(dbapi))

    monkeypatch.setattr(engine.dialect, "do_ping", do_ping)
    try:
        yield engine, seen
    finally:
        engine.dispose()


def _backend(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(sa.text("SELECT pg_backend_pid()")) or 0)


def test_a_connection_back_within_the_window_is_not_pinged(
    pinged: tuple[sa.Engine, list[int]],
) -> None:
    engine, seen = pinged
    first = _backend(engine)  # a new connection: not pinged either
    for _ in range(5):
        assert _backend(engine) == first
    assert seen == []


def test_an_idle_connection_is_pinged(
    pinged: tuple[sa.Engine, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, seen = pinged
    first = _backend(engine)
    monkeypatch.setattr(engines.time, "monotonic", lambda: 1e12)  # long after its checkin
    assert _backend(engine) == first
    assert seen == [1]


def test_a_dropped_idle_connection_is_replaced(
    pinged: tuple[sa.Engine, list[int]],
    monkeypatch: pytest.MonkeyPatch,
    pg_admin_url: URL,
) -> None:
    engine, seen = pinged
    first = _backend(engine)
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": first})
    finally:
        admin.dispose()
    monkeypatch.setattr(engines.time, "monotonic", lambda: 1e12)
    again = _backend(engine)  # no error: the ping found it dead, the pool connected anew
    assert again != first
    assert seen
