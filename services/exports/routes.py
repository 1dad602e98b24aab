"""Service-to-service endpoints of the casework service (the service token, not a user)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from sqlalchemy.orm import Session, sessionmaker

from services.exports.facts import geography_from_tenants
from services.platform.config import Settings
from services.platform.http.openapi import Out
from services.platform.http.problems import standard_problem
from services.platform.identity.authn import PUBLIC


def require_service_token(request: Request[Any, Any, Any], settings: Settings) -> None:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    expected = settings.service_token or ""
    if not token or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise standard_problem(
            401,
            code="dienst-token-vereist",
            detail="Alleen voor de eigen diensten (service token).",
            detail_en="For Regietafel's own services only (service token).",
            headers={"WWW-Authenticate": 'Bearer realm="regietafel-dienst"'},
        )


class GemeenteOut(Out):
    code: str
    naam: str
    regio: str


class GeografieOut(Out):
    """The analytics service's key list (analytics.contract reads it)."""

    gemeenten: list[GemeenteOut]


class ServiceController(Controller):
    path = "/api/v1/dienst"
    tags = ["dienst"]  # noqa: RUF012
    include_in_schema = False

    @get("/geografie", opt=PUBLIC, sync_to_thread=True)
    def geography(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> GeografieOut:
        """The public key list of the analytics service: gemeenten and their regions."""
        require_service_token(request, settings)
        geography = geography_from_tenants(sessions)
        return GeografieOut(
            gemeenten=[
                GemeenteOut(code=g.code, naam=g.name, regio=g.region) for g in geography.gemeenten
            ]
        )
