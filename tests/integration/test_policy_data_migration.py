"""Migration 0010 keeps a running platform on the policy data it had: the newest stored
document (what the engine used before) becomes the first activation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from services.platform.db.migrate import CASEWORK
from services.platform.db.provision import DatabaseUrls


@pytest.fixture
def scratch(pg_admin_url: URL, db_urls: DatabaseUrls, worker_suffix: str) -> Iterator[URL]:
    name = f"regietafel_migratie{worker_suffix}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_newest_stored_document_becomes_the_first_activation(scratch: URL) -> None:
    CASEWORK.upgrade(scratch, "0007")
    engine = sa.create_engine(scratch)
    try:
        with engine.begin() as conn:
            for revision, at in (
                ("oud", "2026-01-01"),
                ("nieuw", "2026-02-01"),
                ("ouder", "2025-12-01"),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO policy_data (revision, document, created_at) "
                        "VALUES (:r, '{}'::jsonb, CAST(:at AS timestamptz))"
                    ),
                    {"r": revision, "at": at},
                )
        CASEWORK.upgrade(scratch, "head")
        with engine.begin() as conn:
            rows = conn.execute(sa.text("SELECT seq, revision FROM policy_data_activations")).all()
            assert [r.revision for r in rows] == ["nieuw"]
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                conn.execute(sa.text("DELETE FROM policy_data_activations"))
    finally:
        engine.dispose()
