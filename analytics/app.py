"""The analytics service (Litestar): ingestion, public read API, dashboard, researchers.

Separate from the casework service: own database and role, own health checks, OpenAPI and
RFC 9457 problem+json errors. No endpoint returns a fact record or a pseudonym: the only
things that leave are DP cells of published releases, researchers' DP answers and a
gemeente's own suppressed exact aggregates.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.datastructures import State as LitestarState
from litestar.di import NamedDependency, Provide
from litestar.exceptions import PermissionDeniedException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from pydantic import BaseModel, ConfigDict, Field

from analytics.contract import AGE_BAND_LABELS, DEMO_GEOGRAPHY, FactBatchV1, Geography
from analytics.facts import store_batch
from analytics.formatting import csv_number
from analytics.indicators.catalogue import BREAKDOWNS, INDICATORS
from analytics.ledger import (
    BudgetExhausted,
    PoolExceeded,
    UnknownAccount,
    balance,
    grant_researcher,
    open_year,
    researcher_account,
)
from analytics.pages import PAGES, release_geography
from analytics.periods import RELEASE_PERIOD_PATTERN, year_of
from analytics.releases import Release, list_releases, privacy_account
from analytics.research import AdHocQuery, QueryRejected, own_view, run_query
from analytics.schemas import (
    BudgetOut,
    CatalogueOut,
    CellsOut,
    GrantOut,
    IngestOut,
    OwnFiguresOut,
    QueryAnswerOut,
    ReleaseOut,
    ReleasesOut,
)
from analytics.settings import AnalyticsSettings
from analytics.web import (
    MANAGEMENT_ROLES,
    Authenticate,
    Principal,
    State,
    catalogue,
    filter_cells,
    principal_guard,
    principal_of,
    release_or_404,
    require_service,
    service_guard,
)
from services.platform.config import Settings
from services.platform.http.health import HealthController, Readiness
from services.platform.http.middleware import request_id_middleware
from services.platform.http.openapi import (
    BY_ID,
    RESPONSE_PLUGIN,
    WITH_BODY,
    openapi_document,
    problem_responses,
)
from services.platform.http.problems import EXCEPTION_HANDLERS, Problem, standard_problem
from services.platform.http.security_headers import security_headers_hook, style_hashes

VERSION = "0.1.0"
TEMPLATES = Path(__file__).resolve().parent / "templates"


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, Field(pattern=RELEASE_PERIOD_PATTERN)]
    indicators: Annotated[list[str], Field(min_length=1, max_length=20)]
    breakdown: str = "gemeente"
    rho: Annotated[float, Field(gt=0, le=10)]


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    onderzoeker: Annotated[str, Field(min_length=3, max_length=200)]
    """The researcher's subject: ``<tenant>/<user id>``."""
    period: Annotated[str, Field(pattern=RELEASE_PERIOD_PATTERN)]
    """The year (``2026``) or a quarter in it: grants are per person-year."""
    rho: Annotated[float, Field(gt=0, le=10)]


# --- JSON API --------------------------------------------------------------------------------


@post(
    "/api/v1/ingest/facts",
    sync_to_thread=True,
    status_code=200,
    tags=["ingestie"],
    guards=[service_guard],
    summary="Lever feitrecords aan voor één gemeente en periode (vervangt de vorige levering)",
    responses=problem_responses(409, 413, *WITH_BODY),
)
def ingest_facts(
    request: Request[Any, Any, Any], data: JSONBody[FactBatchV1], state_: NamedDependency[State]
) -> IngestOut:
    require_service(request, state_)
    if state_.geography.get(data.gemeentecode) is None:
        raise standard_problem(
            422,
            code="onbekende-gemeente",
            title="Onbekende gemeente",
            detail=f"{data.gemeentecode} staat niet in de lijst van gemeenten.",
        )
    region = state_.geography.region_of(data.gemeentecode)
    if any(r.region != region for r in data.records):
        raise standard_problem(
            422,
            code="onjuiste-regio",
            title="Onjuiste regio",
            detail=f"{data.gemeentecode} hoort bij regio {region}.",
        )
    if len(data.records) > state_.analytics.max_batch_records:
        raise standard_problem(413)
    result = store_batch(state_.engine, data)
    result.pop("sha256", None)
    return IngestOut.model_validate(result)


