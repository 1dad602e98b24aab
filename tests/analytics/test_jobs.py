"""The release actor, on a real (stub) broker with an in-process dramatiq worker."""

from __future__ import annotations

import sqlalchemy as sa

from analytics.cli import seed_demo_facts
from analytics.geography import DEMO_GEOGRAPHY
from analytics.jobs import register_analytics_actors
from analytics.settings import AnalyticsSettings
from services.workers.broker import InProcessWorker, create_broker


def test_release_actor_is_idempotent(clean_db: sa.Engine) -> None:
    seed_demo_facts(clean_db, "2026-Q3", n=200)
    broker = create_broker("stub")
    actors = register_analytics_actors(
        broker, lambda: clean_db, lambda: DEMO_GEOGRAPHY, AnalyticsSettings()
    )
    worker = InProcessWorker(broker)
    worker.start()
    try:
        actors.publish_release.send("2026-Q3")
        actors.publish_release.send("2026-Q3")  # a retry/rerun returns the stored release
        broker.join(actors.publish_release.queue_name, timeout=60_000)
    finally:
        worker.stop()
        broker.close()
    with clean_db.connect() as conn:
        releases = conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one()
        spends = conn.execute(sa.text("SELECT count(*) FROM budget_ledger")).scalar_one()
    assert releases == 1
    assert spends == 1
