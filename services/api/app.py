"""Litestar app factory for the casework service."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin

from services.api.health import HealthController, Readiness, ReadinessCheck
from services.api.middleware import request_id_middleware
from services.api.problems import EXCEPTION_HANDLERS
from services.runtime import Runtime
from services.workers.broker import InProcessWorker, ping

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
) -> Litestar:
    """The casework service. ``start_worker`` defaults to True for the stub broker."""
    if start_worker is None:
        start_worker = runtime.settings.broker_url == "stub"
    worker = InProcessWorker(runtime.broker) if start_worker else None
    readiness = readiness_for(runtime, extra_checks)

    def on_startup() -> None:
        if worker is not None:
            worker.start()

    def on_shutdown() -> None:
        if worker is not None:
            worker.stop()

    return Litestar(
        route_handlers=[HealthController],
        dependencies={"readiness": Provide(lambda: readiness, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[request_id_middleware],
        logging_config=None,  # services.logging configures the root logger once
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=OpenAPIConfig(
            title="Regietafel casework API",
            version=VERSION,
            description="Persoonsgerichte Aanpak: casussen, deelnemers, plannen, overleggen.",
            path="/api/docs",
            # JSON/YAML only: the HTML renderers load assets from a CDN.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
    )
