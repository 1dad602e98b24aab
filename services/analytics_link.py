"""Where the casework side meets the separate analytics service.

- the analytics database is migrated and opened as its own role (it cannot reach casework
  data: see services/db/bootstrap.py);
- bearer tokens of the casework identity provider authenticate analytics users too;
- the fact export builds pseudonymised batches (services/exports/facts.py) and delivers them
  to the analytics ingestion endpoint with the service token, or — in embedded mode at
  start-up, when the analytics server is not listening yet — stores them in-process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from analytics.app import Principal as AnalyticsPrincipal
from analytics.db.migrate import upgrade as upgrade_analytics
from analytics.facts import store_batch
from analytics.jobs import deliver_batch
from services.config import Settings
from services.db.provision import DatabaseUrls
from services.exports.facts import export_all
from services.identity.directory import AccessRefused
from services.identity.setup import Identity
from services.identity.tokens import TokenError

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def open_analytics_database(urls: DatabaseUrls, settings: Settings) -> sa.Engine:
    """Migrate as the analytics owner role, then connect as the runtime role."""
    upgrade_analytics(urls.analytics_owner, runtime_role=settings.db_analytics_role)
    return sa.create_engine(urls.analytics, pool_size=settings.db_pool_size, pool_pre_ping=True)


def analytics_base_url(settings: Settings) -> str:
    return f"http://{settings.host}:{settings.analytics_port}"


def authenticator(identity: Identity) -> Callable[[str], AnalyticsPrincipal | None]:
    """Casework bearer tokens for the analytics service: the same issuer and directory."""

    def authenticate(token: str) -> AnalyticsPrincipal | None:
        try:
            principal = identity.directory.resolve(identity.verifier.verify(token))
        except (TokenError, AccessRefused):
            return None
        return AnalyticsPrincipal(
            subject=f"{principal.tenant}/{principal.user_id}",
            tenant=principal.tenant if principal.tenant_kind == "gemeente" else None,
            roles=principal.roles,
        )

    return authenticate


def last_complete_quarter(today: dt.date) -> str:
    quarter = (today.month - 1) // 3  # the previous quarter, 0 = last year's Q4
    return f"{today.year - 1}-Q4" if quarter == 0 else f"{today.year}-Q{quarter}"


@dataclass(frozen=True)
class ExportSummary:
    gemeenten: int
    records: int


def export_facts(
    sessions: sa.orm.sessionmaker[sa.orm.Session],
    settings: Settings,
    period: str,
    *,
    analytics_engine: sa.Engine | None = None,
    progress: Progress = _quiet,
) -> ExportSummary:
    """Export every gemeente's facts for ``period``: over HTTP to the analytics service, or
    in-process when ``analytics_engine`` is given (embedded start-up). Idempotent."""
    assert settings.pseudonym_key and settings.service_token, "set by start_runtime"
    results = export_all(sessions, period, settings.pseudonym_key, progress=progress)
    for result in results:
        if analytics_engine is not None:
            store_batch(analytics_engine, result.batch)
        else:
            deliver_batch(
                analytics_base_url(settings),
                settings.service_token,
                result.batch.model_dump(mode="json"),
            )
    return ExportSummary(len(results), sum(len(r.batch.records) for r in results))
