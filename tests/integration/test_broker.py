"""The dramatiq path end to end: a message enqueued here is handled by a worker.

Embedded: the stub broker with the in-process worker. RabbitMQ and Redis: a separate
``regietafel worker`` process. CI sets RABBITMQ_URL and REDIS_URL (its machine runs both);
on a laptop without them those cases are skipped, saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.jobs import register_actors
from services.platform.config import Settings
from services.platform.db.engine import make_session_factory
from services.platform.db.provision import DatabaseUrls
from services.platform.workers.broker import InProcessWorker, create_broker, ping


@pytest.fixture(scope="module")
def sessions(db_urls: DatabaseUrls) -> Iterator[sessionmaker[Session]]:
    engine = sa.create_engine(db_urls.app)
    yield make_session_factory(engine)
    engine.dispose()


def handled_by(sessions: sessionmaker[Session], token: str, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sessions() as session:
            pid = session.execute(
                sa.text("SELECT worker_pid FROM worker_heartbeats WHERE token = :t"), {"t": token}
            ).scalar()
        if pid is not None:
            return int(pid)
        time.sleep(0.1)
    return None


def test_stub_broker_with_in_process_worker(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    broker = create_broker("stub")
    actors = register_actors(broker, sessions, settings)
    worker = InProcessWorker(broker)
    worker.start()
    try:
        token = uuid.uuid4().hex
        actors.heartbeat.send(token)
        broker.join(actors.heartbeat.queue_name, timeout=10_000)
        assert handled_by(sessions, token, timeout=5) == os.getpid()
    finally:
        worker.stop()
        broker.close()


def broker_urls() -> list[object]:
    params: list[object] = []
    for env, mark in (("RABBITMQ_URL", pytest.mark.rabbitmq), ("REDIS_URL", pytest.mark.redis)):
        url = os.environ.get(env)
        params.append(
            pytest.param(
                url,
                id=env.split("_")[0].lower(),
                marks=[
                    mark,
                    pytest.mark.skipif(
                        not url, reason=f"{env} not set: no such broker on this machine"
                    ),
                ],
            )
        )
    return params


@pytest.mark.parametrize("url", broker_urls())
def test_message_is_handled_by_a_separate_worker_process(
    url: str,
    sessions: sessionmaker[Session],
    db_urls: DatabaseUrls,
    settings: Settings,
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "REGIETAFEL_BROKER_URL": url,
        "REGIETAFEL_DATABASE_ADMIN_URL": db_urls.admin.render_as_string(hide_password=False),
        "REGIETAFEL_DATABASE_NAME": settings.database_name,
        "REGIETAFEL_DATA_DIR": str(tmp_path),
        "REGIETAFEL_LOG_JSON": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker", "--threads", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    broker = create_broker(url)
    try:
        ping(broker)
        actors = register_actors(broker, sessions, settings)
        token = uuid.uuid4().hex
        actors.heartbeat.send(token)
        pid = handled_by(sessions, token, timeout=30)
        assert pid == worker.pid, f"handled by {pid}, worker is {worker.pid}"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=15)
        broker.close()
    assert worker.returncode == 0, output
