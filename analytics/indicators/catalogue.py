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

from analytics.contract import period_months
from tenants.reference import ORGANISATION_DOMAINS

CATALOGUE_VERSION: Final = "2026.1"


@dataclass(frozen=True)
class Measure:
    id: str
    description: str
    expr: pl.Expr | None  # per-person value (Int64, non-null); None for the person count
    bounds: tuple[int, int]
    weight: float = 1.0  # relative share of a query's ρ

    @property
    def sensitivity(self) -> int:
        """L-inf = L2 sensitivity per person (contribution bound 1)."""
        return max(abs(self.bounds[0]), abs(self.bounds[1]))


def _flag(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False).cast(pl.Int64)


_closed = pl.col("closure_month").is_not_null()
_followup = _closed & pl.col("new_police_registrations_12m").is_not_null()


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
            "dagen_tot_plan",
            "Dagen van aanmelding tot plan (afgekapt op 180)",
            pl.col("days_aanmelding_to_plan").fill_null(0).clip(0, 180).cast(pl.Int64),
            (0, 180),
            2.0,
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
                f"{short}_{moment}",
                f"{label} bij {'intake' if moment == 'intake' else 'afsluiting'} (afgesloten)",
                _flag(_closed & pl.col(f"{flag}_{moment}")),
                (0, 1),
            )
            for short, flag, label in (
                ("werk", "work_or_dagbesteding", "Werk of dagbesteding"),
                ("wonen", "stable_housing", "Stabiele huisvesting"),
                ("schulden", "problematic_debts", "Problematische schulden"),
                ("school", "school_or_startkwalificatie", "School of startkwalificatie"),
            )
            for moment in ("intake", "closure")
        ),
        Measure("nazorg", "Afgesloten met bekende 12-maandenstatus", _flag(_followup), (0, 1)),
        Measure(
            "politie_12m",
            "Nieuwe politieregistratie binnen 12 maanden na afsluiting",
            _flag(_followup & pl.col("new_police_registrations_12m")),
            (0, 1),
        ),
        Measure(
            "werk_12m",
            "Werk of dagbesteding 12 maanden na afsluiting",
            _flag(_followup & pl.col("work_or_dagbesteding_12m")),
            (0, 1),
        ),
        Measure("vrijwillig", "Vrijwillig kader", _flag(pl.col("voluntary")), (0, 1)),
    )
}

IndicatorKind = Literal["count", "proportion", "mean"]


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
    breakdowns: tuple[str, ...] = ("gemeente", "regio-leeftijd")
    minimum_period: str = "kwartaal"


