"""The audit log in the shape of Logboek Dataverwerkingen, chained per tenant.

* New columns on ``audit_log``: ``seq`` (position in the tenant's chain), ``trace_id``,
  ``span_id``, ``parent_span_id`` (W3C trace context), ``status`` (``ok`` | ``unset`` |
  ``error``), ``processing_activity`` (a code in the tenant's register of processing
  activities), ``data_subject_ref`` / ``data_subject_enc`` / ``data_subject_type`` (the
  person the row is about: a keyed reference and an AES-GCM ciphertext, never the id itself).
* A hash chain per tenant: a ``BEFORE INSERT`` trigger (``SECURITY DEFINER``, owned by the
  owner role) locks the tenant's head in ``audit_chain_heads`` (a row lock held until
  commit, so concurrent inserts of one tenant are serialised and a rolled-back insert leaves
  no gap), sets ``seq``, ``prev_hash`` and ``hash = sha256(canonical row)`` and moves the
  head. Whatever a client sends for these three columns is overwritten.
* ``audit_checkpoints``: copies of the chain heads, written only by the owner-defined function
  ``audit_checkpoint()``; the runtime role may call it and read both tables, never write them.
  A log cut off after a checkpoint is detected by ``regietafel audit verify``.
* Rows written before this migration are chained in (tenant, time, id) order.

See docs/adr/0018-audit-chain.md.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

#: The canonical text of a row: every column but ``hash``, in a fixed order, with the time
#: in UTC at microseconds (independent of the session's TimeZone). services/authz/chain.py
#: holds the same expression and verifies with it.
CANONICAL = """
CREATE OR REPLACE FUNCTION audit_log_canonical(r audit_log) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
SELECT jsonb_build_array(
  r.tenant_id, r.seq, r.id::text,
  to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  r.user_id, r.organisation_id, to_jsonb(r.roles), r.action, r.resource_type, r.resource_id,
  r.casus_id::text, r.purpose, r.legal_basis, r.allowed, r.decision_id::text,
  r.policy_revision, r.data_revision, to_jsonb(r.reasons), r.decision_input, r.request_id,
  r.trace_id, r.span_id, r.parent_span_id, r.status, r.processing_activity,
  r.data_subject_ref, encode(r.data_subject_enc, 'base64'), r.data_subject_type,
  r.prev_hash
)::text
$$
"""

CHAIN_TRIGGER = f"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  head audit_chain_heads%ROWTYPE;
BEGIN
  INSERT INTO audit_chain_heads (tenant_id, seq, hash)
  VALUES (NEW.tenant_id, 0, '{GENESIS}') ON CONFLICT (tenant_id) DO NOTHING;
  SELECT * INTO head FROM audit_chain_heads WHERE tenant_id = NEW.tenant_id FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := NULL;
  NEW.hash := encode(sha256(convert_to(audit_log_canonical(NEW), 'UTF8')), 'hex');
  UPDATE audit_chain_heads
     SET seq = NEW.seq, hash = NEW.hash, row_id = NEW.id, at = now()
   WHERE tenant_id = NEW.tenant_id;
  RETURN NEW;
END
$$
"""

CHECKPOINT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_checkpoint() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  written integer;
BEGIN
  INSERT INTO audit_checkpoints (tenant_id, seq, hash, row_id)
  SELECT h.tenant_id, h.seq, h.hash, h.row_id FROM audit_chain_heads h
   WHERE h.seq > 0 AND NOT EXISTS (
     SELECT 1 FROM audit_checkpoints c WHERE c.tenant_id = h.tenant_id AND c.seq = h.seq);
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END
$$
"""

BACKFILL = f"""
DO $$
DECLARE
  r record;
  tenant text := NULL;
  position bigint := 0;
  previous text := '{GENESIS}';
