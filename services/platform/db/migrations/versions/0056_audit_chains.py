"""Several hash chains per tenant, so concurrent audited transactions do not wait.

Migration 0013 built one chain per tenant: the ``BEFORE INSERT`` trigger took the tenant's
chain lock, so every audited transaction of a tenant waited for the one before it from its
audit INSERT to the end of its COMMIT (the WAL flush). Now a tenant has ``audit_chain_count()``
chains (``CHAINS``, the one place that number is set):

* ``audit_log.chain`` (smallint, 0 for every existing row: history is not rewritten) and the
  unique key ``(tenant_id, chain, seq)``; ``seq`` and ``prev_hash`` are positions and links
  *within* a chain.
* The trigger keeps a transaction in the chain it holds (a transaction-local setting names
  it; the lock is taken again, which is free when held, so the setting is only a hint). A
  transaction's first row takes the first free chain (``pg_try_advisory_xact_lock`` on chains
  0, 1, ... in turn): a lone writer always appends to chain 0, as before. Only when every
  chain is held does it wait, on chain ``pg_backend_pid() % CHAINS``. Each chain's lock is
  held to the end of the transaction as before, so ``seq`` follows commit order within a
  chain and a rolled-back insert leaves no gap in it.
* The canonical text of a row of chain 0 is unchanged (the existing hashes stay valid); a
  row of another chain has the chain number as its second element (30 elements instead of
  29, so no text of one form equals a text of the other and the chain is part of the content).
* ``audit_checkpoints.chain`` and the primary key ``(tenant_id, chain, seq)``;
  ``audit_checkpoint()`` records the head of every chain of every tenant.

See docs/adr/0018-audit-chain.md (amendment "several chains per tenant").

(Numbered 0056 so that it does not clash with migrations of parallel work; it follows 0052.)

Revision ID: 0056
Revises: 0052
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0056"
down_revision = "0052"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

#: Chains per tenant. Changing it later is a migration that replaces ``audit_chain_count()``;
#: verification does not depend on it (it walks every chain it finds).
CHAINS = 8

CHAIN_COUNT = f"""
CREATE OR REPLACE FUNCTION audit_chain_count() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {CHAINS} $$
"""

#: The columns after the tenant, in the order of migration 0013's canonical text.
FIELDS = """r.seq, r.id::text,
  to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  r.user_id, r.organisation_id, to_jsonb(r.roles), r.action, r.resource_type, r.resource_id,
  r.casus_id::text, r.purpose, r.legal_basis, r.allowed, r.decision_id::text,
  r.policy_revision, r.data_revision, to_jsonb(r.reasons), r.decision_input, r.request_id,
  r.trace_id, r.span_id, r.parent_span_id, r.status, r.processing_activity,
  r.data_subject_ref, encode(r.data_subject_enc, 'base64'), r.data_subject_type,
  r.prev_hash"""

#: The canonical text: chain 0 as in migration 0013, another chain with its number after the
#: tenant (one array either way: a concatenation of two cost ~7 % more per row).
#: services/platform/authz/chain.py holds the same expression and verifies with it.
#: PL/pgSQL rather than SQL: a SQL function that cannot be inlined (0013's could not: it had a
#: SET clause) is planned again in every transaction, which the first row of each paid
#: (~0.3 ms with two arrays); PL/pgSQL keeps its plans for the session, and is ~25 % cheaper
#: per row. No SET clause (it cost ~7 % per call): every name in it is pg_catalog's, searched
#: first whatever the path, and the chain trigger calls it with its own fixed path.
CANONICAL = f"""
CREATE OR REPLACE FUNCTION audit_log_canonical(r audit_log) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF r.chain = 0 THEN
    RETURN jsonb_build_array(r.tenant_id, {FIELDS})::text;
  END IF;
  RETURN jsonb_build_array(r.tenant_id, r.chain, {FIELDS})::text;
END
$$
"""

#: The canonical text of migration 0013 (for the downgrade).
CANONICAL_0013 = """
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

#: The lock key of chain ``c`` of a tenant: the seed is the chain, so chain 0 has the key of
#: migration 0013's single chain.
KEY = "hashtextextended('regietafel-audit-chain:' || NEW.tenant_id, {chain})"

CHAIN_TRIGGER = f"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  -- The chain this transaction appends to for this tenant (a transaction-local setting;
  -- tenant codes need not be identifiers, hence the digest).
  hint constant text := 'regietafel.audit_chain.t' || md5(NEW.tenant_id);
  held text := current_setting(hint, true);
  chains integer;
  c integer;
  last_seq bigint;
  last_hash text;
