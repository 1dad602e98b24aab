"""The audit log in the shape of Logboek Dataverwerkingen, chained per tenant.

* New columns on ``audit_log``: ``seq`` (position in the tenant's chain), ``trace_id``,
  ``span_id``, ``parent_span_id`` (W3C trace context), ``status`` (``ok`` | ``unset`` |
  ``error``), ``processing_activity`` (a code in the tenant's register of processing
  activities), ``data_subject_ref`` / ``data_subject_enc`` / ``data_subject_type`` (the
  person the row is about: a keyed reference and an AES-GCM ciphertext, never the id itself).
* A hash chain per tenant: a ``BEFORE INSERT`` trigger (``SECURITY DEFINER``, owned by the
  owner role) takes the tenant's chain lock (a transaction-level advisory lock, held until
  commit, so concurrent inserts of one tenant are serialised and a rolled-back insert leaves
  no gap), reads the last row and sets ``seq``, ``prev_hash`` and ``hash = sha256(canonical
  row)``. Whatever a client sends for these three columns is overwritten.
* ``audit_checkpoints`` (a tenant table, append-only): the chain heads, recorded only by the
  owner-defined function ``audit_checkpoint()``; the runtime role may call it and read the
  table, never add, change or remove a checkpoint. A log cut off after a checkpoint is
  detected by ``regietafel audit verify``.
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

from services.platform.db.rls import tenant_rls_statements

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

#: The lock key of a tenant's chain: one transaction at a time appends to it.
LOCK_KEY = "hashtextextended('regietafel-audit-chain:' || NEW.tenant_id, 0)"

CHAIN_TRIGGER = f"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_KEY});
  -- A fresh snapshot after the lock: the previous holder's rows are committed and visible.
  SELECT a.seq, a.hash INTO last_seq, last_hash FROM audit_log a
   WHERE a.tenant_id = NEW.tenant_id ORDER BY a.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
  NEW.hash := NULL;
  NEW.hash := encode(sha256(convert_to(audit_log_canonical(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END
$$
"""

#: Checkpoints of every tenant's chain head, taken tenant by tenant (row-level security
#: binds even the owner to the tenant set in the transaction).
CHECKPOINT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_checkpoint() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  previous text := current_setting('pga.tenant_id', true);
  code text;
  written integer := 0;
  added integer;
BEGIN
  FOR code IN SELECT t.code FROM tenants t ORDER BY t.code LOOP
    PERFORM set_config('pga.tenant_id', code, true);
    INSERT INTO audit_checkpoints (tenant_id, seq, hash, row_id)
    SELECT a.tenant_id, a.seq, a.hash, a.id FROM audit_log a
     WHERE a.tenant_id = code ORDER BY a.seq DESC LIMIT 1
    ON CONFLICT (tenant_id, seq) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    written := written + added;
  END LOOP;
  PERFORM set_config('pga.tenant_id', coalesce(previous, ''), true);
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
END
$$
"""

#: The runtime roles may read checkpoints and call audit_checkpoint(), never add one
#: themselves; changing or removing one is refused for every role by the append-only
#: trigger. The default privileges of the schema grant INSERT on new tables to the app role:
#: taken back here from every role but the owner (role names are configurable, so they are
#: found, not named).
REVOKE_INSERT = """
DO $$
DECLARE
  grantee text;
BEGIN
  FOR grantee IN
    SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
     WHERE g.table_name = 'audit_checkpoints' AND g.grantee <> current_user
  LOOP
    EXECUTE format('REVOKE INSERT, TRUNCATE ON audit_checkpoints FROM %I', grantee);
  END LOOP;
END
$$
"""

APPEND_ONLY_CHECKPOINTS = (
    "CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
    "ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
)


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
        "audit_checkpoints",
        sa.Column("tenant_id", sa.String(16), sa.ForeignKey("tenants.code"), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("row_id", postgresql.UUID(as_uuid=True)),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "seq", name="pk_audit_checkpoints"),
    )
    for statement in tenant_rls_statements("audit_checkpoints"):
        op.execute(statement)
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
    op.execute(APPEND_ONLY_CHECKPOINTS)
    op.execute(REVOKE_INSERT)
    op.execute("REVOKE ALL ON FUNCTION audit_log_chain() FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_chain ON audit_log")
    op.execute("DROP FUNCTION audit_log_chain()")
    op.execute("DROP FUNCTION audit_checkpoint()")
    op.drop_table("audit_checkpoints")
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
