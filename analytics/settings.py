"""The analytics part of the settings, taken from :class:`services.config.Settings` (the one
place for configuration): ``REGIETAFEL_ANALYTICS_PERIOD_RHO`` (total zCDP budget per dataset
and period), ``REGIETAFEL_ANALYTICS_RELEASE_RHO`` (spent by one published release),
``REGIETAFEL_ANALYTICS_SUPPRESSION_THRESHOLD`` (own-gemeente exact view),
``REGIETAFEL_ANALYTICS_MAX_QUERY_RHO`` (one researcher query) and
``REGIETAFEL_ANALYTICS_MAX_BATCH_RECORDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.config import Settings, get_settings


@dataclass(frozen=True)
class AnalyticsSettings:
    period_rho: float = 2.0
    release_rho: float = 0.5
    suppression_threshold: int = 5
    max_query_rho: float = 0.2
    max_batch_records: int = 200_000

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AnalyticsSettings:
        s = settings or get_settings()
        return cls(
            period_rho=s.analytics_period_rho,
            release_rho=s.analytics_release_rho,
            suppression_threshold=s.analytics_suppression_threshold,
            max_query_rho=s.analytics_max_query_rho,
            max_batch_records=s.analytics_max_batch_records,
        )
