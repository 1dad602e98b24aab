"""Litestar app factory for the casework service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from services.beheer.operations import OperationsController
from services.beheer.routes import BeheerController
from services.casework.casuspagina.pages import casus_page
from services.casework.meldingen.service import unread_count
from services.casework.problems import CASEWORK_EXCEPTION_HANDLERS
from services.casework.routes import CONTROLLERS as CASEWORK_CONTROLLERS
from services.casework.routes import DEPENDENCIES as CASEWORK_DEPENDENCIES
from services.casework.routes import PAGES as WEB_PAGES
from services.casework.web import (
    NLDS_THEME_CLASS,
    NLDS_TOKENS,
    STATIC,
    TEMPLATES,
    nlds_tokens_installed,
)
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.errors import html_error_pages
from services.casework.web.fields import FieldMacros, field_id
from services.casework.web.jinja_env import page_environment
from services.casework.web.shell import PageWorkspace, cookie_principal
from services.exports.routes import ServiceController
from services.gebruikers.pages import GebruikersPagesController
from services.gebruikers.routes import GebruikersController, RolwijzigingenController
from services.platform.authz.gateway import PolicyGateway
from services.platform.config import Mode
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.http.csrf import CsrfSigner
from services.platform.http.health import HealthController, Readiness, ReadinessCheck
from services.platform.http.input_guard import input_guard_middleware
from services.platform.http.middleware import request_id_middleware
from services.platform.http.openapi import RESPONSE_PLUGIN, openapi_document
from services.platform.http.problems import EXCEPTION_HANDLERS
from services.platform.http.security_headers import security_headers_hook
from services.platform.identity.authn import COOKIE, BearerAuthenticationMiddleware
from services.platform.identity.ontwikkelaar import DeveloperController
from services.platform.identity.principal import Principal
from services.platform.identity.principal_signal import CachedPrincipals
from services.platform.identity.routes import DevLoginController, HomeController, MeController
from services.platform.identity.setup import Identity
from services.platform.workers.broker import InProcessWorker, ping
from services.runtime import Runtime, build_scheduler
from services.verantwoording.routes import (
    VerwerkingsregisterController,
    VerwerkingsregisterPageController,
)

VERSION = "0.1.0"


def readiness_for(runtime: Runtime, extra: dict[str, ReadinessCheck] | None = None) -> Readiness:
    def database() -> None:
        with runtime.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def broker() -> None:
        ping(runtime.broker)

    checks: dict[str, ReadinessCheck] = {"database": database, "broker": broker}
    checks.update(extra or {})
    return Readiness(checks)


def create_app(
    runtime: Runtime,
    *,
    start_worker: bool | None = None,
    extra_checks: dict[str, ReadinessCheck] | None = None,
    identity: Identity | None = None,
    gateway: PolicyGateway | None = None,
) -> Litestar:
    """The casework service. ``start_worker`` defaults to True for the stub broker: then the
    process also runs a worker and the scheduler (outbox relay, periodic jobs) itself."""
    if start_worker is None:
        start_worker = runtime.settings.broker_url == "stub"
    worker = InProcessWorker(runtime.broker) if start_worker else None
    schedule = build_scheduler(runtime, "embedded-scheduler") if start_worker else None
    identity = identity or runtime.identity
    settings = runtime.settings
    assert settings.secret_key and settings.pseudonym_key, "secrets are set by start_runtime"
    if gateway is None or gateway is runtime.gateway:
        gateway, casework = runtime.gateway, runtime.casework
    else:  # a test's own gateway (an engine double, say)
        casework = replace(runtime.casework, gateway=gateway)
    # Principals cached per app instance, dropped on PostgreSQL's signal (ADR 0027).
    principals = (
        CachedPrincipals(
            identity.directory,
            runtime.engine,
            runtime.sessions,
            max_age_seconds=settings.principal_cache_seconds,
        )
        if settings.principal_cache_seconds > 0
        else None
    )
    if principals is not None:
        identity = replace(identity, directory=principals.cache)
        # The same cache keeps the tenants' reference data (ADR 0027, amendment casuspagina).
        casework = replace(casework, reference=principals.cache)
    readiness = readiness_for(runtime, {"policy": gateway.check, **(extra_checks or {})})
    csrf = CsrfSigner(settings.secret_key)
    web = WebDeps(identity, runtime.sessions, casework, csrf, casus_page, unread_count)

    nlds_tokens = nlds_tokens_installed()

    def template_globals(engine: JinjaTemplateEngine) -> None:
        def logout_token(context: Mapping[str, Any]) -> str:
            request = context.get("request")
            cookie = request.cookies.get(COOKIE) if request is not None else None
            return csrf.token(cookie) if cookie else ""

        engine.register_template_callable("uitlog_token", logout_token)
        engine.engine.globals["nlds_theme"] = NLDS_THEME_CLASS if nlds_tokens else None
        engine.engine.globals["veld_html_id"] = field_id  # the form fields' ids (_velden.html)
        engine.engine.globals["veld_macros"] = FieldMacros  # the form fields (_velden.html)

        def unread_notifications(context: Mapping[str, Any]) -> int | None:
            """The header's badge: the viewer's unread meldingen (None when unknown). A
            casework page counts in its own transaction (the request's workspace, which
            holds its connection: no second one while the page is rendered); other pages
            with a login in a short one of their own."""
            principal = context.get("principal")
            if not isinstance(principal, Principal):
                return None
            viewer = context.get("viewer")
            scope = viewer.request_workspace if isinstance(viewer, Viewer) else None
            if isinstance(scope, PageWorkspace) and scope.badge_counted:
                return scope.unread  # read when the page's workspace opened (GET, HEAD)
            session = scope.open_session() if scope is not None else None
            try:
                if session is not None:
                    with session.begin_nested():
                        return unread_count(session, principal)
                with tenant_transaction(runtime.sessions, principal.tenant) as session:
                    return unread_count(session, principal)
            except sa.exc.SQLAlchemyError:  # a page about an outage still renders
                return None

        engine.register_template_callable("meldingen_aantal", unread_notifications)

    # The pages' Jinja environment (services/casework/web/jinja_env.py): no reload check in
    # production; TemplateConfig does not call an engine_callback for an instance.
    templates = JinjaTemplateEngine.from_environment(
        page_environment(TEMPLATES, auto_reload=settings.mode != Mode.PRODUCTION)
    )
    template_globals(templates)

    def on_startup() -> None:
        if principals is not None:
            principals.start()
        if worker is not None:
            worker.start()
        if schedule is not None:
            schedule.start()

    def on_shutdown() -> None:
        if schedule is not None:
            schedule.stop()
        if worker is not None:
            worker.stop()
        if principals is not None:
            principals.stop()

    handlers: list[object] = [
        HealthController,
        HomeController,
        DeveloperController,
        MeController,
        BeheerController,
        GebruikersController,
        RolwijzigingenController,
        ServiceController,
        OperationsController,
        openapi_document,
        VerwerkingsregisterController,
        *CASEWORK_CONTROLLERS,
        *WEB_PAGES,
        GebruikersPagesController,
        VerwerkingsregisterPageController,
        create_static_files_router(
            "/static", [STATIC], opt={"exclude_from_auth": True}, include_in_schema=False
        ),
    ]
    if nlds_tokens:  # NL Design System design tokens, installed by `make assets`
        handlers.append(
            create_static_files_router(
                "/static/nlds",
                [NLDS_TOKENS],
                name="nlds",
                opt={"exclude_from_auth": True},
                include_in_schema=False,
            )
        )
    if identity.dev_issuer is not None:
        handlers.append(DevLoginController)

    return Litestar(
        route_handlers=handlers,  # type: ignore[arg-type]
        dependencies={
            "readiness": Provide(lambda: readiness, sync_to_thread=False),
            "identity": Provide(lambda: identity, sync_to_thread=False),
            "sessions": Provide(lambda: runtime.sessions, sync_to_thread=False),
            "casework": Provide(lambda: casework, sync_to_thread=False),
            "web": Provide(lambda: web, sync_to_thread=False),
            "csrf": Provide(lambda: csrf, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "broker": Provide(lambda: runtime.broker, sync_to_thread=False),
            **CASEWORK_DEPENDENCIES,
        },
        # A browser gets a Dutch HTML page for every error; API clients problem+json.
        exception_handlers=html_error_pages(
            {**EXCEPTION_HANDLERS, **CASEWORK_EXCEPTION_HANDLERS},
            lambda request: cookie_principal(request, identity),
        ),
        plugins=[RESPONSE_PLUGIN],
        middleware=[
            request_id_middleware,
            input_guard_middleware,
            DefineMiddleware(
                BearerAuthenticationMiddleware,
                verifier=identity.verifier,
                directory=identity.directory,
                exclude=["^/api/docs"],
            ),
        ],
        before_send=[security_headers_hook(hsts=settings.base_url.startswith("https://"))],
        template_config=TemplateConfig(instance=templates),
        logging_config=None,  # services.platform.logging configures the root logger once
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        state=State({"principals": principals}),  # the principal cache (operators, tests)
        openapi_config=OpenAPIConfig(
            title="Regietafel casework API",
            version=VERSION,
            description="Persoonsgerichte Aanpak: casussen, deelnemers, plannen, overleggen.",
            path="/api/docs",
            # JSON/YAML only: the HTML renderers load assets from a CDN.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
            security=[{"bearer": []}],
        ),
    )
