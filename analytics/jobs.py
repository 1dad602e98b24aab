"""Dramatiq actors of the analytics tier, declared against an explicit broker (the same
pattern as services/workers/actors.py), so the embedded stub broker, RabbitMQ and Redis
share one code path and nothing binds to a global broker at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dramatiq
import httpx
import sqlalchemy as sa

from analytics.contract import Geography
from analytics.ledger import BudgetExhausted
from analytics.releases import NoFacts, publish_release
from analytics.settings import AnalyticsSettings

_log = logging.getLogger(__name__)


def run_release(
    engine: sa.Engine, geography: Geography, settings: AnalyticsSettings, period: str
) -> None:
    """Publish (or return the stored) release of ``period``; idempotent, and a retry reuses
    the reservation of the failed attempt (no second charge)."""
    release = publish_release(
        engine,
        period,
        geography=geography,
        budget=settings.budget,
        quarter_rho=settings.quarter_release_rho,
        year_rho=settings.year_release_rho,
        progress=_log.info,
    )
    _log.info(
        "release %s v%s (%s)",
        release.period,
        release.version,
        "reused" if release.reused else "new",
    )


def deliver_batch(
    base_url: str, service_token: str, batch: dict[str, Any], *, timeout: float = 30.0
) -> dict[str, Any]:
    """POST one fact batch to the analytics ingestion endpoint (service-to-service)."""
    response = httpx.post(
        base_url.rstrip("/") + "/api/v1/ingest/facts",
        json=batch,
        timeout=timeout,
        headers={"Authorization": f"Bearer {service_token}"},
    )
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


@dataclass
class AnalyticsActors:
    publish_release: dramatiq.Actor[[str], None]


def register_analytics_actors(
    broker: dramatiq.Broker,
    engine_factory: Callable[[], sa.Engine],
    geography_factory: Callable[[], Geography],
    settings: AnalyticsSettings,
    *,
    min_backoff_ms: int = 15_000,
) -> AnalyticsActors:
    def publish_release_job(period: str) -> None:
        run_release(engine_factory(), geography_factory(), settings, period)

    def retry_when(retries: int, error: Exception) -> bool:
        # A refused budget or a period without facts will not change by retrying.
        return retries < 3 and not isinstance(error, BudgetExhausted | NoFacts)

    return AnalyticsActors(
        publish_release=dramatiq.actor(
            actor_name="analytics_publish_release",
            queue_name="analytics",
            broker=broker,
            retry_when=retry_when,
            min_backoff=min_backoff_ms,
            time_limit=30 * 60 * 1000,
        )(publish_release_job),
    )
