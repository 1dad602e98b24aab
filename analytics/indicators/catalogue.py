"""Indicator catalogue: measures (what OpenDP measures) and indicators (what we publish).

A *measure* is one DP aggregate over the prepared fact frame: a person count (``dp.len``)
or a bounded integer sum of a derived per-person column. An *indicator* is a count, a
proportion (numerator measure / denominator measure) or a mean (bounded sum / count),
computed from noisy measures by post-processing, so it costs no extra budget. Several
indicators share a denominator, which is measured once.

Everything here is declarative; :mod:`analytics.dp` turns it into OpenDP measurements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import polars as pl

from analytics.periods import months_of, quarters_of
from tenants.reference import ORGANISATION_DOMAINS

CATALOGUE_VERSION: Final = "2026.2"


@dataclass(frozen=True)
class Measure:
    id: str
    description: str
    expr: pl.Expr | None  # per-person value (Int64, non-null); None for the person count
    bounds: tuple[int, int]  # of the (centred) per-person value
    weight: float = 1.0  # relative share of a query's ρ
    center: int = 0  # the published sum is  noisy sum + center x noisy count of ``per``
    per: str | None = None  # the count measure the centre is multiplied by

    @property
    def sensitivity(self) -> int:
        """L2 sensitivity of the per-key vector: one person (one row after deduplication)
        changes one key's sum by at most this much."""
        return max(abs(self.bounds[0]), abs(self.bounds[1]))

    @property
    def is_count(self) -> bool:
        """A non-negative count (a person count or a 0/1 flag summed)."""
        return self.bounds[0] >= 0 and self.center == 0


#: The outcomes published at intake and at closure, in one place: (short name used in the
#: measure and indicator ids, the fact contract's flag, the Dutch label). The indicator of
#: e.g. "% werk bij afsluiting" is ``werk-afsluiting``; it divides the measure
#: ``outcome_measure("werk", "closure")`` (= ``werk_closure``, the closed casussen with the
#: contract flag ``outcomes_closure.work_or_dagbesteding``) by ``afgesloten``.
OUTCOMES: Final = (
    ("werk", "work_or_dagbesteding", "Werk of dagbesteding"),
    ("wonen", "stable_housing", "Stabiele huisvesting"),
    ("schulden", "problematic_debts", "Problematische schulden"),
    ("school", "school_or_startkwalificatie", "School of startkwalificatie"),
)
OUTCOME_MOMENTS: Final = ("intake", "closure")
MOMENT_LABELS: Final = {"intake": "intake", "closure": "afsluiting"}


def outcome_measure(short: str, moment: str) -> str:
    """The measure id of an outcome flag at a moment (``werk_closure``)."""
    return f"{short}_{moment}"


def _flag(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False).cast(pl.Int64)


_closed = pl.col("closure_month").is_not_null()


MEASURES: Final[dict[str, Measure]] = {
    m.id: m
    for m in (
        Measure("personen", "Personen in de PGA in de periode", None, (0, 1), 2.0),
        Measure("aanmeldingen", "Aanmeldingen in de periode", _flag(pl.col("_new")), (0, 1)),
        Measure(
            "opgenomen",
            "Aanmeldingen in de periode die zijn opgenomen",
            _flag(pl.col("_new") & pl.col("included")),
            (0, 1),
        ),
        Measure(
            "plannen",
            "Personen met een plan",
            _flag(pl.col("days_aanmelding_to_plan").is_not_null()),
            (0, 1),
        ),
        Measure(
            "plan_binnen_28d",
            "Plan binnen 28 dagen na aanmelding",
            _flag(pl.col("days_aanmelding_to_plan") <= 28),
            (0, 1),
        ),
        Measure(
            # Centred on 90: the bounds (-90, 90) halve the sensitivity, so the same noise
            # costs a quarter of the ρ of the uncentred (0, 180) sum.
            "dagen_tot_plan",
            "Dagen van aanmelding tot plan (afgekapt op 180), min 90",
            pl.when(pl.col("days_aanmelding_to_plan").is_not_null())
            .then(pl.col("days_aanmelding_to_plan").clip(0, 180) - 90)
            .otherwise(0)
            .cast(pl.Int64),
            (-90, 90),
            2.0,
            center=90,
            per="plannen",
        ),
        Measure("afgesloten", "Afgesloten casussen", _flag(_closed), (0, 1), 2.0),
        Measure(
            "afgeschaald",
            "Afgesloten als afgeschaald",
            _flag(pl.col("closure_reason") == "afgeschaald"),
            (0, 1),
        ),
        Measure(
            "zrm_paren", "Personen met ZRM bij intake en later", _flag(pl.col("zrm_pair")), (0, 1)
        ),
        Measure(
            "zrm_verbeterd",
            "Verbeterd op minstens één ZRM-domein",
            _flag(pl.col("zrm_pair") & pl.col("zrm_improved")),
            (0, 1),
        ),
        Measure(
            "zrm_verandering",
            "Som van gemiddelde ZRM-verandering (tienden van een punt)",
            pl.when(pl.col("zrm_pair"))
            .then(pl.col("zrm_change_tenths").fill_null(0).clip(-40, 40))
            .otherwise(0)
            .cast(pl.Int64),
            (-40, 40),
            2.0,
        ),
        *(
            Measure(
                outcome_measure(short, moment),
                f"{label} bij {MOMENT_LABELS[moment]} (afgesloten)",
                _flag(_closed & pl.col(f"{flag}_{moment}")),
                (0, 1),
            )
            for short, flag, label in OUTCOMES
            for moment in OUTCOME_MOMENTS
        ),
        Measure("vrijwillig", "Vrijwillig kader", _flag(pl.col("voluntary")), (0, 1)),
    )
}

