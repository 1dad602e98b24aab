"""The ledger belongs to the owner; the runtime role spends only through functions.

Revision ID: a0002
Revises: a0001
Create Date: 2026-11-28

Issue 13, defects 2-5:

* every object is owned by the analytics OWNER role (bootstrap reassigns what the runtime
  role owned before); the runtime role gets SELECT, DML on facts, INSERT on releases and
  query results, and EXECUTE on the budget functions below — it can no longer disable or
  drop a trigger, delete ledger rows or change an account;
* accounts per dataset and calendar year (privacy unit: a person-year): ``jaar`` (cap),
  ``officieel`` (reserved for releases) and ``onderzoek`` (the pool researchers' grants come
  from); grants can never exceed the pool;
* a spend is a *reservation* charged to several accounts at once; a retry with the same
  request key reuses it; an unpublished reservation can be released with negative ledger
  entries; a release or query result can only be stored with a valid reservation (trigger),
  which completes it — published once, never lost or doubled;
* accounts, reservations and outcomes are append-only like the ledger.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql as pg

revision = "a0002"
down_revision = "a0001"
branch_labels = None
depends_on = None

BUDGET_FUNCTIONS = (
    "analytics_open_year(text, text, double precision, double precision)",
    "analytics_grant(text, text, text, double precision, text)",
    "analytics_reserve(text, text, text, text, double precision, text)",
    "analytics_release(uuid, text)",
)


def _runtime_role() -> str:
    role = str(context.config.attributes.get("runtime_role", "regietafel_analytics"))
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name {role!r}")
    return role


def _append_only(table: str) -> None:
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_append_only()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION analytics_append_only()"
    )


FUNCTIONS = r"""
CREATE FUNCTION analytics_open_year(
    p_dataset text, p_year text, p_total double precision, p_research double precision
) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_release double precision;
    v_query double precision;
    v_suffix text := p_dataset || ':' || p_year;
BEGIN
    IF p_year !~ '^20[0-9][0-9]$' THEN
        RAISE EXCEPTION 'ongeldig jaar %', p_year USING ERRCODE = '22023';
    END IF;
    IF NOT (p_total > 0 AND p_total <= 10 AND p_research >= 0 AND p_research <= p_total) THEN
        RAISE EXCEPTION 'ongeldig jaarbudget (totaal %, onderzoek %)', p_total, p_research
            USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('analytics-year:' || v_suffix));
    IF EXISTS (SELECT 1 FROM budget_accounts WHERE account_id = 'jaar:' || v_suffix) THEN
        RETURN;  -- an existing year keeps its totals: nobody raises a cap afterwards
    END IF;
    INSERT INTO budget_accounts (account_id, kind, dataset, period, total_rho) VALUES
        ('jaar:' || v_suffix, 'jaar', p_dataset, p_year, p_total),
        ('officieel:' || v_suffix, 'officieel', p_dataset, p_year, p_total - p_research),
        ('onderzoek:' || v_suffix, 'onderzoek', p_dataset, p_year, p_research);
    -- Spends on the legacy quarter accounts of this year (before a0002) count too.
    SELECT coalesce(sum(l.rho) FILTER (WHERE l.purpose <> 'query'), 0),
           coalesce(sum(l.rho) FILTER (WHERE l.purpose = 'query'), 0)
      INTO v_release, v_query
      FROM budget_ledger l JOIN budget_accounts a ON a.account_id = l.account_id
     WHERE a.kind = 'dataset' AND a.dataset = p_dataset AND left(a.period, 4) = p_year;
    IF v_release + v_query > 0 THEN
        INSERT INTO budget_ledger (account_id, rho, purpose, request_key, entry)
        VALUES ('jaar:' || v_suffix, v_release + v_query, 'overgenomen', 'legacy-' || p_year,
                'overgenomen');
    END IF;
    IF v_release > 0 THEN
        INSERT INTO budget_ledger (account_id, rho, purpose, request_key, entry)
        VALUES ('officieel:' || v_suffix, v_release, 'overgenomen', 'legacy-' || p_year,
                'overgenomen');
    END IF;
    IF v_query > 0 THEN
        INSERT INTO budget_ledger (account_id, rho, purpose, request_key, entry)
        VALUES ('onderzoek:' || v_suffix, v_query, 'overgenomen', 'legacy-' || p_year,
                'overgenomen');
    END IF;
