"""Synthetic facts with known ground truth, deterministic by seed.

Used by the simulation test (margins must cover the truth), the benchmark (342 gemeenten,
1,000,000 facts) and the demo release. The generator is vectorised (numpy + polars); small
samples can be turned into contract records (:func:`to_records`) to exercise ingestion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import polars as pl

from analytics.contract import (
    AGE_BAND_CODES,
    DOELGROEPEN,
    FACT_COLUMNS,
    OUTCOME_FLAGS,
    FactRecordV1,
    Geography,
)
from analytics.periods import months_of, quarters_of
from tenants.reference import CLOSURE_REASONS

SOURCE_DOMAINS: tuple[str, ...] = (
    "politie",
    "om",
    "reclassering",
    "sociaal-wijkteam",
    "zorg",
    "onderwijs",
    "wonen",
    "veilig-thuis",
)
_SOURCE_P = (0.34, 0.06, 0.08, 0.22, 0.12, 0.08, 0.05, 0.05)
_AGE_P = (0.15, 0.35, 0.25, 0.25)
_DOELGROEP_P = (0.35, 0.25, 0.2, 0.1, 0.08, 0.02)
_CLOSURE_P = (0.45, 0.12, 0.13, 0.08, 0.12, 0.10)
_ZRM_DOMAINS = ("financien", "huisvesting")


def _pseudonyms(seed: int, n: int) -> list[str]:
    # Synthetic persons have no key; a hash of (seed, index) has the same shape.
    prefix = f"synthetic:{seed}:".encode()
    return [hashlib.sha256(prefix + str(i).encode()).hexdigest() for i in range(n)]


def _months_before(period: str, offsets: np.ndarray) -> list[str]:
    """Months ``offsets`` before the period's first month (negative: within the period)."""
    first = months_of(period)[0]
    year, month = int(first[:4]), int(first[5:])
    base = year * 12 + (month - 1)
    out: list[str] = []
    for off in offsets.tolist():
        total = base - int(off)
        out.append(f"{total // 12}-{total % 12 + 1:02d}")
    return out


