"""Differentially private releases with OpenDP: aggregate per key first, then OpenDP's
vector Gaussian mechanism, then post-processing.

* **Privacy unit**: a person-year. :func:`analytics.indicators.prepare` keeps one row per
  pseudonym for the release period (a quarter or a year), so a person adds to exactly one
  key of every grouped vector, by at most the measure's bound (``Measure.sensitivity``):
  the L2 sensitivity of each per-key vector is that bound.
* **Mechanism**: per (breakdown, measure) one integer vector over ALL public keys
  (``keys_frame``: gemeentecodes, regions x age bands, regions x sources — never from the
  data, so no δ is spent on keys), released with OpenDP's ``make_gaussian`` on
  ``vector_domain(atom_domain(T=i64))`` / ``l2_distance(T=i64)`` (discrete Gaussian noise).
  Its privacy map at d_in = the sensitivity gives the ρ, checked against the plan; ρ's of
  the measures add up (zCDP composition).
* **Speed**: the million fact rows are reduced to a few hundred per-key sums in polars; only
  those vectors go to OpenDP.
* **Post-processing** (:mod:`analytics.postprocess`, no budget): region totals combine
  every independent estimate (inverse-variance weights from the public noise scales);
  gemeente, region x age and region x source cells are projected onto their region total
  (non-negative for counts), so gemeenten add up to their region and the region to the
  country; proportions and means get Fieller intervals; unreliable gemeente cells are shown
  as their region's value.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import opendp.prelude as dp
import polars as pl

from analytics.contract import AGE_BAND_CODES, Geography
from analytics.indicators.catalogue import (
    BREAKDOWNS,
    MEASURES,
    SOURCE_KEYS,
    Breakdown,
    Indicator,
    indicators_for,
    prepare,
)
from analytics.periods import kind_of
from analytics.postprocess import Vector, fieller_interval, project, projected_variance

dp.enable_features("contrib")

ALPHA: Final = 0.05
Z95: Final = float(dp.gaussian_scale_to_accuracy(1.0, ALPHA))
MIN_DENOMINATOR: Final = 10.0
MAX_PROPORTION_MARGIN: Final = 0.25

#: Derived levels: sums of projected direct cells (post-processing, no budget).
DERIVED_LEVELS: Final = ("regio", "leeftijd", "landelijk")


def epsilon_equivalent(rho: float, delta: float = 1e-6) -> float:
    """(ε, δ)-DP implied by ρ-zCDP (Bun & Steinke 2016): ε = ρ + 2·sqrt(ρ·ln(1/δ))."""
    return rho + 2.0 * math.sqrt(rho * math.log(1.0 / delta))


# --- The plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownPlan:
    """One grouped breakdown: which measures, with which ρ each."""

    breakdown: str
    rho_by_measure: tuple[tuple[str, float], ...]

    @property
    def rho(self) -> float:
        return sum(r for _, r in self.rho_by_measure)

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(m for m, _ in self.rho_by_measure)

    def scale(self, measure_id: str) -> float:
        rho = dict(self.rho_by_measure)[measure_id]
        return MEASURES[measure_id].sensitivity / math.sqrt(2.0 * rho)


@dataclass(frozen=True)
class BudgetPlan:
    """A release's plan: ρ per breakdown, split over its measures by their weights."""

    kind: str
    breakdowns: tuple[BreakdownPlan, ...]

    @property
    def rho(self) -> float:
        return sum(b.rho for b in self.breakdowns)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return indicators_for(self.kind)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
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


DEFAULT_SHARES: Final[dict[str, dict[str, float]]] = {
    "kwartaal": {"gemeente": 0.6, "regio-leeftijd": 0.25, "regio-bron": 0.15},
    "jaar": {"gemeente": 0.6, "regio-leeftijd": 0.3, "regio-bron": 0.1},
}


def measures_for(kind: str, breakdown: str) -> tuple[str, ...]:
    """The measures a release of ``kind`` needs in ``breakdown`` (shared ones once)."""
    needed: set[str] = set()
    for ind in indicators_for(kind):
        if breakdown in ind.breakdowns:
            needed.update(m for m in (ind.numerator, ind.denominator) if m is not None)
    return tuple(m for m in BREAKDOWNS[breakdown].measures if m in needed)


