"""Tables of the analytics database (SQLAlchemy Core), as of the newest migration.

Ownership (migration a0002): every table, trigger and function is owned by the analytics
OWNER role (migrations only). The runtime role reads everything, writes facts, releases and
query results, and changes the privacy budget ONLY through the SECURITY DEFINER functions in
:mod:`analytics.ledger` (``analytics_open_year``, ``analytics_grant``, ``analytics_reserve``,
``analytics_complete``, ``analytics_release``), which enforce the rules.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from analytics.contract import FACT_COLUMNS

metadata = sa.MetaData()

_TYPES = {"str": sa.Text, "bool": sa.Boolean, "int": sa.Integer}

#: The dataset of the real (pseudonymised) PGA facts.
REAL_DATASET = "pga-feiten"


def _ts() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


#: One row per ingested (dataset, gemeente, period) batch; a new delivery replaces the old
#: one unless the period is frozen (``frozen_periods``).
fact_batches = sa.Table(
    "fact_batches",
    metadata,
    sa.Column("dataset", sa.Text, primary_key=True, server_default=REAL_DATASET),
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
    sa.Column("dataset", sa.Text, nullable=False, server_default=REAL_DATASET),
    *(
        sa.Column(name, _TYPES[kind], nullable=name not in ("pseudonym", "gemeentecode", "period"))
        for name, kind in FACT_COLUMNS.items()
    ),
    sa.Index("ix_facts_period_gemeente", "period", "gemeentecode"),
    sa.Index("ix_facts_dataset_period", "dataset", "period"),
)

#: Quarters whose facts are frozen as exported (the first release that used them froze them).
frozen_periods = sa.Table(
    "frozen_periods",
    metadata,
    sa.Column("dataset", sa.Text, primary_key=True),
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("release_id", pg.UUID(as_uuid=False), nullable=False),
    _ts(),
)

#: Budget accounts (append-only). Per dataset and calendar year (the privacy unit is a
#: person-year): ``jaar`` (the cap), its pools ``officieel`` (releases) and ``onderzoek``
#: (researchers' grants), and one ``onderzoeker`` grant per researcher. Legacy ``dataset``
#: accounts per quarter (before a0002) stay as history.
budget_accounts = sa.Table(
    "budget_accounts",
    metadata,
    sa.Column("account_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("period", sa.String(7), nullable=False),  # year ("2026"); legacy: quarter
    sa.Column("principal", sa.Text, nullable=True),
    sa.Column("total_rho", sa.Float(precision=53), nullable=False),
    sa.Column("granted_by", sa.Text, nullable=True),
    _ts(),
    sa.CheckConstraint("total_rho >= 0", name="ck_budget_accounts_total_rho"),
)

#: A reservation of rho for one request (a release or a researcher's query), charged to
#: several accounts at once. Its outcome is recorded once in ``reservation_outcomes``.
budget_reservations = sa.Table(
    "budget_reservations",
    metadata,
    sa.Column("id", pg.UUID(as_uuid=False), primary_key=True),
    sa.Column("request_key", sa.String(64), nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False),  # release | query
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("year", sa.String(4), nullable=False),
    sa.Column("rho", sa.Float(precision=53), nullable=False),
    sa.Column("principal", sa.Text, nullable=True),
    sa.Column("accounts", pg.ARRAY(sa.Text), nullable=False),
    _ts(),
)

reservation_outcomes = sa.Table(
    "reservation_outcomes",
    metadata,
    sa.Column(
        "reservation_id",
        pg.UUID(as_uuid=False),
        sa.ForeignKey("budget_reservations.id"),
        primary_key=True,
    ),
    sa.Column("outcome", sa.Text, nullable=False),  # gepubliceerd | vrijgegeven
    sa.Column("reason", sa.Text, nullable=True),
    _ts(),
)

#: Append-only ledger: +rho per account for a reservation, -rho when an unpublished
#: reservation is released; ``overgenomen`` carries legacy quarter spends into a year.
budget_ledger = sa.Table(
    "budget_ledger",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("account_id", sa.Text, sa.ForeignKey("budget_accounts.account_id"), nullable=False),
    sa.Column("rho", sa.Float(precision=53), nullable=False),
    sa.Column("purpose", sa.Text, nullable=False),  # release | query
    sa.Column("request_key", sa.String(64), nullable=False),
    sa.Column("principal", sa.Text, nullable=True),
    sa.Column("reservation_id", pg.UUID(as_uuid=False), nullable=True),
    sa.Column("entry", sa.Text, nullable=False, server_default="reservering"),
    _ts(),
    sa.CheckConstraint("rho <> 0", name="ck_budget_ledger_rho_nonzero"),
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
    sa.Column("reservation_id", pg.UUID(as_uuid=False), nullable=True),
    sa.Column("kind", sa.Text, nullable=False, server_default="kwartaal"),
    _ts(),
    sa.UniqueConstraint("dataset", "period", "version", name="uq_releases_version"),
    # One release per reservation (the ledger trigger relies on it; migration a0002).
    sa.UniqueConstraint("reservation_id", name="uq_releases_reservation"),
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
    sa.Column("reservation_id", pg.UUID(as_uuid=False), nullable=True),
    _ts(),
    sa.UniqueConstraint("reservation_id", name="uq_researcher_queries_reservation"),
)

APPEND_ONLY_TABLES = (
    "budget_ledger",
    "budget_accounts",
    "budget_reservations",
    "reservation_outcomes",
    "releases",
    "researcher_queries",
    "frozen_periods",
)
