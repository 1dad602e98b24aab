"""Fixtures: the analytics database (migrated as the owner role, used as the runtime role)
and a clean slate per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from analytics.db.migrate import upgrade
from services.platform.config import Settings
from services.platform.db.provision import DatabaseUrls

TABLES = (
    "frozen_periods",
    "researcher_queries",
    "releases",
    "reservation_outcomes",
    "budget_ledger",
    "budget_reservations",
    "budget_accounts",
    "facts",
    "fact_batches",
)


@pytest.fixture(scope="session")
def analytics_engine(db_urls: DatabaseUrls, settings: Settings) -> Iterator[sa.Engine]:
    upgrade(db_urls.analytics_owner, runtime_role=settings.db_analytics_role)
    engine = sa.create_engine(db_urls.analytics, pool_size=10, max_overflow=60)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def admin_engine(db_urls: DatabaseUrls) -> Iterator[sa.Engine]:
    """A superuser on the analytics database (to reset between tests only)."""
    engine = sa.create_engine(
        db_urls.admin.set(database=db_urls.analytics.database), isolation_level="AUTOCOMMIT"
    )
    yield engine
    engine.dispose()


@pytest.fixture
def clean_db(analytics_engine: sa.Engine, admin_engine: sa.Engine) -> sa.Engine:
    """Empty all analytics tables (as the admin, bypassing the append-only triggers)."""
    with admin_engine.connect() as conn:
        conn.execute(sa.text("SET session_replication_role = replica"))
        conn.execute(sa.text("; ".join(f"DELETE FROM {t}" for t in TABLES)))
    return analytics_engine
