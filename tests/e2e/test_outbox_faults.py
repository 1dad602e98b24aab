"""Faults survived by the outbox, with real RabbitMQ and real worker processes.

* The broker goes away (a TCP proxy in front of the machine's RabbitMQ is cut: the shared
  server itself is never stopped) during a burst of writes: every event stays in the
  outbox, and when the broker returns each one is delivered and handled exactly once.
* A worker process is killed (SIGKILL) while it is inside the event consumer: its message
  returns to RabbitMQ, another worker handles it, and again each event is handled once.

Two ``regietafel scheduler`` processes run: one leads (relay and periodic jobs). The
queue names carry a prefix unique to this run. Every wait follows progress (log lines,
counts in the database); the guard only turns a hang into a failure.
Needs RABBITMQ_URL (CI sets it); skipped otherwise.
"""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from fake_oidc import free_port
from litestar.testing import TestClient
from people import ZEIST, ZEIST_WIJKAGENT
from processes import STALL_SECONDS, Process, clean_env
from rabbit_cleanup import delete_prefixed_queues
from tcp_proxy import TcpProxy

from services.app import create_app
from services.platform.config import Settings
from services.platform.db.provision import DatabaseUrls
from services.platform.identity.setup import Identity
from services.runtime import Runtime

RABBITMQ_URL = os.environ.get("RABBITMQ_URL")
pytestmark = pytest.mark.skipif(
    not RABBITMQ_URL, reason="RABBITMQ_URL not set: needs a real RabbitMQ server (CI)"
)

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
BURST = 30
KILL_BURST = 12


def aanmelding(name: str) -> dict[str, object]:
    return {
        "soort": "persoon",
        "waarom_integraal": "Meerdere leefgebieden; een partij alleen komt niet verder.",
        "problemen": {"financien": "Schulden.", "justitie": "Overlast."},
        "geinformeerd": True,
        "persoon": {"voornamen": name, "achternaam": "Storing", "geboortedatum": "1999-09-09"},
    }


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    assert RABBITMQ_URL
    target = urlsplit(RABBITMQ_URL)
    tcp = TcpProxy(free_port(), (target.hostname or "127.0.0.1", target.port or 5672))
    tcp.start()
    yield tcp
    tcp.stop()


@pytest.fixture
def admin(runtime: Runtime) -> Iterator[sa.Engine]:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    yield engine
    engine.dispose()


def env_for(
    settings: Settings, db_urls: DatabaseUrls, proxy: TcpProxy, prefix: str, data: Path
) -> dict[str, str]:
    assert RABBITMQ_URL and db_urls.admin is not None
    broker = urlsplit(RABBITMQ_URL)._replace(netloc=f"guest:guest@127.0.0.1:{proxy.port}")
    return clean_env(
        REGIETAFEL_BROKER_URL=broker.geturl(),
        REGIETAFEL_QUEUE_PREFIX=prefix,
        REGIETAFEL_DATABASE_ADMIN_URL=db_urls.admin.render_as_string(hide_password=False),
        REGIETAFEL_DATABASE_NAME=settings.database_name,
        REGIETAFEL_ANALYTICS_DATABASE_NAME=settings.analytics_database_name,
        REGIETAFEL_DATA_DIR=str(data),
        REGIETAFEL_SECRET_KEY=settings.secret_key or "",
        REGIETAFEL_PSEUDONYM_KEY=settings.pseudonym_key or "",
        REGIETAFEL_SERVICE_TOKEN=settings.service_token or "",
        REGIETAFEL_EXPORT_INTERVAL_HOURS="0",
        REGIETAFEL_REMINDER_INTERVAL_MINUTES="0",
        REGIETAFEL_RETENTION_INTERVAL_HOURS="0",
        REGIETAFEL_AUDIT_VERIFY_INTERVAL_HOURS="0",
        REGIETAFEL_OUTBOX_POLL_SECONDS="0.2",
        REGIETAFEL_JOB_MIN_BACKOFF_MS="100",
        REGIETAFEL_JOB_MAX_BACKOFF_MS="2000",
        REGIETAFEL_LOG_JSON="false",
    )


def counts(admin: sa.Engine, casus_ids: list[str]) -> dict[str, int]:
    with admin.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT count(*) AS events, "
                "count(*) FILTER (WHERE published_at IS NOT NULL) AS published, "
                "count(*) FILTER (WHERE handled_at IS NOT NULL) AS handled, "
                "(SELECT count(*) FROM notifications n WHERE n.event_id = ANY(array_agg(e.id))) "
                "  AS notifications, "
                "(SELECT count(DISTINCT n.event_id) FROM notifications n "
                "  WHERE n.event_id = ANY(array_agg(e.id))) AS notified_events "
                "FROM outbox_events e WHERE e.casus_id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"ids": casus_ids},
        ).one()
    return dict(row._mapping)