#: The public endpoints need no login; they fail only on a bad path or query, or when the
#: database is down.
PUBLIC_READ = problem_responses(*BY_ID, 422, 503, public=True)


@get(
    "/api/v1/indicators",
    sync_to_thread=False,
    tags=["publiek"],
    summary="Indicatorencatalogus",
    responses=problem_responses(503, public=True),
)
def api_indicators() -> CatalogueOut:
    return CatalogueOut.model_validate(
        {
            "indicators": catalogue(),
            "breakdowns": {b.id: {"title": b.title, "by": list(b.by)} for b in BREAKDOWNS.values()},
        }
    )


@get(
    "/api/v1/releases",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Gepubliceerde releases",
    responses=problem_responses(503, public=True),
)
def api_releases(state_: NamedDependency[State]) -> ReleasesOut:
    with state_.engine.connect() as conn:
        return ReleasesOut.model_validate({"releases": list_releases(conn)})


@get(
    "/api/v1/releases/{release_id:str}",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Eén release met methodologie",
    responses=PUBLIC_READ,
)
def api_release(release_id: FromPath[str], state_: NamedDependency[State]) -> ReleaseOut:
    release = release_or_404(state_, release_id)
    with state_.engine.connect() as conn:
        account = privacy_account(conn, release)
    return ReleaseOut.model_validate(
        {**release.summary(), "privacy_account": account, "methodology": release.methodology}
    )


@get(
    "/api/v1/releases/{release_id:str}/cells",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Cellen (waarde, ruisschaal, 95%-marge, vlaggen) als JSON",
    responses=PUBLIC_READ,
)
def api_cells(
    release_id: FromPath[str],
    state_: NamedDependency[State],
    indicator_id: Annotated[str | None, QueryParameter(name="indicator")] = None,
    level: FromQuery[str | None] = None,
) -> CellsOut:
    release = release_or_404(state_, release_id)
    return CellsOut.model_validate(
        {
            "release": release.id,
            "period": release.period,
            "version": release.version,
            "cells": filter_cells(release, indicator_id, level),
        }
    )


CSV_COLUMNS = (
    "Release",
    "Dataset",
    "Periode",
    "Versie",
    "Indicator",
    "Indicatornaam",
    "Niveau",
    "Gemeentecode",
    "Gemeente",
    "Regio",
    "Leeftijdsgroep",
    "Aanmeldende bron",
    "Waarde",
    "Marge (95%)",
    "Ondergrens",
    "Bovengrens",
    "Ruisschaal",
    "Geschatte noemer",
    "Opmerking",
    "Getoonde waarde",
    "Getoonde marge (95%)",
)


def release_csv(release: Release, cells: list[dict[str, Any]], geography: Geography) -> str:
    """Cells as a CSV that opens in Dutch Excel: semicolons, comma decimals, UTF-8 with BOM,
    gemeente names beside codes, Dutch column names. "Getoonde waarde" is what the dashboard
    shows: the region's value for an unreliable gemeente cell."""
    titles = {i.id: i.title for i in INDICATORS}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in cells:
        key = c["key"]
        code = key.get("gemeentecode", "")
        region = key.get("region") or (geography.region_of(code) if geography.get(code) else "")
        pooled = c.get("pooled") if c["flags"] else None
        shown = pooled or c
        writer.writerow(
            [
                release.id,
                release.dataset,
                release.period,
                release.version,
                c["indicator"],
                titles.get(c["indicator"], c["indicator"]),
                c["level"],
                code,
                geography.name_of(code) if code else "",
                region,
                AGE_BAND_LABELS.get(key.get("age_band", ""), ""),
                key.get("bron", ""),
                csv_number(c["value"]),
                csv_number(c["margin"]),
                csv_number(c["lower"]),
                csv_number(c["upper"]),
                csv_number(c["noise_scale"]),
                csv_number(c["denominator"], 1),
                ("onzeker: " + ", ".join(c["flags"]) + (" (regiowaarde getoond)" if pooled else ""))
                if c["flags"]
                else "",
                csv_number(shown["value"]),
                csv_number(shown["margin"]),
            ]
        )
    return buffer.getvalue()


