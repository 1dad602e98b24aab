"""Shared fixtures: a real PostgreSQL server for the whole run.

With ``DATABASE_URL`` set (a superuser URL, as in CI) the suite uses that server; otherwise
it starts a throwaway embedded PostgreSQL in a temporary directory. Each pytest-xdist worker
gets its own databases, so workers never see each other's rows.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from services.config import Settings, load_settings
from services.db.provision import DatabaseUrls, provision
from services.db.urls import as_psycopg


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[URL]:
    """A superuser URL for a real PostgreSQL server (DATABASE_URL or embedded)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield as_psycopg(configured)
        return
    from services.embedded.postgres import EmbeddedPostgres

    base = Path(tempfile.mkdtemp(prefix="regietafel-test-"))
    server = EmbeddedPostgres(base / "pgdata", delete_on_stop=True)
    try:
        yield server.admin_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def worker_suffix(worker_id: str) -> str:
    return "" if worker_id == "master" else f"_{worker_id}"


@pytest.fixture(scope="session")
def settings(worker_suffix: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for tests: per-worker database names, generated secrets, stub broker."""
    return load_settings(
        mode="embedded",
        data_dir=tmp_path_factory.mktemp("data"),
        database_name=f"regietafel_test{worker_suffix}",
        analytics_database_name=f"regietafel_analytics_test{worker_suffix}",
        secret_key="test-secret-key-" + "x" * 32,
        pseudonym_key="test-pseudonym-key-" + "y" * 32,
        service_token="test-service-token-" + "z" * 32,
        broker_url="stub",
        log_json=False,
    )


@pytest.fixture(scope="session")
def db_urls(pg_admin_url: URL, settings: Settings) -> DatabaseUrls:
    """Roles and databases created and migrated once per worker."""
    import sqlalchemy as sa

    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in (settings.database_name, settings.analytics_database_name):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return provision(pg_admin_url, settings)
