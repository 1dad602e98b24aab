"""Schema migrations of the analytics database (its own Alembic tree and version table)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from services.db.migrate import AlembicTree

ANALYTICS = AlembicTree(
    Path(__file__).resolve().parent / "migrations",
    version_table="alembic_version_analytics",
    lock_id=7208432,
)


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the analytics database to ``revision`` (run as the analytics role)."""
    ANALYTICS.upgrade(url, revision)


def status(url: str | URL) -> tuple[str | None, str | None]:
    """(current revision in the database, head revision of the code)."""
    return ANALYTICS.status(url)
