"""Response bodies of the analytics JSON API (pydantic, like the request bodies).

Numbers are DP estimates (floats); ``key`` names the cell's breakdown (``gemeentecode``,
``region``, ``age_band``, ``bron``). See docs/adr/0022-typed-api-contract.md.
"""

from __future__ import annotations

from typing import Any

from services.platform.http.openapi import Out


class IngestOut(Out):
    gemeentecode: str
    period: str
    records: int
    replaced: bool
    unchanged: bool
    frozen: bool


class IndicatorOut(Out):
    id: str
    title: str
    definition: str
    kind: str
    numerator: str
    denominator: str | None
    unit: str
    source_fields: list[str]
    breakdowns: list[str]
    minimum_period: str


class BreakdownOut(Out):
    title: str
    by: list[str]


class CatalogueOut(Out):
    indicators: list[IndicatorOut]
    breakdowns: dict[str, BreakdownOut]


class ReleaseSummaryOut(Out):
    id: str
    dataset: str
    synthetic: bool
    period: str
    kind: str
    version: int
    rho: float
    epsilon_equivalent: float
    created_at: str


class ReleasesOut(Out):
    releases: list[ReleaseSummaryOut]


class PoolOut(Out):
    total_rho: float
    spent_rho: float
    granted_rho: float | None = None


class PrivacyAccountOut(Out):
    """The cumulative budget of the release's person-year as it stands now."""

    year: str
    dataset: str
    cap_rho: float
    spent_rho: float
    remaining_rho: float
    official: PoolOut
    research: PoolOut
    spent_epsilon_equivalent: float
    cap_epsilon_equivalent: float


class ReleaseOut(Out):
    id: str
    dataset: str
    period: str
    kind: str
    version: int
    rho: float
    epsilon_equivalent: float
    created_at: str
    cells: int
    """The number of cells (read them at ``/cells``)."""
    privacy_account: PrivacyAccountOut | None
    methodology: dict[str, Any]


class PooledOut(Out):
    """The region's figure, shown in place of an unreliable gemeente cell."""

    level: str
    region: str | None
    value: float | None
    margin: float | None
    lower: float | None
    upper: float | None
    flags: list[str]


class CellOut(Out):
    indicator: str
    level: str
    key: dict[str, str]
    value: float | None
    margin: float | None
    lower: float | None
    upper: float | None
    noise_scale: float
    denominator: float | None
    flags: list[str]
    pooled: PooledOut | None = None


class CellsOut(Out):
    release: str
    period: str
    version: int
    cells: list[CellOut]


class QueryEchoOut(Out):
    period: str
    indicators: list[str]
    breakdown: str
    rho: float


class QueryAnswerOut(Out):
    id: str
    request: QueryEchoOut
    rho: float
    epsilon_equivalent: float
    remaining_rho: float
    cells: list[CellOut]


class GrantOut(Out):
    onderzoeker: str
    year: str
    total_rho: float
    remaining_rho: float


class BudgetOut(Out):
    year: str
    total_rho: float
    spent_rho: float
    remaining_rho: float


class OwnCellOut(Out):
    indicator: str
    group: str
    value: float | None
    """None where suppressed (small numbers)."""
    denominator: float | None = None
    suppressed: bool


class OwnFiguresOut(Out):
    gemeentecode: str
    period: str
    threshold: int
    exact: bool
    cells: list[OwnCellOut]