IndicatorKind = Literal["count", "proportion", "mean"]
ReleaseKind = Literal["kwartaal", "jaar"]

GEMEENTE_AND_REGION: Final = ("gemeente", "regio-leeftijd")
REGION_ONLY: Final = ("regio-leeftijd",)


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    definition: str
    kind: IndicatorKind
    numerator: str  # measure id (the count itself for kind "count")
    denominator: str | None = None
    unit: str = ""
    divisor: float = 1.0  # for means: numerator sum / divisor / denominator
    source_fields: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = REGION_ONLY
    releases: tuple[ReleaseKind, ...] = ("jaar",)
    headline: bool = False  # published per gemeente: the figures a gemeente looks at first

    @property
    def minimum_period(self) -> str:
        return "kwartaal" if "kwartaal" in self.releases else "jaar"


def _closure_share(short: str, label: str, moment: str, flag: str) -> Indicator:
    at = MOMENT_LABELS[moment]
    return Indicator(
        f"{short}-{at}",
        f"{label} bij {at}",
        f"Deel van de afgesloten casussen met {label.lower()} bij {at}.",
        "proportion",
        outcome_measure(short, moment),
        "afgesloten",
        source_fields=(f"outcomes_{moment}.{flag}",),
    )


#: The published indicators. The two follow-up indicators of catalogue 2026.1
#: (``politie-12m``, ``werk-behouden-12m``) are withdrawn: a quarter's facts are frozen at
#: the end of the quarter, while the follow-up is measured a year after closure, so they were
#: structurally empty while costing budget (docs/analytics-methodology.md).
INDICATORS: Final[tuple[Indicator, ...]] = (
    Indicator(
        "personen",
        "Personen in de PGA",
        "Aantal unieke personen (pseudoniemen) met een casus in de periode.",
        "count",
        "personen",
        unit="personen",
        source_fields=("period", "gemeentecode"),
        breakdowns=GEMEENTE_AND_REGION,
        releases=("kwartaal", "jaar"),
        headline=True,
    ),
    Indicator(
        "aanmeldingen",
        "Aanmeldingen",
        "Aantal personen met een aanmelding in de periode, ook per aanmeldende bron.",
        "count",
        "aanmeldingen",
        unit="aanmeldingen",
        source_fields=("aanmelding_month", "aanmelding_source_domain"),
        breakdowns=("gemeente", "regio-leeftijd", "regio-bron"),
        releases=("kwartaal", "jaar"),
        headline=True,
    ),
    Indicator(
        "inclusiegraad",
        "Inclusiegraad",
        "Deel van de aanmeldingen in de periode dat in de PGA is opgenomen.",
        "proportion",
        "opgenomen",
        "aanmeldingen",
        source_fields=("aanmelding_month", "included"),
        breakdowns=("gemeente", "regio-leeftijd", "regio-bron"),
        releases=("kwartaal", "jaar"),
        headline=True,
    ),
    Indicator(
        "plan-binnen-4-weken",
        "Plan binnen 4 weken",
        "Deel van de personen met een plan "
        "bij wie het plan binnen 28 dagen na aanmelding klaar was.",
        "proportion",
        "plan_binnen_28d",
        "plannen",
        source_fields=("days_aanmelding_to_plan",),
        breakdowns=GEMEENTE_AND_REGION,
        headline=True,
    ),
    Indicator(
        "dagen-tot-plan",
        "Gemiddeld aantal dagen tot plan",
        "Gemiddeld aantal dagen van "
        "aanmelding tot plan van aanpak (per persoon afgekapt op 180 dagen).",
        "mean",
        "dagen_tot_plan",
        "plannen",
        unit="dagen",
        source_fields=("days_aanmelding_to_plan",),
    ),
    Indicator(
        "afgeschaald",
        "Afgesloten als afgeschaald",
        "Deel van de afgesloten casussen dat is "
        "afgesloten als afgeschaald (doelen behaald, warme overdracht).",
        "proportion",
        "afgeschaald",
        "afgesloten",
        source_fields=("closure_reason",),
    ),
    Indicator(
        "zrm-verbeterd",
        "Verbeterd op ZRM",
        "Deel van de personen met een ZRM bij intake "
        "en later dat op minstens één domein vooruitging.",
        "proportion",
        "zrm_verbeterd",
        "zrm_paren",
        source_fields=("zrm_intake", "zrm_closure", "zrm_latest"),
    ),
    Indicator(
        "zrm-verandering",
        "Gemiddelde ZRM-verandering",
        "Gemiddelde verandering per persoon "
        "van de gemiddelde ZRM-score (later min intake; per persoon begrensd op -4..4).",
        "mean",
        "zrm_verandering",
        "zrm_paren",
        unit="punt",
        divisor=10.0,
        source_fields=("zrm_intake", "zrm_closure", "zrm_latest"),
    ),
    *(
        _closure_share(short, label, moment, flag)
        for short, flag, label in OUTCOMES
        for moment in OUTCOME_MOMENTS
    ),
    Indicator(
        "vrijwillig",
        "Vrijwillig kader",
        "Deel van de personen in een vrijwillig kader (tegenover verplicht).",
        "proportion",
        "vrijwillig",
        "personen",
        source_fields=("voluntary",),
    ),
)

