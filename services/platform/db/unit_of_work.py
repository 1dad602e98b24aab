"""The unit of work: one transaction, bound to one tenant by row-level security.

``set_config('pga.tenant_id', :tenant, true)`` is transaction-local, so a pooled connection
never carries a tenant into the next transaction; without it every tenant-owned table
returns no rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

SET_TENANT = sa.text("SELECT set_config('pga.tenant_id', :tenant, true)")

#: The engine's dialect (``postgresql+psycopg``), for :func:`driver_sql`.
_PSYCOPG = sa.engine.URL.create("postgresql+psycopg").get_dialect()()


def driver_sql(statement: sa.TextClause) -> str:
    """``statement`` as psycopg's own SQL (``%(name)s`` parameters), compiled once by
    SQLAlchemy's psycopg dialect: the very text the engine sends for it, for a fixed
    statement on a hot path sent with ``exec_driver_sql`` (no ``text()`` compiled and bound
    per request; issue 14)."""
    return str(statement.compile(dialect=_PSYCOPG))


#: :data:`SET_TENANT` as the driver's SQL, for the statement every tenant transaction begins
#: with (:func:`_set_tenant`).
SET_TENANT_SQL = driver_sql(SET_TENANT)

_TENANT = "regietafel.tenant"


def bind_tenant(session: Session, tenant_id: str) -> None:
    """Bind ``session`` to ``tenant_id``: each transaction of the session sets the tenant on
    its connection the moment it takes one (``after_begin``, below), before the statement
    that made it take the connection. So the tenant is set before any query, also when the
    connection is taken late (a request's workspace opened without I/O, issue 14), and again
    for a fresh transaction after a rollback."""
    if not tenant_id:
        raise ValueError("a tenant is required for a tenant transaction")
    session.info[_TENANT] = tenant_id


@sa.event.listens_for(Session, "after_begin")
def _set_tenant(
    session: Session, transaction: SessionTransaction, connection: sa.Connection
) -> None:
    # One listener on the Session class (a listener per session costs ~25 µs to add); a
    # savepoint shares its transaction's connection, whose tenant is already set.
    # The driver's SQL, not SET_TENANT: no ``text()`` to compile and bind per transaction
    # (~40 µs; issue 14). Still SQLAlchemy's execution: its events see the statement, its
    # errors are translated and a lost connection invalidates the pool as for any other.
    tenant = session.info.get(_TENANT)
    if tenant is not None and not transaction.nested:
        connection.exec_driver_sql(SET_TENANT_SQL, {"tenant": tenant})


@contextmanager
def tenant_transaction(factory: sessionmaker[Session], tenant_id: str) -> Iterator[Session]:
    """A session in a transaction scoped to ``tenant_id``; commits on success. The tenant is
    set the way every tenant session sets it (:func:`bind_tenant`), right away."""
    with factory() as session:
        bind_tenant(session, tenant_id)  # raises without a tenant
        with session.begin():
            session.connection()  # takes the connection: after_begin sets the tenant
            yield session


@contextmanager
def platform_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction without a tenant: only platform tables (``tenants``) are visible."""
    with factory() as session, session.begin():
        yield session