@get(
    "/api/v1/releases/{release_id:str}/cells.csv",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Cellen als CSV voor Nederlandse Excel (puntkomma, UTF-8 met BOM)",
    media_type="text/csv",
    responses=PUBLIC_READ,
)
def api_cells_csv(
    release_id: FromPath[str],
    state_: NamedDependency[State],
    indicator_id: Annotated[str | None, QueryParameter(name="indicator")] = None,
    level: FromQuery[str | None] = None,
) -> Response[bytes]:
    release = release_or_404(state_, release_id)
    geography = release_geography(release, state_.geography)
    body = release_csv(release, filter_cells(release, indicator_id, level), geography)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="effectcijfers-{release.period}-v{release.version}.csv"'
            )
        },
    )


@post(
    "/api/v1/research/queries",
    sync_to_thread=True,
    status_code=200,
    tags=["onderzoek"],
    guards=[principal_guard],
    summary="Ad-hocvraag van een onderzoeker (kost eigen budget)",
    responses=problem_responses(409, *WITH_BODY),
)
def research_query(
    request: Request[Any, Any, Any], data: JSONBody[QueryRequest], state_: NamedDependency[State]
) -> QueryAnswerOut:
    principal = principal_of(request, state_)
    if "onderzoeker" not in principal.roles:
        raise PermissionDeniedException()
    try:
        answer = run_query(
            state_.engine,
            principal.subject,
            AdHocQuery(data.period, tuple(data.indicators), data.breakdown, data.rho),
            state_.geography,
            budget=state_.analytics.budget,
            max_query_rho=state_.analytics.max_query_rho,
        )
    except QueryRejected as error:
        raise standard_problem(
            422, code="vraag-niet-toegestaan", title="Vraag niet toegestaan", detail=str(error)
        ) from None
    except UnknownAccount:
        raise standard_problem(
            403,
            code="geen-budget",
            title="Geen budget",
            detail="Er is voor u geen privacybudget toegekend voor deze periode.",
        ) from None
    except BudgetExhausted as error:
        raise standard_problem(
            409,
            code="budget-op",
            title="Privacybudget op",
            detail=f"Het resterende budget (ρ={error.remaining:.4g}) is kleiner "
            f"dan gevraagd (ρ={error.requested:.4g}).",
        ) from None
    return QueryAnswerOut.model_validate(answer)


@post(
    "/api/v1/research/grants",
    sync_to_thread=True,
    status_code=201,
    tags=["onderzoek"],
    guards=[principal_guard],
    summary="Persoonlijk privacybudget toekennen (regionaal bureau, platformbeheerder)",
    responses=problem_responses(409, *WITH_BODY),
)
def research_grant(
    request: Request[Any, Any, Any], data: JSONBody[GrantRequest], state_: NamedDependency[State]
) -> GrantOut:
    principal = principal_of(request, state_)
    if "platformbeheerder" not in principal.roles or principal.tenant is not None:
        raise standard_problem(
            403,
            code="rol-vereist",
            detail="Alleen de platformbeheerder van het regionale bureau kent budget toe.",
            detail_en="Only the regional bureau's platform administrator grants budgets.",
        )
    year = year_of(data.period)
    try:
        with state_.engine.begin() as conn:
            open_year(conn, year, state_.analytics.budget)
            account = grant_researcher(
                conn, data.onderzoeker, year, data.rho, granted_by=principal.subject
            )
            bal = balance(conn, account)
    except PoolExceeded as error:
        raise standard_problem(
            409,
            code="onderzoekspool-op",
            title="Onderzoekspool op",
            detail=f"Toekenningen komen uit de onderzoekspool van {year}; daar is nog "
            f"ρ={error.remaining:.4g} vrij, gevraagd ρ={error.requested:.4g}. Het deel voor de "
            "officiële releases blijft gereserveerd.",
            detail_en="Grants come from the year's research pool, which is too small.",
        ) from None
    return GrantOut(
        onderzoeker=data.onderzoeker, year=year, total_rho=bal.total, remaining_rho=bal.remaining
    )


