"""The restrictions (art. 18 AVG) of a shared casus are readable by the receiving tenant.

A beperking is the owning gemeente's: it marks its person or item. When the casus is shared
with another tenant (opschaling), the reader there must be held back as a reader of the
owner is, so it must be able to see the owner's restriction of what was shared with it:
the subject person of the shared casus (whom ``persons``' ``shared_read`` policy already
shows it, migration 0005) and the information items of that casus (``information_items``,
migration 0003). Nothing else: no restriction of a casus, person or item that was not
shared with it. Writing stays bound to the owning tenant (``tenant_isolation``).

(Numbered 0052 so that it does not clash with migrations of parallel work; it follows 0048.)

Revision ID: 0052
Revises: 0048
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from services.platform.db.rls import TENANT_SETTING

revision = "0052"
down_revision = "0048"
branch_labels = None
depends_on = None

READER = f"current_setting('{TENANT_SETTING}', true)"


def upgrade() -> None:
    op.execute(
        "CREATE POLICY shared_read ON restrictions FOR SELECT USING ("
        "(target_type = 'persoon' AND EXISTS ("
        "SELECT 1 FROM casus_shares s JOIN casussen c "
        "ON c.tenant_id = s.tenant_id AND c.id = s.casus_id "
        "WHERE s.tenant_id = restrictions.tenant_id "
        "AND c.subject_person_id::text = restrictions.target_id "
        f"AND s.shared_with_tenant = {READER}))"
        " OR (target_type = 'item' AND EXISTS ("
        "SELECT 1 FROM casus_shares s JOIN information_items i "
        "ON i.tenant_id = s.tenant_id AND i.casus_id = s.casus_id "
        "WHERE s.tenant_id = restrictions.tenant_id "
        "AND i.id::text = restrictions.target_id "
        f"AND s.shared_with_tenant = {READER})))"
    )


def downgrade() -> None:
    op.execute("DROP POLICY shared_read ON restrictions")
