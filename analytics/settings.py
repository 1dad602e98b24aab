"""Settings of the analytics service on top of :class:`services.config.Settings`.

Environment variables (prefix ``REGIETAFEL_ANALYTICS_``): ``PERIOD_RHO`` (total zCDP budget
per dataset and period), ``RELEASE_RHO`` (spent by one published release),
``SUPPRESSION_THRESHOLD`` (own-gemeente exact view), ``MAX_QUERY_RHO`` (one researcher
query).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REGIETAFEL_ANALYTICS_", env_file=".env", extra="ignore", frozen=True
    )

    period_rho: float = Field(default=2.0, gt=0, le=10)
    release_rho: float = Field(default=0.5, gt=0, le=10)
    suppression_threshold: int = Field(default=5, ge=1, le=100)
    max_query_rho: float = Field(default=0.2, gt=0, le=10)
    max_batch_records: int = Field(default=200_000, ge=1)
