"""The dramatiq actor runs the same idempotent release function."""

from __future__ import annotations

import dramatiq
import sqlalchemy as sa
from dramatiq.brokers.stub import StubBroker


def test_publish_release_job(clean_db: sa.Engine) -> None:
    if dramatiq.broker.global_broker is None:  # the runtime normally sets the broker first
        dramatiq.set_broker(StubBroker())
    from analytics import jobs
    from analytics.cli import seed_demo_facts

    seed_demo_facts(clean_db, "2026-Q3", n=120)
    jobs.configure(lambda: clean_db)
    jobs.publish_release_job.fn("2026-Q3")
    jobs.publish_release_job.fn("2026-Q3")  # a retry/rerun returns the stored release
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM budget_ledger")).scalar_one() == 1
