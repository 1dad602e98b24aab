"""An analytics database from before migration a0002 (owned by the runtime role, legacy
quarter accounts) is taken over by the owner role and keeps counting its spends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from analytics.db.migrate import upgrade
from analytics.ledger import YearBudget, balance, official_account, open_year, year_account
from services.platform.config import Settings
from services.platform.db.bootstrap import bootstrap
from services.platform.db.provision import DatabaseUrls
from services.platform.db.urls import for_role


def test_a_pre_a0002_database_is_taken_over_and_keeps_its_spends(
    settings: Settings, db_urls: DatabaseUrls
) -> None:
    name = settings.analytics_database_name + "_upgrade"
    old = settings.model_copy(update={"analytics_database_name": name})
    runtime, owner = settings.db_analytics_role, settings.db_analytics_owner_role
    admin = sa.create_engine(db_urls.admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" OWNER "{runtime}"'))  # the old layout
    admin.dispose()
    admin_db = sa.create_engine(db_urls.admin.set(database=name), isolation_level="AUTOCOMMIT")
    with admin_db.connect() as conn:
        conn.execute(sa.text(f'ALTER SCHEMA public OWNER TO "{runtime}"'))
    admin_db.dispose()
    runtime_url = for_role(db_urls.admin, user=runtime, database=name)
    upgrade(runtime_url, "a0001")  # as the old code did: migrations as the runtime role
    engine = sa.create_engine(runtime_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO budget_accounts (account_id, kind, dataset, period, total_rho) "
                    "VALUES ('dataset:pga-feiten:2026-Q3', 'dataset', 'pga-feiten', '2026-Q3', 2)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO budget_ledger (account_id, rho, purpose, request_key) "
                    "VALUES ('dataset:pga-feiten:2026-Q3', 0.5, 'release', 'old')"
                )
            )
        bootstrap(db_urls.admin, old)  # hands everything to the owner role
        upgrade(for_role(db_urls.admin, user=owner, database=name), runtime_role=runtime)
        engine.dispose()
        with engine.begin() as conn:
            open_year(conn, "2026", YearBudget())
        with engine.connect() as conn:
            assert balance(conn, year_account("2026")).spent == pytest.approx(0.5)
            assert balance(conn, official_account("2026")).spent == pytest.approx(0.5)
            owners = (
                conn.execute(
                    sa.text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
                )
                .scalars()
                .all()
            )
            assert owners == [owner]
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"), engine.begin() as conn:
            conn.execute(sa.text("UPDATE budget_accounts SET total_rho = 1000"))
    finally:
        engine.dispose()
        admin = sa.create_engine(db_urls.admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