_BY_ID: Final = {i.id: i for i in INDICATORS}


def indicator(indicator_id: str) -> Indicator:
    return _BY_ID[indicator_id]


def indicators_for(kind: str) -> tuple[Indicator, ...]:
    """The indicators a release of ``kind`` (kwartaal, jaar) publishes."""
    return tuple(i for i in INDICATORS if kind in i.releases)


@dataclass(frozen=True)
class Breakdown:
    """A grouped DP query: group columns (all with public, known keys) and its measures."""

    id: str
    title: str
    by: tuple[str, ...]
    measures: tuple[str, ...]


#: Source domains outside the public list are grouped as "overig".
SOURCE_KEYS: Final[tuple[str, ...]] = (*ORGANISATION_DOMAINS, "overig", "onbekend")


def _measures_of(breakdown: str) -> tuple[str, ...]:
    chosen: list[str] = []
    for ind in INDICATORS:
        if breakdown in ind.breakdowns:
            for m in (ind.denominator, ind.numerator):
                if m is not None and m not in chosen:
                    chosen.append(m)
    return tuple(m for m in MEASURES if m in chosen)


BREAKDOWNS: Final[dict[str, Breakdown]] = {
    b.id: b
    for b in (
        Breakdown("gemeente", "Per gemeente", ("gemeentecode",), _measures_of("gemeente")),
        Breakdown(
            "regio-leeftijd",
            "Per regio en leeftijdsgroep",
            ("region", "age_band"),
            _measures_of("regio-leeftijd"),
        ),
        Breakdown(
            "regio-bron",
            "Per regio en aanmeldende bron",
            ("region", "bron"),
            _measures_of("regio-bron"),
        ),
    )
}

#: Key columns of the prepared frame.
KEY_COLUMNS: Final = ("gemeentecode", "region", "age_band", "bron")


def deduplicate(facts: pl.LazyFrame) -> pl.LazyFrame:
    """One row per pseudonym (contribution bound 1): the latest quarter, then the latest
    closure, then the lowest gemeentecode. Deterministic and independent of delivery order.

    Fast for a million rows: only the (few) pseudonyms with more than one row are sorted."""
    lf = facts.with_columns(pl.col("pseudonym").is_duplicated().alias("_dup"))
    single = lf.filter(~pl.col("_dup"))
    several = (
        lf.filter(pl.col("_dup"))
        .sort(
            ["pseudonym", "period", "closure_month", "gemeentecode"],
            descending=[False, True, True, False],
            nulls_last=True,
        )
        .unique(subset=["pseudonym"], keep="first", maintain_order=False)
    )
    return pl.concat([single, several]).drop("_dup")


def prepare(facts: pl.DataFrame | pl.LazyFrame, period: str) -> pl.LazyFrame:
    """The facts of a release period (a quarter, or a year = its four quarters), one row per
    pseudonym (contribution bound 1), with each measure's per-person value (``m_<id>``)."""
    months = list(months_of(period))
    lf = facts.lazy().filter(pl.col("period").is_in(list(quarters_of(period))))
    lf = deduplicate(lf)
    lf = lf.with_columns(
        pl.col("aanmelding_month").is_in(months).fill_null(False).alias("_new"),
        pl.when(pl.col("aanmelding_source_domain").is_null())
        .then(pl.lit("onbekend"))
        .when(pl.col("aanmelding_source_domain").is_in(list(ORGANISATION_DOMAINS)))
        .then(pl.col("aanmelding_source_domain"))
        .otherwise(pl.lit("overig"))
        .alias("bron"),
    )
    measure_exprs = [
        m.expr.cast(pl.Int32).alias(f"m_{m.id}") for m in MEASURES.values() if m.expr is not None
    ]
    return lf.select(
        pl.col("gemeentecode").cast(pl.String),
        pl.col("region").cast(pl.String),
        pl.col("age_band").cast(pl.String),
        pl.col("bron").cast(pl.String),
        *measure_exprs,
    )
