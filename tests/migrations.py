"""Migrating a test database up or down (the migration tests of issue 14): upgrades go
through the project's own :meth:`AlembicTree.upgrade` (services.platform.db.migrate), a
downgrade through Alembic's ``command.downgrade`` on the same tree; and a scratch database to
migrate from nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import URL

from services.platform.db.migrate import CASEWORK

#: A tenant row for a scratch database (``GM0001``), for the rows a migration test writes.
SCRATCH_TENANT = sa.text(
    "INSERT INTO tenants (code, name, kind, region, status, manifest, manifest_sha256, settings)"
    " VALUES ('GM0001', 'Proef', 'gemeente', 'proef', 'actief', '{}', '', '{}')"
)


def migrate(url: str | URL, revision: str, *, down: bool = False) -> None:
    """The casework database at ``url`` to ``revision``: up, or down when ``down``."""
    if not down:
        CASEWORK.upgrade(url, revision)
        return
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            cfg = CASEWORK.config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


@contextmanager
def scratch_database(admin_url: URL, name: str) -> Iterator[URL]:
    """An empty database ``name`` (made anew; dropped afterwards), as a URL of ``admin_url``."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
