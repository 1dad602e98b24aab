"""Connection URLs for each role and database.

Two sources: in embedded mode (and CI) every role's URL is derived from one administrative
URL of a trust-authenticated server; in production each role connects to
``REGIETAFEL_DATABASE_URL`` (server address, no credentials) with its own password.
"""

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


def for_role(
    server_url: str | URL, *, user: str, database: str, password: str | None = None
) -> URL:
    """Same server as ``server_url``, another role (with its own password) and database."""
    return as_psycopg(server_url).set(username=user, password=password, database=database)