def generate(
    n: int,
    geography: Geography,
    period: str = "2026-Q3",
    *,
    seed: int = 0,
    gemeente_weights: Sequence[float] | None = None,
    duplicate_fraction: float = 0.0,
    per_gemeente: tuple[int, int] | None = None,
) -> pl.DataFrame:
    """``n`` fact rows (flat, :data:`FACT_COLUMNS`) plus private ``_zrm_*`` columns.

    ``period`` is a quarter or a year (rows then fall in the year's quarters).
    ``per_gemeente=(lo, hi)``: each gemeente gets between lo and hi persons (``n`` ignored).
    Effects are built in on purpose (e.g. work at closure higher than at intake, housing
    improving), varying by gemeente, so indicators have something to find.
    """
    rng = np.random.default_rng(seed)
    codes = np.array(geography.codes)
    if per_gemeente is not None:
        sizes = rng.integers(per_gemeente[0], per_gemeente[1] + 1, size=len(codes))
        g_idx = np.repeat(np.arange(len(codes)), sizes)
        n = int(sizes.sum())
    else:
        weights = np.asarray(
            gemeente_weights if gemeente_weights is not None else np.ones(len(codes))
        )
        g_idx = rng.choice(len(codes), size=n, p=weights / weights.sum())
    months = months_of(period)
    quarters = quarters_of(period)
    regions = np.array([geography.region_of(c) for c in codes])
    # gemeente effect on outcomes (known, fixed by seed)
    g_effect = rng.normal(0.0, 0.08, size=len(codes))[g_idx]

    age = rng.choice(len(AGE_BAND_CODES), size=n, p=_AGE_P)
    doelgroep = rng.choice(len(DOELGROEPEN), size=n, p=_DOELGROEP_P)
    voluntary = rng.random(n) < 0.7
    casus_groep = rng.random(n) < 0.05

    new_aanmelding = rng.random(n) < 0.45
    aanmelding_offset = np.where(
        new_aanmelding, -rng.integers(0, len(months), n), rng.integers(1, 24, n)
    )
    source = rng.choice(len(SOURCE_DOMAINS), size=n, p=_SOURCE_P)
    included = rng.random(n) < np.clip(0.8 + g_effect, 0.05, 0.99)
    has_plan = included & (rng.random(n) < 0.9)
    days = np.clip(rng.gamma(2.0, 14.0, n).round().astype(np.int64), 0, 400)
    plan_offset = np.maximum(aanmelding_offset - days // 30, -(len(months) - 1))
    closed = included & (rng.random(n) < 0.35)
    reason = rng.choice(len(CLOSURE_REASONS), size=n, p=_CLOSURE_P)
    followup = closed & (rng.random(n) < 0.5)

    # ZRM: two domains at intake and at closure/latest
    zrm_pair = included & (rng.random(n) < 0.75)
    i1 = rng.integers(1, 4, n)
    i2 = rng.integers(1, 4, n)
    c1 = np.clip(i1 + rng.choice([-1, 0, 0, 1, 1, 2], size=n), 1, 5)
    c2 = np.clip(i2 + rng.choice([-1, 0, 0, 0, 1, 1], size=n), 1, 5)

    def flag(p: np.ndarray | float) -> np.ndarray:
        return rng.random(n) < np.clip(p, 0.01, 0.99)

    work_i = flag(0.12 + g_effect)
    work_c = work_i | flag(0.25 + g_effect)
    housing_i = flag(0.45 + g_effect)
    housing_c = housing_i | flag(0.35)
    debts_i = flag(0.55)
    debts_c = debts_i & flag(0.7 - g_effect)

    reasons = list(CLOSURE_REASONS)
    age_codes = list(AGE_BAND_CODES)
    doelgroepen = list(DOELGROEPEN)
    pseudonyms = _pseudonyms(seed, n)

    def masked(values: np.ndarray, mask: np.ndarray) -> list[object]:
        return [v if m else None for v, m in zip(values.tolist(), mask.tolist(), strict=True)]

    change_tenths = 5 * ((c1 - i1) + (c2 - i2))
    data: dict[str, object] = {
        "pseudonym": pseudonyms,
        "gemeentecode": codes[g_idx].tolist(),
        "region": regions[g_idx].tolist(),
        "period": [quarters[i] for i in rng.integers(0, len(quarters), n).tolist()],
        "age_band": [age_codes[i] for i in age.tolist()],
        "casus_kind": np.where(casus_groep, "groep", "persoon").tolist(),
        "doelgroep": [doelgroepen[i] for i in doelgroep.tolist()],
        "voluntary": voluntary.tolist(),
        "aanmelding_month": _months_before(period, aanmelding_offset),
        "plan_month": masked(np.array(_months_before(period, plan_offset)), has_plan),
        "closure_month": masked(
            np.array([months[i] for i in rng.integers(0, len(months), n).tolist()]), closed
        ),
        "days_aanmelding_to_plan": masked(days, has_plan),
        "aanmelding_source_domain": [SOURCE_DOMAINS[i] for i in source.tolist()],
        "included": included.tolist(),
        "closure_reason": masked(np.array([reasons[i] for i in reason.tolist()]), closed),
        "zrm_pair": zrm_pair.tolist(),
        "zrm_improved": masked((c1 > i1) | (c2 > i2), zrm_pair),
        "zrm_change_tenths": masked(change_tenths, zrm_pair),
    }
    known_intake = included
    outcome_sets = {
        "work_or_dagbesteding": (work_i, work_c, work_c & flag(0.8)),
        "school_or_startkwalificatie": (flag(0.2), flag(0.3), flag(0.3)),
        "stable_housing": (housing_i, housing_c, housing_c & flag(0.9)),
        "problematic_debts": (debts_i, debts_c, debts_c),
        "benefit": (flag(0.5), flag(0.45), flag(0.4)),
    }
    for name in OUTCOME_FLAGS:
        at_intake, at_closure, at_12m = outcome_sets[name]
        data[f"{name}_intake"] = masked(at_intake, known_intake)
        data[f"{name}_closure"] = masked(at_closure, closed)
        data[f"{name}_12m"] = masked(at_12m, followup)
    data["new_police_registrations_12m"] = masked(flag(0.35 - g_effect), followup)
    schema = {
        name: {"str": pl.String, "bool": pl.Boolean, "int": pl.Int64}[kind]
        for name, kind in FACT_COLUMNS.items()
    }
    frame = pl.DataFrame(data, schema=schema)
    frame = frame.with_columns(
        pl.Series("_zrm_i1", i1),
        pl.Series("_zrm_i2", i2),
        pl.Series("_zrm_c1", c1),
        pl.Series("_zrm_c2", c2),
    )
    if duplicate_fraction > 0:
        # A person who moved: a second record under the same pseudonym in another gemeente.
        k = int(n * duplicate_fraction)
        dup = frame.head(k).with_columns(
            pl.Series("gemeentecode", codes[rng.choice(len(codes), size=k)].tolist())
        )
        dup = dup.with_columns(
            pl.col("gemeentecode")
            .replace_strict({c: geography.region_of(c) for c in codes.tolist()})
            .alias("region")
        )
        frame = pl.concat([frame, dup])
    return frame


def fact_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Only the contract's flat columns."""
    return frame.select(list(FACT_COLUMNS))


def to_records(frame: pl.DataFrame) -> list[FactRecordV1]:
    """Contract records for a (small) synthetic frame, ZRM scores included."""
    records: list[FactRecordV1] = []
    for row in frame.iter_rows(named=True):
        zrm_intake = zrm_closure = None
        if row["zrm_pair"]:
            zrm_intake = dict(zip(_ZRM_DOMAINS, (row["_zrm_i1"], row["_zrm_i2"]), strict=True))
            zrm_closure = dict(zip(_ZRM_DOMAINS, (row["_zrm_c1"], row["_zrm_c2"]), strict=True))
        records.append(
            FactRecordV1.model_validate(
                {
                    **{
                        k: row[k]
                        for k in (
                            "pseudonym",
                            "gemeentecode",
                            "region",
                            "period",
                            "age_band",
                            "casus_kind",
                            "doelgroep",
                            "voluntary",
                            "aanmelding_month",
                            "plan_month",
                            "closure_month",
                            "days_aanmelding_to_plan",
                            "aanmelding_source_domain",
                            "included",
                            "closure_reason",
                        )
                    },
                    "zrm_intake": zrm_intake,
                    "zrm_closure": zrm_closure,
                    "outcomes_intake": {n: row[f"{n}_intake"] for n in OUTCOME_FLAGS},
                    "outcomes_closure": {n: row[f"{n}_closure"] for n in OUTCOME_FLAGS},
                    "outcomes_12m": {
                        **{n: row[f"{n}_12m"] for n in OUTCOME_FLAGS},
                        "new_police_registrations_12m": row["new_police_registrations_12m"],
                    },
                }
            )
        )
    return records
