"""Actor registry: every actor is declared against an explicit broker.

Declaring actors in a function (instead of at import time against a global broker) keeps
one code path for the embedded stub broker, RabbitMQ and Redis, and for tests. Messages
carry ids and dates only, never person data. Every actor is idempotent (see
services/outbox/consumers.py), retried with exponential backoff
(``REGIETAFEL_JOB_MAX_RETRIES``, ``..._MIN_BACKOFF_MS``, ``..._MAX_BACKOFF_MS``) and
dead-lettered when the retries run out (services/outbox/dead_letters.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import dramatiq
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.config import Settings
from services.platform.db.unit_of_work import platform_transaction
from services.platform.outbox import consumers, dead_letters
from services.platform.outbox.mail import mailer_for

if TYPE_CHECKING:
    from services.casework.unit_of_work import CaseworkDeps

_log = logging.getLogger(__name__)


@dataclass
class Actors:
    heartbeat: dramatiq.Actor[[str], None]
    export_facts: dramatiq.Actor[[str], None]
    deliver_event: dramatiq.Actor[[str, str], None]
    send_reminders: dramatiq.Actor[[str], None]
    retention_sweep: dramatiq.Actor[[str], None]
    verify_audit_chain: dramatiq.Actor[[], None]

    def send_event(self, tenant_id: str, event_id: uuid.UUID) -> None:
        """What the outbox relay calls for every event (raises when the broker fails)."""
        self.deliver_event.send(tenant_id, str(event_id))


def record_heartbeat(sessions: sessionmaker[Session], token: str) -> None:
    """The trivial job that proves the path: write the token with the worker's pid."""
    with platform_transaction(sessions) as session:
        session.execute(
            sa.text(
                "INSERT INTO worker_heartbeats (token, worker_pid) VALUES (:t, :p) "
                "ON CONFLICT (token) DO NOTHING"
            ),
            {"t": token, "p": os.getpid()},
        )


def retention_sweep_all(sessions: sessionmaker[Session], today: dt.date) -> dict[str, int]:
    """The periodic bewaartermijn sweep: per gemeente, remove what passed its retention term
    (services/casework/avg/bewaartermijn.py; each run is recorded and audited). Returns
    the number of casussen removed per gemeente."""
    from services.casework.avg.bewaartermijn import sweep

    return {r.tenant_id: len(r.casussen) for r in sweep(sessions, today) if r.casussen}


def queue_name(settings: Settings, name: str) -> str:
    return f"{settings.queue_prefix}{name}"


def _work_queue_as_user(
    sessions: sessionmaker[Session],
    settings: Settings,
    casework: Callable[[], CaseworkDeps] | None = None,
) -> Callable[[str, str], dict[str, Any]]:
    """The werkvoorraad of one user, computed under the policy as that user (with the
    process's casework dependencies when given: the runtime builds them once)."""
    from services.casework.domain.bsn import BsnVault
    from services.casework.unit_of_work import CaseworkDeps, workspace
    from services.casework.werkvoorraad import service as werkvoorraad
    from services.platform.authz.gateway import PolicyGateway
    from services.platform.authz.subjects import SubjectSealer
    from services.platform.identity.directory import PrincipalDirectory
    from services.platform.identity.tokens import Claims

    assert settings.secret_key and settings.pseudonym_key
    deps = (
        casework()
        if casework is not None
        else CaseworkDeps(
            sessions,
            PolicyGateway(settings, sessions),
            BsnVault(settings.secret_key),
            settings.pseudonym_key,
            SubjectSealer(settings.secret_key),
        )
    )
    directory = PrincipalDirectory(sessions)

    def work_queue(tenant_id: str, user_id: str) -> dict[str, Any]:
        principal = directory.resolve(Claims(subject=user_id, tenant=tenant_id, raw={}))
        with workspace(deps, principal) as ws:
            return werkvoorraad.work_queue(ws, horizon_days=0)

    return work_queue


