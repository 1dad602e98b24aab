"""SQLAlchemy 2 engines on psycopg 3 with a connection pool."""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker


def application_name() -> str:
    """``regietafel <command> <pid>``: which process a database session belongs to
    (``pg_stat_activity.application_name``), for operators and tests."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), "app")
    return f"regietafel {command} {os.getpid()}"[:63]


def make_engine(
    url: str | URL, *, pool_size: int = 5, statement_timeout_ms: int = 15_000
) -> sa.Engine:
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
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


def make_session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