def plan_for(kind: str, rho: float, shares: Mapping[str, float] | None = None) -> BudgetPlan:
    """Split ``rho`` over breakdowns (``shares``) and within each over measure weights."""
    shares = shares or DEFAULT_SHARES[kind]
    used = {b: share for b, share in shares.items() if measures_for(kind, b)}
    total = sum(used.values())
    plans = []
    for breakdown_id, share in used.items():
        chosen = measures_for(kind, breakdown_id)
        weights = {m: MEASURES[m].weight for m in chosen}
        w_total = sum(weights.values())
        rho_b = rho * share / total
        plans.append(
            BreakdownPlan(breakdown_id, tuple((m, rho_b * w / w_total) for m, w in weights.items()))
        )
    return BudgetPlan(kind, tuple(plans))


def release_plan(period: str, quarter_rho: float, year_rho: float) -> BudgetPlan:
    kind = kind_of(period)
    return plan_for(kind, year_rho if kind == "jaar" else quarter_rho)


# --- OpenDP --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def vector_mechanism(scale: float) -> Any:
    """OpenDP's Gaussian mechanism on an integer vector (discrete Gaussian noise)."""
    return dp.m.make_gaussian(
        dp.vector_domain(dp.atom_domain(T=dp.i64)), dp.l2_distance(T=dp.i64), scale=scale
    )


def checked_rho(plan: BreakdownPlan) -> float:
    """ρ of a breakdown by OpenDP's own privacy maps (one per measure vector, added up);
    refuses a plan whose mechanisms would spend more than planned."""
    total = 0.0
    for measure_id, planned in plan.rho_by_measure:
        spent = float(
            vector_mechanism(plan.scale(measure_id)).map(MEASURES[measure_id].sensitivity)
        )
        if spent > planned * (1 + 1e-9):
            raise RuntimeError(f"{measure_id}: mechanism spends ρ={spent}, planned {planned}")
        total += spent
    return total


@functools.lru_cache(maxsize=4096)
def count_margin(scale: float, direct: bool) -> float:
    """95% margin of a count: OpenDP's discrete-Gaussian accuracy for a direct cell,
    its Gaussian accuracy for a post-processed one (a sum or projection of cells)."""
    if scale <= 0:
        return 0.0
    if direct:
        return float(dp.discrete_gaussian_scale_to_accuracy(scale, ALPHA))
    return float(dp.gaussian_scale_to_accuracy(scale, ALPHA))


# --- Aggregation and noise ------------------------------------------------------------------


def keys_frame(breakdown: Breakdown, geography: Geography) -> pl.DataFrame:
    """All public keys of a breakdown (independent of the data)."""
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


@dataclass
class Table:
    """Values and noise variances per key and measure for one level."""

    level: str
    keys: pl.DataFrame
    values: dict[str, Vector]
    variances: dict[str, Vector]
    direct: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def by(self) -> tuple[str, ...]:
        return tuple(self.keys.columns)

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(self.values)


def aggregate(
    prepared: pl.DataFrame, breakdown: Breakdown, keys: pl.DataFrame, measures: Sequence[str]
) -> dict[str, np.ndarray[Any, np.dtype[np.int64]]]:
    """Exact per-key totals (one row per person, values within bounds), aligned to ``keys``."""
    aggs = [
        (pl.len() if MEASURES[m].expr is None else pl.col(f"m_{m}").sum()).cast(pl.Int64).alias(m)
        for m in measures
    ]
    grouped = prepared.group_by(list(breakdown.by)).agg(*aggs)
    full = keys.join(grouped, on=list(breakdown.by), how="left").fill_null(0)
    return {m: full[m].to_numpy().astype(np.int64) for m in measures}


def measure_breakdown(
    prepared: pl.DataFrame, plan: BreakdownPlan, geography: Geography, *, noise: bool = True
) -> Table:
    """One breakdown: aggregate, then (``noise``) OpenDP noise per measure vector."""
    breakdown = BREAKDOWNS[plan.breakdown]
    keys = keys_frame(breakdown, geography)
    exact = aggregate(prepared, breakdown, keys, plan.measures)
    values: dict[str, Vector] = {}
    variances: dict[str, Vector] = {}
    for m in plan.measures:
        if noise:
            scale = plan.scale(m)
            released = vector_mechanism(scale)(exact[m].tolist())
            values[m] = np.asarray(released, dtype=np.float64)
            variances[m] = np.full(len(released), scale**2)
        else:
            values[m] = exact[m].astype(np.float64)
            variances[m] = np.zeros(len(exact[m]))
    return Table(plan.breakdown, keys, values, variances, direct=True)