END $$;

CREATE FUNCTION analytics_grant(
    p_dataset text, p_year text, p_principal text, p_rho double precision, p_granted_by text
) RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_pool text := 'onderzoek:' || p_dataset || ':' || p_year;
    v_id text := 'onderzoeker:' || p_principal || ':' || p_dataset || ':' || p_year;
    v_pool_total double precision;
    v_granted double precision;
BEGIN
    IF NOT (p_rho > 0) OR p_principal IS NULL OR length(p_principal) = 0 THEN
        RAISE EXCEPTION 'ongeldige toekenning' USING ERRCODE = '22023';
    END IF;
    SELECT total_rho INTO v_pool_total FROM budget_accounts
     WHERE account_id = v_pool FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'onbekend account %', v_pool USING ERRCODE = 'RT002', DETAIL = v_pool;
    END IF;
    IF EXISTS (SELECT 1 FROM budget_accounts WHERE account_id = v_id) THEN
        RETURN v_id;  -- idempotent: an existing grant is kept as it is
    END IF;
    SELECT coalesce(sum(total_rho), 0) INTO v_granted FROM budget_accounts
     WHERE kind = 'onderzoeker' AND dataset = p_dataset AND period = p_year;
    IF v_granted + p_rho > v_pool_total + 1e-12 THEN
        RAISE EXCEPTION 'onderzoekspool % is te klein', v_pool USING ERRCODE = 'RT003',
            DETAIL = format('%s|%s|%s', v_pool, greatest(v_pool_total - v_granted, 0), p_rho);
    END IF;
    INSERT INTO budget_accounts (account_id, kind, dataset, period, principal, total_rho,
                                 granted_by)
    VALUES (v_id, 'onderzoeker', p_dataset, p_year, p_principal, p_rho, p_granted_by);
    RETURN v_id;
END $$;

