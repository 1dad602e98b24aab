"""The analytics service (Litestar): ingestion, public read API, dashboard, researchers.

Separate from the casework service: own database and role, own health checks, OpenAPI and
RFC 9457 problem+json errors. No endpoint returns a fact record or a pseudonym: the only
things that leave are DP cells of published releases, researchers' DP answers and a
gemeente's own suppressed exact aggregates.
"""

from __future__ import annotations

import csv
import hmac
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
import sqlalchemy as sa
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State as LitestarState
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from pydantic import BaseModel, ConfigDict, Field

from analytics import charts
from analytics.contract import AGE_BAND_LABELS, FactBatchV1
from analytics.facts import store_batch
from analytics.geography import DEMO_GEOGRAPHY, Geography
from analytics.indicators.catalogue import BREAKDOWNS, INDICATORS
from analytics.ledger import (
    BudgetExhausted,
    UnknownAccount,
    balance,
    grant_researcher,
    researcher_account,
)
from analytics.releases import Release, get_release, list_releases
from analytics.research import AdHocQuery, QueryRejected, own_view, run_query
from analytics.settings import AnalyticsSettings
from services.api.health import HealthController, Readiness
from services.api.middleware import request_id_middleware
from services.api.problems import EXCEPTION_HANDLERS, Problem, standard_problem
from services.api.security_headers import security_headers_hook, style_hashes
from services.config import Settings

VERSION = "0.1.0"
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Principal:
    """An authenticated user of the analytics service (from OIDC, wired by the lead)."""

    subject: str
    tenant: str | None = None  # gemeentecode of the user's tenant
    roles: frozenset[str] = field(default_factory=frozenset)


Authenticate = Callable[[str], Principal | None]


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, Field(pattern=r"^20\d\d-Q[1-4]$")]
    indicators: Annotated[list[str], Field(min_length=1, max_length=20)]
    breakdown: str = "gemeente"
    rho: Annotated[float, Field(gt=0, le=10)]


#: Who may see the gemeente's own exact (non-DP) figures: its management, not every user.
MANAGEMENT_ROLES = frozenset(
    {"pga-expert", "procesregisseur", "tenantbeheerder", "burgemeester-contactpersoon"}
)


class GrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    onderzoeker: Annotated[str, Field(min_length=3, max_length=200)]
    """The researcher's subject: ``<tenant>/<user id>``."""
    period: Annotated[str, Field(pattern=r"^20\d\d-Q[1-4]$")]
    rho: Annotated[float, Field(gt=0, le=10)]


@dataclass
class State:
    settings: Settings
    analytics: AnalyticsSettings
    engine: sa.Engine
    geography: Geography
    authenticate: Authenticate


def _bearer(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def _require_service(request: ASGIConnection[Any, Any, Any, Any], state: State) -> None:
    token = _bearer(request)
    expected = state.settings.service_token
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})


def _state(connection: ASGIConnection[Any, Any, Any, Any]) -> State:
    state: State = connection.app.state["analytics"]
    return state


def service_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Service-to-service authentication, checked before the body is parsed."""
    _require_service(connection, _state(connection))


_PRINCIPAL_KEY = "analytics_principal"


async def principal_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    # Authentication may ask the casework service (a separate process): off the event loop.
    state = _state(connection)
    await anyio.to_thread.run_sync(_principal, connection, state)


def _principal(request: ASGIConnection[Any, Any, Any, Any], state: State) -> Principal:
    """The caller, authenticated once per request (the guard's result is reused)."""
    cached = request.scope.get("state", {}).get(_PRINCIPAL_KEY)
    if isinstance(cached, Principal):
        return cached
    principal = state.authenticate(_bearer(request))
    if principal is None:
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})
    request.scope.setdefault("state", {})[_PRINCIPAL_KEY] = principal
    return principal


def _release_or_404(state: State, release_id: str) -> Release:
    with state.engine.connect() as conn:
        release = get_release(conn, release_id)
    if release is None:
        raise standard_problem(404)
    return release


def _filter_cells(
    release: Release, indicator_id: str | None, level: str | None
) -> list[dict[str, Any]]:
    return [
        c
        for c in release.cells
        if (indicator_id is None or c["indicator"] == indicator_id)
        and (level is None or c["level"] == level)
    ]


def _catalogue() -> list[dict[str, Any]]:
    return [
        {
            "id": i.id,
            "title": i.title,
            "definition": i.definition,
            "kind": i.kind,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "unit": i.unit,
            "source_fields": list(i.source_fields),
            "breakdowns": list(i.breakdowns),
            "minimum_period": i.minimum_period,
        }
        for i in INDICATORS
    ]


