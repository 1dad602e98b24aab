"""Row-level security DDL for tenant-owned tables, used by migrations."""

from __future__ import annotations

TENANT_SETTING = "pga.tenant_id"


def tenant_rls_statements(table: str) -> list[str]:
    """ENABLE + FORCE RLS and one policy that binds reads and writes to the current tenant."""
    predicate = f"tenant_id = current_setting('{TENANT_SETTING}', true)"
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({predicate}) WITH CHECK ({predicate})',
    ]


def shared_read_statements(table: str, casus_column: str) -> list[str]:
    """A permissive SELECT policy: rows of a casus shared with the current tenant
    (``casus_shares``) are readable by it; writing stays bound to the owning tenant."""
    return [
        f'CREATE POLICY shared_read ON "{table}" FOR SELECT USING (EXISTS ('
        "SELECT 1 FROM casus_shares s "
        f'WHERE s.tenant_id = "{table}".tenant_id AND s.casus_id = "{table}".{casus_column} '
        f"AND s.shared_with_tenant = current_setting('{TENANT_SETTING}', true)))"
    ]


SHARE_VISIBLE_TO_RECEIVER = (
    "CREATE POLICY shared_with_me ON casus_shares FOR SELECT "
    f"USING (shared_with_tenant = current_setting('{TENANT_SETTING}', true))"
)

APPEND_ONLY_AUDIT = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]
