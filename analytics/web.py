"""What the analytics API and its pages share: the principal, the service state, and how a
caller is authenticated (a bearer token, or in a browser the Regietafel login cookie)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import sqlalchemy as sa
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from analytics.contract import Geography
from analytics.indicators.catalogue import INDICATORS
from analytics.releases import Release, get_release
from analytics.settings import AnalyticsSettings
from services.platform.config import Settings
from services.platform.http.problems import standard_problem
from services.platform.identity.authn import COOKIE


@dataclass(frozen=True)
class Principal:
    """An authenticated user of the analytics service (from OIDC, wired by the lead)."""

    subject: str
    tenant: str | None = None  # gemeentecode of the user's tenant
    roles: frozenset[str] = field(default_factory=frozenset)


Authenticate = Callable[[str], Principal | None]


#: Who may see the gemeente's own exact (non-DP) figures: its management, not every user.
MANAGEMENT_ROLES = frozenset(
    {"pga-expert", "procesregisseur", "tenantbeheerder", "burgemeester-contactpersoon"}
)


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


def require_service(request: ASGIConnection[Any, Any, Any, Any], state: State) -> None:
    token = _bearer(request)
    expected = state.settings.service_token
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})


def state_of(connection: ASGIConnection[Any, Any, Any, Any]) -> State:
    state: State = connection.app.state["analytics"]
    return state


def service_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Service-to-service authentication, checked before the body is parsed."""
    require_service(connection, state_of(connection))


_PRINCIPAL_KEY = "analytics_principal"


async def principal_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    # Authentication may ask the casework service (a separate process): off the event loop.
    state = state_of(connection)
    await anyio.to_thread.run_sync(principal_of, connection, state)


def principal_of(request: ASGIConnection[Any, Any, Any, Any], state: State) -> Principal:
    """The caller, authenticated once per request (the guard's result is reused)."""
    cached = request.scope.get("state", {}).get(_PRINCIPAL_KEY)
    if isinstance(cached, Principal):
        return cached
    principal = state.authenticate(_token(request))
    if principal is None:
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})
    request.scope.setdefault("state", {})[_PRINCIPAL_KEY] = principal
    return principal


def release_or_404(state: State, release_id: str) -> Release:
    with state.engine.connect() as conn:
        release = get_release(conn, release_id)
    if release is None:
        raise standard_problem(404)
    return release


def filter_cells(
    release: Release, indicator_id: str | None, level: str | None
) -> list[dict[str, Any]]:
    return [
        c
        for c in release.cells
        if (indicator_id is None or c["indicator"] == indicator_id)
        and (level is None or c["level"] == level)
    ]


def catalogue() -> list[dict[str, Any]]:
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


def _token(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The bearer token, or (browser pages) the Regietafel login cookie."""
    if not request.headers.get("authorization") and request.cookies.get(COOKIE):
        return request.cookies[COOKIE]
    return _bearer(request)


def optional_principal(
    request: ASGIConnection[Any, Any, Any, Any], state: State
) -> Principal | None:
    try:
        return principal_of(request, state)
    except NotAuthorizedException:
        return None


def form_token(state: State, request: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The CSRF token of a browser form: an HMAC of the login cookie (empty without one)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return ""
    key = hashlib.sha256(b"regietafel-analytics-form|" + (state.settings.secret_key or "").encode())
    return hmac.new(key.digest(), cookie.encode(), hashlib.sha256).hexdigest()


def form_token_valid(state: State, request: ASGIConnection[Any, Any, Any, Any], sent: str) -> bool:
    """A form posted with the login cookie must carry its token; a bearer call needs none."""
    if request.headers.get("authorization"):
        return True
    expected = form_token(state, request)
    return bool(expected) and hmac.compare_digest(expected, sent)
