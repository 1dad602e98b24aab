"""Differentially private computation with OpenDP (Context API, zCDP).

* Privacy unit: one pseudonymous person per release period. :func:`prepare` deduplicates to
  one row per pseudonym, so the contribution bound is 1 (``dp.unit_of(contributions=1)``).
* Each breakdown is ONE grouped query with several aggregates (a ``dp.len`` and bounded
  integer sums), grouped by public keys (``with_keys``): no δ is spent on keys.
* The budget plan fixes ρ per measure; the per-aggregate noise scale follows exactly
  (discrete Gaussian, ρ_m = (Δ_m / σ_m)² / 2). We pass those scales to OpenDP and build
  the measurement with ``global_scale=1`` so no binary-search calibration is needed; the
  measurement's own privacy map is then checked against the planned ρ. Measurements are
  cached per (breakdown, keys, plan) and reused for every release and simulation.
* Every published cell carries its noise scale and a 95% margin. Counts use OpenDP's
  ``discrete_gaussian_scale_to_accuracy``; sums over cells (regional/national pooling) and
  ratios use the Gaussian approximation with OpenDP's ``gaussian_scale_to_accuracy``, the
  ratio's standard error by the delta method with the noise of numerator AND denominator.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import opendp.prelude as dp
import polars as pl
from opendp.extras.polars import Margin, dp_len

from analytics.contract import AGE_BAND_CODES
from analytics.geography import Geography
from analytics.indicators.catalogue import (
    BREAKDOWNS,
    INDICATORS,
    MEASURES,
    SOURCE_KEYS,
    Breakdown,
    Indicator,
    prepare,
)

dp.enable_features("contrib")

ALPHA: Final = 0.05
#: Public upper bound on persons per period (needed by OpenDP for integer sums).
MAX_LENGTH: Final = 10_000_000
Z95: Final = float(dp.gaussian_scale_to_accuracy(1.0, ALPHA))
MIN_DENOMINATOR: Final = 10.0
MAX_PROPORTION_MARGIN: Final = 0.2

#: Levels derived from a direct breakdown by post-processing (summing cells: no budget).
DERIVED_LEVELS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "regio": ("regio-leeftijd", ("region",)),
    "leeftijd": ("regio-leeftijd", ("age_band",)),
    "landelijk": ("regio-leeftijd", ()),
}


def epsilon_equivalent(rho: float, delta: float = 1e-6) -> float:
    """(ε, δ)-DP implied by ρ-zCDP (Bun & Steinke 2016): ε = ρ + 2·sqrt(ρ·ln(1/δ))."""
    return rho + 2.0 * math.sqrt(rho * math.log(1.0 / delta))


@dataclass(frozen=True)
class BreakdownPlan:
    """One grouped query: which measures, with which ρ each."""

    breakdown: str
    rho_by_measure: tuple[tuple[str, float], ...]

    @property
    def rho(self) -> float:
        return sum(r for _, r in self.rho_by_measure)

    def scale(self, measure_id: str) -> float:
        rho = dict(self.rho_by_measure)[measure_id]
        return MEASURES[measure_id].sensitivity / math.sqrt(2.0 * rho)


@dataclass(frozen=True)
class BudgetPlan:
    """The written plan: ρ per breakdown, split over its measures by their weights."""

    breakdowns: tuple[BreakdownPlan, ...]

    @property
    def rho(self) -> float:
        return sum(b.rho for b in self.breakdowns)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rho": self.rho,
            "breakdowns": [
                {
                    "breakdown": b.breakdown,
                    "rho": b.rho,
                    "measures": [
                        {
                            "measure": m,
                            "rho": r,
                            "epsilon_equivalent": epsilon_equivalent(r),
                            "sensitivity": MEASURES[m].sensitivity,
                            "noise_scale": b.scale(m),
                        }
                        for m, r in b.rho_by_measure
                    ],
                }
                for b in self.breakdowns
            ],
        }


def plan_for(
    rho: float,
    shares: Mapping[str, float] | None = None,
    measures: Mapping[str, Sequence[str]] | None = None,
) -> BudgetPlan:
    """Split ``rho`` over breakdowns (``shares``) and within each over measure weights."""
    shares = shares or {"gemeente": 0.5, "regio-leeftijd": 0.35, "regio-bron": 0.15}
    total = sum(shares.values())
    plans = []
    for breakdown_id, share in shares.items():
        chosen = tuple(measures[breakdown_id]) if measures else BREAKDOWNS[breakdown_id].measures
        weights = {m: MEASURES[m].weight for m in chosen}
        w_total = sum(weights.values())
        rho_b = rho * share / total
        plans.append(
            BreakdownPlan(breakdown_id, tuple((m, rho_b * w / w_total) for m, w in weights.items()))
        )
    return BudgetPlan(tuple(plans))


DEFAULT_RELEASE_RHO: Final = 0.5
DEFAULT_PLAN: Final = plan_for(DEFAULT_RELEASE_RHO)


def keys_frame(breakdown: Breakdown, geography: Geography) -> pl.DataFrame:
    """All public keys of a breakdown (independent of the data)."""
    if breakdown.by == ("gemeentecode",):
        return pl.DataFrame(
            {"gemeentecode": list(geography.codes)}, schema={"gemeentecode": pl.String}
        )
    values: dict[str, Sequence[str]] = {
        "region": geography.regions,
        "age_band": AGE_BAND_CODES,
        "bron": SOURCE_KEYS,
        "gemeentecode": geography.codes,
    }
    frame = pl.DataFrame(
        {breakdown.by[0]: list(values[breakdown.by[0]])}, schema={breakdown.by[0]: pl.String}
    )
    for column in breakdown.by[1:]:
        frame = frame.join(
            pl.DataFrame({column: list(values[column])}, schema={column: pl.String}), how="cross"
        )
    return frame


def _columns(plan: BreakdownPlan) -> list[str]:
    """Only the columns a query needs (its keys and its measures): less work per release."""
    summed = [f"m_{m}" for m, _ in plan.rho_by_measure if MEASURES[m].expr is not None]
    return [*BREAKDOWNS[plan.breakdown].by, *summed]


def _template(plan: BreakdownPlan) -> pl.LazyFrame:
    schema: dict[str, Any] = {
        c: (pl.Int32 if c.startswith("m_") else pl.String) for c in _columns(plan)
    }
    return pl.LazyFrame(schema=schema)


@dataclass
class BuiltQuery:
    """A resolved OpenDP measurement for one breakdown plan and key set."""

    plan: BreakdownPlan
    keys: pl.DataFrame
    measurement: Any
    scales: dict[str, float]
    rho_checked: float
    count_margins: dict[str, float] = field(default_factory=dict)

    def release(self, prepared: pl.LazyFrame) -> pl.DataFrame:
        """Draw noise once: noisy value per key and measure (``v_<measure>``)."""
        # Materialise only the needed columns first: OpenDP serialises the whole frame
        # behind a LazyFrame, so a narrow frame is much cheaper to hand over.
        narrow = prepared.select(_columns(self.plan)).collect().lazy()
        released = self.measurement(narrow).collect()
        return self.keys.join(released, on=list(self.keys.columns), how="left")


def _build(plan: BreakdownPlan, keys: pl.DataFrame) -> BuiltQuery:
    breakdown = BREAKDOWNS[plan.breakdown]
    context = dp.Context.compositor(
        data=_template(plan),
        privacy_unit=dp.unit_of(contributions=1),
        privacy_loss=dp.loss_of(rho=plan.rho),
        split_evenly_over=1,
        margins=[Margin(max_length=MAX_LENGTH)],
    )
    scales = {m: plan.scale(m) for m, _ in plan.rho_by_measure}
    aggregates = []
    for measure_id, _ in plan.rho_by_measure:
        measure = MEASURES[measure_id]
        if measure.expr is None:
            aggregates.append(
                dp_len(scale=scales[measure_id], signed=True).alias(f"v_{measure_id}")
            )
        else:
            aggregates.append(
                pl.col(f"m_{measure_id}")
                .dp.sum(measure.bounds, scale=scales[measure_id])  # type: ignore[attr-defined]
                .alias(f"v_{measure_id}")
            )
    query = context.query().group_by(list(breakdown.by)).agg(*aggregates).with_keys(keys.lazy())
    measurement = _resolve_with_planned_scales(query)
    rho = float(measurement.map(1))
    if rho > plan.rho * (1 + 1e-9):
        raise RuntimeError(f"measurement spends ρ={rho}, more than planned {plan.rho}")
    count_margins = {
        m: float(dp.discrete_gaussian_scale_to_accuracy(s, ALPHA)) for m, s in scales.items()
    }
    return BuiltQuery(plan, keys, measurement, scales, rho, count_margins)


def _resolve_with_planned_scales(query: Any) -> Any:
    """Build the measurement with our explicit per-aggregate scales (global scale 1).

    ``LazyFrameQuery.resolve()`` would binary-search a global scale (~1-5 s); our scales
    already meet the plan exactly, so we build the same measurement directly from the
    query's own plan and domain. Falls back to ``resolve()`` if the internals change.
    """
    try:
        plan = object.__getattribute__(query, "polars_plan")
        inner = object.__getattribute__(query, "_query")
        input_domain, input_metric = inner._chain
        return dp.m.make_private_lazyframe(
            input_domain=input_domain,
            input_metric=input_metric,
            output_measure=inner._output_measure,
            lazyframe=plan,
            global_scale=1.0,
        )
    except AttributeError:  # pragma: no cover - depends on OpenDP internals
        return query.resolve()


_CACHE: dict[tuple[BreakdownPlan, tuple[str, ...]], BuiltQuery] = {}
_CACHE_LOCK = threading.Lock()


def built_query(plan: BreakdownPlan, geography: Geography) -> BuiltQuery:
    """Resolve once per (plan, keys) and reuse."""
    keys = keys_frame(BREAKDOWNS[plan.breakdown], geography)
    cache_key = (plan, (*geography.codes, "|", *geography.regions))
    with _CACHE_LOCK:
        cached = _CACHE.get(cache_key)
    if cached is not None:
        return cached
    built = _build(plan, keys)
    with _CACHE_LOCK:
        _CACHE.setdefault(cache_key, built)
    return built


# --- From noisy measures to published cells ------------------------------------------------


@dataclass
class MeasureTable:
    """Values (and noise variance, number of summed direct cells) per key for one level."""

    level: str
    by: tuple[str, ...]
    frame: pl.DataFrame  # key columns + v_<m>, var_<m>
    measures: tuple[str, ...]
    direct: bool
    scales: dict[str, float]
    count_margins: dict[str, float]


def noisy_tables(
    plan: BudgetPlan, geography: Geography, prepared: pl.LazyFrame
) -> dict[str, MeasureTable]:
    """Run every breakdown query once (this is where noise is drawn) and derive levels."""
    tables: dict[str, MeasureTable] = {}
    for bplan in plan.breakdowns:
        built = built_query(bplan, geography)
        noisy = built.release(prepared)
        measures = tuple(m for m, _ in bplan.rho_by_measure)
        noisy = noisy.with_columns(
            *(pl.col(f"v_{m}").cast(pl.Float64) for m in measures),
            *(pl.lit(built.scales[m] ** 2).alias(f"var_{m}") for m in measures),
        )
        tables[bplan.breakdown] = MeasureTable(
            bplan.breakdown,
            BREAKDOWNS[bplan.breakdown].by,
            noisy,
            measures,
            True,
            built.scales,
            built.count_margins,
        )
    for level, (source, by) in DERIVED_LEVELS.items():
        if source in tables:
            tables[level] = _derive(tables[source], level, by)
    if "gemeente" in tables:
        # A second, independent estimate of region and national totals: the sum of the
        # gemeente cells. Combined by inverse-variance weighting (weights depend only on the
        # public noise scales, so this is post-processing and costs no budget).
        gemeenten = tables["gemeente"]
        regions = {code: geography.region_of(code) for code in geography.codes}
        with_region = MeasureTable(
            "gemeente",
            ("gemeentecode",),
            gemeenten.frame.with_columns(
                pl.col("gemeentecode")
                .replace_strict(regions, return_dtype=pl.String)
                .alias("region")
            ),
            gemeenten.measures,
            False,
            {},
            {},
        )
        for level, by in (("regio", ("region",)), ("landelijk", ())):
            if level in tables:
                tables[level] = _combine(tables[level], _derive(with_region, level, by))
    return tables


def _combine(a: MeasureTable, b: MeasureTable) -> MeasureTable:
    """Inverse-variance combination of two independent estimates of the same cells."""
    shared = [m for m in a.measures if m in b.measures]
    right = b.frame.select(
        *a.by, *(pl.col(f"{p}_{m}").alias(f"{p}_{m}__b") for m in shared for p in ("v", "var"))
    )
    frame = a.frame.join(right, on=list(a.by), how="left") if a.by else a.frame.hstack(right)
    exprs: list[pl.Expr] = []
    for m in shared:
        w_a = 1.0 / pl.col(f"var_{m}")
        w_b = 1.0 / pl.col(f"var_{m}__b")
        exprs.append(
            ((pl.col(f"v_{m}") * w_a + pl.col(f"v_{m}__b") * w_b) / (w_a + w_b)).alias(f"v_{m}")
        )
        exprs.append((1.0 / (w_a + w_b)).alias(f"var_{m}"))
    frame = frame.with_columns(*exprs).drop([c for c in frame.columns if c.endswith("__b")])
    return MeasureTable(a.level, a.by, frame, a.measures, False, {}, {})


def _derive(table: MeasureTable, level: str, by: tuple[str, ...]) -> MeasureTable:
    aggs = [pl.col(f"v_{m}").sum() for m in table.measures] + [
        pl.col(f"var_{m}").sum() for m in table.measures
    ]
    frame = table.frame.group_by(list(by)).agg(*aggs) if by else table.frame.select(*aggs)
    return MeasureTable(level, by, frame, table.measures, False, {}, {})


def exact_tables(
    prepared: pl.LazyFrame, geography: Geography, breakdowns: Sequence[str]
) -> dict[str, MeasureTable]:
    """The same tables without noise (ground truth for tests; own-gemeente exact view)."""
    tables: dict[str, MeasureTable] = {}
    frame = prepared.collect()
    for breakdown_id in breakdowns:
        breakdown = BREAKDOWNS[breakdown_id]
        measures = breakdown.measures
        aggs = [
            (pl.len() if MEASURES[m].expr is None else pl.col(f"m_{m}").sum())
            .cast(pl.Float64)
            .alias(f"v_{m}")
            for m in measures
        ]
        grouped = frame.group_by(list(breakdown.by)).agg(*aggs)
        keys = keys_frame(breakdown, geography)
        full = keys.join(grouped, on=list(breakdown.by), how="left").fill_null(0.0)
        full = full.with_columns(*(pl.lit(0.0).alias(f"var_{m}") for m in measures))
        tables[breakdown_id] = MeasureTable(
            breakdown_id, breakdown.by, full, measures, False, {}, {}
        )
    for level, (source, by) in DERIVED_LEVELS.items():
        if source in tables:
            tables[level] = _derive(tables[source], level, by)
    return tables


@dataclass(frozen=True)
class Cell:
    indicator: str
    level: str
    key: dict[str, str]
    value: float | None
    margin: float | None
    lower: float | None
    upper: float | None
    noise_scale: float
    denominator: float | None
    flags: tuple[str, ...]

    @property
    def reliable(self) -> bool:
        return not self.flags

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "level": self.level,
            "key": self.key,
            "value": self.value,
            "margin": self.margin,
            "lower": self.lower,
            "upper": self.upper,
            "noise_scale": self.noise_scale,
            "denominator": self.denominator,
            "flags": list(self.flags),
        }


def _count_cell(ind: Indicator, table: MeasureTable, row: dict[str, Any]) -> Cell:
    value = float(row[f"v_{ind.numerator}"])
    var = float(row[f"var_{ind.numerator}"])
    scale = math.sqrt(var)
    if table.direct:
        margin = table.count_margins[ind.numerator]
    else:
        margin = float(dp.gaussian_scale_to_accuracy(scale, ALPHA)) if scale > 0 else 0.0
    flags = ("marge-groter-dan-waarde",) if margin > 0 and margin >= abs(value) else ()
    return Cell(
        ind.id,
        table.level,
        {k: row[k] for k in table.by},
        value,
        margin,
        max(0.0, value - margin),
        value + margin,
        scale,
        None,
        flags,
    )


def _ratio_cell(ind: Indicator, table: MeasureTable, row: dict[str, Any]) -> Cell:
    assert ind.denominator is not None
    num = float(row[f"v_{ind.numerator}"]) / ind.divisor
    var_num = float(row[f"var_{ind.numerator}"]) / ind.divisor**2
    den = float(row[f"v_{ind.denominator}"])
    var_den = float(row[f"var_{ind.denominator}"])
    key = {k: row[k] for k in table.by}
    if den <= 0:
        return Cell(
            ind.id,
            table.level,
            key,
            None,
            None,
            None,
            None,
            math.sqrt(var_num),
            den,
            ("geen-noemer",),
        )
    lo_b, hi_b = MEASURES[ind.numerator].bounds
    lo, hi = (0.0, 1.0) if ind.kind == "proportion" else (lo_b / ind.divisor, hi_b / ind.divisor)
    estimate = num / den
    se = math.sqrt(var_num + estimate**2 * var_den) / den
    margin = Z95 * se
    flags: list[str] = []
    if den < max(MIN_DENOMINATOR, 5.0 * math.sqrt(var_den)):
        flags.append("noemer-te-klein")
    limit = MAX_PROPORTION_MARGIN if ind.kind == "proportion" else 0.25 * (hi - lo)
    if margin > limit:
        flags.append("marge-te-groot")
    value = min(hi, max(lo, estimate))
    return Cell(
        ind.id,
        table.level,
        key,
        value,
        margin,
        max(lo, estimate - margin),
        min(hi, estimate + margin),
        se,
        den,
        tuple(flags),
    )


def cells_from(
    tables: Mapping[str, MeasureTable], indicators: Sequence[Indicator] = INDICATORS
) -> list[Cell]:
    cells: list[Cell] = []
    for ind in indicators:
        for level, table in tables.items():
            source = DERIVED_LEVELS[level][0] if level in DERIVED_LEVELS else level
            if source not in ind.breakdowns:
                continue
            if ind.numerator not in table.measures or (
                ind.denominator is not None and ind.denominator not in table.measures
            ):
                continue
            for row in table.frame.iter_rows(named=True):
                if ind.kind == "count":
                    cells.append(_count_cell(ind, table, row))
                else:
                    cells.append(_ratio_cell(ind, table, row))
    return cells


def pool_small_gemeenten(cells: list[Cell], geography: Geography) -> list[dict[str, Any]]:
    """Cells as dicts; an unreliable gemeente cell points at its region's cell."""
    regional = {(c.indicator, c.key.get("region")): c for c in cells if c.level == "regio"}
    out: list[dict[str, Any]] = []
    for cell in cells:
        item = cell.as_dict()
        if cell.level == "gemeente" and cell.flags:
            region = geography.region_of(cell.key["gemeentecode"])
            pooled = regional.get((cell.indicator, region))
            if pooled is not None:
                item["pooled"] = {
                    "level": "regio",
                    "region": region,
                    "value": pooled.value,
                    "margin": pooled.margin,
                    "lower": pooled.lower,
                    "upper": pooled.upper,
                    "flags": list(pooled.flags),
                }
        out.append(item)
    return out


def compute(
    facts: pl.DataFrame | pl.LazyFrame,
    period: str,
    geography: Geography,
    plan: BudgetPlan = DEFAULT_PLAN,
    indicators: Sequence[Indicator] = INDICATORS,
) -> list[Cell]:
    """Prepare, measure (draw noise) and derive cells. Budget must be reserved BEFORE."""
    prepared = prepare(facts, period).collect().lazy()
    return cells_from(noisy_tables(plan, geography, prepared), indicators)
