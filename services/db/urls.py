"""Deriving connection URLs for each role and database from one administrative URL."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url


def as_psycopg(url: str | URL) -> URL:
    """Accept ``postgresql://`` or ``postgres://`` and return the SQLAlchemy psycopg 3 form."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}")
    return parsed


def for_role(admin_url: str | URL, *, user: str, database: str) -> URL:
    """Same server as ``admin_url``, another role and database.

    Roles are created without passwords: embedded mode and CI use trust authentication on
    a local socket; production supplies per-role URLs with credentials instead.
    """
    return as_psycopg(admin_url).set(username=user, password=None, database=database)
