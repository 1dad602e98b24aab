"""SQLAlchemy 2 engines on psycopg 3 with a connection pool."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker


def application_name() -> str:
    """``regietafel <command> <pid>``: which process a database session belongs to
    (``pg_stat_activity.application_name``), for operators and tests."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), "app")
    return f"regietafel {command} {os.getpid()}"[:63]


#: A pooled connection is pinged when it is handed out after at least this long unused (see
#: :func:`ping_when_idle`).
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "regietafel.idle_since"


def ping_when_idle(engine: sa.Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Pessimistic disconnect handling, as ``pool_pre_ping`` but only for a connection that
    sat in the pool ``idle_seconds`` or longer (a restarted server, a dropped idle TCP
    connection). ``pool_pre_ping`` pinged on every checkout: one extra round trip per
    request, ~0.1 ms of CPU in both processes (issue 14). A connection returned within the
    window has just worked; should the server have gone meanwhile, its first statement
    fails (a 503 for the request) and SQLAlchemy invalidates the pool's connections as
    after any disconnect."""

    def fresh(_dbapi: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < idle_seconds and not dbapi.closed:
            return
        try:
            engine.dialect.do_ping(dbapi)
        except Exception as error:
            # The pool drops this connection and hands out another (a new one if need be).
            raise sa.exc.DisconnectionError(f"ping failed: {type(error).__name__}") from error

    sa.event.listen(engine, "connect", fresh)
    sa.event.listen(engine, "checkin", fresh)
    sa.event.listen(engine, "checkout", checkout)


def make_engine(
    url: str | URL, *, pool_size: int = 5, statement_timeout_ms: int = 15_000
) -> sa.Engine:
    engine = sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # Statement parameters hold person data (names, birth dates, texts): never in an
        # exception message, so never in a log line.
        hide_parameters=True,
        connect_args={
            # JIT off: these are short OLTP queries, and the row-level security subplans
            # inflate the planner's cost estimates past jit_above_cost, so PostgreSQL spent
            # tens to hundreds of milliseconds compiling a list query (issue 14).
            "options": f"-c statement_timeout={statement_timeout_ms} -c jit=off",
            "application_name": application_name(),
        },
    )
    ping_when_idle(engine)
    return engine


def open_pool(engine: sa.Engine) -> int:
    """Open the pool's ``pool_size`` connections now; returns how many are open.

    A server worker calls this at start (:func:`services.asgi.create`). A new connection costs
    its first requests several milliseconds each: PostgreSQL plans every statement shape
    anew for its first ten executions on a connection (five unprepared, five custom plans
    of the prepared statement; ~4.5 ms for the casus read under row-level security).
    Opened lazily, the pool grows in a burst, so the cold connections meet the burst. Opened
    at start, the pool hands its connections out in turn (first in, first out), and the
    first requests after start warm all of them at once (ADR 0020, amendment `pool`)."""
    size = engine.pool.size()  # type: ignore[attr-defined]
    connections = [engine.connect() for _ in range(size)]
    for connection in connections:
        connection.close()
    return engine.pool.checkedin()  # type: ignore[attr-defined,no-any-return]


def make_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
