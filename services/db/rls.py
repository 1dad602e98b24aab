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
