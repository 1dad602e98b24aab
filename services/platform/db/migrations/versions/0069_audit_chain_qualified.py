"""The audit chain trigger without a ``SET search_path`` clause: every name qualified instead.

The ``BEFORE INSERT`` row trigger ``audit_log_chain()`` (migration 0056) is ``SECURITY
DEFINER`` with ``SET search_path = pg_catalog, public``. That clause is paid on every row:
PostgreSQL saves and restores the setting around each call and, because the path changes,
recomputes the namespace search path (catalogue lookups and schema ACL checks) going in and
coming out. For a list page (50 audit rows in one INSERT) it was ~6 % of the trigger's cost
(docs/adr/0018-audit-chain.md, amendment of session 24).

The function stays ``SECURITY DEFINER`` and stays safe whatever search path the caller sets:
its body no longer resolves a single name through the path. Every function, table and type
is written with its schema (``pg_catalog.`` / ``public.``), every operator as
``OPERATOR(pg_catalog.op)``; the canonical text is written out in the trigger (the same
expression as ``audit_log_canonical`` and ``services/platform/authz/chain.py``, qualified), so
the trigger no longer calls ``audit_log_canonical`` (which is unchanged and still used to
compare). What it does is unchanged: same chain choice, lock, head lookup, ``seq``,
``prev_hash`` and the same bytes hashed (every hash before and after this migration verifies
with the unchanged verifier).

``tests/integration/test_audit_chain_qualified.py`` inserts under hostile search paths (a
schema before ``pg_catalog`` that shadows every function and operator the trigger uses, a
temporary ``audit_log``) and checks that the trigger has no configuration and no unqualified
name.

Revision ID: 0069
Revises: 0068
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0069"
down_revision = "0068"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

_T = "pg_catalog.text"

#: The columns of ``NEW`` after the tenant, in the canonical order of migration 0013
#: (``audit_log_canonical``; ``chain.py`` ``_FIELDS``), every name qualified.
FIELDS = f"""NEW.seq, NEW.id::{_T},
    pg_catalog.to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    NEW.user_id, NEW.organisation_id, pg_catalog.to_jsonb(NEW.roles), NEW.action,
    NEW.resource_type, NEW.resource_id, NEW.casus_id::{_T}, NEW.purpose, NEW.legal_basis,
    NEW.allowed, NEW.decision_id::{_T}, NEW.policy_revision, NEW.data_revision,
    pg_catalog.to_jsonb(NEW.reasons), NEW.decision_input, NEW.request_id, NEW.trace_id,
    NEW.span_id, NEW.parent_span_id, NEW.status, NEW.processing_activity, NEW.data_subject_ref,
    pg_catalog.encode(NEW.data_subject_enc, 'base64'), NEW.data_subject_type, NEW.prev_hash"""

#: The canonical text of ``NEW``: chain 0 as in migration 0013, another chain with its number
#: after the tenant (migration 0056).
CANONICAL = f"""(CASE WHEN NEW.chain OPERATOR(pg_catalog.=) 0
    THEN pg_catalog.jsonb_build_array(NEW.tenant_id, {FIELDS})
    ELSE pg_catalog.jsonb_build_array(NEW.tenant_id, NEW.chain, {FIELDS}) END)::{_T}"""

#: The lock key of chain ``c`` of the tenant (as migration 0056: chain 0 has 0013's key).
KEY = (
    "pg_catalog.hashtextextended('regietafel-audit-chain:' OPERATOR(pg_catalog.||) "
    "NEW.tenant_id, {chain})"
)

#: Migration 0056's trigger, qualified. No SET clause: nothing below is looked up through the
#: search path (functions, tables and types by schema, operators as OPERATOR(pg_catalog.x);
#: casts, the sort order and the loop variable are found by type, not by name).
CHAIN_TRIGGER = f"""
CREATE OR REPLACE FUNCTION public.audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  -- The chain this transaction appends to for this tenant (a transaction-local setting;
  -- tenant codes need not be identifiers, hence the digest).
  hint constant pg_catalog.text :=
    'regietafel.audit_chain.t' OPERATOR(pg_catalog.||) pg_catalog.md5(NEW.tenant_id);
  held pg_catalog.text := pg_catalog.current_setting(hint, true);
  chains pg_catalog.int4;
  c pg_catalog.int4;
  last_seq pg_catalog.int8;
  last_hash pg_catalog.text;
BEGIN
  chains := public.audit_chain_count();
  c := CASE WHEN held OPERATOR(pg_catalog.~) '^[0-9]{{1,5}}$' THEN held::pg_catalog.int4 END;
  IF c OPERATOR(pg_catalog.<) chains THEN
    -- Taken again: free when this transaction holds it (the setting is only a hint; a
    -- setting a client wrote without the lock waits for it like any other writer, and one
    -- outside 0 .. chains - 1 is ignored).
    PERFORM pg_catalog.pg_advisory_xact_lock({KEY.format(chain="c")});
  ELSE
    c := NULL;
    FOR i IN 0 .. chains OPERATOR(pg_catalog.-) 1 LOOP
      IF pg_catalog.pg_try_advisory_xact_lock({KEY.format(chain="i")}) THEN
        c := i;
        EXIT;
      END IF;
    END LOOP;
    IF c IS NULL THEN
      -- Every chain is in use: wait for one, spread over the chains by backend.
      c := pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.%) chains;
      PERFORM pg_catalog.pg_advisory_xact_lock({KEY.format(chain="c")});
    END IF;
    PERFORM pg_catalog.set_config(hint, c::pg_catalog.text, true);
  END IF;
  NEW.chain := c;
  -- A fresh snapshot after the lock: the previous holder's rows are committed and visible.
  SELECT a.seq, a.hash INTO last_seq, last_hash FROM public.audit_log a
   WHERE a.tenant_id OPERATOR(pg_catalog.=) NEW.tenant_id AND a.chain OPERATOR(pg_catalog.=) c
   ORDER BY a.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) OPERATOR(pg_catalog.+) 1;
  NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
  NEW.hash := NULL;
  NEW.hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    {CANONICAL}, 'UTF8')), 'hex');
  RETURN NEW;
END
$$
"""

#: Migration 0056's trigger, as it was (for the downgrade).
_KEY_0056 = "hashtextextended('regietafel-audit-chain:' || NEW.tenant_id, {chain})"
CHAIN_TRIGGER_0056 = f"""
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
    PERFORM pg_advisory_xact_lock({_KEY_0056.format(chain="c")});
  ELSE
    c := NULL;
    FOR i IN 0 .. chains - 1 LOOP
      IF pg_try_advisory_xact_lock({_KEY_0056.format(chain="i")}) THEN
        c := i;
        EXIT;
      END IF;
    END LOOP;
    IF c IS NULL THEN
      -- Every chain is in use: wait for one, spread over the chains by backend.
      c := pg_backend_pid() % chains;
      PERFORM pg_advisory_xact_lock({_KEY_0056.format(chain="c")});
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


def upgrade() -> None:
    # CREATE OR REPLACE keeps the owner (the owner role) and the privileges (EXECUTE revoked
    # from PUBLIC in 0013). Without a SET clause the function cannot keep a configuration of
    # an earlier definition: CREATE OR REPLACE replaces proconfig with none.
    op.execute(CHAIN_TRIGGER)


def downgrade() -> None:
    op.execute(CHAIN_TRIGGER_0056)
