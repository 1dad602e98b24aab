"""The transactional outbox with the embedded (stub) broker and real dramatiq workers:
events are written with their change (and not without it), relayed, handled once however
often they are delivered, e-mailed (SMTP), retried, dead-lettered, listed and replayed;
periodic jobs are enqueued by one scheduler only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import dramatiq
import pytest
import sqlalchemy as sa
from fake_oidc import free_port
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    ZEIST,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from smtp_sink import SmtpSink

from services.app import create_app
from services.jobs import Actors, register_actors
from services.platform.config import Settings
from services.platform.db.engine import make_session_factory
from services.platform.identity.setup import Identity
from services.platform.outbox.relay import OutboxRelay
from services.platform.outbox.scheduler import PeriodicJob, Scheduler
from services.platform.workers.broker import create_broker
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
EXPERT = ZEIST_PGA_EXPERT


def aanmelding(name: str) -> dict[str, object]:
    return {
        "soort": "persoon",
        "waarom_integraal": "Meerdere leefgebieden, de politie alleen komt niet verder.",
        "problemen": {"financien": "Schulden.", "justitie": "Overlast."},
        "geinformeerd": True,
        "persoon": {"voornamen": name, "achternaam": "Outbox", "geboortedatum": "2000-02-02"},
    }


@pytest.fixture(scope="module")
def api(
    runtime: Runtime, identity: Identity, test_tenants: object
) -> Iterator[TestClient[Litestar]]:
    """The casework API without its own worker or scheduler: the tests drive those."""
    with TestClient(create_app(runtime, identity=identity, start_worker=False)) as client:
        yield client


@pytest.fixture
def admin(runtime: Runtime) -> Iterator[sa.Engine]:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    yield engine
    engine.dispose()


@pytest.fixture
def expert_email(admin: sa.Engine) -> Iterator[str]:
    address = f"eline-{uuid.uuid4().hex[:6]}@zeist.example"
    with admin.begin() as conn:
        conn.execute(
            sa.text("UPDATE users SET email = :e WHERE tenant_id = :t AND id = :u"),
            {"e": address, "t": T, "u": EXPERT},
        )
    yield address
    with admin.begin() as conn:
        conn.execute(
            sa.text("UPDATE users SET email = NULL WHERE tenant_id = :t AND id = :u"),
            {"t": T, "u": EXPERT},
        )


class Jobs:
    """A stub broker with the real actors and a real dramatiq worker."""

    def __init__(self, runtime: Runtime, settings: Settings) -> None:
        self.broker = create_broker("stub")
        self.actors: Actors = register_actors(self.broker, runtime.sessions, settings)
        self.worker = dramatiq.Worker(self.broker, worker_threads=2, worker_timeout=50)
        self.worker.start()
        self.relay = OutboxRelay(runtime.sessions, self.actors.send_event)

    def settle(self) -> None:
        self.broker.join(self.actors.deliver_event.queue_name, timeout=120_000, fail_fast=False)
        self.worker.join()

    def close(self) -> None:
        self.worker.stop()
        self.broker.close()


def create(client: TestClient[Litestar], token_for: Headers, name: str) -> str:
    created = client.post(
        "/api/v1/casussen", json=aanmelding(name), headers=token_for(T, ZEIST_WIJKAGENT)
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def events_of(admin: sa.Engine, casus_ids: list[str]) -> list[sa.Row[tuple[object, ...]]]:
    with admin.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT id, casus_id, kind, published_at, publish_count, handled_at "
                    "FROM outbox_events WHERE casus_id = ANY(CAST(:ids AS uuid[])) ORDER BY seq"
                ),
                {"ids": casus_ids},
            )
        )


def notifications_of(admin: sa.Engine, event_ids: list[object]) -> list[sa.Row[tuple[object, ...]]]:
    with admin.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT id, event_id, user_id, email, mail_sent_at, subject, body "
                    "FROM notifications WHERE event_id = ANY(:ids)"
                ),
                {"ids": event_ids},
            )
        )


def test_an_event_is_written_with_its_change_and_not_without_it(
    api: TestClient[Litestar], token_for: Headers, admin: sa.Engine
) -> None:
    casus_id = create(api, token_for, "Transactie")
    rows = events_of(admin, [casus_id])
    assert [(r.kind, r.published_at) for r in rows] == [("aanmelding", None)]
    etag = api.get(f"/api/v1/casussen/{casus_id}", headers=token_for(T, EXPERT)).headers["etag"]
    # A change the policy refuses is rolled back whole: no casus event, no outbox row.
    refused = api.post(
        f"/api/v1/casussen/{casus_id}/overgang",
        json={"naar": "in_triage"},
        headers={**token_for(T, ZEIST_KLANTMANAGER), "If-Match": etag},
    )
    assert refused.status_code in (403, 404), refused.text
    assert len(events_of(admin, [casus_id])) == 1
    moved = api.post(
        f"/api/v1/casussen/{casus_id}/overgang",
        json={"naar": "in_triage"},
        headers={**token_for(T, EXPERT), "If-Match": etag},
    )
    assert moved.status_code == 200, moved.text
    assert [r.kind for r in events_of(admin, [casus_id])] == ["aanmelding", "fase"]


def test_events_are_relayed_and_handled_once_however_often_delivered(
    api: TestClient[Litestar],
    token_for: Headers,
    admin: sa.Engine,
    runtime: Runtime,
    expert_email: str,
    tmp_path: Path,
) -> None:
    settings = runtime.settings.model_copy(update={"data_dir": tmp_path})
    casus_ids = [create(api, token_for, f"Relay{i}") for i in range(5)]
    jobs = Jobs(runtime, settings)
    try:
        assert jobs.relay.drain() >= 5
        jobs.settle()
        events = events_of(admin, casus_ids)
        assert len(events) == 5 and all(e.handled_at is not None for e in events)
        assert all(e.publish_count == 1 for e in events)
        # Every event delivered three more times: nothing new happens.
        for _ in range(3):
            for event in events:
                jobs.actors.deliver_event.send(T, str(event.id))
        jobs.settle()
    finally:
        jobs.close()
    notes = notifications_of(admin, [e.id for e in events])
    # The PGA-expert hears of every aanmelding once; the aanmelder (the actor) is not told.
    assert sorted((n.event_id, n.user_id) for n in notes) == sorted((e.id, EXPERT) for e in events)
    assert all(n.email == expert_email and n.mail_sent_at is not None for n in notes)
    # One mail per notification (the relay also carried other tests' pending events).
    mails = {p.stem: p for p in (tmp_path / "mail").glob("*.eml")}
    assert {str(n.id) for n in notes} <= set(mails)
    text = mails[str(notes[0].id)].read_text()
    assert "Nieuwe aanmelding" in text and expert_email in text
    assert "Outbox" not in text and "Relay" not in text  # no person data in the mail
    # The event's summary is shown in Regietafel, not e-mailed (mail leaves the platform).
    assert "Aangemeld door" in notes[0].body and "Aangemeld door" not in text


def test_mail_failure_is_retried_then_dead_lettered_and_replayed_by_an_operator(
    api: TestClient[Litestar],
    token_for: Headers,
    admin: sa.Engine,
    runtime: Runtime,
    identity: Identity,
    expert_email: str,
) -> None:
    port = free_port()  # nothing listens yet: the mail relay is "down"
    settings = runtime.settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "job_max_retries": 2,
            "job_min_backoff_ms": 10,
            "job_max_backoff_ms": 50,
        }
    )
    casus_id = create(api, token_for, "Doodbericht")
    jobs = Jobs(runtime, settings)
    sink = None
    try:
        jobs.relay.drain()
        jobs.settle()
        event = events_of(admin, [casus_id])[0]
        assert event.handled_at is not None  # notified in the database; only the mail failed
        operator = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
        # The operations API of an app on the same broker as these workers.
        rt = dataclasses.replace(runtime, settings=settings, broker=jobs.broker, actors=jobs.actors)
        ops = TestClient(create_app(rt, identity=identity, start_worker=False))
        ops.__enter__()
        letters = ops.get("/api/v1/operatie/dead-letters", headers=operator).json()["items"]
        mine = [d for d in letters if d["argumenten"] == [T, str(event.id)]]
        assert len(mine) == 1 and mine[0]["pogingen"] == 3  # 1 attempt + 2 retries
        assert "ConnectionRefusedError" in mine[0]["fout"]
        assert (
            ops.get("/api/v1/operatie/dead-letters", headers=token_for(T, EXPERT)).status_code
            == 403
        )
        [note] = notifications_of(admin, [event.id])
        assert note.mail_sent_at is None

        sink = SmtpSink(port)  # the mail relay is back
        replay = ops.post(
            f"/api/v1/operatie/dead-letters/{mine[0]['id']}/opnieuw", headers=operator
        )
        assert replay.status_code == 202, replay.text
        jobs.settle()
        received = sink.wait_for(1)
        assert len(received) == 1 and received[0]["To"] == expert_email
        [note] = notifications_of(admin, [event.id])
        assert note.mail_sent_at is not None
        again = ops.post(f"/api/v1/operatie/dead-letters/{mine[0]['id']}/opnieuw", headers=operator)
        assert again.status_code == 404
        ops.__exit__(None, None, None)
    finally:
        jobs.close()
        if sink is not None:
            sink.close()


def test_one_scheduler_leads_and_a_periodic_job_fires_once_per_interval(
    runtime: Runtime,
) -> None:
    fired: list[str] = []
    job = PeriodicJob(
        "test-" + uuid.uuid4().hex[:8], dt.timedelta(hours=1), lambda: fired.append("x")
    )
    engines = [sa.create_engine(runtime.urls.app) for _ in range(3)]
    schedulers = [
        Scheduler(
            engine,
            make_session_factory(engine),
            OutboxRelay(make_session_factory(engine), lambda t, i: None),
            [job],
            tick_seconds=3600,
            name=f"planner-{n}",
        )
        for n, engine in enumerate(engines)
    ]
    try:
        for scheduler in schedulers:
            scheduler.start()
        leader = _wait_for_leader(schedulers)
        assert sum(s.is_leader.is_set() for s in schedulers) == 1
        # The leader's first tick records the job (at the real time); on a busy machine the
        # thread may get there after the ticks below, so wait for it.
        _wait_for_job_row(runtime, job.name)
        # The ledger: whoever ticks, a job fires once per interval.
        start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        for scheduler in schedulers:
            scheduler.tick(start + dt.timedelta(minutes=61))
            scheduler.tick(start + dt.timedelta(minutes=62))
        assert len(fired) == 1
        # The leader stops: another takes over (PostgreSQL released the lock).
        leader.stop()
        successor = _wait_for_leader([s for s in schedulers if s is not leader])
        assert successor is not leader
    finally:
        for scheduler in schedulers:
            scheduler.stop()
        for engine in engines:
            engine.dispose()


def _wait_for_job_row(runtime: Runtime, name: str) -> None:
    """The leader's first tick has written the job's ledger row (the guard only turns a hang
    into a failure)."""
    guard = time.monotonic() + 120
    query = sa.text("SELECT count(*) FROM scheduled_jobs WHERE name = :n")
    while time.monotonic() < guard:
        with runtime.engine.connect() as conn:
            if conn.execute(query, {"n": name}).scalar_one():
                return
        threading.Event().wait(0.05)
    raise AssertionError("the leader never ticked")


def _wait_for_leader(schedulers: list[Scheduler]) -> Scheduler:
    """A leader appears as soon as one scheduler's lock query returns; the guard only turns
    a hang into a failure."""
    guard = time.monotonic() + 120
    while time.monotonic() < guard:
        for scheduler in schedulers:
            if scheduler.is_leader.is_set():
                return scheduler
        threading.Event().wait(0.05)
    raise AssertionError("no scheduler became leader")


def test_the_operator_cli_lists_dead_letters(
    runtime: Runtime,
    admin: sa.Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from services.cli import main

    letter = uuid.uuid4()
    with admin.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO dead_letters (id, message_id, queue_name, actor_name, args, kwargs, "
                "retries, error) VALUES (:i, :m, 'events', 'deliver_event', "
                "CAST(:a AS json), CAST('{}' AS json), 9, 'SMTPServerDisconnected: weg')"
            ),
            {"i": letter, "m": uuid.uuid4().hex, "a": f'["{T}", "{uuid.uuid4()}"]'},
        )
    assert runtime.urls.admin is not None
    for name, value in {
        "DATABASE_ADMIN_URL": runtime.urls.admin.render_as_string(hide_password=False),
        "DATABASE_NAME": settings.database_name,
        "ANALYTICS_DATABASE_NAME": settings.analytics_database_name,
        "DATA_DIR": str(tmp_path),
        "LOG_JSON": "false",
    }.items():
        monkeypatch.setenv(f"REGIETAFEL_{name}", value)
    assert main(["outbox", "dead-letters"]) == 0
    listing = capsys.readouterr().out
    assert (
        str(letter) in listing
        and "deliver_event" in listing
        and "SMTPServerDisconnected" in listing
    )
    # With the stub broker the queue lives in the running process: replay through its API.
    assert main(["outbox", "dead-letters", "--opnieuw", str(letter)]) == 2
    assert "/api/v1/operatie/dead-letters" in capsys.readouterr().out
