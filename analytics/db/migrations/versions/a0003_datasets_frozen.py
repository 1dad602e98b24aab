"""Datasets (real facts beside a labelled synthetic demo) and frozen periods.

Revision ID: a0003
Revises: a0002
Create Date: 2026-11-28

* ``facts`` and ``fact_batches`` carry a ``dataset`` (``pga-feiten`` for the real,
  pseudonymised facts; ``synthetisch-landelijk`` for the labelled demo of ``make run``);
* a quarter's facts are frozen as exported once a release has used them: publishing a
  release records its quarters in ``frozen_periods`` (trigger, as the owner), and the facts of
  a frozen quarter can no longer be inserted, deleted or replaced (statement triggers), so a
  past quarter is never re-measured with today's state.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql as pg

revision = "a0003"
down_revision = "a0002"
branch_labels = None
depends_on = None

FUNCTIONS = r"""
CREATE FUNCTION analytics_release_freezes_periods() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO frozen_periods (dataset, period, release_id)
    SELECT NEW.dataset, q, NEW.id
      FROM unnest(CASE WHEN NEW.period ~ '^20[0-9][0-9]$'
                       THEN ARRAY[NEW.period || '-Q1', NEW.period || '-Q2',
                                  NEW.period || '-Q3', NEW.period || '-Q4']
                       ELSE ARRAY[NEW.period] END) q
    ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;

CREATE FUNCTION analytics_refuse_frozen_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_period text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT f.dataset || ' ' || f.period INTO v_period
          FROM changed n JOIN frozen_periods f ON f.dataset = n.dataset AND f.period = n.period
         LIMIT 1;
    ELSE
        SELECT f.dataset || ' ' || f.period INTO v_period
          FROM changed o JOIN frozen_periods f ON f.dataset = o.dataset AND f.period = o.period
         LIMIT 1;
    END IF;
    IF v_period IS NOT NULL THEN
        RAISE EXCEPTION 'periode % is bevroren', v_period USING ERRCODE = 'RT005';
    END IF;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    runtime = str(context.config.attributes.get("runtime_role", "regietafel_analytics"))
    op.add_column(
        "facts", sa.Column("dataset", sa.Text, nullable=False, server_default="pga-feiten")
    )
    op.create_index("ix_facts_dataset_period", "facts", ["dataset", "period"])
    op.add_column(
        "fact_batches",
        sa.Column("dataset", sa.Text, nullable=False, server_default="pga-feiten"),
    )
    op.drop_constraint("fact_batches_pkey", "fact_batches", type_="primary")
    op.create_primary_key(
        "fact_batches_pkey", "fact_batches", ["dataset", "gemeentecode", "period"]
    )
    op.create_table(
        "frozen_periods",
        sa.Column("dataset", sa.Text, primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("release_id", pg.UUID(as_uuid=False), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    )
    op.execute(
        "CREATE TRIGGER frozen_periods_append_only BEFORE UPDATE OR DELETE ON frozen_periods "
        "FOR EACH ROW EXECUTE FUNCTION analytics_append_only()"
    )
    op.execute(
        "CREATE TRIGGER frozen_periods_no_truncate BEFORE TRUNCATE ON frozen_periods "
        "FOR EACH STATEMENT EXECUTE FUNCTION analytics_append_only()"
    )
    op.execute(FUNCTIONS)
    op.execute(
        "CREATE TRIGGER releases_freeze_periods AFTER INSERT ON releases "
        "FOR EACH ROW EXECUTE FUNCTION analytics_release_freezes_periods()"
    )
    for table in ("facts", "fact_batches"):
        op.execute(
            f"CREATE TRIGGER {table}_frozen_insert AFTER INSERT ON {table} "
            "REFERENCING NEW TABLE AS changed "
            "FOR EACH STATEMENT EXECUTE FUNCTION analytics_refuse_frozen_rows()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_frozen_delete AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS changed "
            "FOR EACH STATEMENT EXECUTE FUNCTION analytics_refuse_frozen_rows()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_frozen_update AFTER UPDATE ON {table} "
            "REFERENCING OLD TABLE AS changed "
            "FOR EACH STATEMENT EXECUTE FUNCTION analytics_refuse_frozen_rows()"
        )
    op.execute(f'GRANT SELECT ON frozen_periods TO "{runtime}"')
    op.execute("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC")


def downgrade() -> None:
    for table in ("facts", "fact_batches"):
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{event} ON {table}")
    op.execute("DROP TRIGGER IF EXISTS releases_freeze_periods ON releases")
    op.execute("DROP FUNCTION IF EXISTS analytics_refuse_frozen_rows()")
    op.execute("DROP FUNCTION IF EXISTS analytics_release_freezes_periods()")
    op.drop_table("frozen_periods")
    op.drop_constraint("fact_batches_pkey", "fact_batches", type_="primary")
    op.create_primary_key("fact_batches_pkey", "fact_batches", ["gemeentecode", "period"])
    op.drop_column("fact_batches", "dataset")
    op.drop_index("ix_facts_dataset_period", table_name="facts")
    op.drop_column("facts", "dataset")
