"""Schema migrations with Alembic: one tree per database (casework here, analytics in
``analytics/db``), each run programmatically on a connection of the role that owns it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL


@dataclass(frozen=True)
class AlembicTree:
    script_location: Path
    version_table: str = "alembic_version"
    lock_id: int = 7208431  # serialises concurrent upgrades (two processes starting at once)

    def config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(self.script_location))
        cfg.set_main_option("version_table", self.version_table)
        return cfg

    def upgrade(
        self,
        url: str | URL,
        revision: str = "head",
        attributes: Mapping[str, object] | None = None,
    ) -> None:
        """Migrate to ``revision``; ``attributes`` reach the migration scripts (e.g. a role)."""
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": self.lock_id})
                cfg = self.config()
                cfg.attributes.update(attributes or {})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
        finally:
            engine.dispose()

    def status(self, url: str | URL) -> tuple[str | None, str | None]:
        """(current revision in the database, head revision of the code)."""
        head = ScriptDirectory.from_config(self.config()).get_current_head()
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                current = MigrationContext.configure(
                    conn, opts={"version_table": self.version_table}
                ).get_current_revision()
        finally:
            engine.dispose()
        return current, head


CASEWORK = AlembicTree(Path(__file__).resolve().parent / "migrations")


def upgrade(owner_url: str | URL, revision: str = "head") -> None:
    """Migrate the casework database (run as the owner role)."""
    CASEWORK.upgrade(owner_url, revision)


def status(owner_url: str | URL) -> tuple[str | None, str | None]:
    return CASEWORK.status(owner_url)
