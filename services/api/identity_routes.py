"""Home page, the development login (embedded mode only) and ``/api/v1/mij``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session, sessionmaker

from services.api.guards import principal_of
from services.api.problems import standard_problem
from services.db.models import Organisation, Tenant, User
from services.db.unit_of_work import platform_transaction, tenant_transaction
from services.identity.authn import COOKIE, PUBLIC
from services.identity.dev_issuer import DevIssuer
from services.identity.directory import AccessRefused
from services.identity.principal import Principal
from services.identity.setup import Identity
from services.identity.tokens import TokenError


@dataclass
class LoginForm:
    tenant: str
    user: str


@dataclass
class TokenRequest:
    tenant: str
    user: str


def _cookie_principal(request: Request[Any, Any, Any], identity: Identity) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return identity.directory.resolve(identity.verifier.verify(token))
    except (TokenError, AccessRefused):
        return None


class HomeController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def home(
        self,
        request: Request[Any, Any, Any],
        identity: NamedDependency[Identity],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Template:
        principal = _cookie_principal(request, identity)
        context: dict[str, Any] = {"principal": principal}
        if principal is not None:
            with tenant_transaction(sessions, principal.tenant) as session:
                org = session.get(Organisation, (principal.tenant, principal.organisation))
                tenant = session.get(Tenant, principal.tenant)
            context.update(
                organisation_name=org.name if org else principal.organisation,
                tenant_name=tenant.name if tenant else principal.tenant,
                token=request.cookies.get(COOKIE),
            )
        return Template("home.html", context=context)

    @get("/uitloggen", opt=PUBLIC, sync_to_thread=False)
    def logout(self) -> Redirect:
        response = Redirect("/")
        response.delete_cookie(COOKIE)
        return response


class DevLoginController(Controller):
    """Only registered when the development issuer is active (embedded mode)."""

    path = "/"
    include_in_schema = False

    @get("/inloggen", opt=PUBLIC, sync_to_thread=True)
    def login_page(self, sessions: NamedDependency[sessionmaker[Session]]) -> Template:
        with platform_transaction(sessions) as session:
            tenants = session.scalars(sa.select(Tenant).order_by(Tenant.kind, Tenant.code)).all()
        listing = []
        for tenant in tenants:
            with tenant_transaction(sessions, tenant.code) as session:
                rows = session.execute(
                    sa.select(User, Organisation.name)
                    .join(
                        Organisation,
                        sa.and_(
                            Organisation.tenant_id == User.tenant_id,
                            Organisation.id == User.organisation_id,
                        ),
                    )
                    .where(User.active)
                    .order_by(User.display_name)
                ).all()
            listing.append(
                {
                    "code": tenant.code,
                    "name": tenant.name,
                    "kind": tenant.kind.value,
                    "status": tenant.status.value,
                    "users": [
                        {"id": u.id, "name": u.display_name, "organisation": org, "roles": u.roles}
                        for u, org in rows
                    ],
                }
            )
        return Template("login.html", context={"tenants": listing, "principal": None})

    @post("/inloggen", opt=PUBLIC, sync_to_thread=True, status_code=303)
    def login(
        self,
        data: URLEncodedBody[LoginForm],
        identity: NamedDependency[Identity],
    ) -> Redirect:
        token = self._issue(identity, data.tenant, data.user)
        response = Redirect("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", max_age=8 * 3600)
        return response

    @get("/oidc/.well-known/openid-configuration", opt=PUBLIC, sync_to_thread=False)
    def discovery(self, identity: NamedDependency[Identity]) -> dict[str, Any]:
        issuer = self._issuer(identity)
        return {
            "issuer": issuer.issuer,
            "jwks_uri": issuer.issuer + "/jwks.json",
            "token_endpoint": issuer.issuer + "/token",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    @get("/oidc/jwks.json", opt=PUBLIC, sync_to_thread=False)
    def jwks(self, identity: NamedDependency[Identity]) -> dict[str, Any]:
        return self._issuer(identity).jwks()

    @post("/oidc/token", opt=PUBLIC, sync_to_thread=True, status_code=200)
    def token(
        self, data: JSONBody[TokenRequest], identity: NamedDependency[Identity]
    ) -> dict[str, Any]:
        """Development shortcut: a token for a demo user, for scripts and API clients."""
        return {
            "access_token": self._issue(identity, data.tenant, data.user),
            "token_type": "Bearer",
            "expires_in": 8 * 3600,
        }

    @staticmethod
    def _issuer(identity: Identity) -> DevIssuer:
        if identity.dev_issuer is None:
            raise standard_problem(404)
        return identity.dev_issuer

    def _issue(self, identity: Identity, tenant: str, user: str) -> str:
        issuer = self._issuer(identity)
        token: str = issuer.issue(tenant=tenant, user_id=user)
        try:
            identity.directory.resolve(identity.verifier.verify(token))
        except AccessRefused as error:
            raise standard_problem(
                error.status, code=error.code, detail=error.message_nl, detail_en=error.message_en
            ) from None
        return token


class MeController(Controller):
    path = "/api/v1/mij"
    tags = ["identiteit"]  # noqa: RUF012

    @get("/", sync_to_thread=False, summary="Wie ben ik (gemeente, organisatie, rollen)?")
    def me(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        principal = principal_of(request)
        return Response(
            {
                "gebruiker": principal.user_id,
                "naam": principal.display_name,
                "tenant": principal.tenant,
                "organisatie": principal.organisation,
                "domein": principal.domain,
                "rollen": sorted(principal.roles),
            }
        )
