"""The analytics service's pages for people (server-rendered, Dutch, no JavaScript, no
external assets): releases with charts that fit a phone, a trend over the periods, a plain
explanation, the own-gemeente exact view and the researcher's queries and budget.

Pages that need a user read the Regietafel login cookie (or a bearer token)."""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
import sqlalchemy as sa
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from analytics import charts
from analytics.contract import AGE_BAND_LABELS, Geography
from analytics.db.schema import budget_accounts, fact_batches, releases
from analytics.formatting import date, fmt, number, percentage, period
from analytics.indicators.catalogue import BREAKDOWNS, INDICATORS, Indicator, indicator
from analytics.ledger import BudgetExhausted, UnknownAccount, balance
from analytics.periods import check_release_period, is_year
from analytics.releases import Release, list_releases, privacy_account
from analytics.research import GROUPS, AdHocQuery, QueryRejected, list_queries, own_view, run_query
from analytics.web import (
    MANAGEMENT_ROLES,
    Principal,
    State,
    catalogue,
    filter_cells,
    form_token,
    form_token_valid,
    optional_principal,
    release_or_404,
)

LEVEL_LABELS = {
    "gemeente": "gemeente",
    "regio": "regio",
    "regio-leeftijd": "regio en leeftijd",
    "regio-bron": "regio en aanmeldende bron",
    "leeftijd": "leeftijdsgroep",
    "landelijk": "alle gemeenten",
}


def _context(state: State, **extra: Any) -> dict[str, Any]:
    return {
        "indicators": INDICATORS,
        "age_labels": AGE_BAND_LABELS,
        "fmt": fmt,
        "number": number,
        "percentage": percentage,
        "date": date,
        "period": period,
        "level_labels": LEVEL_LABELS,
        **extra,
    }


def release_geography(release: Release, fallback: Geography) -> Geography:
    """The gemeenten and regions a release was made for (stored with it)."""
    stored = release.methodology.get("keys", {}).get("gemeenten")
    return Geography.of(tuple(g) for g in stored) if stored else fallback


def _margin_kind(ind: Indicator) -> str:
    return ind.kind if ind.kind != "count" else "count"


@get("/", sync_to_thread=True, include_in_schema=False)
def page_home(state_: NamedDependency[State]) -> Template:
    with state_.engine.connect() as conn:
        items = list_releases(conn)
    real = [r for r in items if not r["synthetic"]]
    synthetic = [r for r in items if r["synthetic"]]
    return Template(
        "home.html", context=_context(state_, releases=real, synthetic_releases=synthetic)
    )


@get("/uitleg", sync_to_thread=False, include_in_schema=False)
def page_explanation(state_: NamedDependency[State]) -> Template:
    return Template("uitleg.html", context=_context(state_, settings=state_.analytics))


@get("/indicatoren", sync_to_thread=False, include_in_schema=False)
def page_indicators(state_: NamedDependency[State]) -> Template:
    return Template("indicators.html", context=_context(state_, catalogue=catalogue()))


def _trend(conn: sa.Connection, release: Release) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """National values of the headline indicators over the periods of this dataset and kind
    (the newest version of each period)."""
    rows = conn.execute(
        sa.select(releases.c.period, releases.c.version, releases.c.cells)
        .where(releases.c.dataset == release.dataset, releases.c.kind == release.kind)
        .order_by(releases.c.period, releases.c.version)
    ).all()
    newest = {r.period: r.cells for r in rows}
    trend: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for label, cells in sorted(newest.items()):
        for cell in cells:
            if cell["level"] == "landelijk":
                trend.setdefault(cell["indicator"], []).append((label, cell))
    return trend


