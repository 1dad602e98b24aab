"""Actor registry: every actor is declared against an explicit broker.

Declaring actors in a function (instead of at import time against a global broker) keeps
one code path for the embedded stub broker, RabbitMQ and Redis, and for tests.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import dramatiq
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.config import Settings
from services.db.unit_of_work import platform_transaction

_log = logging.getLogger(__name__)


@dataclass
class Actors:
    heartbeat: dramatiq.Actor[[str], None]
    export_facts: dramatiq.Actor[[str], None]


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


def register_actors(
    broker: dramatiq.Broker, sessions: sessionmaker[Session], settings: Settings
) -> Actors:
    def heartbeat(token: str) -> None:
        record_heartbeat(sessions, token)

    def export_facts(period: str) -> None:
        """Deliver every gemeente's pseudonymised facts of ``period`` to the analytics
        service (service token); idempotent, so retries and reruns replace, not duplicate."""
        from services.analytics_link import export_facts as run_export

        summary = run_export(sessions, settings, period, progress=_log.info)
        _log.info("exported %s fact records for %s gemeenten", summary.records, summary.gemeenten)

    return Actors(
        heartbeat=dramatiq.actor(actor_name="heartbeat", broker=broker, max_retries=3)(heartbeat),
        export_facts=dramatiq.actor(
            actor_name="export_facts",
            queue_name="analytics-export",
            broker=broker,
            max_retries=5,
            min_backoff=5_000,
        )(export_facts),
    )
