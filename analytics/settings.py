"""The analytics part of the settings, taken from
:class:`services.platform.config.Settings` (the one place for configuration). The privacy
unit is a person-year:

* ``REGIETAFEL_ANALYTICS_YEAR_RHO`` (2.0): the cap on everything released about one
  calendar year — every release, version and researcher query is charged to it;
* ``REGIETAFEL_ANALYTICS_RESEARCH_RHO`` (0.5): the part of the cap researchers' grants come
  from; the rest (1.5) is reserved for the official releases;
* ``REGIETAFEL_ANALYTICS_QUARTER_RELEASE_RHO`` (0.1) and ``..._YEAR_RELEASE_RHO`` (0.9):
  one quarterly and one annual release (4 x 0.1 + 0.9 = 1.3 <= 1.5);
* ``REGIETAFEL_ANALYTICS_SUPPRESSION_THRESHOLD`` (own-gemeente exact view),
  ``REGIETAFEL_ANALYTICS_MAX_QUERY_RHO`` (one researcher query) and
  ``REGIETAFEL_ANALYTICS_MAX_BATCH_RECORDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.ledger import YearBudget
from services.platform.config import Settings, get_settings


@dataclass(frozen=True)
class AnalyticsSettings:
    year_rho: float = 2.0
    research_rho: float = 0.5
    quarter_release_rho: float = 0.1
    year_release_rho: float = 0.9
    suppression_threshold: int = 5
    max_query_rho: float = 0.2
    max_batch_records: int = 200_000

    @property
    def budget(self) -> YearBudget:
        return YearBudget(self.year_rho, self.research_rho)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> AnalyticsSettings:
        s = settings or get_settings()
        return cls(
            year_rho=s.analytics_year_rho,
            research_rho=s.analytics_research_rho,
            quarter_release_rho=s.analytics_quarter_release_rho,
            year_release_rho=s.analytics_year_release_rho,
            suppression_threshold=s.analytics_suppression_threshold,
            max_query_rho=s.analytics_max_query_rho,
            max_batch_records=s.analytics_max_batch_records,
        )
