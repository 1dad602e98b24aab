"""Analytics schema: facts, budget accounts, append-only ledger, immutable releases.

Revision ID: a0001
Revises:
Create Date: 2026-11-22

The tables are defined here as they were at this revision (not imported from
``analytics.db.schema``, which moves on with later revisions).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "a0001"
down_revision = None
branch_labels = None
depends_on = None

_FACT_COLUMNS = {
    "pseudonym": "str",
    "gemeentecode": "str",
    "region": "str",
    "period": "str",
    "age_band": "str",
    "casus_kind": "str",
    "doelgroep": "str",
    "voluntary": "bool",
    "aanmelding_month": "str",
    "plan_month": "str",
    "closure_month": "str",
    "days_aanmelding_to_plan": "int",
    "aanmelding_source_domain": "str",
    "included": "bool",
    "closure_reason": "str",
    "zrm_pair": "bool",
    "zrm_improved": "bool",
    "zrm_change_tenths": "int",
    **{
        f"{name}_{moment}": "bool"
        for moment in ("intake", "closure", "12m")
        for name in (
            "work_or_dagbesteding",
            "school_or_startkwalificatie",
            "stable_housing",
            "problematic_debts",
            "benefit",
        )
    },
    "new_police_registrations_12m": "bool",
}
_TYPES = {"str": sa.Text, "bool": sa.Boolean, "int": sa.Integer}
APPEND_ONLY_TABLES = ("budget_ledger", "releases", "researcher_queries")


def _ts() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "fact_batches",
        metadata,
        sa.Column("gemeentecode", sa.String(6), primary_key=True),
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("contract_version", sa.String(8), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
    )
    sa.Table(
        "facts",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        *(
            sa.Column(
                name, _TYPES[kind], nullable=name not in ("pseudonym", "gemeentecode", "period")
            )
            for name, kind in _FACT_COLUMNS.items()
        ),
        sa.Index("ix_facts_period_gemeente", "period", "gemeentecode"),
    )
    sa.Table(
        "budget_accounts",
        metadata,
        sa.Column("account_id", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("principal", sa.Text, nullable=True),
        sa.Column("total_rho", sa.Float(precision=53), nullable=False),
        sa.Column("granted_by", sa.Text, nullable=True),
        _ts(),
        sa.CheckConstraint("total_rho >= 0", name="ck_budget_accounts_total_rho"),
    )
    sa.Table(
        "budget_ledger",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "account_id", sa.Text, sa.ForeignKey("budget_accounts.account_id"), nullable=False
        ),
        sa.Column("rho", sa.Float(precision=53), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("request_key", sa.String(64), nullable=False),
        sa.Column("principal", sa.Text, nullable=True),
        _ts(),
        sa.CheckConstraint("rho > 0", name="ck_budget_ledger_rho"),
        sa.Index("ix_budget_ledger_account", "account_id"),
    )
    sa.Table(
        "releases",
        metadata,
        sa.Column("id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("request_key", sa.String(64), nullable=False, unique=True),
        sa.Column("rho", sa.Float(precision=53), nullable=False),
        sa.Column("methodology", pg.JSONB, nullable=False),
        sa.Column("cells", pg.JSONB, nullable=False),
        _ts(),
        sa.UniqueConstraint("dataset", "period", "version", name="uq_releases_version"),
    )
    sa.Table(
        "researcher_queries",
        metadata,
        sa.Column("id", pg.UUID(as_uuid=False), primary_key=True),
        sa.Column("principal", sa.Text, nullable=False),
        sa.Column("dataset", sa.Text, nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("request", pg.JSONB, nullable=False),
        sa.Column("rho", sa.Float(precision=53), nullable=False),
        sa.Column("cells", pg.JSONB, nullable=False),
        _ts(),
    )
    return metadata


def upgrade() -> None:
    bind = op.get_bind()
    _metadata().create_all(bind)
    op.execute(
        sa.text(
            """
            CREATE OR REPLACE FUNCTION analytics_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            """
        )
    )
    for table in APPEND_ONLY_TABLES:
        op.execute(
            sa.text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION analytics_append_only()"
            )
        )
        op.execute(
            sa.text(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION analytics_append_only()"
            )
        )


def downgrade() -> None:
    bind = op.get_bind()
    _metadata().drop_all(bind)
    op.execute(sa.text("DROP FUNCTION IF EXISTS analytics_append_only()"))