@get("/releases/{release_id:str}", sync_to_thread=True, include_in_schema=False)
def page_release(
    release_id: FromPath[str], state_: NamedDependency[State], regio: FromQuery[str | None] = None
) -> Template:
    release = release_or_404(state_, release_id)
    geography = release_geography(release, state_.geography)
    region = regio if regio in geography.regions else geography.regions[0]
    with state_.engine.connect() as conn:
        account = privacy_account(conn, release)
        trend = _trend(conn, release)
    published = {i["id"] for i in release.methodology.get("indicators", [])}
    chosen = [i for i in INDICATORS if i.id in published]
    national = []
    for ind in chosen:
        cells = filter_cells(release, ind.id, "landelijk")
        regional = [
            c for c in filter_cells(release, ind.id, "regio") if c["key"]["region"] == region
        ]
        national.append(
            {
                "indicator": ind,
                "cell": cells[0] if cells else None,
                "regional": regional[0] if regional else None,
                "margin_kind": _margin_kind(ind),
                "trend": charts.trend_chart(ind, trend.get(ind.id, [])),
            }
        )
    in_region = {g.code for g in geography.gemeenten if g.region == region}
    sections = []
    for ind in chosen:
        if "gemeente" not in ind.breakdowns:
            continue
        cells = [
            c
            for c in filter_cells(release, ind.id, "gemeente")
            if c["key"]["gemeentecode"] in in_region
        ]
        rows = []
        for cell in sorted(cells, key=lambda c: geography.name_of(c["key"]["gemeentecode"])):
            figure, pooled = charts.shown(cell)
            rows.append({"cell": cell, "figure": figure, "regional": pooled})
        sections.append(
            {
                "indicator": ind,
                "svg": charts.error_bar_chart(ind, cells, geography),
                "rows": rows,
                "margin_kind": _margin_kind(ind),
            }
        )
    return Template(
        "release.html",
        context=_context(
            state_,
            release=release,
            geography=geography,
            region=region,
            national=national,
            sections=sections,
            account=account,
        ),
    )


@get("/releases/{release_id:str}/methodologie", sync_to_thread=True, include_in_schema=False)
def page_methodology(release_id: FromPath[str], state_: NamedDependency[State]) -> Template:
    release = release_or_404(state_, release_id)
    with state_.engine.connect() as conn:
        account = privacy_account(conn, release)
    return Template(
        "methodology.html",
        context=_context(state_, release=release, m=release.methodology, account=account),
    )


def _login_needed(state: State, reason: str) -> Template:
    return Template("inloggen.html", context=_context(state, reason=reason), status_code=401)


def _forbidden(state: State, reason: str) -> Template:
    return Template("geweigerd.html", context=_context(state, reason=reason), status_code=403)


@get("/eigen", sync_to_thread=True, include_in_schema=False)
def page_own(
    request: Request[Any, Any, Any],
    state_: NamedDependency[State],
    periode: FromQuery[str | None] = None,
) -> Template:
    principal = optional_principal(request, state_)
    if principal is None:
        return _login_needed(
            state_,
            "De exacte cijfers van uw gemeente zijn alleen voor het management van de gemeente.",
        )
    if principal.tenant is None or not principal.roles & MANAGEMENT_ROLES:
        return _forbidden(
            state_, "Exacte cijfers zijn alleen voor het management van de eigen gemeente."
        )
    with state_.engine.connect() as conn:
        quarters = (
            conn.execute(
                sa.select(fact_batches.c.period)
                .where(fact_batches.c.gemeentecode == principal.tenant)
                .distinct()
                .order_by(fact_batches.c.period.desc())
            )
            .scalars()
            .all()
        )
    periods = sorted({q[:4] for q in quarters} | set(quarters), reverse=True)
    chosen_period = periode if periode in periods else (quarters[0] if quarters else None)
    view = (
        own_view(
            state_.engine, principal.tenant, chosen_period, state_.analytics.suppression_threshold
        )
        if chosen_period
        else None
    )
    table: list[dict[str, Any]] = []
    if view is not None:
        cells = {(c["indicator"], c["group"]): c for c in view["cells"]}
        for ind in INDICATORS:
            table.append({"indicator": ind, "cells": [cells[(ind.id, g)] for g in GROUPS]})
    return Template(
        "eigen.html",
        context=_context(
            state_,
            principal=principal,
            gemeente=state_.geography.name_of(principal.tenant),
            periods=periods,
            chosen=chosen_period,
            view=view,
            table=table,
            groups=GROUPS,
        ),
    )


