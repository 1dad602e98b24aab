"""The budget ledger: append-only, refuses overspending, also under 50 concurrent spenders."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from analytics.ledger import (
    BudgetExhausted,
    balance,
    ensure_dataset_account,
    grant_researcher,
    reserve,
)


def test_refuses_when_remainder_too_small(clean_db: sa.Engine) -> None:
    with clean_db.begin() as conn:
        account = ensure_dataset_account(conn, "2026-Q3", 1.0)
    reserve(clean_db, [account], 0.6, purpose="release", request_key="a")
    with pytest.raises(BudgetExhausted):
        reserve(clean_db, [account], 0.5, purpose="release", request_key="b")
    with clean_db.connect() as conn:
        assert balance(conn, account).spent == pytest.approx(0.6)


def test_ledger_is_append_only(clean_db: sa.Engine) -> None:
    with clean_db.begin() as conn:
        account = ensure_dataset_account(conn, "2026-Q3", 1.0)
    reserve(clean_db, [account], 0.1, purpose="release", request_key="a")
    for statement in (
        "UPDATE budget_ledger SET rho = 0",
        "DELETE FROM budget_ledger",
        "TRUNCATE budget_ledger",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), clean_db.begin() as conn:
            conn.execute(sa.text(statement))


def test_fifty_concurrent_spenders_never_overspend(clean_db: sa.Engine) -> None:
    period = "2026-Q4"
    total = 1.0
    with clean_db.begin() as conn:
        account = ensure_dataset_account(conn, period, total)
        researchers = [
            grant_researcher(conn, f"onderzoeker-{i}", period, 0.5, granted_by="regio")
            for i in range(5)
        ]
    # Nearly exhausted: 0.9 already spent, 0.1 left; each request wants 0.03.
    reserve(clean_db, [account], 0.9, purpose="release", request_key="earlier")
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def spend(i: int) -> None:
        accounts = [account] if i % 2 == 0 else [account, researchers[i % 5]]
        barrier.wait()
        try:
            reserve(
                clean_db,
                accounts,
                0.03,
                purpose="release" if i % 2 == 0 else "query",
                request_key=uuid.uuid4().hex,
            )
            result = "ok"
        except BudgetExhausted:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 50
    assert outcomes.count("ok") == 3  # floor(0.1 / 0.03)
    with clean_db.connect() as conn:
        spent = conn.execute(
            sa.text("SELECT sum(rho) FROM budget_ledger WHERE account_id = :a"), {"a": account}
        ).scalar_one()
        assert spent <= total + 1e-12
        assert balance(conn, account).spent == pytest.approx(0.99)


def test_fifty_concurrent_queries_and_releases_against_one_budget(clean_db: sa.Engine) -> None:
    """End to end: real researcher queries and releases race for the last budget."""
    from analytics.cli import seed_demo_facts
    from analytics.geography import DEMO_GEOGRAPHY
    from analytics.releases import publish_release
    from analytics.research import AdHocQuery, run_query

    period = "2026-Q1"
    seed_demo_facts(clean_db, period, n=150)
    with clean_db.begin() as conn:
        account = ensure_dataset_account(conn, period, 0.6)
        for i in range(50):
            grant_researcher(conn, f"r{i}", period, 1.0, granted_by="regio")
    reserve(clean_db, [account], 0.45, purpose="release", request_key="earlier")
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def request(i: int) -> None:
        barrier.wait()
        try:
            if i % 10 == 0:
                publish_release(
                    clean_db, period, release_rho=0.05, period_rho=0.6, geography=DEMO_GEOGRAPHY
                )
            else:
                run_query(
                    clean_db,
                    f"r{i}",
                    AdHocQuery(period, ("personen",), "gemeente", 0.04),
                    DEMO_GEOGRAPHY,
                    period_rho=0.6,
                    max_query_rho=0.1,
                )
            outcome = "ok"
        except BudgetExhausted:
            outcome = "refused"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=request, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 50 and "ok" in results and "refused" in results
    with clean_db.connect() as conn:
        spent = balance(conn, account).spent
        assert spent <= 0.6 + 1e-12
        releases = conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one()
    assert releases <= 1  # identical release requests share one stored release
