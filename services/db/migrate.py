"""Schema migrations (one Alembic tree), run as the owner role."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(owner_url: str | URL, revision: str = "head") -> None:
    engine = sa.create_engine(owner_url)
    try:
        with engine.begin() as conn:
            # Serialise concurrent upgrades (two processes starting at once).
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7208431)"))
            cfg = _config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


def status(owner_url: str | URL) -> tuple[str | None, str | None]:
    """(current revision in the database, head revision of the code)."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    engine = sa.create_engine(owner_url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    return current, head
