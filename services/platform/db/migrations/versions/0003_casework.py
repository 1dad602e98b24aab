"""Casework: persons, casussen, participants, regie, plans, meetings, assessments,
information items, consents, events, group members, cross-tenant shares, urgent access,
and the append-only audit log. Every table is bound to its tenant by row-level security;
casussen shared across tenants (opschaling) are readable by the receiving tenant.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 08:53:45.924649
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from services.platform.db.rls import (
    APPEND_ONLY_AUDIT,
    SHARE_VISIBLE_TO_RECEIVER,
    shared_read_statements,
    tenant_rls_statements,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "persons",
    "household_members",
    "casussen",
    "casus_participants",
    "casus_roles",
    "plan_versions",
    "meetings",
    "meeting_agenda",
    "assessments",
    "information_items",
    "consents",
    "casus_events",
    "group_members",
    "casus_shares",
    "urgent_access",
    "audit_log",
)

# Tables readable by a tenant a casus was shared with, and the column naming the casus.
SHARED_READ = {
    "casussen": "id",
    "casus_participants": "casus_id",
    "casus_roles": "casus_id",
    "plan_versions": "casus_id",
    "assessments": "casus_id",
    "information_items": "casus_id",
    "casus_events": "casus_id",
}


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("casus_id", sa.UUID(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("legal_basis", sa.String(length=64), nullable=True),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("decision_id", sa.UUID(), nullable=True),
        sa.Column("policy_revision", sa.String(length=64), nullable=True),
        sa.Column("data_revision", sa.String(length=64), nullable=True),
        sa.Column("reasons", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("decision_input", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_audit_log_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        "ix_audit_log_casus", "audit_log", ["tenant_id", "casus_id", "at"], unique=False
    )
    op.create_table(
        "meetings",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("meeting_type_id", sa.String(length=64), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chair_user_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("minutes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_meetings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_meetings")),
    )
    op.create_table(
        "persons",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("given_names", sa.Text(), nullable=False),
        sa.Column("surname", sa.Text(), nullable=False),
        sa.Column("roepnaam", sa.Text(), nullable=True),
        sa.Column("aliases", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("bsn_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("bsn_hash", sa.String(length=64), nullable=True),
        sa.Column("address", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_persons_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_persons")),
    )
    op.create_index("ix_persons_bsn_hash", "persons", ["tenant_id", "bsn_hash"], unique=False)
    op.create_table(
        "casussen",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("subject_person_id", sa.UUID(), nullable=True),
        sa.Column("group_name", sa.Text(), nullable=True),
        sa.Column("doelgroep", sa.String(length=64), nullable=True),
        sa.Column("voluntary", sa.Boolean(), nullable=False),
        sa.Column("meeting_type_id", sa.String(length=64), nullable=True),
        sa.Column("aanmelder_organisation_id", sa.String(length=64), nullable=False),
        sa.Column("aanmelder_user_id", sa.String(length=64), nullable=False),
        sa.Column("aanmelding", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("triage", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("informing", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("closure", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "aanmeld_date", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False
        ),
        sa.Column("plan_date", sa.Date(), nullable=True),
        sa.Column("closure_date", sa.Date(), nullable=True),
        sa.Column("last_melding_on", sa.Date(), nullable=True),
        sa.Column("retention_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subject_person_id"],
            ["persons.tenant_id", "persons.id"],
            name=op.f("fk_casussen_tenant_id_subject_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_casussen_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_casussen")),
        sa.UniqueConstraint("tenant_id", "reference", name="uq_casussen_reference"),
    )
    op.create_table(
        "consents",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["persons.tenant_id", "persons.id"],
            name=op.f("fk_consents_tenant_id_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_consents_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_consents")),
    )
    op.create_table(
        "household_members",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("member_person_id", sa.UUID(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_person_id"],
            ["persons.tenant_id", "persons.id"],
            name=op.f("fk_household_members_tenant_id_member_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["persons.tenant_id", "persons.id"],
            name=op.f("fk_household_members_tenant_id_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_household_members_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_household_members")),
    )
    op.create_table(
        "assessments",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("moment", sa.String(length=16), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("assessor_user_id", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_assessments_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_assessments_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assessments")),
    )
    op.create_table(
        "casus_events",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actor_user_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_casus_events_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_casus_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_casus_events")),
    )
    op.create_index(
        "ix_casus_events_at", "casus_events", ["tenant_id", "casus_id", "at"], unique=False
    )
    op.create_table(
        "casus_participants",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column("participation", sa.String(length=16), nullable=False),
        sa.Column("declared_role", sa.Text(), nullable=True),
        sa.Column("invited_by", sa.String(length=64), nullable=False),
        sa.Column(
            "invited_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_casus_participants_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_casus_participants_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "casus_id", "organisation_id", name=op.f("pk_casus_participants")
        ),
    )
    op.create_table(
        "casus_roles",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_casus_roles_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_casus_roles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_casus_roles")),
    )
    op.create_table(
        "casus_shares",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("shared_with_tenant", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["shared_with_tenant"],
            ["tenants.code"],
            name=op.f("fk_casus_shares_shared_with_tenant_tenants"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_casus_shares_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_casus_shares_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "casus_id", "shared_with_tenant", name=op.f("pk_casus_shares")
        ),
    )
    op.create_table(
        "group_members",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("person_id", sa.UUID(), nullable=False),
        sa.Column("member_casus_id", sa.UUID(), nullable=True),
        sa.Column("role", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_group_members_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["persons.tenant_id", "persons.id"],
            name=op.f("fk_group_members_tenant_id_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_group_members_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "casus_id", "person_id", name=op.f("pk_group_members")
        ),
    )
    op.create_table(
        "information_items",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("about_person_id", sa.UUID(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("source_organisation_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("legal_basis", sa.String(length=64), nullable=True),
        sa.Column("art9_exception", sa.String(length=64), nullable=True),
        sa.Column("beroepsgeheim_ground", sa.String(length=64), nullable=True),
        sa.Column("necessity", sa.Text(), nullable=True),
        sa.Column("person_informed", sa.Boolean(), nullable=True),
        sa.Column("not_informed_reason", sa.Text(), nullable=True),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_information_items_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_information_items_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_information_items")),
    )
    op.create_table(
        "meeting_agenda",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("meeting_id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("briefing", sa.Text(), nullable=True),
        sa.Column("bob", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("decisions", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_meeting_agenda_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["meetings.tenant_id", "meetings.id"],
            name=op.f("fk_meeting_agenda_tenant_id_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_meeting_agenda_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "meeting_id", "casus_id", name=op.f("pk_meeting_agenda")
        ),
    )
    op.create_table(
        "plan_versions",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("summary", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_plan_versions_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_plan_versions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "casus_id", "version", name=op.f("pk_plan_versions")),
    )
    op.create_table(
        "urgent_access",
        sa.Column("tenant_id", sa.String(length=16), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("casus_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "casus_id"],
            ["casussen.tenant_id", "casussen.id"],
            name=op.f("fk_urgent_access_tenant_id_casus_id_casussen"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.code"], name=op.f("fk_urgent_access_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_urgent_access")),
    )
    for table in TENANT_TABLES:
        for statement in tenant_rls_statements(table):
            op.execute(statement)
    for table, casus_column in SHARED_READ.items():
        for statement in shared_read_statements(table, casus_column):
            op.execute(statement)
    op.execute(SHARE_VISIBLE_TO_RECEIVER)
    # The audit log is append-only for every role (retention sweeps come with their own
    # reviewed migration).
    for statement in APPEND_ONLY_AUDIT:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("urgent_access")
    op.drop_table("plan_versions")
    op.drop_table("meeting_agenda")
    op.drop_table("information_items")
    op.drop_table("group_members")
    op.drop_table("casus_shares")
    op.drop_table("casus_roles")
    op.drop_table("casus_participants")
    op.drop_index("ix_casus_events_at", table_name="casus_events")
    op.drop_table("casus_events")
    op.drop_table("assessments")
    op.drop_table("household_members")
    op.drop_table("consents")
    op.drop_table("casussen")
    op.drop_index("ix_persons_bsn_hash", table_name="persons")
    op.drop_table("persons")
    op.drop_table("meetings")
    op.drop_index("ix_audit_log_casus", table_name="audit_log")
    op.drop_table("audit_log")
