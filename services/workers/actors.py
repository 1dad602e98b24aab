"""Actor registry: every actor is declared against an explicit broker.

Declaring actors in a function (instead of at import time against a global broker) keeps
one code path for the embedded stub broker, RabbitMQ and Redis, and for tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import dramatiq
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.db.unit_of_work import platform_transaction


@dataclass
class Actors:
    heartbeat: dramatiq.Actor[[str], None]


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


def register_actors(broker: dramatiq.Broker, sessions: sessionmaker[Session]) -> Actors:
    def heartbeat(token: str) -> None:
        record_heartbeat(sessions, token)

    return Actors(
        heartbeat=dramatiq.actor(actor_name="heartbeat", broker=broker, max_retries=3)(heartbeat),
    )
