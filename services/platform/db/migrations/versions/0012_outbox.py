"""Transactional outbox: domain events, notifications, job receipts, dead letters and the
periodic job ledger (docs/adr/0014-outbox.md).

``outbox_events`` and ``notifications`` are tenant tables (RLS as every other); the relay,
which publishes every tenant's events, reads ``outbox_events`` under the transaction-local
setting ``pga.outbox_relay`` (an extra permissive policy), never across other tables.

Revision ID: 0012
Revises: 0007 (the lead relinks the chain at merge)
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.platform.db.rls import tenant_rls_statements

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RELAY_SETTING = "pga.outbox_relay"


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), nullable=False),
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("seq", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("casus_id", postgresql.UUID(as_uuid=True)),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("actor_user_id", sa.String(64)),
        sa.Column(
            "occurred_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("publish_count", sa.Integer, server_default="0", nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_outbox_events"),
        # With tenant_id: a unique constraint Citus can check on one shard (docs/citus.md).
        sa.UniqueConstraint("tenant_id", "seq", name="uq_outbox_events_seq"),
    )
    op.create_index(
        "ix_outbox_events_unpublished",
        "outbox_events",
        ["seq"],
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_index(
        "ix_outbox_events_unhandled",
        "outbox_events",
        ["published_at"],
        postgresql_where=sa.text("handled_at IS NULL"),
    )
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), nullable=False),
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("event_id", postgresql.UUID(as_uuid=True)),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("mail_body", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("mail_sent_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_notifications"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "event_id"],
            ["outbox_events.tenant_id", "outbox_events.id"],
            name="fk_notifications_tenant_id_outbox_events",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("tenant_id", "event_id", "user_id", name="uq_notifications_event_user"),
    )
    op.create_table(
        "job_receipts",
        sa.Column("job", sa.String(48), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column(
            "handled_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("job", "key", name="pk_job_receipts"),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("queue_name", sa.String(120), nullable=False),
        sa.Column("actor_name", sa.String(80), nullable=False),
        sa.Column("args", sa.JSON, nullable=False),
        sa.Column("kwargs", sa.JSON, nullable=False),
        sa.Column("retries", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column(
            "failed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
        sa.Column("replay_message_id", sa.String(64)),
        sa.UniqueConstraint("message_id", name="uq_dead_letters_message_id"),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(48), primary_key=True),
        sa.Column("last_enqueued_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table in ("outbox_events", "notifications"):
        for statement in tenant_rls_statements(table):
            op.execute(statement)
    relay = f"current_setting('{RELAY_SETTING}', true) = 'on'"
    op.execute(f"CREATE POLICY outbox_relay ON outbox_events USING ({relay}) WITH CHECK ({relay})")


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    op.drop_table("dead_letters")
    op.drop_table("job_receipts")
    op.drop_table("notifications")
    op.drop_index("ix_outbox_events_unhandled", table_name="outbox_events")
    op.drop_index("ix_outbox_events_unpublished", table_name="outbox_events")
    op.drop_table("outbox_events")