# --- Post-processing: one consistent hierarchy ----------------------------------------------


def _bincount(
    index: np.ndarray[Any, np.dtype[np.int64]], *, weights: Vector, minlength: int
) -> Vector:
    return np.asarray(np.bincount(index, weights=weights, minlength=minlength), dtype=np.float64)


def _region_index(table: Table, geography: Geography) -> np.ndarray[Any, np.dtype[np.int64]]:
    regions = {r: i for i, r in enumerate(geography.regions)}
    if "region" in table.by:
        return np.array([regions[r] for r in table.keys["region"].to_list()], dtype=np.int64)
    return np.array(
        [regions[geography.region_of(c)] for c in table.keys["gemeentecode"].to_list()],
        dtype=np.int64,
    )


def consistent_tables(direct: Mapping[str, Table], geography: Geography) -> dict[str, Table]:
    """Region totals from every independent estimate; direct cells projected onto them;
    age-band, region and national levels as sums of the projected cells."""
    n_regions = len(geography.regions)
    region_of = {level: _region_index(t, geography) for level, t in direct.items()}
    measures = sorted({m for t in direct.values() for m in t.measures}, key=list(MEASURES).index)
    region_values: dict[str, Vector] = {}
    region_vars: dict[str, Vector] = {}
    for m in measures:
        estimates: list[tuple[Vector, Vector]] = []
        for level, table in direct.items():
            if m in table.measures:
                idx = region_of[level]
                sums = _bincount(idx, weights=table.values[m], minlength=n_regions)
                var = _bincount(idx, weights=table.variances[m], minlength=n_regions)
                estimates.append((sums, var))
        if all((var > 0).all() for _, var in estimates):
            weights = [1.0 / var for _, var in estimates]
            total_w = np.sum(weights, axis=0)
            region_values[m] = (
                np.sum([v * w for (v, _), w in zip(estimates, weights, strict=True)], axis=0)
                / total_w
            )
            region_vars[m] = 1.0 / total_w
        else:  # exact (no noise): every estimate is the truth
            region_values[m], region_vars[m] = estimates[0][0], np.zeros(n_regions)

    out: dict[str, Table] = {}
    for level, table in direct.items():
        idx = region_of[level]
        values: dict[str, Vector] = {}
        variances: dict[str, Vector] = {}
        for m in table.measures:
            v = table.values[m].copy()
            var = table.variances[m].copy()
            for r in range(n_regions):
                cells = np.flatnonzero(idx == r)
                if cells.size == 0:
                    continue
                v[cells] = project(
                    v[cells], float(region_values[m][r]), non_negative=MEASURES[m].is_count
                )
                var[cells] = projected_variance(
                    float(table.variances[m][cells[0]]), cells.size, float(region_vars[m][r])
                )
            values[m], variances[m] = v, var
        out[level] = Table(level, table.keys, values, variances, direct=False)

    region_keys = pl.DataFrame({"region": list(geography.regions)}, schema={"region": pl.String})
    out["regio"] = Table("regio", region_keys, dict(region_values), dict(region_vars))
    out["landelijk"] = Table(
        "landelijk",
        pl.DataFrame(),
        {m: np.array([v.sum()]) for m, v in region_values.items()},
        {m: np.array([v.sum()]) for m, v in region_vars.items()},
    )
    if "regio-leeftijd" in out:
        ra = out["regio-leeftijd"]
        bands = list(AGE_BAND_CODES)
        band_idx = np.array([bands.index(a) for a in ra.keys["age_band"].to_list()], dtype=np.int64)
        out["leeftijd"] = Table(
            "leeftijd",
            pl.DataFrame({"age_band": bands}, schema={"age_band": pl.String}),
            {m: _bincount(band_idx, weights=v, minlength=len(bands)) for m, v in ra.values.items()},
            {
                m: _bincount(band_idx, weights=v, minlength=len(bands))
                for m, v in ra.variances.items()
            },
        )
    return out


# --- Cells ----------------------------------------------------------------------------------


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


def _count_cell(
    ind: Indicator, level: str, key: dict[str, str], value: float, var: float, direct: bool
) -> Cell:
    scale = math.sqrt(var)
    if MEASURES[ind.numerator].is_count and not direct:
        value = max(value, 0.0)
    margin = count_margin(round(scale, 9), direct)
    flags = ("marge-groter-dan-waarde",) if margin > 0 and margin >= abs(value) else ()
    return Cell(
        ind.id,
        level,
        key,
        value,
        margin,
        max(0.0, value - margin),
        value + margin,
        scale,
        None,
        flags,
    )


