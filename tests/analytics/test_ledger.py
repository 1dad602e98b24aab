"""The budget ledger per person-year: owned by the owner role, append-only, spent only
through the database functions, pools that cannot be overdrawn, safe under 50 concurrent
spenders (issue 13, defects 2, 3 and 5)."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from analytics.ledger import (
    BudgetExhausted,
    PoolExceeded,
    UnknownAccount,
    YearBudget,
    balance,
    grant_researcher,
    official_account,
    open_year,
    research_account,
    reserve,
    year_account,
)
from services.platform.config import Settings
from services.platform.db.provision import DatabaseUrls

YEAR = "2026"


def _open(engine: sa.Engine, total: float = 2.0, research: float = 0.5) -> None:
    with engine.begin() as conn:
        open_year(conn, YEAR, YearBudget(total, research))


def test_refuses_when_the_official_pool_is_too_small(clean_db: sa.Engine) -> None:
    _open(clean_db, total=1.0, research=0.4)  # official: 0.6
    reserve(clean_db, request_key="a", purpose="release", period="2026-Q1", rho=0.5)
    with pytest.raises(BudgetExhausted) as refused:
        reserve(clean_db, request_key="b", purpose="release", period="2026-Q2", rho=0.2)
    assert refused.value.account_id == official_account(YEAR)
    assert refused.value.remaining == pytest.approx(0.1)
    with clean_db.connect() as conn:
        assert balance(conn, year_account(YEAR)).spent == pytest.approx(0.5)


def test_an_open_year_keeps_its_totals(clean_db: sa.Engine) -> None:
    _open(clean_db, total=1.0, research=0.2)
    _open(clean_db, total=9.0, research=5.0)  # nobody raises the cap afterwards
    with clean_db.connect() as conn:
        assert balance(conn, year_account(YEAR)).total == pytest.approx(1.0)
        assert balance(conn, research_account(YEAR)).total == pytest.approx(0.2)
    with pytest.raises(ValueError, match="ongeldig jaarbudget"), clean_db.begin() as conn:
        open_year(conn, "2027", YearBudget(total=1.0, research=2.0))


def test_unknown_accounts_are_refused(clean_db: sa.Engine) -> None:
    with pytest.raises(UnknownAccount):
        reserve(clean_db, request_key="x", purpose="release", period="2030", rho=0.1)
    _open(clean_db)
    with pytest.raises(UnknownAccount):  # no grant for this researcher
        reserve(
            clean_db, request_key="y", purpose="query", period=YEAR, rho=0.1, principal="niemand"
        )


RUNTIME_REFUSED = (
    "ALTER TABLE budget_ledger DISABLE TRIGGER ALL",
    "ALTER TABLE budget_ledger DISABLE TRIGGER budget_ledger_append_only",
    "DROP TRIGGER budget_ledger_append_only ON budget_ledger",
    "DELETE FROM budget_ledger",
    "UPDATE budget_ledger SET rho = 0.000001",
    "TRUNCATE budget_ledger",
    "UPDATE budget_accounts SET total_rho = 1000",
    "DELETE FROM budget_accounts",
    "INSERT INTO budget_ledger (account_id, rho, purpose, request_key) "
    "VALUES ('jaar:pga-feiten:2026', -5, 'release', 'x')",
    "INSERT INTO budget_accounts (account_id, kind, dataset, period, total_rho) "
    "VALUES ('jaar:pga-feiten:2031', 'jaar', 'pga-feiten', '2031', 1000)",
    "SET session_replication_role = replica",
    "ALTER TABLE budget_accounts OWNER TO CURRENT_USER",
    "CREATE TABLE sneaky (id int)",
)


@pytest.mark.parametrize("statement", RUNTIME_REFUSED)
def test_the_runtime_role_cannot_change_the_ledger(clean_db: sa.Engine, statement: str) -> None:
    """Defect 3: the runtime role owned the ledger and could disable the trigger, delete
    ledger rows, drop the trigger and raise an account's total. Before the fix every one of
    these statements succeeded."""
    _open(clean_db)
    reserve(clean_db, request_key="k", purpose="release", period=YEAR, rho=0.1)
    with clean_db.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*), sum(rho) FROM budget_ledger")).one()
    with pytest.raises(sa.exc.DBAPIError), clean_db.begin() as conn:
        conn.execute(sa.text(statement))
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*), sum(rho) FROM budget_ledger")).one() == before
        assert balance(conn, year_account(YEAR)).total == pytest.approx(2.0)


def test_even_the_owner_cannot_update_or_delete_budget_rows(
    clean_db: sa.Engine, db_urls: DatabaseUrls
) -> None:
    _open(clean_db)
    reserve(clean_db, request_key="k", purpose="release", period=YEAR, rho=0.1)
    owner = sa.create_engine(db_urls.analytics_owner)
    try:
        for statement in (
            "UPDATE budget_accounts SET total_rho = 1000",
            "DELETE FROM budget_accounts",
            "UPDATE budget_ledger SET rho = 0.000001",
            "DELETE FROM budget_ledger",
            "DELETE FROM budget_reservations",
            "TRUNCATE budget_accounts CASCADE",
        ):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), owner.begin() as conn:
                conn.execute(sa.text(statement))
    finally:
        owner.dispose()


def test_a_release_cannot_be_stored_without_a_reservation(clean_db: sa.Engine) -> None:
    _open(clean_db)
    values = (
        "INSERT INTO releases (id, dataset, period, version, request_key, rho, methodology, "
        "cells, reservation_id) VALUES (gen_random_uuid(), 'pga-feiten', '2026-Q1', 1, :k, "
        "0.5, '{}', '[]', :r)"
    )
    with pytest.raises(sa.exc.DBAPIError, match="zonder reservering"), clean_db.begin() as c:
        c.execute(sa.text(values), {"k": "a" * 64, "r": None})
    small = reserve(clean_db, request_key="s", purpose="release", period=YEAR, rho=0.1)
    with pytest.raises(sa.exc.DBAPIError, match="past niet"), clean_db.begin() as conn:
        conn.execute(sa.text(values), {"k": "b" * 64, "r": small.id})  # 0.5 > reserved 0.1


def test_grants_come_from_the_research_pool_and_cannot_exceed_it(clean_db: sa.Engine) -> None:
    """Defect 5: one researcher with a grant of 2.0 spent the whole period, and grants
    totalling 2.2 were accepted against a budget of 2.0."""
    _open(clean_db, total=2.0, research=0.5)
    with clean_db.begin() as conn, pytest.raises(PoolExceeded):
        grant_researcher(conn, "r-groot", YEAR, 2.0, granted_by="regio")
    with clean_db.begin() as conn:
        grant_researcher(conn, "r1", YEAR, 0.3, granted_by="regio")
    with clean_db.begin() as conn, pytest.raises(PoolExceeded) as refused:
        grant_researcher(conn, "r2", YEAR, 0.3, granted_by="regio")
    assert refused.value.remaining == pytest.approx(0.2)
    with clean_db.begin() as conn:
        grant_researcher(conn, "r2", YEAR, 0.2, granted_by="regio")
        granted = conn.execute(
            sa.text("SELECT sum(total_rho) FROM budget_accounts WHERE kind = 'onderzoeker'")
        ).scalar_one()
    assert granted == pytest.approx(0.5)

    # r1 spends everything it has, in many small queries ...
    for i in range(6):
        reserve(
            clean_db, request_key=f"q{i}", purpose="query", period=YEAR, rho=0.05, principal="r1"
        )
    with pytest.raises(BudgetExhausted):
        reserve(clean_db, request_key="q9", purpose="query", period=YEAR, rho=0.05, principal="r1")
    # ... and the official releases still have their whole reserved share.
    reserve(clean_db, request_key="rel", purpose="release", period=YEAR, rho=1.5)
    with clean_db.connect() as conn:
        assert balance(conn, official_account(YEAR)).remaining == pytest.approx(0.0)
        assert balance(conn, year_account(YEAR)).spent == pytest.approx(1.8)


def test_fifty_concurrent_spenders_never_overspend(clean_db: sa.Engine) -> None:
    _open(clean_db, total=1.0, research=0.5)
    with clean_db.begin() as conn:
        for i in range(5):
            grant_researcher(conn, f"onderzoeker-{i}", YEAR, 0.1, granted_by="regio")
    # Nearly exhausted: 0.4 of the official 0.5 already spent; each request wants 0.03.
    reserve(clean_db, request_key="earlier", purpose="release", period=YEAR, rho=0.4)
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def spend(i: int) -> None:
        barrier.wait()
        try:
            if i % 2 == 0:
                reserve(
                    clean_db, request_key=uuid.uuid4().hex, purpose="release", period=YEAR, rho=0.03
                )
            else:
                reserve(
                    clean_db,
                    request_key=uuid.uuid4().hex,
                    purpose="query",
                    period=YEAR,
                    rho=0.03,
                    principal=f"onderzoeker-{i % 5}",
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
    # official: floor(0.1 / 0.03) = 3 releases; each researcher floor(0.1 / 0.03) = 3 queries
    assert outcomes.count("ok") == 3 + 5 * 3
    with clean_db.connect() as conn:
        assert balance(conn, official_account(YEAR)).spent <= 0.5 + 1e-12
        assert balance(conn, research_account(YEAR)).spent <= 0.5 + 1e-12
        assert balance(conn, year_account(YEAR)).spent == pytest.approx(0.4 + 18 * 0.03)


def test_fifty_concurrent_queries_and_releases_against_one_year(
    clean_db: sa.Engine, settings: Settings
) -> None:
    """End to end: real researcher queries and releases race for the last budget."""
    from analytics.cli import seed_demo_facts
    from analytics.contract import DEMO_GEOGRAPHY
    from analytics.releases import publish_release
    from analytics.research import AdHocQuery, run_query

    period = "2026-Q1"
    budget = YearBudget(total=0.6, research=0.3)
    seed_demo_facts(clean_db, period, n=150)
    with clean_db.begin() as conn:
        open_year(conn, YEAR, budget)
        for i in range(50):
            if i % 10:
                grant_researcher(conn, f"r{i}", YEAR, 0.006, granted_by="regio")
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def request(i: int) -> None:
        barrier.wait()
        try:
            if i % 10 == 0:
                publish_release(
                    clean_db, period, quarter_rho=0.1, budget=budget, geography=DEMO_GEOGRAPHY
                )
            else:
                run_query(
                    clean_db,
                    f"r{i}",
                    AdHocQuery(period, ("personen",), "gemeente", 0.004),
                    DEMO_GEOGRAPHY,
                    budget=budget,
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
    assert len(results) == 50 and "ok" in results
    with clean_db.connect() as conn:
        assert balance(conn, year_account(YEAR)).spent <= 0.6 + 1e-12
        releases = conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one()
        open_left = conn.execute(
            sa.text(
                "SELECT count(*) FROM budget_reservations r WHERE NOT EXISTS "
                "(SELECT 1 FROM reservation_outcomes o WHERE o.reservation_id = r.id)"
            )
        ).scalar_one()
    assert releases == 1  # identical release requests share one stored release
    assert open_left == 0  # every reservation was published (or refused before reserving)
