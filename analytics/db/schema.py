"""Tables of the analytics database (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from analytics.contract import FACT_COLUMNS

metadata = sa.MetaData()

_TYPES = {"str": sa.Text, "bool": sa.Boolean, "int": sa.Integer}


def _ts() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


#: One row per ingested (gemeente, period) batch; a new delivery replaces the old one.
fact_batches = sa.Table(
    "fact_batches",
    metadata,
    sa.Column("gemeentecode", sa.String(6), primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("contract_version", sa.String(8), nullable=False),
    sa.Column("record_count", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column(
        "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    ),
)

#: Flat fact rows (contract v1, see analytics.contract.FACT_COLUMNS).
facts = sa.Table(
    "facts",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    *(
        sa.Column(name, _TYPES[kind], nullable=name not in ("pseudonym", "gemeentecode", "period"))
        for name, kind in FACT_COLUMNS.items()
    ),
    sa.Index("ix_facts_period_gemeente", "period", "gemeentecode"),
)

#: Budget accounts: one per dataset+period, one per researcher+period (a grant).
budget_accounts = sa.Table(
    "budget_accounts",
    metadata,
    sa.Column("account_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # dataset | onderzoeker
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("period", sa.String(7), nullable=False),
    sa.Column("principal", sa.Text, nullable=True),
    sa.Column("total_rho", sa.Float(precision=53), nullable=False),
    sa.Column("granted_by", sa.Text, nullable=True),
    _ts(),
    sa.CheckConstraint("total_rho >= 0", name="ck_budget_accounts_total_rho"),
)

#: Append-only ledger of spends (a trigger refuses UPDATE, DELETE and TRUNCATE).
budget_ledger = sa.Table(
    "budget_ledger",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("account_id", sa.Text, sa.ForeignKey("budget_accounts.account_id"), nullable=False),
    sa.Column("rho", sa.Float(precision=53), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),  # release | query
    sa.Column("request_key", sa.String(64), nullable=False),
    sa.Column("principal", sa.Text, nullable=True),
    _ts(),
    sa.CheckConstraint("rho > 0", name="ck_budget_ledger_rho"),
    sa.Index("ix_budget_ledger_account", "account_id"),
)

#: Published releases: immutable (trigger), versioned per dataset+period.
releases = sa.Table(
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

#: Researchers' ad-hoc query results (append-only, like the ledger).
researcher_queries = sa.Table(
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

APPEND_ONLY_TABLES = ("budget_ledger", "releases", "researcher_queries")
