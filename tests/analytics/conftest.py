"""Fixtures: the analytics database (migrated) and a clean slate per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from analytics.db.migrate import upgrade
from services.db.provision import DatabaseUrls


@pytest.fixture(scope="session")
def analytics_engine(db_urls: DatabaseUrls) -> Iterator[sa.Engine]:
    upgrade(db_urls.analytics)
    engine = sa.create_engine(db_urls.analytics, pool_size=10, max_overflow=60)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_db(analytics_engine: sa.Engine, db_urls: DatabaseUrls) -> sa.Engine:
    """Empty all analytics tables (as the admin role: triggers stop the analytics role)."""
    admin = sa.create_engine(
        db_urls.admin.set(database=db_urls.analytics.database), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text("SET session_replication_role = replica"))
        conn.execute(
            sa.text(
                "DELETE FROM researcher_queries; DELETE FROM releases; DELETE FROM budget_ledger; "
                "DELETE FROM budget_accounts; DELETE FROM facts; DELETE FROM fact_batches"
            )
        )
    admin.dispose()
    return analytics_engine