def wait_until(what: str, probe: Callable[[], bool], watch: list[Process]) -> None:
    """Until ``probe`` holds; fails when a watched process dies, or nothing changes in the
    processes' output for STALL_SECONDS."""
    last_output = -1
    changed = time.monotonic()
    while not probe():
        for process in watch:
            assert process.popen.poll() is None, f"{process.name} died:\n{process.output}"
        size = sum(len(p.lines) for p in watch)
        if size != last_output:
            last_output, changed = size, time.monotonic()
        assert time.monotonic() - changed < STALL_SECONDS, f"no progress waiting for {what}"
        time.sleep(0.2)


def test_no_event_is_lost_when_the_broker_or_a_worker_goes_away(
    runtime: Runtime,
    identity: Identity,
    test_tenants: object,
    settings: Settings,
    db_urls: DatabaseUrls,
    token_for: Headers,
    proxy: TcpProxy,
    admin: sa.Engine,
    tmp_path: Path,
) -> None:
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    env = env_for(settings, db_urls, proxy, prefix, tmp_path)
    workers = [Process(["worker", "--threads", "2"], env, f"worker-{n}") for n in range(2)]
    schedulers = [Process(["scheduler"], env, f"scheduler-{n}") for n in range(2)]
    everyone = workers + schedulers
    client = TestClient(create_app(runtime, identity=identity, start_worker=False))
    client.__enter__()
    try:
        for process in workers:
            process.wait_for_line("Worker gestart")
        for process in schedulers:
            process.wait_for_line("Planner gestart")
        wait_until(
            "a leading scheduler",
            lambda: sum("leader" in p.output for p in schedulers) >= 1,
            everyone,
        )
        assert sum("leader (outbox relay" in p.output for p in schedulers) == 1

        # 1. The broker goes away; a burst of writes meanwhile.
        proxy.stop()
        burst = []
        for i in range(BURST):
            created = client.post(
                "/api/v1/casussen",
                json=aanmelding(f"Burst{i}"),
                headers=token_for(T, ZEIST_WIJKAGENT),
            )
            assert created.status_code == 201, created.text
            burst.append(str(created.json()["id"]))
        wait_until(
            "the relay to notice the broker is gone",
            lambda: any("publishing failed" in p.output for p in schedulers),
            everyone,
        )
        during = counts(admin, burst)
        assert during["events"] == BURST and during["published"] == 0 and during["handled"] == 0

        # The broker returns: every event is delivered and handled.
        proxy.start()
        wait_until(
            "every event of the burst handled",
            lambda: counts(admin, burst)["handled"] == BURST,
            everyone,
        )
        after = counts(admin, burst)
        assert after == {
            "events": BURST,
            "published": BURST,
            "handled": BURST,
            "notifications": BURST,  # the PGA-expert, once per aanmelding
            "notified_events": BURST,
        }, after

        # 2. A worker is killed while it is inside the consumer: the notifications table is
        # held (SHARE lock) so every consumer stops at its insert, mid-message.
        with admin.connect() as holder:
            holder.execute(sa.text("BEGIN"))
            holder.execute(sa.text("LOCK TABLE notifications IN SHARE MODE"))
            kill_burst = []
            for i in range(KILL_BURST):
                created = client.post(
                    "/api/v1/casussen",
                    json=aanmelding(f"Kill{i}"),
                    headers=token_for(T, ZEIST_WIJKAGENT),
                )
                assert created.status_code == 201, created.text
                kill_burst.append(str(created.json()["id"]))
            blocked: list[int] = []

            def a_worker_is_blocked() -> bool:
                with admin.connect() as conn:
                    names = conn.execute(
                        sa.text(
                            "SELECT application_name FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND application_name LIKE "
                            "'regietafel worker %'"
                        )
                    ).scalars()
                    blocked[:] = [int(re.sub(r"\D", "", n.split()[-1])) for n in names]
                return bool(blocked)

            wait_until("a worker inside the consumer", a_worker_is_blocked, everyone)
            victim = next(w for w in workers if w.popen.pid == blocked[0])
            os.kill(victim.popen.pid, signal.SIGKILL)
            victim.popen.wait()
            holder.execute(sa.text("ROLLBACK"))
        survivors = [p for p in everyone if p is not victim]
        wait_until(
            "every event of the second burst handled",
            lambda: counts(admin, kill_burst)["notifications"] == KILL_BURST,
            survivors,
        )
        final = counts(admin, burst + kill_burst)
        total = BURST + KILL_BURST
        assert final == {
            "events": total,
            "published": total,
            "handled": total,
            "notifications": total,
            "notified_events": total,
        }, final
        print(
            f"\nbroker away during {BURST} writes: 0 published, then {BURST}/{BURST} handled "
            f"once; worker {victim.popen.pid} killed inside the consumer: "
            f"{KILL_BURST}/{KILL_BURST} handled once; proxy connections {proxy.connections}"
        )
    finally:
        client.__exit__(None, None, None)
        for process in everyone:
            process.stop(signal.SIGTERM)
        delete_prefixed_queues(RABBITMQ_URL or "", prefix)
