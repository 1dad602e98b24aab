"""The SQLAlchemy models and the Alembic migrations describe the same schema: autogenerate,
run against a database migrated to head, finds nothing to do (for both services)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.platform.db.models import Base
from services.platform.db.provision import DatabaseUrls
from services.runtime import Runtime


def _differences(url: Any, metadata: sa.MetaData, version_table: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "version_table": version_table},
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_casework_models_match_the_migrations(runtime: Runtime) -> None:
    assert _differences(runtime.urls.owner, Base.metadata, "alembic_version") == []


def test_analytics_schema_matches_its_migrations(runtime: Runtime, db_urls: DatabaseUrls) -> None:
    from analytics.db.migrate import upgrade
    from analytics.db.schema import metadata

    upgrade(db_urls.analytics_owner, runtime_role=runtime.settings.db_analytics_role)
    assert _differences(db_urls.analytics_owner, metadata, "alembic_version_analytics") == []
