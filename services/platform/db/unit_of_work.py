"""The unit of work: one transaction, bound to one tenant by row-level security.

``set_config('pga.tenant_id', :tenant, true)`` is transaction-local, so a pooled connection
never carries a tenant into the next transaction; without it every tenant-owned table
returns no rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

SET_TENANT = sa.text("SELECT set_config('pga.tenant_id', :tenant, true)")


@contextmanager
def tenant_transaction(factory: sessionmaker[Session], tenant_id: str) -> Iterator[Session]:
    """A session in a transaction scoped to ``tenant_id``; commits on success."""
    if not tenant_id:
        raise ValueError("a tenant is required for a tenant transaction")
    with factory() as session, session.begin():
        session.execute(SET_TENANT, {"tenant": tenant_id})
        yield session


@contextmanager
def platform_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction without a tenant: only platform tables (``tenants``) are visible."""
    with factory() as session, session.begin():
        yield session