BEGIN
  FOR r IN SELECT tenant_id, id FROM audit_log ORDER BY tenant_id, at, id LOOP
    IF tenant IS DISTINCT FROM r.tenant_id THEN
      tenant := r.tenant_id; position := 0; previous := '{GENESIS}';
    END IF;
    position := position + 1;
    UPDATE audit_log SET seq = position, prev_hash = previous, hash = NULL
     WHERE tenant_id = r.tenant_id AND id = r.id;
    SELECT encode(sha256(convert_to(audit_log_canonical(a), 'UTF8')), 'hex') INTO previous
      FROM audit_log a WHERE a.tenant_id = r.tenant_id AND a.id = r.id;
    UPDATE audit_log SET hash = previous WHERE tenant_id = r.tenant_id AND id = r.id;
  END LOOP;
  INSERT INTO audit_chain_heads (tenant_id, seq, hash, row_id)
  SELECT DISTINCT ON (tenant_id) tenant_id, seq, hash, id FROM audit_log
   ORDER BY tenant_id, seq DESC;
END
$$
"""

#: The runtime roles read the heads and checkpoints (hashes only, no person data) and may
#: call audit_checkpoint(); they never write either table. The default privileges of the
#: schema grant DML on new tables to the app role: taken back here for every role but the
#: owner (the role names are configurable, so they are found, not named).
REVOKE_WRITES = """
DO $$
DECLARE
  grantee text;
BEGIN
  FOR grantee IN
    SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
     WHERE g.table_name IN ('audit_chain_heads', 'audit_checkpoints')
       AND g.grantee <> current_user
  LOOP
    EXECUTE format(
      'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER '
      'ON audit_chain_heads, audit_checkpoints FROM %I', grantee);
  END LOOP;
END
$$
"""


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("seq", sa.BigInteger))
    op.add_column("audit_log", sa.Column("trace_id", sa.String(32)))
    op.add_column("audit_log", sa.Column("span_id", sa.String(16)))
    op.add_column("audit_log", sa.Column("parent_span_id", sa.String(16)))
    op.add_column("audit_log", sa.Column("status", sa.String(8)))
    op.add_column("audit_log", sa.Column("processing_activity", sa.String(48)))
    op.add_column("audit_log", sa.Column("data_subject_ref", sa.String(64)))
    op.add_column("audit_log", sa.Column("data_subject_enc", postgresql.BYTEA))
    op.add_column("audit_log", sa.Column("data_subject_type", sa.String(32)))
    op.create_table(
        "audit_chain_heads",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("row_id", postgresql.UUID(as_uuid=True)),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("row_id", postgresql.UUID(as_uuid=True)),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("tenant_id", "seq", name="uq_audit_checkpoints_tenant_seq"),
    )
    op.execute(CANONICAL)
    # Existing rows: chained in (tenant, time, id) order. The owner is bound by the
    # tenant policy (FORCE) and by the append-only trigger; both are lifted for this
    # transaction only.
    op.execute("ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    op.execute(
        "UPDATE audit_log SET status = CASE WHEN allowed THEN 'ok' "
        "WHEN 'beleid-niet-beschikbaar' = ANY(reasons) THEN 'error' ELSE 'unset' END"
    )
    op.execute(BACKFILL)
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    op.execute("ALTER TABLE audit_log FORCE ROW LEVEL SECURITY")
    op.alter_column("audit_log", "seq", nullable=False)
    op.alter_column("audit_log", "status", nullable=False, server_default="unset")
    op.create_unique_constraint("uq_audit_log_tenant_seq", "audit_log", ["tenant_id", "seq"])
    op.create_index("ix_audit_log_subject", "audit_log", ["tenant_id", "data_subject_ref", "at"])
    op.execute(CHAIN_TRIGGER)
    op.execute(
        "CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_chain()"
    )
    op.execute(CHECKPOINT_FUNCTION)
    op.execute(REVOKE_WRITES)
    op.execute("REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION audit_log_chain()")
    op.execute("DROP FUNCTION audit_checkpoint()")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_heads")
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_constraint("uq_audit_log_tenant_seq", "audit_log", type_="unique")
    op.execute("DROP FUNCTION audit_log_canonical(audit_log)")
    for column in (
        "data_subject_type",
        "data_subject_enc",
        "data_subject_ref",
        "processing_activity",
        "status",
        "parent_span_id",
        "span_id",
        "trace_id",
        "seq",
    ):
        op.drop_column("audit_log", column)
