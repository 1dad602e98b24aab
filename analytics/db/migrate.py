"""Schema migrations of the analytics database (its own Alembic tree and version table).

Migrations run as the analytics OWNER role; the runtime role (``runtime_role``) is only
granted what it needs (migration a0002)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from services.platform.db.migrate import AlembicTree

ANALYTICS = AlembicTree(
    Path(__file__).resolve().parent / "migrations",
    version_table="alembic_version_analytics",
    lock_id=7208432,
)


def upgrade(
    owner_url: str | URL, revision: str = "head", *, runtime_role: str = "regietafel_analytics"
) -> None:
    """Migrate the analytics database to ``revision`` (run as the analytics owner role)."""
    ANALYTICS.upgrade(owner_url, revision, attributes={"runtime_role": runtime_role})


def status(url: str | URL) -> tuple[str | None, str | None]:
    """(current revision in the database, head revision of the code)."""
    return ANALYTICS.status(url)
