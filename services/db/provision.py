"""From settings to a ready database: locate the server, create roles, migrate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import URL

from services.config import Settings
from services.db import bootstrap, migrate
from services.db.urls import as_psycopg, for_role


@dataclass(frozen=True)
class DatabaseUrls:
    admin: URL
    owner: URL
    app: URL
    analytics: URL
    analytics_owner: URL

    @classmethod
    def from_admin(cls, admin_url: str | URL, settings: Settings) -> DatabaseUrls:
        admin = as_psycopg(admin_url)
        return cls(
            admin=admin,
            owner=for_role(admin, user=settings.db_owner_role, database=settings.database_name),
            app=for_role(admin, user=settings.db_app_role, database=settings.database_name),
            analytics=for_role(
                admin, user=settings.db_analytics_role, database=settings.analytics_database_name
            ),
            analytics_owner=for_role(
                admin,
                user=settings.db_analytics_owner_role,
                database=settings.analytics_database_name,
            ),
        )


def provision(admin_url: str | URL, settings: Settings) -> DatabaseUrls:
    """Idempotent: create roles and databases, then migrate the casework schema to head."""
    urls = DatabaseUrls.from_admin(admin_url, settings)
    bootstrap.bootstrap(urls.admin, settings)
    migrate.upgrade(urls.owner)
    return urls