@get(
    "/api/v1/research/budget/{period:str}",
    sync_to_thread=True,
    tags=["onderzoek"],
    guards=[principal_guard],
    summary="Eigen resterend budget",
    responses=problem_responses(*BY_ID),
)
def research_budget(
    request: Request[Any, Any, Any], period: FromPath[str], state_: NamedDependency[State]
) -> BudgetOut:
    principal = principal_of(request, state_)
    if "onderzoeker" not in principal.roles:
        raise PermissionDeniedException()
    try:
        year = year_of(period)
    except ValueError:
        raise standard_problem(404) from None
    with state_.engine.connect() as conn:
        try:
            bal = balance(conn, researcher_account(principal.subject, year))
        except UnknownAccount:
            raise standard_problem(404) from None
    return BudgetOut(
        year=year, total_rho=bal.total, spent_rho=bal.spent, remaining_rho=bal.remaining
    )


@get(
    "/api/v1/own/{gemeentecode:str}/{period:str}",
    sync_to_thread=True,
    tags=["eigen gemeente"],
    guards=[principal_guard],
    summary="Exacte cijfers van de eigen gemeente (kleine aantallen onderdrukt)",
    responses=problem_responses(*BY_ID),
)
def own_figures(
    request: Request[Any, Any, Any],
    gemeentecode: FromPath[str],
    period: FromPath[str],
    state_: NamedDependency[State],
) -> OwnFiguresOut:
    principal = principal_of(request, state_)
    if principal.tenant != gemeentecode or not principal.roles & MANAGEMENT_ROLES:
        raise standard_problem(
            403,
            code="alleen-eigen-management",
            detail="Exacte cijfers zijn alleen voor het management van de eigen gemeente.",
            detail_en="Exact figures are for the gemeente's own management only.",
        )
    try:
        year_of(period)
    except ValueError:
        raise standard_problem(404) from None
    return OwnFiguresOut.model_validate(
        own_view(state_.engine, gemeentecode, period, state_.analytics.suppression_threshold)
    )


def _no_principal(_token: str) -> Principal | None:
    return None


def create_app(
    settings: Settings,
    engine: sa.Engine,
    *,
    authenticate: Authenticate | None = None,
    analytics_settings: AnalyticsSettings | None = None,
    geography: Geography = DEMO_GEOGRAPHY,
    debug: bool = False,
) -> Litestar:
    """The analytics service. ``authenticate(token)`` maps a bearer token to a Principal."""
    state = State(
        settings,
        analytics_settings or AnalyticsSettings.from_settings(settings),
        engine,
        geography,
        authenticate or _no_principal,
    )

    def database() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1 FROM releases LIMIT 1"))

    readiness = Readiness({"database": database})
    return Litestar(
        state=LitestarState({"analytics": state}),
        route_handlers=[
            HealthController,
            ingest_facts,
            api_indicators,
            api_releases,
            api_release,
            api_cells,
            api_cells_csv,
            research_query,
            research_grant,
            research_budget,
            own_figures,
            openapi_document,
            *PAGES,
        ],
        dependencies={
            "readiness": Provide(lambda: readiness, sync_to_thread=False),
            "state_": Provide(lambda: state, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        plugins=[RESPONSE_PLUGIN],
        middleware=[request_id_middleware],
        # The dashboard's one inline <style> block is allowed by its hash, nothing else.
        before_send=[security_headers_hook(style_sources=style_hashes(TEMPLATES.glob("*.html")))],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(
            title="Regietafel analytics",
            version=VERSION,
            description=(
                "Differentieel private effectindicatoren van de PGA. Niet om af te rekenen."
            ),
            path="/schema",
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],  # no CDN-based UIs
        ),
        logging_config=None,
        debug=debug,
    )


__all__ = ["MediaType", "Principal", "Problem", "create_app"]
