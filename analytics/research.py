"""Researchers' ad-hoc queries and a gemeente's own exact view."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import sqlalchemy as sa

from analytics import dp as dpmod
from analytics.db.schema import facts as facts_table
from analytics.db.schema import researcher_queries
from analytics.facts import load_facts
from analytics.geography import Geography
from analytics.indicators.catalogue import BREAKDOWNS, INDICATORS, MEASURES, indicator, prepare
from analytics.ledger import (
    DATASET,
    balance,
    ensure_dataset_account,
    researcher_account,
    reserve,
)


class QueryRejected(ValueError):
    """The query is not allowed by the catalogue or the limits."""


@dataclass(frozen=True)
class AdHocQuery:
    period: str
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
        if query.breakdown not in ind.breakdowns:
            raise QueryRejected(f"{ind_id} is niet beschikbaar per {query.breakdown}")
        for m in (ind.numerator, ind.denominator):
            if m is not None and m not in measures:
                measures.append(m)
    weights = {m: MEASURES[m].weight for m in measures}
    total = sum(weights.values())
    return dpmod.BreakdownPlan(
        query.breakdown, tuple((m, query.rho * w / total) for m, w in weights.items())
    )


def run_query(
    engine: sa.Engine,
    principal: str,
    query: AdHocQuery,
    geography: Geography,
    *,
    period_rho: float,
    max_query_rho: float,
    dataset: str = DATASET,
) -> dict[str, Any]:
    """Spend ``query.rho`` from the researcher's grant AND the period's budget, then answer.

    The reservation commits before any noise is drawn; refusal raises BudgetExhausted.
    """
    if not 0 < query.rho <= max_query_rho:
        raise QueryRejected(f"ρ moet tussen 0 en {max_query_rho:g} liggen")
    plan = plan_for_query(query)
    request_id = str(uuid.uuid4())
    with engine.begin() as conn:
        period_account = ensure_dataset_account(conn, query.period, period_rho, dataset)
    own_account = researcher_account(principal, query.period, dataset)
    reserve(
        engine,
        [period_account, own_account],
        plan.rho,
        purpose="query",
        request_key=request_id.replace("-", ""),
        principal=principal,
    )
    with engine.connect() as conn:
        facts = load_facts(conn, query.period)
    prepared = prepare(facts, query.period).collect().lazy()
    built = dpmod.built_query(plan, geography)
    noisy = built.release(prepared)
    measures = tuple(m for m, _ in plan.rho_by_measure)
    noisy = noisy.with_columns(
        *(pl.col(f"v_{m}").cast(pl.Float64) for m in measures),
        *(pl.lit(built.scales[m] ** 2).alias(f"var_{m}") for m in measures),
    )
    table = dpmod.MeasureTable(
        query.breakdown,
        BREAKDOWNS[query.breakdown].by,
        noisy,
        measures,
        True,
        built.scales,
        built.count_margins,
    )
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


# --- Own-gemeente exact view -----------------------------------------------------------------


def own_view(
    engine: sa.Engine,
    gemeentecode: str,
    period: str,
    threshold: int = 5,
    indicators: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Exact (not DP) figures of one gemeente for its own management, by age band and in
    total. Counts below ``threshold`` are suppressed, as are proportions whose numerator,
    denominator or complement is below it (so a suppressed count cannot be recovered)."""
    with engine.connect() as conn:
        columns = [c for c in facts_table.c if c.name != "id"]
        rows = (
            conn.execute(
                sa.select(*columns).where(
                    facts_table.c.gemeentecode == gemeentecode, facts_table.c.period == period
                )
            )
            .mappings()
            .all()
        )
    frame = load_frame([dict(r) for r in rows])
    prepared = prepare(frame, period).collect()
    aggs = [
        (pl.len() if MEASURES[m].expr is None else pl.col(f"m_{m}").sum()).alias(m)
        for m in MEASURES
    ]
    by_band = prepared.group_by("age_band").agg(*aggs) if prepared.height else None
    total = prepared.select(*aggs) if prepared.height else None
    groups: list[tuple[str, dict[str, Any]]] = []
    if total is not None and by_band is not None:
        groups.append(("totaal", total.row(0, named=True)))
        groups.extend((r["age_band"], r) for r in by_band.sort("age_band").iter_rows(named=True))
    chosen = [indicator(i) for i in indicators] if indicators else list(INDICATORS)
    cells: list[dict[str, Any]] = []
    for group, values in groups:
        for ind in chosen:
            num = float(values.get(ind.numerator) or 0)
            if ind.kind == "count":
                shown = num >= threshold
                cells.append(
                    {
                        "indicator": ind.id,
                        "group": group,
                        "value": num if shown else None,
                        "suppressed": not shown,
                    }
                )
                continue
            assert ind.denominator is not None
            den = float(values.get(ind.denominator) or 0)
            if ind.kind == "proportion":
                shown = num >= threshold and den >= threshold and den - num >= threshold
                value = num / den if den else None
            else:
                shown = den >= threshold
                value = num / ind.divisor / den if den else None
            cells.append(
                {
                    "indicator": ind.id,
                    "group": group,
                    "value": value if shown else None,
                    "denominator": den if den >= threshold else None,
                    "suppressed": not shown,
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
    from analytics.contract import FACT_COLUMNS

    kinds = {"str": pl.String, "bool": pl.Boolean, "int": pl.Int64}
    schema = {c: kinds[k] for c, k in FACT_COLUMNS.items()}
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)
