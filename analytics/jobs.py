"""Dramatiq actors of the analytics tier. The broker is configured by the caller (the lead's
runtime) BEFORE this module is imported; nothing here sets a broker.

Call :func:`configure` once per worker process with an engine factory for the analytics
database (and, optionally, the geography and analytics settings).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dramatiq
import httpx
import sqlalchemy as sa

from analytics.geography import DEMO_GEOGRAPHY, Geography
from analytics.releases import publish_release
from analytics.settings import AnalyticsSettings

_log = logging.getLogger(__name__)

_engine_factory: Callable[[], sa.Engine] | None = None
_geography: Geography = DEMO_GEOGRAPHY
_settings: AnalyticsSettings | None = None


def configure(
    engine_factory: Callable[[], sa.Engine],
    *,
    geography: Geography = DEMO_GEOGRAPHY,
    settings: AnalyticsSettings | None = None,
) -> None:
    global _engine_factory, _geography, _settings
    _engine_factory = engine_factory
    _geography = geography
    _settings = settings


def _engine() -> sa.Engine:
    if _engine_factory is None:
        raise RuntimeError("analytics.jobs.configure(engine_factory) was not called")
    return _engine_factory()


@dramatiq.actor(queue_name="analytics", max_retries=3, time_limit=30 * 60 * 1000)
def publish_release_job(period: str) -> None:
    """Publish (or return the stored) release of ``period``; idempotent, so retries are safe."""
    settings = _settings or AnalyticsSettings()
    release = publish_release(
        _engine(),
        period,
        geography=_geography,
        release_rho=settings.release_rho,
        period_rho=settings.period_rho,
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


@dramatiq.actor(queue_name="analytics-export", max_retries=5)
def deliver_facts_job(base_url: str, service_token: str, batch: dict[str, Any]) -> None:
    """Casework side: deliver one (gemeentecode, period) batch; a rerun replaces it."""
    result = deliver_batch(base_url, service_token, batch)
    _log.info(
        "delivered %s records for %s %s",
        result.get("records"),
        batch.get("gemeentecode"),
        batch.get("period"),
    )