def _ratio_cell(
    ind: Indicator,
    level: str,
    key: dict[str, str],
    num: float,
    var_num: float,
    den: float,
    var_den: float,
) -> Cell:
    assert ind.denominator is not None
    measure = MEASURES[ind.numerator]
    if ind.kind == "proportion":
        lo, hi, shift, divisor = 0.0, 1.0, 0.0, 1.0
    else:
        divisor = ind.divisor
        shift = float(measure.center)
        lo = (measure.bounds[0] + shift) / divisor
        hi = (measure.bounds[1] + shift) / divisor
    scale = math.sqrt(var_num) / max(abs(den), 1.0)
    if den <= 0:
        return Cell(ind.id, level, key, None, None, None, None, scale, den, ("geen-noemer",))
    estimate = (num / den + shift) / divisor
    value = min(hi, max(lo, estimate))
    flags: list[str] = []
    interval = fieller_interval(num, den, var_num, var_den, Z95)
    if interval is None:
        lower, upper = lo, hi
        flags.append("noemer-te-klein")
    else:
        lower = min(hi, max(lo, (interval[0] + shift) / divisor))
        upper = min(hi, max(lo, (interval[1] + shift) / divisor))
        if den < max(MIN_DENOMINATOR, 5.0 * math.sqrt(var_den)):
            flags.append("noemer-te-klein")
    margin = max(value - lower, upper - value)
    limit = MAX_PROPORTION_MARGIN if ind.kind == "proportion" else 0.25 * (hi - lo)
    if margin > limit:
        flags.append("marge-te-groot")
    if ind.kind == "proportion" and margin > 0 and margin >= value:
        flags.append("marge-groter-dan-waarde")
    se = math.sqrt(var_num + ((num / den) ** 2) * var_den) / den / divisor
    return Cell(ind.id, level, key, value, margin, lower, upper, se, den, tuple(flags))


def cells_from(tables: Mapping[str, Table], indicators: Sequence[Indicator]) -> list[Cell]:
    cells: list[Cell] = []
    for ind in indicators:
        for level, table in tables.items():
            if ind.numerator not in table.measures or (
                ind.denominator is not None and ind.denominator not in table.measures
            ):
                continue
            if level in BREAKDOWNS and level not in ind.breakdowns:
                continue
            if level == "leeftijd" and "regio-leeftijd" not in ind.breakdowns:
                continue
            keys = table.keys.to_dicts() if table.by else [{}]
            num, var_num = table.values[ind.numerator], table.variances[ind.numerator]
            if ind.kind == "count":
                for i, key in enumerate(keys):
                    cells.append(
                        _count_cell(ind, level, key, float(num[i]), float(var_num[i]), table.direct)
                    )
                continue
            assert ind.denominator is not None
            den, var_den = table.values[ind.denominator], table.variances[ind.denominator]
            for i, key in enumerate(keys):
                cells.append(
                    _ratio_cell(
                        ind,
                        level,
                        key,
                        float(num[i]),
                        float(var_num[i]),
                        float(den[i]),
                        float(var_den[i]),
                    )
                )
    return cells


def release_cells(
    prepared: pl.DataFrame, geography: Geography, plan: BudgetPlan, *, noise: bool = True
) -> list[Cell]:
    """Noise once per (breakdown, measure), post-process, derive cells. ``noise=False`` gives
    the exact figures (ground truth for tests)."""
    direct = {
        b.breakdown: measure_breakdown(prepared, b, geography, noise=noise) for b in plan.breakdowns
    }
    return cells_from(consistent_tables(direct, geography), plan.indicators)


def pool_small_gemeenten(cells: list[Cell], geography: Geography) -> list[dict[str, Any]]:
    """Cells as dicts; an unreliable gemeente cell carries its region's cell (``pooled``),
    which the dashboard shows in its place."""
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
    facts: pl.DataFrame | pl.LazyFrame, period: str, geography: Geography, plan: BudgetPlan
) -> list[Cell]:
    """Prepare, measure (draw noise) and derive cells. Budget must be reserved BEFORE."""
    prepared = prepare(facts, period).collect()
    return release_cells(prepared, geography, plan)