def _due_notifications(
    sessions: sessionmaker[Session],
    settings: Settings,
    casework: Callable[[], CaseworkDeps] | None = None,
) -> Callable[[], int]:
    """In-app notifications of due actions and toezeggingen (services/casework/werkvoorraad/
    termijnen.py): per gemeente, for every active user whose role does casework, computed
    under the policy as that user; idempotent (one per user, item and date)."""
    from services.casework.casussen.deelnemers import CASEWORK_ROLES
    from services.casework.unit_of_work import workspace
    from services.casework.werkvoorraad import termijnen
    from services.platform.db.models import User
    from services.platform.db.unit_of_work import tenant_transaction
    from services.platform.identity.directory import PrincipalDirectory
    from services.platform.identity.tokens import Claims

    directory = PrincipalDirectory(sessions)

    def notify_all() -> int:
        deps = casework() if casework is not None else _casework_deps(sessions, settings)
        written = 0
        for tenant_id in consumers.active_tenants(sessions):
            with tenant_transaction(sessions, tenant_id) as session:
                users = [
                    user.id
                    for user in session.scalars(
                        sa.select(User)
                        .where(User.tenant_id == tenant_id, User.active)
                        .order_by(User.id)
                    )
                    if set(user.roles) & CASEWORK_ROLES
                ]
            for user_id in users:
                try:
                    principal = directory.resolve(Claims(subject=user_id, tenant=tenant_id, raw={}))
                    with workspace(deps, principal) as ws:
                        written += termijnen.notify_due(ws)
                except Exception as error:  # noqa: BLE001 - one user's failure must not stop others
                    _log.warning(
                        "due notifications for a user in %s skipped: %s",
                        tenant_id,
                        type(error).__name__,
                    )
        return written

    return notify_all


def _casework_deps(sessions: sessionmaker[Session], settings: Settings) -> CaseworkDeps:
    from services.casework.domain.bsn import BsnVault
    from services.casework.unit_of_work import CaseworkDeps
    from services.platform.authz.gateway import PolicyGateway
    from services.platform.authz.subjects import SubjectSealer

    assert settings.secret_key and settings.pseudonym_key
    return CaseworkDeps(
        sessions,
        PolicyGateway(settings, sessions),
        BsnVault(settings.secret_key),
        settings.pseudonym_key,
        SubjectSealer(settings.secret_key),
    )


def register_actors(
    broker: dramatiq.Broker,
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    casework: Callable[[], CaseworkDeps] | None = None,
) -> Actors:
    dead_letters.install(broker, sessions)
    retry = {
        "max_retries": settings.job_max_retries,
        "min_backoff": settings.job_min_backoff_ms,
        "max_backoff": settings.job_max_backoff_ms,
    }

    @cache
    def deps() -> consumers.ConsumerDeps:
        return consumers.ConsumerDeps(sessions, settings, mailer_for(settings))

    @cache
    def work_queue() -> Callable[[str, str], dict[str, Any]]:
        return _work_queue_as_user(sessions, settings, casework)

    def heartbeat(token: str) -> None:
        record_heartbeat(sessions, token)

    def export_facts(period: str) -> None:
        """Deliver every gemeente's pseudonymised facts of ``period`` to the analytics
        service (service token); idempotent, so retries and reruns replace, not duplicate."""
        from services.analytics_link import export_facts as run_export

        summary = run_export(sessions, settings, period, progress=_log.info)
        _log.info("exported %s fact records for %s gemeenten", summary.records, summary.gemeenten)

    def deliver_event(tenant_id: str, event_id: str) -> None:
        consumers.handle_event(deps(), tenant_id, uuid.UUID(event_id))

    @cache
    def due_notifications() -> Callable[[], int]:
        return _due_notifications(sessions, settings, casework)

    def send_reminders(day: str) -> None:
        count = consumers.send_reminders(deps(), dt.date.fromisoformat(day), work_queue())
        _log.info("reminders sent: %d", count)
        _log.info("due notifications (meldingen) written: %d", due_notifications()())

    def retention_sweep(day: str) -> None:
        retention_sweep_all(sessions, dt.date.fromisoformat(day))

    def verify_audit_chain() -> None:
        consumers.verify_audit_chain(deps())

    def declare(fn: Callable[..., None], name: str, queue: str, **options: Any) -> Any:
        return dramatiq.actor(
            actor_name=name,
            queue_name=queue_name(settings, queue),
            broker=broker,
            **{**retry, **options},
        )(fn)

    return Actors(
        heartbeat=declare(heartbeat, "heartbeat", "default", max_retries=3),
        export_facts=declare(export_facts, "export_facts", "analytics-export", min_backoff=5_000),
        deliver_event=declare(deliver_event, "deliver_event", "events"),
        send_reminders=declare(send_reminders, "send_reminders", "periodic"),
        retention_sweep=declare(retention_sweep, "retention_sweep", "periodic"),
        verify_audit_chain=declare(verify_audit_chain, "verify_audit_chain", "periodic"),
    )