# --- JSON API --------------------------------------------------------------------------------


@post(
    "/api/v1/ingest/facts",
    sync_to_thread=True,
    status_code=200,
    tags=["ingestie"],
    guards=[service_guard],
    summary="Lever feitrecords aan voor één gemeente en periode (vervangt de vorige levering)",
)
def ingest_facts(
    request: Request[Any, Any, Any], data: JSONBody[FactBatchV1], state_: NamedDependency[State]
) -> dict[str, Any]:
    _require_service(request, state_)
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
    return result


@get("/api/v1/indicators", sync_to_thread=False, tags=["publiek"], summary="Indicatorencatalogus")
def api_indicators() -> dict[str, Any]:
    return {
        "indicators": _catalogue(),
        "breakdowns": {b.id: {"title": b.title, "by": list(b.by)} for b in BREAKDOWNS.values()},
    }


@get("/api/v1/releases", sync_to_thread=True, tags=["publiek"], summary="Gepubliceerde releases")
def api_releases(state_: NamedDependency[State]) -> dict[str, Any]:
    with state_.engine.connect() as conn:
        return {"releases": list_releases(conn)}


@get(
    "/api/v1/releases/{release_id:str}",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Eén release met methodologie",
)
def api_release(release_id: FromPath[str], state_: NamedDependency[State]) -> dict[str, Any]:
    release = _release_or_404(state_, release_id)
    return {**release.summary(), "methodology": release.methodology}


@get(
    "/api/v1/releases/{release_id:str}/cells",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Cellen (waarde, ruisschaal, 95%-marge, vlaggen) als JSON",
)
def api_cells(
    release_id: FromPath[str],
    state_: NamedDependency[State],
    indicator_id: Annotated[str | None, QueryParameter(name="indicator")] = None,
    level: FromQuery[str | None] = None,
) -> dict[str, Any]:
    release = _release_or_404(state_, release_id)
    return {
        "release": release.id,
        "period": release.period,
        "version": release.version,
        "cells": _filter_cells(release, indicator_id, level),
    }