INDICATORS: Final[tuple[Indicator, ...]] = (
    Indicator(
        "personen",
        "Personen in de PGA",
        "Aantal unieke personen (pseudoniemen) met een casus in de periode.",
        "count",
        "personen",
        unit="personen",
        source_fields=("period", "gemeentecode"),
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
    Indicator(
        "werk-intake",
        "Werk of dagbesteding bij intake",
        "Deel van de afgesloten casussen met werk of dagbesteding bij intake.",
        "proportion",
        "werk_intake",
        "afgesloten",
        source_fields=("outcomes_intake.work_or_dagbesteding",),
    ),
    Indicator(
        "werk-afsluiting",
        "Werk of dagbesteding bij afsluiting",
        "Deel van de afgesloten casussen met werk of dagbesteding bij afsluiting.",
        "proportion",
        "werk_closure",
        "afgesloten",
        source_fields=("outcomes_closure.work_or_dagbesteding",),
    ),
    Indicator(
        "wonen-intake",
        "Stabiele huisvesting bij intake",
        "Deel van de afgesloten casussen met stabiele huisvesting bij intake.",
        "proportion",
        "wonen_intake",
        "afgesloten",
        source_fields=("outcomes_intake.stable_housing",),
    ),
    Indicator(
        "wonen-afsluiting",
        "Stabiele huisvesting bij afsluiting",
        "Deel van de afgesloten casussen met stabiele huisvesting bij afsluiting.",
        "proportion",
        "wonen_closure",
        "afgesloten",
        source_fields=("outcomes_closure.stable_housing",),
    ),
    Indicator(
        "schulden-intake",
        "Problematische schulden bij intake",
        "Deel van de afgesloten casussen met problematische schulden bij intake.",
        "proportion",
        "schulden_intake",
        "afgesloten",
        source_fields=("outcomes_intake.problematic_debts",),
    ),
    Indicator(
        "schulden-afsluiting",
        "Problematische schulden bij afsluiting",
        "Deel van de afgesloten casussen met problematische schulden bij afsluiting.",
        "proportion",
        "schulden_closure",
        "afgesloten",
        source_fields=("outcomes_closure.problematic_debts",),
    ),
    Indicator(
        "school-intake",
        "School of startkwalificatie bij intake",
        "Deel van de afgesloten casussen met school of startkwalificatie bij intake.",
        "proportion",
        "school_intake",
        "afgesloten",
        source_fields=("outcomes_intake.school_or_startkwalificatie",),
    ),
    Indicator(
        "school-afsluiting",
        "School of startkwalificatie bij afsluiting",
        "Deel van de afgesloten casussen met school of startkwalificatie bij afsluiting.",
        "proportion",
        "school_closure",
        "afgesloten",
        source_fields=("outcomes_closure.school_or_startkwalificatie",),
    ),
    Indicator(
        "politie-12m",
        "Nieuwe politieregistratie binnen 12 maanden",
        "Deel van de "
        "afgesloten casussen (met bekende nazorgstatus) met een nieuwe politieregistratie "
        "binnen 12 maanden na afsluiting.",
        "proportion",
        "politie_12m",
        "nazorg",
        source_fields=("outcomes_12m.new_police_registrations_12m",),
    ),
    Indicator(
        "werk-behouden-12m",
        "Werk of dagbesteding na 12 maanden",
        "Deel van de afgesloten "
        "casussen (met bekende nazorgstatus) met werk of dagbesteding 12 maanden na "
        "afsluiting.",
        "proportion",
        "werk_12m",
        "nazorg",
        source_fields=("outcomes_12m.work_or_dagbesteding",),
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


@dataclass(frozen=True)
class Breakdown:
    """A grouped DP query: group columns (all with public, known keys) and its measures."""

    id: str
    title: str
    by: tuple[str, ...]
    measures: tuple[str, ...]


#: Source domains outside the public list are grouped as "overig".
SOURCE_KEYS: Final[tuple[str, ...]] = (*ORGANISATION_DOMAINS, "overig", "onbekend")

BREAKDOWNS: Final[dict[str, Breakdown]] = {
    b.id: b
    for b in (
        Breakdown(
            "gemeente",
            "Per gemeente",
            ("gemeentecode",),
            tuple(MEASURES),
        ),
        Breakdown(
            "regio-leeftijd", "Per regio en leeftijdsgroep", ("region", "age_band"), tuple(MEASURES)
        ),
        Breakdown(
            "regio-bron",
            "Per regio en aanmeldende bron",
            ("region", "bron"),
            ("aanmeldingen", "opgenomen"),
        ),
    )
}

#: Key columns of the prepared frame.
KEY_COLUMNS: Final = ("gemeentecode", "region", "age_band", "bron")


def prepare(facts: pl.DataFrame | pl.LazyFrame, period: str) -> pl.LazyFrame:
    """Deduplicate to one row per pseudonym (contribution bound 1) and derive measures.

    Deduplication keeps, per pseudonym, the row of the latest closure, then the lowest
    gemeentecode: deterministic, and independent of delivery order.
    """
    months = list(period_months(period))
    lf = facts.lazy().filter(pl.col("period") == period)
    lf = lf.sort(
        ["pseudonym", "closure_month", "gemeentecode"],
        descending=[False, True, False],
        nulls_last=True,
    ).unique(subset=["pseudonym"], keep="first", maintain_order=False)
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
