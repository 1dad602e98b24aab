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
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import sqlalchemy as sa

from analytics.app import Principal as AnalyticsPrincipal
from analytics.contract import Geography
from analytics.db.migrate import upgrade as upgrade_analytics
from analytics.facts import store_batch
from analytics.jobs import deliver_batch
from services.exports.facts import export_all
from services.platform.config import Settings
from services.platform.db.provision import DatabaseUrls
from services.platform.identity.directory import AccessRefused
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import TokenError

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def open_analytics_database(urls: DatabaseUrls, settings: Settings) -> sa.Engine:
    """Migrate as the analytics owner role, then connect as the runtime role."""
    upgrade_analytics(urls.analytics_owner, runtime_role=settings.db_analytics_role)
    return sa.create_engine(
        urls.analytics, pool_size=settings.db_pool_size, pool_pre_ping=True, hide_parameters=True
    )


def analytics_base_url(settings: Settings) -> str:
    return (settings.analytics_url or f"http://{settings.host}:{settings.analytics_port}").rstrip(
        "/"
    )


def casework_base_url(settings: Settings) -> str:
    return (settings.casework_url or f"http://{settings.host}:{settings.port}").rstrip("/")


class RemoteAuthenticator:
    """The analytics service as its own process: a user's bearer token is checked by the
    casework service (``GET /api/v1/mij``), which knows the user, tenant and roles. The
    analytics process holds no casework database credentials. Answers are cached briefly
    per token (a hash of it) so a page of requests costs one check."""

    def __init__(self, casework_url: str, *, ttl_seconds: float = 30, timeout: float = 5) -> None:
        self._url = casework_url.rstrip("/") + "/api/v1/mij"
        self._ttl = ttl_seconds
        self._http = httpx.Client(timeout=timeout)
        self._cache: dict[str, tuple[float, AnalyticsPrincipal | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, token: str) -> AnalyticsPrincipal | None:
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        try:
            response = self._http.get(self._url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError:
            raise _casework_unavailable() from None
        if response.status_code in (401, 403):
            principal = None
        else:
            if response.status_code != 200:  # casework failing: unavailable, not "refused"
                raise _casework_unavailable()
            me = response.json()
            principal = AnalyticsPrincipal(
                subject=f"{me['tenant']}/{me['gebruiker']}",
                tenant=me["tenant"] if me.get("tenant_soort") == "gemeente" else None,
                roles=frozenset(me["rollen"]),
            )
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now + self._ttl, principal)
        return principal

    def close(self) -> None:
        self._http.close()


def _casework_unavailable() -> Exception:
    from services.platform.http.problems import standard_problem

    return standard_problem(
        503,
        code="casusdienst-niet-beschikbaar",
        detail="Uw inlog kan nu niet worden gecontroleerd; probeer het zo opnieuw.",
        detail_en="The casework service cannot check your login right now.",
        headers={"Retry-After": "5"},
    )


def fetch_geography(settings: Settings, *, progress: Progress = _quiet) -> Geography:
    """The public gemeente list from the casework service (service token), waiting for the
    casework service to come up (progress is reported on every attempt)."""
    assert settings.service_token
    url = casework_base_url(settings) + "/api/v1/dienst/geografie"
    headers = {"Authorization": f"Bearer {settings.service_token}"}
    attempt = 0
    while True:
        attempt += 1
        try:
            response = httpx.get(url, headers=headers, timeout=10)
            response.raise_for_status()
            items = response.json()["gemeenten"]
            return Geography.of((g["code"], g["naam"], g["regio"]) for g in items)
        except (httpx.HTTPError, KeyError, ValueError) as error:
            reason = type(error).__name__
            progress(f"  casusdienst nog niet bereikbaar ({reason}), poging {attempt}")
            time.sleep(min(30.0, float(attempt)))


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