@get(
    "/api/v1/releases/{release_id:str}/cells.csv",
    sync_to_thread=True,
    tags=["publiek"],
    summary="Cellen als CSV",
    media_type="text/csv",
)
def api_cells_csv(
    release_id: FromPath[str],
    state_: NamedDependency[State],
    indicator_id: Annotated[str | None, QueryParameter(name="indicator")] = None,
    level: FromQuery[str | None] = None,
) -> Response[str]:
    release = _release_or_404(state_, release_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "release",
            "periode",
            "versie",
            "indicator",
            "niveau",
            "sleutel",
            "waarde",
            "marge_95",
            "ondergrens",
            "bovengrens",
            "ruisschaal",
            "noemer",
            "vlaggen",
            "gepoold_waarde",
            "gepoold_marge",
        ]
    )
    for c in _filter_cells(release, indicator_id, level):
        pooled = c.get("pooled") or {}
        writer.writerow(
            [
                release.id,
                release.period,
                release.version,
                c["indicator"],
                c["level"],
                ";".join(f"{k}={v}" for k, v in c["key"].items()),
                c["value"],
                c["margin"],
                c["lower"],
                c["upper"],
                c["noise_scale"],
                c["denominator"],
                ";".join(c["flags"]),
                pooled.get("value"),
                pooled.get("margin"),
            ]
        )
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="release-{release.period}-v{release.version}.csv"'
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
)
def research_query(
    request: Request[Any, Any, Any], data: JSONBody[QueryRequest], state_: NamedDependency[State]
) -> dict[str, Any]:
    principal = _principal(request, state_)
    if "onderzoeker" not in principal.roles:
        raise PermissionDeniedException()
    try:
        return run_query(
            state_.engine,
            principal.subject,
            AdHocQuery(data.period, tuple(data.indicators), data.breakdown, data.rho),
            state_.geography,
            period_rho=state_.analytics.period_rho,
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


@post(
    "/api/v1/research/grants",
    sync_to_thread=True,
    status_code=201,
    tags=["onderzoek"],
    guards=[principal_guard],
    summary="Persoonlijk privacybudget toekennen (regionaal bureau, platformbeheerder)",
)
def research_grant(
    request: Request[Any, Any, Any], data: JSONBody[GrantRequest], state_: NamedDependency[State]
) -> dict[str, Any]:
    principal = _principal(request, state_)
    if "platformbeheerder" not in principal.roles or principal.tenant is not None:
        raise standard_problem(
            403,
            code="rol-vereist",
            detail="Alleen de platformbeheerder van het regionale bureau kent budget toe.",
            detail_en="Only the regional bureau's platform administrator grants budgets.",
        )
    if data.rho > state_.analytics.period_rho:
        raise standard_problem(
            422,
            code="ongeldige-invoer",
            detail=f"Een persoonlijk budget kan niet groter zijn dan het periodebudget "
            f"(ρ={state_.analytics.period_rho:g}).",
            extra={"errors": [{"field": "rho", "message": "groter dan het periodebudget"}]},
        )
    with state_.engine.begin() as conn:
        account = grant_researcher(
            conn, data.onderzoeker, data.period, data.rho, granted_by=principal.subject
        )
        bal = balance(conn, account)
    return {
        "onderzoeker": data.onderzoeker,
        "period": data.period,
        "total_rho": bal.total,
        "remaining_rho": bal.remaining,
    }


@get(
    "/api/v1/research/budget/{period:str}",
    sync_to_thread=True,
    tags=["onderzoek"],
    guards=[principal_guard],
    summary="Eigen resterend budget",
)
def research_budget(
    request: Request[Any, Any, Any], period: FromPath[str], state_: NamedDependency[State]
) -> dict[str, Any]:
    principal = _principal(request, state_)
    if "onderzoeker" not in principal.roles:
        raise PermissionDeniedException()
    with state_.engine.connect() as conn:
        try:
            bal = balance(conn, researcher_account(principal.subject, period))
        except UnknownAccount:
            raise standard_problem(404) from None
    return {
        "period": period,
        "total_rho": bal.total,
        "spent_rho": bal.spent,
        "remaining_rho": bal.remaining,
    }


@get(
    "/api/v1/own/{gemeentecode:str}/{period:str}",
    sync_to_thread=True,
    tags=["eigen gemeente"],
    guards=[principal_guard],
    summary="Exacte cijfers van de eigen gemeente (kleine aantallen onderdrukt)",
)
def own_figures(
    request: Request[Any, Any, Any],
    gemeentecode: FromPath[str],
    period: FromPath[str],
    state_: NamedDependency[State],
) -> dict[str, Any]:
    principal = _principal(request, state_)
    if principal.tenant != gemeentecode or not principal.roles & MANAGEMENT_ROLES:
        raise standard_problem(
            403,
            code="alleen-eigen-management",
            detail="Exacte cijfers zijn alleen voor het management van de eigen gemeente.",
            detail_en="Exact figures are for the gemeente's own management only.",
        )
    return own_view(state_.engine, gemeentecode, period, state_.analytics.suppression_threshold)


# --- HTML dashboard ----------------------------------------------------------------------------


def _html_context(state: State) -> dict[str, Any]:
    return {"indicators": INDICATORS, "age_labels": AGE_BAND_LABELS, "geography": state.geography}


@get("/", sync_to_thread=True, include_in_schema=False)
def page_home(state_: NamedDependency[State]) -> Template:
    with state_.engine.connect() as conn:
        items = list_releases(conn)
    return Template("home.html", context={**_html_context(state_), "releases": items})


@get("/indicatoren", sync_to_thread=False, include_in_schema=False)
def page_indicators(state_: NamedDependency[State]) -> Template:
    return Template("indicators.html", context={**_html_context(state_), "catalogue": _catalogue()})


@get("/releases/{release_id:str}", sync_to_thread=True, include_in_schema=False)
def page_release(release_id: FromPath[str], state_: NamedDependency[State]) -> Template:
    release = _release_or_404(state_, release_id)
    sections = []
    for ind in INDICATORS:
        cells = _filter_cells(release, ind.id, "gemeente")
        regional = _filter_cells(release, ind.id, "regio")
        national = _filter_cells(release, ind.id, "landelijk")
        sections.append(
            {
                "indicator": ind,
                "svg": charts.error_bar_chart(ind, cells, state_.geography),
                "cells": sorted(
                    cells, key=lambda c: state_.geography.name_of(c["key"]["gemeentecode"])
                ),
                "regional": regional,
                "national": national[0] if national else None,
            }
        )
    return Template(
        "release.html",
        context={
            **_html_context(state_),
            "release": release,
            "sections": sections,
            "fmt": charts.fmt,
        },
    )


@get("/releases/{release_id:str}/methodologie", sync_to_thread=True, include_in_schema=False)
def page_methodology(release_id: FromPath[str], state_: NamedDependency[State]) -> Template:
    release = _release_or_404(state_, release_id)
    return Template(
        "methodology.html",
        context={**_html_context(state_), "release": release, "m": release.methodology},
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
            page_home,
            page_indicators,
            page_release,
            page_methodology,
        ],
        dependencies={
            "readiness": Provide(lambda: readiness, sync_to_thread=False),
            "state_": Provide(lambda: state, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
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