BEGIN
  chains := audit_chain_count();
  c := CASE WHEN held ~ '^[0-9]{{1,5}}$' THEN held::integer END;
  IF c < chains THEN
    -- Taken again: free when this transaction holds it (the setting is only a hint; a
    -- setting a client wrote without the lock waits for it like any other writer, and one
    -- outside 0 .. chains - 1 is ignored).
    PERFORM pg_advisory_xact_lock({KEY.format(chain="c")});
  ELSE
    c := NULL;
    FOR i IN 0 .. chains - 1 LOOP
      IF pg_try_advisory_xact_lock({KEY.format(chain="i")}) THEN
        c := i;
        EXIT;
      END IF;
    END LOOP;
    IF c IS NULL THEN
      -- Every chain is in use: wait for one, spread over the chains by backend.
      c := pg_backend_pid() % chains;
      PERFORM pg_advisory_xact_lock({KEY.format(chain="c")});
    END IF;
    PERFORM set_config(hint, c::text, true);
  END IF;
  NEW.chain := c;
  -- A fresh snapshot after the lock: the previous holder's rows are committed and visible.
  SELECT a.seq, a.hash INTO last_seq, last_hash FROM audit_log a
   WHERE a.tenant_id = NEW.tenant_id AND a.chain = c ORDER BY a.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
  NEW.hash := NULL;
  NEW.hash := encode(sha256(convert_to(audit_log_canonical(NEW), 'UTF8')), 'hex');
  RETURN NEW;
END
$$
"""

CHAIN_TRIGGER_0013 = f"""
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock({KEY.format(chain="0")});
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

#: The head of every chain of every tenant, tenant by tenant (row-level security binds even
#: the owner to the tenant set in the transaction). Chains are looked up one by one on the
#: unique index, up to the highest chain the tenant has (so a chain beyond a later, smaller
#: ``audit_chain_count()`` is still covered).
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
    INSERT INTO audit_checkpoints (tenant_id, chain, seq, hash, row_id)
    SELECT h.tenant_id, h.chain, h.seq, h.hash, h.id
      FROM generate_series(0, (SELECT max(m.chain) FROM audit_log m WHERE m.tenant_id = code))
           AS c(n),
           LATERAL (SELECT a.tenant_id, a.chain, a.seq, a.hash, a.id FROM audit_log a
                     WHERE a.tenant_id = code AND a.chain = c.n
                     ORDER BY a.seq DESC LIMIT 1) AS h
     ORDER BY h.chain
    ON CONFLICT (tenant_id, chain, seq) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    written := written + added;
  END LOOP;
  PERFORM set_config('pga.tenant_id', coalesce(previous, ''), true);
  RETURN written;
END
$$
"""

CHECKPOINT_FUNCTION_0013 = """
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


def upgrade() -> None:
    # No rewrite: a constant default is stored in the catalogue (existing rows read 0).
    op.add_column(
        "audit_log", sa.Column("chain", sa.SmallInteger, nullable=False, server_default="0")
    )
    op.create_check_constraint("ck_audit_log_chain", "audit_log", "chain >= 0")
    op.create_unique_constraint(
        "uq_audit_log_tenant_chain_seq", "audit_log", ["tenant_id", "chain", "seq"]
    )
    op.drop_constraint("uq_audit_log_tenant_seq", "audit_log", type_="unique")
    op.add_column(
        "audit_checkpoints",
        sa.Column("chain", sa.SmallInteger, nullable=False, server_default="0"),
    )
    op.drop_constraint("pk_audit_checkpoints", "audit_checkpoints", type_="primary")
    op.create_primary_key(
        "pk_audit_checkpoints", "audit_checkpoints", ["tenant_id", "chain", "seq"]
    )
    op.execute(CHAIN_COUNT)
    op.execute(CANONICAL)
    op.execute(CHAIN_TRIGGER)
    op.execute(CHECKPOINT_FUNCTION)


def downgrade() -> None:
    # Only possible while every row is in chain 0 (the unique key of 0013 refuses otherwise).
    op.execute(CHECKPOINT_FUNCTION_0013)
    op.execute(CHAIN_TRIGGER_0013)
    op.execute(CANONICAL_0013)
    op.execute("DROP FUNCTION audit_chain_count()")
    op.drop_constraint("pk_audit_checkpoints", "audit_checkpoints", type_="primary")
    op.create_primary_key("pk_audit_checkpoints", "audit_checkpoints", ["tenant_id", "seq"])
    op.drop_column("audit_checkpoints", "chain")
    op.create_unique_constraint("uq_audit_log_tenant_seq", "audit_log", ["tenant_id", "seq"])
    op.drop_constraint("uq_audit_log_tenant_chain_seq", "audit_log", type_="unique")
    op.drop_constraint("ck_audit_log_chain", "audit_log", type_="check")
    op.drop_column("audit_log", "chain")