CREATE FUNCTION analytics_reserve(
    p_request_key text, p_purpose text, p_dataset text, p_year text, p_rho double precision,
    p_principal text
) RETURNS TABLE (reservation_id uuid, reused boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_suffix text := p_dataset || ':' || p_year;
    v_accounts text[];
    v_account text;
    v_total double precision;
    v_spent double precision;
    v_id uuid;
    v_found integer;
BEGIN
    IF NOT (p_rho > 0 AND p_rho <= 10) OR p_request_key IS NULL THEN
        RAISE EXCEPTION 'ongeldige reservering' USING ERRCODE = '22023';
    END IF;
    IF p_purpose = 'release' THEN
        v_accounts := ARRAY['jaar:' || v_suffix, 'officieel:' || v_suffix];
    ELSIF p_purpose = 'query' AND p_principal IS NOT NULL THEN
        v_accounts := ARRAY['jaar:' || v_suffix, 'onderzoek:' || v_suffix,
                            'onderzoeker:' || p_principal || ':' || v_suffix];
    ELSE
        RAISE EXCEPTION 'onbekend doel %', p_purpose USING ERRCODE = '22023';
    END IF;
    -- Lock the accounts in a fixed order: concurrent spenders queue, never deadlock.
    PERFORM 1 FROM budget_accounts WHERE account_id = ANY (v_accounts)
     ORDER BY account_id FOR UPDATE;
    SELECT count(*) INTO v_found FROM budget_accounts WHERE account_id = ANY (v_accounts);
    IF v_found <> cardinality(v_accounts) THEN
        SELECT string_agg(a, ', ') INTO v_account FROM unnest(v_accounts) a
         WHERE NOT EXISTS (SELECT 1 FROM budget_accounts b WHERE b.account_id = a);
        RAISE EXCEPTION 'onbekend account %', v_account USING ERRCODE = 'RT002',
            DETAIL = v_account;
    END IF;
    -- A retry reuses its reservation (unless that one was released).
    SELECT r.id INTO v_id FROM budget_reservations r
     WHERE r.request_key = p_request_key AND r.dataset = p_dataset AND r.purpose = p_purpose
       AND NOT EXISTS (SELECT 1 FROM reservation_outcomes o
                        WHERE o.reservation_id = r.id AND o.outcome = 'vrijgegeven')
     ORDER BY r.created_at DESC LIMIT 1;
    IF FOUND THEN
        RETURN QUERY SELECT v_id, true;
        RETURN;
    END IF;
    FOREACH v_account IN ARRAY v_accounts LOOP
        SELECT total_rho INTO v_total FROM budget_accounts WHERE account_id = v_account;
        SELECT coalesce(sum(rho), 0) INTO v_spent FROM budget_ledger
         WHERE account_id = v_account;
        IF v_spent + p_rho > v_total + 1e-12 THEN
            RAISE EXCEPTION 'budget % is op', v_account USING ERRCODE = 'RT001',
                DETAIL = format('%s|%s|%s', v_account, greatest(v_total - v_spent, 0), p_rho);
        END IF;
    END LOOP;
    v_id := gen_random_uuid();
    INSERT INTO budget_reservations (id, request_key, purpose, dataset, year, rho, principal,
                                     accounts)
    VALUES (v_id, p_request_key, p_purpose, p_dataset, p_year, p_rho, p_principal, v_accounts);
    INSERT INTO budget_ledger (account_id, rho, purpose, request_key, principal,
                               reservation_id, entry)
    SELECT a, p_rho, p_purpose, p_request_key, p_principal, v_id, 'reservering'
      FROM unnest(v_accounts) a;
    RETURN QUERY SELECT v_id, false;
END $$;

CREATE FUNCTION analytics_release(p_reservation uuid, p_reason text)
RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_outcome text;
BEGIN
    PERFORM 1 FROM budget_reservations WHERE id = p_reservation FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'onbekende reservering %', p_reservation USING ERRCODE = 'RT002';
    END IF;
    SELECT outcome INTO v_outcome FROM reservation_outcomes
     WHERE reservation_id = p_reservation;
    IF FOUND THEN
        RETURN v_outcome;
    END IF;
    IF EXISTS (SELECT 1 FROM releases WHERE reservation_id = p_reservation)
       OR EXISTS (SELECT 1 FROM researcher_queries WHERE reservation_id = p_reservation) THEN
        INSERT INTO reservation_outcomes (reservation_id, outcome, reason)
        VALUES (p_reservation, 'gepubliceerd', 'resultaat was al opgeslagen');
        RETURN 'gepubliceerd';
    END IF;
    INSERT INTO budget_ledger (account_id, rho, purpose, request_key, principal,
                               reservation_id, entry)
    SELECT a, -r.rho, r.purpose, r.request_key, r.principal, r.id, 'vrijgave'
      FROM budget_reservations r, unnest(r.accounts) a WHERE r.id = p_reservation;
    INSERT INTO reservation_outcomes (reservation_id, outcome, reason)
    VALUES (p_reservation, 'vrijgegeven', p_reason);
    RETURN 'vrijgegeven';
END $$;

-- Storing a release or a query result needs an open reservation that covers its rho; the
-- insert completes the reservation (once: reservation_id is unique in both tables).
CREATE FUNCTION analytics_publication_needs_reservation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_res budget_reservations%ROWTYPE;
    v_outcome text;
BEGIN
    IF NEW.reservation_id IS NULL THEN
        RAISE EXCEPTION '% zonder reservering geweigerd', TG_TABLE_NAME
            USING ERRCODE = 'RT004';
    END IF;
    SELECT * INTO v_res FROM budget_reservations WHERE id = NEW.reservation_id FOR UPDATE;
    IF NOT FOUND OR v_res.dataset <> NEW.dataset OR v_res.rho + 1e-12 < NEW.rho
       OR v_res.purpose <> (CASE TG_TABLE_NAME WHEN 'releases' THEN 'release' ELSE 'query' END)
    THEN
        RAISE EXCEPTION 'reservering % past niet bij %', NEW.reservation_id, TG_TABLE_NAME
            USING ERRCODE = 'RT004';
    END IF;
    SELECT outcome INTO v_outcome FROM reservation_outcomes
     WHERE reservation_id = NEW.reservation_id;
    IF v_outcome = 'vrijgegeven' THEN
        RAISE EXCEPTION 'reservering % is vrijgegeven', NEW.reservation_id
            USING ERRCODE = 'RT004';
    ELSIF v_outcome IS NULL THEN
        INSERT INTO reservation_outcomes (reservation_id, outcome)
        VALUES (NEW.reservation_id, 'gepubliceerd');
    END IF;
    RETURN NEW;
END $$;
"""


def upgrade() -> None:
    runtime = _runtime_role()
    op.create_table(
        "budget_reservations",
        sa.Column("id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("year", sa.String(4), nullable=False),
        sa.Column("rho", sa.Float(precision=53), nullable=False),
        sa.Column("principal", sa.Text, nullable=True),
        sa.Column("accounts", pg.ARRAY(sa.Text), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("rho > 0", name="ck_budget_reservations_rho"),
    )
    op.create_index("ix_budget_reservations_request_key", "budget_reservations", ["request_key"])
    op.create_table(
        "reservation_outcomes",
        sa.Column(
            "reservation_id",
            pg.UUID(as_uuid=False),
            sa.ForeignKey("budget_reservations.id"),
            primary_key=True,
        ),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "outcome IN ('gepubliceerd', 'vrijgegeven')", name="ck_reservation_outcomes_outcome"
        ),
    )
    op.add_column(
        "budget_ledger", sa.Column("reservation_id", pg.UUID(as_uuid=False), nullable=True)
    )
    op.add_column(
        "budget_ledger",
        sa.Column("entry", sa.Text, nullable=False, server_default="reservering"),
    )
    op.drop_constraint("ck_budget_ledger_rho", "budget_ledger", type_="check")
    op.create_check_constraint("ck_budget_ledger_rho_nonzero", "budget_ledger", "rho <> 0")
    for table in ("releases", "researcher_queries"):
        op.add_column(table, sa.Column("reservation_id", pg.UUID(as_uuid=False), nullable=True))
        op.create_unique_constraint(f"uq_{table}_reservation", table, ["reservation_id"])
    op.add_column("releases", sa.Column("kind", sa.Text, nullable=False, server_default="kwartaal"))
    for table in ("budget_accounts", "budget_reservations", "reservation_outcomes"):
        _append_only(table)
    op.execute(FUNCTIONS)
    for table in ("releases", "researcher_queries"):
        op.execute(
            f"CREATE TRIGGER {table}_needs_reservation BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION analytics_publication_needs_reservation()"
        )

    # Privileges: the runtime role reads, writes facts and results, spends via functions.
    op.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{runtime}"')
    op.execute(f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM "{runtime}"')
    op.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{runtime}"')
    op.execute(f'GRANT INSERT, DELETE ON facts TO "{runtime}"')
    op.execute(f'GRANT INSERT, UPDATE, DELETE ON fact_batches TO "{runtime}"')
    op.execute(f'GRANT INSERT ON releases, researcher_queries TO "{runtime}"')
    op.execute(f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{runtime}"')
    op.execute("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC")
    for signature in BUDGET_FUNCTIONS:
        op.execute(f'GRANT EXECUTE ON FUNCTION {signature} TO "{runtime}"')


def downgrade() -> None:
    runtime = _runtime_role()
    for table in ("releases", "researcher_queries"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_needs_reservation ON {table}")
    op.execute("DROP FUNCTION IF EXISTS analytics_publication_needs_reservation()")
    for signature in BUDGET_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    for table in ("budget_accounts", "budget_reservations", "reservation_outcomes"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_column("releases", "kind")
    for table in ("releases", "researcher_queries"):
        op.drop_constraint(f"uq_{table}_reservation", table, type_="unique")
        op.drop_column(table, "reservation_id")
    op.drop_constraint("ck_budget_ledger_rho_nonzero", "budget_ledger", type_="check")
    op.execute("ALTER TABLE budget_ledger DISABLE TRIGGER budget_ledger_append_only")
    op.execute("DELETE FROM budget_ledger WHERE rho <= 0")
    op.execute("ALTER TABLE budget_ledger ENABLE TRIGGER budget_ledger_append_only")
    op.create_check_constraint("ck_budget_ledger_rho", "budget_ledger", "rho > 0")
    op.drop_column("budget_ledger", "entry")
    op.drop_column("budget_ledger", "reservation_id")
    op.drop_table("reservation_outcomes")
    op.drop_table("budget_reservations")
    op.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{runtime}"')