def _research_context(
    conn: sa.Connection, state: State, principal: Principal, request: Request[Any, Any, Any]
) -> dict[str, Any]:
    grants = conn.execute(
        sa.select(budget_accounts.c.account_id, budget_accounts.c.period)
        .where(
            budget_accounts.c.kind == "onderzoeker",
            budget_accounts.c.principal == principal.subject,
        )
        .order_by(budget_accounts.c.period.desc())
    ).all()
    budgets = [{"year": g.period, "balance": balance(conn, g.account_id)} for g in grants]
    return {
        "principal": principal,
        "budgets": budgets,
        "queries": list_queries(conn, principal.subject)[:20],
        "csrf": form_token(state, request),
        "breakdowns": BREAKDOWNS,
        "max_query_rho": state.analytics.max_query_rho,
    }


@get("/onderzoek", sync_to_thread=True, include_in_schema=False)
def page_research(request: Request[Any, Any, Any], state_: NamedDependency[State]) -> Template:
    principal = optional_principal(request, state_)
    if principal is None:
        return _login_needed(
            state_, "Ad-hocvragen zijn voor onderzoekers met een toegekend privacybudget."
        )
    if "onderzoeker" not in principal.roles:
        return _forbidden(state_, "Deze pagina is voor onderzoekers.")
    with state_.engine.connect() as conn:
        context = _research_context(conn, state_, principal, request)
    return Template("onderzoek.html", context=_context(state_, **context, result=None, error=None))


@post("/onderzoek/vraag", include_in_schema=False, status_code=200)
async def page_research_query(
    request: Request[Any, Any, Any], state_: NamedDependency[State]
) -> Template:
    principal = optional_principal(request, state_)
    if principal is None:
        return _login_needed(state_, "Ad-hocvragen zijn voor onderzoekers.")
    if "onderzoeker" not in principal.roles:
        return _forbidden(state_, "Deze pagina is voor onderzoekers.")
    form = await request.form()
    if not form_token_valid(state_, request, str(form.get("csrf") or "")):
        return _forbidden(
            state_, "Het formulier is verlopen of niet van deze pagina. Laad de pagina opnieuw."
        )
    result: dict[str, Any] | None = None
    error: str | None = None
    status = 200
    try:
        chosen = tuple(str(v) for v in form.getall("indicator")) if "indicator" in form else ()
        if not chosen:
            raise QueryRejected("kies minstens één indicator")
        query = AdHocQuery(
            check_release_period(str(form.get("periode") or "")),
            chosen,
            str(form.get("uitsplitsing") or "gemeente"),
            float(str(form.get("rho") or "0").replace(",", ".")),
        )
        result = await anyio.to_thread.run_sync(
            partial(
                run_query,
                state_.engine,
                principal.subject,
                query,
                state_.geography,
                budget=state_.analytics.budget,
                max_query_rho=state_.analytics.max_query_rho,
            )
        )
    except (QueryRejected, ValueError) as problem:
        error, status = f"Vraag niet toegestaan: {problem}", 422
    except UnknownAccount:
        error, status = "Er is voor u geen privacybudget toegekend voor dit jaar.", 403
    except BudgetExhausted as problem:
        error, status = (
            f"Uw privacybudget is op: er is nog ρ = {number(problem.remaining, 3)} over, "
            f"gevraagd ρ = {number(problem.requested, 3)}.",
            409,
        )

    def load() -> dict[str, Any]:
        with state_.engine.connect() as conn:
            return _research_context(conn, state_, principal, request)

    context = await anyio.to_thread.run_sync(load)
    if result is not None:
        result["indicators"] = {i: indicator(i) for i in result["request"]["indicators"]}
    return Template(
        "onderzoek.html",
        context=_context(state_, **context, result=result, error=error),
        status_code=status,
    )


PAGES = [
    page_home,
    page_explanation,
    page_indicators,
    page_release,
    page_methodology,
    page_own,
    page_research,
    page_research_query,
]

__all__ = ["PAGES", "is_year"]
