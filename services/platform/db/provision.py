"""From settings to a ready database: locate the server, create roles, migrate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL

from services.platform.config import ConfigurationError, Settings
from services.platform.db import bootstrap, migrate
from services.platform.db.urls import as_psycopg, for_role


@dataclass(frozen=True)
class DatabaseUrls:
    """One URL per role. ``admin`` is only known where roles are created (bootstrap,
    embedded mode and tests); runtime processes in production never hold it."""

    owner: URL
    app: URL
    analytics: URL
    analytics_owner: URL
    admin: URL | None = None

    @classmethod
    def from_admin(cls, admin_url: str | URL, settings: Settings) -> DatabaseUrls:
        """Every role on the admin URL's server, with the configured role passwords (none
        on a trust-authenticated embedded server)."""
        admin = as_psycopg(admin_url)
        return cls(**_role_urls(admin, settings), admin=admin)

    @classmethod
    def from_settings(cls, settings: Settings) -> DatabaseUrls:
        """Production: ``REGIETAFEL_DATABASE_URL`` plus each role's own password."""
        if not settings.database_url:
            raise ConfigurationError("REGIETAFEL_DATABASE_URL is required in production mode")
        server = as_psycopg(settings.database_url)
        if server.username or server.password:
            raise ConfigurationError(
                "REGIETAFEL_DATABASE_URL must not carry credentials: each role has its own "
                "password (REGIETAFEL_DB_APP_PASSWORD, ..._OWNER_..., ..._ANALYTICS_...)"
            )
        return cls(**_role_urls(server, settings))


def _role_urls(server: URL, settings: Settings) -> dict[str, URL]:
    """One URL per role: (role name, database, password) from the settings."""
    roles = {
        "owner": (settings.db_owner_role, settings.database_name, settings.db_owner_password),
        "app": (settings.db_app_role, settings.database_name, settings.db_app_password),
        "analytics": (
            settings.db_analytics_role,
            settings.analytics_database_name,
            settings.db_analytics_password,
        ),
        "analytics_owner": (
            settings.db_analytics_owner_role,
            settings.analytics_database_name,
            settings.db_analytics_owner_password,
        ),
    }
    return {
        name: for_role(server, user=user, database=database, password=password)
        for name, (user, database, password) in roles.items()
    }


ROLE_PASSWORD_VARIABLES = {
    "owner": "REGIETAFEL_DB_OWNER_PASSWORD",
    "app": "REGIETAFEL_DB_APP_PASSWORD",
    "analytics": "REGIETAFEL_DB_ANALYTICS_PASSWORD",
    "analytics_owner": "REGIETAFEL_DB_ANALYTICS_OWNER_PASSWORD",
}


def require_passwords(urls: DatabaseUrls, *roles: str) -> None:
    """Production: refuse to start when a role this process uses has no secret."""
    missing = [ROLE_PASSWORD_VARIABLES[role] for role in roles if not getattr(urls, role).password]
    if missing:
        raise ConfigurationError(
            "production mode requires "
            + ", ".join(missing)
            + " (or the same name with _FILE pointing at a file holding it)"
        )


def provision(admin_url: str | URL, settings: Settings) -> DatabaseUrls:
    """Idempotent: create roles and databases, then migrate the casework schema to head."""
    urls = DatabaseUrls.from_admin(admin_url, settings)
    bootstrap.bootstrap(as_psycopg(admin_url), settings)
    migrate.upgrade(urls.owner)
    return urls
