"""``public.uuid7()``: a time-ordered UUID (version 7 layout) for the audit rows' ids.

The enforcer's audit INSERT (``services/platform/authz/enforce.py``, ``_SELECTED``) gave each
row ``gen_random_uuid()``, a random version-4 UUID. The primary key of ``audit_log`` is
``(tenant_id, id)``, so every row landed on a random leaf of that B-tree: with a log of
millions of rows, a page's 50 rows touched ~50 leaves, each first write after a checkpoint
cost a full-page image (8 KB) in the WAL, and a leaf not in the buffer cache a read. A
version-7 id starts with the time in milliseconds, so a tenant's new rows go to the
right-most leaf of the tenant's part of the key (docs/adr/0018-audit-chain.md, amendment
``auditid``, with the figures).

Layout (RFC 9562, version 7): bytes 0-5 the Unix time in milliseconds (``clock_timestamp()``,
big-endian), then the bytes of a fresh ``gen_random_uuid()`` (74 random bits) with the version
nibble set to 7 (its 4 has bit 2 set; bits 0 and 1 are set here) and its variant bits (10)
kept. Ids of one millisecond are in random order among themselves; nothing reads an order
from them (the toegangslog orders by ``at`` and uses the id only as a tie-breaker).

The function is plain SQL, one expression, ``VOLATILE`` (a fresh value per call): PostgreSQL
inlines it into the INSERT, so it costs a few expression steps per row over
``gen_random_uuid()`` (~0.7 µs). Every name is qualified (the inlined body is parsed under the
caller's search path). PostgreSQL 18 has ``pg_catalog.uuidv7()``; the name here differs so
that it cannot shadow or be shadowed by it.

Revision ID: 0071
Revises: 0070
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0071"
down_revision = "0070"
branch_labels = None
depends_on = None

UUID7 = """
CREATE FUNCTION public.uuid7() RETURNS pg_catalog.uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT pg_catalog.encode(
    pg_catalog.set_bit(pg_catalog.set_bit(
      pg_catalog.overlay(
        pg_catalog.uuid_send(pg_catalog.gen_random_uuid()),
        pg_catalog.substr(pg_catalog.int8send(pg_catalog.floor(
          pg_catalog.date_part('epoch', pg_catalog.clock_timestamp())
          OPERATOR(pg_catalog.*) 1000)::pg_catalog.int8), 3),
        1, 6),
      52, 1), 53, 1),
    'hex')::pg_catalog.uuid
$$
"""

COMMENT = (
    "COMMENT ON FUNCTION public.uuid7() IS 'A version-7 UUID: Unix time in ms, then random "
    "(migration 0071; the audit rows'' ids)'"
)


def upgrade() -> None:
    op.execute(UUID7)
    op.execute(COMMENT)


def downgrade() -> None:
    op.execute("DROP FUNCTION public.uuid7()")
