"""Route guards on roles (coarse); fine-grained decisions are the policy engine's."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from services.platform.http.problems import standard_problem
from services.platform.identity.principal import Principal


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise standard_problem(401)
    return user


def require_roles(*roles: str, regio: bool = False) -> Guard:
    """Allow only principals holding one of ``roles`` (and, with ``regio``, of a regio tenant)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if not principal.has_role(*roles) or (regio and principal.tenant_kind != "regio"):
            needed = " of ".join(roles)
            raise standard_problem(
                403,
                code="rol-vereist",
                detail=f"Hiervoor is de rol {needed} nodig"
                + (" bij het regionale bureau." if regio else "."),
                detail_en=f"This requires the role {' or '.join(roles)}.",
            )

    return guard
