"""Home page, login (OIDC authorization code + PKCE), logout, the development issuer
(embedded mode only) and ``/api/v1/mij``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import anyio
import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session, sessionmaker

from services.platform.config import Settings
from services.platform.db.models import Organisation, Tenant, User
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.http.csrf import CsrfSigner
from services.platform.http.openapi import Out, problem_responses
from services.platform.http.problems import standard_problem
from services.platform.identity.authn import COOKIE, PUBLIC
from services.platform.identity.dev_issuer import (
    CALLBACK_PATH,
    AuthorizationRequest,
    DevIssuer,
    OAuthError,
)
from services.platform.identity.directory import AccessRefused
from services.platform.identity.guards import principal_of
from services.platform.identity.login_flow import LOGIN_COOKIE, LOGIN_COOKIE_SECONDS, LoginFailed
from services.platform.identity.principal import Principal
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import TokenError

Req = Request[Any, Any, Any]
SESSION_SECONDS = 8 * 3600


@dataclass
class TokenRequest:
    tenant: str
    user: str


def _cookie_principal(request: Req, identity: Identity) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return identity.directory.resolve(identity.verifier.verify(token))
    except (TokenError, AccessRefused):
        return None


def _origin(request: Req) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _callback_uri(request: Req, settings: Settings) -> str:
    base = settings.public_base_url.rstrip("/") if settings.public_base_url else _origin(request)
    return base + CALLBACK_PATH


class HomeController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def home(
        self,
        request: Req,
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
            )
        return Template("home.html", context=context)

    @get("/inloggen", opt=PUBLIC, sync_to_thread=True)
    def login(
        self,
        request: Req,
        identity: NamedDependency[Identity],
        settings: NamedDependency[Settings],
    ) -> Redirect:
        """Start the authorization-code flow: off to the identity provider."""
        try:
            start = identity.login.start(_callback_uri(request, settings))
        except Exception as error:  # provider unreachable: fail closed with a clear page
            raise standard_problem(
                503,
                code="identiteitsprovider-onbereikbaar",
                detail="De identiteitsprovider is niet bereikbaar; probeer het later opnieuw.",
                detail_en="The identity provider cannot be reached.",
            ) from error
        response = Redirect(start.location, status_code=303)
        response.set_cookie(
            Cookie(
                key=LOGIN_COOKIE,
                value=start.cookie,
                path=CALLBACK_PATH,
                max_age=LOGIN_COOKIE_SECONDS,
                httponly=True,
                secure=settings.secure_cookies,
                samesite="lax",
            )
        )
        return response

    @get(CALLBACK_PATH, opt=PUBLIC, sync_to_thread=True)
    def callback(
        self,
        request: Req,
        identity: NamedDependency[Identity],
        settings: NamedDependency[Settings],
    ) -> Template:
        """The provider's redirect back: redeem the code, set the session cookie."""
        query = request.query_params  # 'state' is a reserved parameter name in Litestar
        try:
            if query.get("error"):
                raise LoginFailed("Inloggen is afgebroken bij de identiteitsprovider.")
            token = identity.login.finish(
                cookie=request.cookies.get(LOGIN_COOKIE),
                code=query.get("code"),
                state=query.get("state"),
            )
            identity.directory.resolve(identity.verifier.verify(token))
        except (LoginFailed, OAuthError, AccessRefused) as failure:
            message = getattr(failure, "message", None) or getattr(
                failure, "message_nl", "Inloggen is mislukt."
            )
            return Template(
                "inloggen_mislukt.html",
                context={"principal": None, "melding": message},
                status_code=400 if not isinstance(failure, AccessRefused) else 403,
            )
        response = Template("ingelogd.html", context={"principal": None})
        response.set_cookie(
            Cookie(
                key=COOKIE,
                value=token,
                path="/",
                max_age=SESSION_SECONDS,
                httponly=True,
                secure=settings.secure_cookies,
                samesite="strict",
            )
        )
        response.delete_cookie(LOGIN_COOKIE, path=CALLBACK_PATH)
        return response

    @post("/uitloggen", opt=PUBLIC, status_code=303)
    async def logout(self, request: Req, csrf: NamedDependency[CsrfSigner]) -> Response[Any]:
        """Log out: a POST from our own page (the CSRF token of this login), never a GET."""
        form = await request.form()
        cookie = request.cookies.get(COOKIE)
        if cookie and not csrf.valid(cookie, str(form.get(CSRF_FIELD, ""))):
            return Template("formulier_ongeldig.html", context={"principal": None}, status_code=403)
        response = Redirect("/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response


class DevLoginController(Controller):
    """The development identity provider; only registered in embedded mode."""

    path = "/oidc"
    include_in_schema = False

    @get("/.well-known/openid-configuration", opt=PUBLIC, sync_to_thread=False)
    def discovery(self, identity: NamedDependency[Identity]) -> dict[str, Any]:
        return _issuer(identity).discovery()

    @get("/jwks.json", opt=PUBLIC, sync_to_thread=False)
    def jwks(self, identity: NamedDependency[Identity]) -> dict[str, Any]:
        return _issuer(identity).jwks()

    @get("/authorize", opt=PUBLIC, sync_to_thread=True)
    def authorize_page(
        self,
        request: Req,
        identity: NamedDependency[Identity],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[Any]:
        """The login screen of the development provider: choose a fictional user."""
        params = _authorization_request(dict(request.query_params))
        _check(_issuer(identity), params, request)
        return Template(
            "login.html",
            context={"tenants": _demo_users(sessions), "principal": None, "oauth": params},
        )

    @post("/authorize", opt=PUBLIC, status_code=303)
    async def authorize(
        self,
        request: Req,
        identity: NamedDependency[Identity],
    ) -> Redirect:
        form = {k: str(v) for k, v in (await request.form()).items()}
        params = _authorization_request(form)
        issuer = _issuer(identity)
        _check(issuer, params, request)
        tenant, user = form.get("tenant", ""), form.get("user", "")
        await anyio.to_thread.run_sync(_resolve_demo_user, identity, issuer, tenant, user)
        code = issuer.authorize(params, tenant=tenant, user_id=user)
        query = urlencode({"code": code, "state": params.state})
        return Redirect(f"{params.redirect_uri}?{query}", status_code=303)

    @post("/token", opt=PUBLIC, status_code=200)
    async def token(self, request: Req, identity: NamedDependency[Identity]) -> Response[Any]:
        """The token endpoint: the authorization-code grant with PKCE (form-encoded), or
        the development shortcut ``{"tenant", "user"}`` (JSON) for scripts and API clients."""
        issuer = _issuer(identity)
        if request.headers.get("content-type", "").startswith("application/json"):
            data = TokenRequest(**(await request.json()))
            access = await anyio.to_thread.run_sync(
                _resolve_demo_user, identity, issuer, data.tenant, data.user
            )
            return Response(
                {"access_token": access, "token_type": "Bearer", "expires_in": SESSION_SECONDS}
            )
        form = {k: str(v) for k, v in (await request.form()).items()}
        if form.get("grant_type") != "authorization_code":
            return Response(
                {"error": "unsupported_grant_type", "error_description": "authorization_code"},
                status_code=400,
            )
        try:
            answer = issuer.redeem(
                code=form.get("code", ""),
                client_id=form.get("client_id", ""),
                redirect_uri=form.get("redirect_uri", ""),
                code_verifier=form.get("code_verifier", ""),
            )
        except OAuthError as error:
            return Response(error.body(), status_code=error.status)
        return Response(answer, headers={"Cache-Control": "no-store"})


def _issuer(identity: Identity) -> DevIssuer:
    if identity.dev_issuer is None:
        raise standard_problem(404)
    return identity.dev_issuer


def _authorization_request(values: dict[str, str]) -> AuthorizationRequest:
    return AuthorizationRequest(
        client_id=values.get("client_id", ""),
        redirect_uri=values.get("redirect_uri", ""),
        state=values.get("state", ""),
        nonce=values.get("nonce", ""),
        code_challenge=values.get("code_challenge", ""),
        code_challenge_method=values.get("code_challenge_method", ""),
        response_type=values.get("response_type", ""),
        scope=values.get("scope", "openid"),
    )


def _check(issuer: DevIssuer, params: AuthorizationRequest, request: Req) -> None:
    try:
        issuer.check_request(params, request_origin=_origin(request))
    except OAuthError as error:
        raise standard_problem(
            400, code="oauth-" + error.error.replace("_", "-"), detail=error.description
        ) from None


def _resolve_demo_user(identity: Identity, issuer: DevIssuer, tenant: str, user: str) -> str:
    token: str = issuer.issue(tenant=tenant, user_id=user)
    try:
        identity.directory.resolve(identity.verifier.verify(token))
    except AccessRefused as error:
        raise standard_problem(
            error.status, code=error.code, detail=error.message_nl, detail_en=error.message_en
        ) from None
    return token


def _demo_users(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
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
    return listing


class MijOut(Out):
    gebruiker: str
    naam: str
    tenant: str
    tenant_soort: str
    organisatie: str
    domein: str
    rollen: list[str]


class MeController(Controller):
    path = "/api/v1/mij"
    tags = ["identiteit"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=False,
        summary="Wie ben ik (gemeente, organisatie, rollen)?",
        responses=problem_responses(),
    )
    def me(self, request: Req) -> Response[MijOut]:
        principal = principal_of(request)
        return Response(
            MijOut(
                gebruiker=principal.user_id,
                naam=principal.display_name,
                tenant=principal.tenant,
                tenant_soort=principal.tenant_kind,
                organisatie=principal.organisation,
                domein=principal.domain,
                rollen=sorted(principal.roles),
            )
        )
