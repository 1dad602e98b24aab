"""The principal signal (issue 14, ADR 0027): every change of a tenant, user or organisation
sends ``pg_notify('regietafel_principals', <tenant code>)`` at commit, so each process drops
the cached principals of that tenant (services/platform/identity/principal_cache.py).

* Row triggers ``AFTER INSERT OR UPDATE OR DELETE`` on ``tenants`` (payload ``code``),
  ``users`` and ``organisations`` (payload ``tenant_id``); a row moved to another tenant
  signals both. A ``TRUNCATE`` signals ``*`` (every tenant).
* The functions only call ``pg_notify``, which needs no privilege: they run as the role that
  changes the row (not ``SECURITY DEFINER``). PostgreSQL delivers a notification only after
  the transaction commits, once per distinct payload per transaction.

Revision ID: 0044
Revises: 0043 (the lead relinks the chain at merge)
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

CHANNEL = "regietafel_principals"


def _function(name: str, column: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify('{CHANNEL}', '*');
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('{CHANNEL}', OLD.{column});
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('{CHANNEL}', NEW.{column});
  END IF;
  RETURN NULL;
END
$$
"""


#: (table, its trigger function)
TABLES = (
    ("tenants", "principals_changed_tenant"),
    ("organisations", "principals_changed_member"),
    ("users", "principals_changed_member"),
)


def upgrade() -> None:
    op.execute(_function("principals_changed_tenant", "code"))
    op.execute(_function("principals_changed_member", "tenant_id"))
    for table, function in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_principals_changed "
            f"AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_principals_truncated AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    for table, _ in TABLES:
        op.execute(f"DROP TRIGGER {table}_principals_truncated ON {table}")
        op.execute(f"DROP TRIGGER {table}_principals_changed ON {table}")
    op.execute("DROP FUNCTION principals_changed_member()")
    op.execute("DROP FUNCTION principals_changed_tenant()")
