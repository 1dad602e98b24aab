"""Indexes for the lists and the casus page at scale (issue 14, ADR 0020).

With 100,000 casussen in one gemeente the list's pre-filter and the per-casus lookups scanned
whole tables: the list pages by (created_at, id) within a tenant, the policy resource of a
casus reads its active roles, urgent access and information items by casus, the regie and
participation pre-filters look up by user and organisation.

(Numbered 0020 after issue 14's ADR so that it does not clash with migrations of parallel
work; it follows 0012.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0016"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_casussen_tenant_created", "casussen", ["tenant_id", "created_at", "id"], None),
    # A casus is opened by its id alone (it may be another tenant's, shared): uuids are unique.
    ("ix_casussen_id", "casussen", ["id"], None),
    # The werkvoorraad reads the running casussen of a tenant (most are closed: history).
    ("ix_casussen_tenant_state", "casussen", ["tenant_id", "state"], None),
    ("ix_casus_roles_casus", "casus_roles", ["tenant_id", "casus_id"], None),
    ("ix_casus_roles_user_active", "casus_roles", ["tenant_id", "user_id"], "ended_at IS NULL"),
    (
        "ix_casus_participants_organisation",
        "casus_participants",
        ["tenant_id", "organisation_id", "casus_id"],
        "active",
    ),
    ("ix_information_items_casus", "information_items", ["tenant_id", "casus_id"], None),
    ("ix_urgent_access_casus", "urgent_access", ["tenant_id", "casus_id"], None),
    ("ix_assessments_casus", "assessments", ["tenant_id", "casus_id"], None),
    ("ix_consents_person", "consents", ["tenant_id", "person_id"], None),
)


def upgrade() -> None:
    for name, table, columns, where in INDEXES:
        kwargs = {"postgresql_where": sa.text(where)} if where else {}
        op.create_index(name, table, columns, **kwargs)  # type: ignore[arg-type]


def downgrade() -> None:
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
