"""Researchers' ad-hoc queries and a gemeente's own exact view."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa

from analytics import dp as dpmod
from analytics.contract import AGE_BAND_CODES, FACT_COLUMNS, Geography
from analytics.db.schema import facts as facts_table
from analytics.db.schema import researcher_queries
from analytics.facts import load_facts
from analytics.indicators.catalogue import (
    BREAKDOWNS,
    INDICATORS,
    MEASURES,
    Indicator,
    indicator,
    prepare,
)
from analytics.ledger import (
    DATASET,
    YearBudget,
    balance,
    holding,
    open_year,
    recover_orphans,
    researcher_account,
    reserve,
)
from analytics.periods import check_release_period, quarters_of, year_of


class QueryRejected(ValueError):
    """The query is not allowed by the catalogue or the limits."""


@dataclass(frozen=True)
class AdHocQuery:
    period: str  # a quarter or a year
    indicators: tuple[str, ...]
    breakdown: str
    rho: float


def plan_for_query(query: AdHocQuery) -> dpmod.BreakdownPlan:
    known = {i.id for i in INDICATORS}
    unknown = [i for i in query.indicators if i not in known]
    if unknown:
        raise QueryRejected(f"onbekende indicator(en): {', '.join(unknown)}")
    if query.breakdown not in BREAKDOWNS:
        raise QueryRejected(f"onbekende uitsplitsing: {query.breakdown}")
    measures: list[str] = []
    for ind_id in query.indicators:
        ind = indicator(ind_id)
        if query.breakdown not in BREAKDOWNS or not _measurable(ind, query.breakdown):
            raise QueryRejected(f"{ind_id} is niet beschikbaar per {query.breakdown}")
        for m in (ind.numerator, ind.denominator):
            if m is not None and m not in measures:
                measures.append(m)
    weights = {m: MEASURES[m].weight for m in measures}
    total = sum(weights.values())
    return dpmod.BreakdownPlan(
        query.breakdown, tuple((m, query.rho * w / total) for m, w in weights.items())
    )


def _measurable(ind: Indicator, breakdown: str) -> bool:
    """Researchers may ask any indicator per gemeente or per region x age band; per source
    only what has a source (aanmeldingen, inclusie)."""
    if breakdown == "regio-bron":
        return "regio-bron" in ind.breakdowns
    return True


def run_query(
    engine: sa.Engine,
    principal: str,
    query: AdHocQuery,
    geography: Geography,
    *,
    budget: YearBudget,
    max_query_rho: float,
    dataset: str = DATASET,
) -> dict[str, Any]:
    """Spend ``query.rho`` from the researcher's grant, the research pool and the year's
    cap, then answer. The reservation commits before any noise is drawn; refusal raises
    BudgetExhausted; storing the answer completes the reservation."""
    if not 0 < query.rho <= max_query_rho:
        raise QueryRejected(f"ρ moet tussen 0 en {max_query_rho:g} liggen")
    try:
        check_release_period(query.period)
    except ValueError as error:
        raise QueryRejected(str(error)) from None
    plan = plan_for_query(query)
    request_id = str(uuid.uuid4())
    key = request_id.replace("-", "")
    with engine.begin() as conn:
        open_year(conn, year_of(query.period), budget, dataset)
    recover_orphans(engine, "query", dataset=dataset)
    own_account = researcher_account(principal, year_of(query.period), dataset)
    with holding(engine, key):
        reservation = reserve(
            engine,
            request_key=key,
            purpose="query",
            period=query.period,
            rho=plan.rho,
            principal=principal,
            dataset=dataset,
        )
        with engine.connect() as conn:
            facts = load_facts(conn, quarters_of(query.period), dataset)
        prepared = prepare(facts, query.period).collect()
        table = dpmod.measure_breakdown(prepared, plan, geography)
        cells = [
            c.as_dict()
            for c in dpmod.cells_from(
                {query.breakdown: table}, [indicator(i) for i in query.indicators]
            )
        ]
        request = {
            "period": query.period,
            "indicators": list(query.indicators),
            "breakdown": query.breakdown,
            "rho": query.rho,
        }
        with engine.begin() as conn:
            conn.execute(
                researcher_queries.insert().values(
                    id=request_id,
                    principal=principal,
                    dataset=dataset,
                    period=query.period,
                    request=request,
                    rho=plan.rho,
                    cells=cells,
                    reservation_id=reservation.id,
                )
            )
            remaining = balance(conn, own_account).remaining
    return {
        "id": request_id,
        "request": request,
        "rho": plan.rho,
        "epsilon_equivalent": dpmod.epsilon_equivalent(plan.rho),
        "remaining_rho": remaining,
        "cells": cells,
    }


def list_queries(conn: sa.Connection, principal: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(researcher_queries)
        .where(researcher_queries.c.principal == principal)
        .order_by(researcher_queries.c.created_at.desc())
    ).all()
    return [
        {
            "id": str(r.id),
            "period": r.period,
            "request": r.request,
            "rho": r.rho,
            "cells": r.cells,
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]


# --- Own-gemeente exact view -----------------------------------------------------------------

TOTAL = "totaal"
GROUPS = (TOTAL, *AGE_BAND_CODES)


def _measure_of_sum(measure_id: str) -> str | None:
    """The count a bounded sum is shown per (its mean's denominator)."""
    for ind in INDICATORS:
        if ind.kind == "mean" and ind.numerator == measure_id:
            return ind.denominator
    return None


def suppression_pattern(
    values: Mapping[str, Mapping[str, float]], indicators: Sequence[Indicator], threshold: int
) -> dict[str, dict[str, bool]]:
    """Which (measure, group) values may be shown, so that no suppressed value can be
    recovered from what is shown.

    Primary: a count below the threshold, and the numerator of a proportion whose
    complement (denominator minus numerator) is below it. Complementary: in every relation
    total = sum of the age bands, a suppressed band never stands alone, and the suppressed
    bands together hold at least ``threshold`` persons; otherwise the next smallest band
    (or the total) is suppressed too. A bounded sum is shown where its count is shown.
    Everything shown or derivable (a proportion times its denominator) is a shown value."""
    hidden: dict[str, set[str]] = {}
    sums: dict[str, str] = {}
    for m in MEASURES:
        per = _measure_of_sum(m)
        if per is not None:
            sums[m] = per
            continue
        hidden[m] = {g for g in GROUPS if values[m][g] < threshold}
    for ind in indicators:
        if ind.kind == "proportion" and ind.denominator is not None:
            for g in GROUPS:
                if values[ind.denominator][g] - values[ind.numerator][g] < threshold:
                    hidden[ind.numerator].add(g)
    for m, cells in hidden.items():
        while True:
            bands = [b for b in AGE_BAND_CODES if b in cells]
            lone = len(cells) == 1
            small = (
                bool(bands)
                and TOTAL not in cells
                and (sum(values[m][b] for b in bands) < threshold)
            )
            if not (lone or small):
                break
            shown = sorted(
                (b for b in AGE_BAND_CODES if b not in cells), key=lambda b: values[m][b]
            )
            cells.add(shown[0] if shown else TOTAL)
    for m, per in sums.items():
        hidden[m] = set(hidden[per])
    return {m: {g: g not in cells for g in GROUPS} for m, cells in hidden.items()}


def own_view(
    engine: sa.Engine,
    gemeentecode: str,
    period: str,
    threshold: int = 5,
    indicators: Sequence[str] | None = None,
    dataset: str = DATASET,
) -> dict[str, Any]:
    """Exact (not DP) figures of one gemeente for its own management, per age band and in
    total, with primary and complementary suppression (:func:`suppression_pattern`)."""
    check_release_period(period)
    with engine.connect() as conn:
        columns = [c for c in facts_table.c if c.name not in ("id", "dataset")]
        rows = (
            conn.execute(
                sa.select(*columns).where(
                    facts_table.c.dataset == dataset,
                    facts_table.c.gemeentecode == gemeentecode,
                    facts_table.c.period.in_(list(quarters_of(period))),
                )
            )
            .mappings()
            .all()
        )
    prepared = prepare(load_frame([dict(r) for r in rows]), period).collect()
    aggs = [
        (pl.len() if MEASURES[m].expr is None else pl.col(f"m_{m}").sum()).cast(pl.Float64).alias(m)
        for m in MEASURES
    ]
    by_band = {r["age_band"]: r for r in prepared.group_by("age_band").agg(*aggs).to_dicts()}
    total = prepared.select(*aggs).to_dicts()[0] if prepared.height else {}
    values = {
        m: {
            TOTAL: float(total.get(m) or 0.0),
            **{b: float((by_band.get(b) or {}).get(m) or 0.0) for b in AGE_BAND_CODES},
        }
        for m in MEASURES
    }
    chosen = [indicator(i) for i in indicators] if indicators else list(INDICATORS)
    shown = suppression_pattern(values, chosen, threshold)
    cells: list[dict[str, Any]] = []
    for group in GROUPS:
        for ind in chosen:
            num = values[ind.numerator][group]
            if ind.kind == "count":
                ok = shown[ind.numerator][group]
                cells.append(
                    {
                        "indicator": ind.id,
                        "group": group,
                        "value": num if ok else None,
                        "suppressed": not ok,
                    }
                )
                continue
            assert ind.denominator is not None
            den = values[ind.denominator][group]
            ok = shown[ind.numerator][group] and shown[ind.denominator][group] and den > 0
            if ind.kind == "proportion":
                value = num / den if den else None
            else:
                measure = MEASURES[ind.numerator]
                value = (num / den + measure.center) / ind.divisor if den else None
            cells.append(
                {
                    "indicator": ind.id,
                    "group": group,
                    "value": value if ok else None,
                    "denominator": den if shown[ind.denominator][group] else None,
                    "suppressed": not ok,
                }
            )
    return {
        "gemeentecode": gemeentecode,
        "period": period,
        "threshold": threshold,
        "exact": True,
        "cells": cells,
    }


def load_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    kinds = {"str": pl.String, "bool": pl.Boolean, "int": pl.Int64}
    schema = {c: kinds[k] for c, k in FACT_COLUMNS.items()}
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)
