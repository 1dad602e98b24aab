"""Crash and retry safety of releases (issue 13, defect 4), with the real release actor on a
real (stub) dramatiq broker and a real SIGKILL of a publishing subprocess.

Before the fix a SIGKILL between reservation and publication kept the charge for nothing,
and the job's retries charged the same request key again on every attempt."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from analytics import dp as dpmod
from analytics.cli import seed_demo_facts
from analytics.contract import DEMO_GEOGRAPHY
from analytics.jobs import register_analytics_actors
from analytics.ledger import balance, year_account
from analytics.releases import publish_release
from analytics.settings import AnalyticsSettings
from services.platform.db.provision import DatabaseUrls
from services.platform.workers.broker import InProcessWorker, create_broker

PERIOD = "2026-Q3"
ROOT = Path(__file__).resolve().parents[2]


def _ledger(engine: sa.Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {
            "releases": conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one(),
            "reservations": conn.execute(
                sa.text("SELECT count(*) FROM budget_reservations")
            ).scalar_one(),
            "outcomes": sorted(
                conn.execute(sa.text("SELECT outcome FROM reservation_outcomes")).scalars()
            ),
            "spent": balance(conn, year_account("2026")).spent,
            "entries": sorted(
                conn.execute(
                    sa.text("SELECT entry FROM budget_ledger WHERE account_id = :a ORDER BY id"),
                    {"a": year_account("2026")},
                ).scalars()
            ),
        }


def test_release_actor_is_idempotent(clean_db: sa.Engine) -> None:
    seed_demo_facts(clean_db, PERIOD, n=200)
    broker = create_broker("stub")
    actors = register_analytics_actors(
        broker, lambda: clean_db, lambda: DEMO_GEOGRAPHY, AnalyticsSettings()
    )
    worker = InProcessWorker(broker)
    worker.start()
    try:
        actors.publish_release.send(PERIOD)
        actors.publish_release.send(PERIOD)  # a rerun returns the stored release
        broker.join(actors.publish_release.queue_name, timeout=60_000)
    finally:
        worker.stop()
        broker.close()
    state = _ledger(clean_db)
    assert state["releases"] == 1 and state["reservations"] == 1
    assert state["spent"] == pytest.approx(AnalyticsSettings().quarter_release_rho)


def test_the_jobs_retries_reuse_one_reservation(
    clean_db: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempts fail after reserving (an injected failure in the computation);
    the job's retries reuse the reservation: one charge, one release."""
    seed_demo_facts(clean_db, PERIOD, n=200)
    real = dpmod.compute
    attempts: list[int] = []

    def failing_twice(*args: Any, **kwargs: Any) -> Any:
        attempts.append(1)
        if len(attempts) <= 2:
            raise RuntimeError("injected failure after the reservation")
        return real(*args, **kwargs)

    monkeypatch.setattr(dpmod, "compute", failing_twice)
    broker = create_broker("stub")
    actors = register_analytics_actors(
        broker, lambda: clean_db, lambda: DEMO_GEOGRAPHY, AnalyticsSettings(), min_backoff_ms=10
    )
    worker = InProcessWorker(broker)
    worker.start()
    try:
        actors.publish_release.send(PERIOD)
        broker.join(actors.publish_release.queue_name, timeout=120_000)
    finally:
        worker.stop()
        broker.close()
    assert len(attempts) == 3
    state = _ledger(clean_db)
    assert state["releases"] == 1
    assert state["reservations"] == 1
    assert state["outcomes"] == ["gepubliceerd"]
    assert state["spent"] == pytest.approx(AnalyticsSettings().quarter_release_rho)


KILLED_PUBLISHER = """
import sys, time
import sqlalchemy as sa
import analytics.dp as dpmod
from analytics.contract import DEMO_GEOGRAPHY
from analytics.releases import publish_release

def stuck(*args, **kwargs):
    print("GERESERVEERD", flush=True)  # the reservation is committed; now wait to be killed
    time.sleep(3600)

dpmod.compute = stuck
publish_release(sa.create_engine(sys.argv[1]), sys.argv[2], geography=DEMO_GEOGRAPHY)
"""


def _publish_and_kill(url: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_PUBLISHER, url, PERIOD],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the reservation is made
        assert line.strip() == "GERESERVEERD"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL


def test_sigkill_after_reserving_then_a_retry_reuses_the_reservation(
    clean_db: sa.Engine, db_urls: DatabaseUrls
) -> None:
    seed_demo_facts(clean_db, PERIOD, n=200)
    _publish_and_kill(db_urls.analytics.render_as_string(hide_password=False))
    killed = _ledger(clean_db)
    assert killed["releases"] == 0 and killed["reservations"] == 1 and killed["outcomes"] == []

    release = publish_release(clean_db, PERIOD, geography=DEMO_GEOGRAPHY)  # the retry
    assert not release.reused
    state = _ledger(clean_db)
    assert state["releases"] == 1
    assert state["reservations"] == 1  # reused, not charged again
    assert state["outcomes"] == ["gepubliceerd"]
    assert state["spent"] == pytest.approx(release.rho)


def test_sigkill_then_new_data_releases_the_orphan_with_a_ledger_entry(
    clean_db: sa.Engine, db_urls: DatabaseUrls
) -> None:
    seed_demo_facts(clean_db, PERIOD, n=200)
    _publish_and_kill(db_urls.analytics.render_as_string(hide_password=False))
    seed_demo_facts(clean_db, PERIOD, n=220, seed=7)  # a corrected delivery: a new request
    release = publish_release(clean_db, PERIOD, geography=DEMO_GEOGRAPHY)
    state = _ledger(clean_db)
    assert state["releases"] == 1
    assert state["reservations"] == 2
    assert state["outcomes"] == ["gepubliceerd", "vrijgegeven"]
    assert state["entries"] == ["reservering", "reservering", "vrijgave"]
    assert state["spent"] == pytest.approx(release.rho)  # charged once, net
