"""The first plan and the last tussentijdse meting of a casus from an index alone (issue 14,
``werkfacts``).

The werkvoorraad's and the overzicht's running statement (``kandidaten._facts_columns``)
reads per running casus ``min(plan_versions.created_at)`` and ``max(assessments.taken_on)
WHERE moment = 'tussentijds'``: two correlated probes, each an index scan with a heap fetch
per row (~1,860 buffers each for 508 casussen of dennis-koster in the benchmark). These two
indexes hold what the probes read, so they are index-only scans: the row-level-security
filters of both tables name only ``tenant_id`` and ``casus_id`` (``tenant_isolation`` and
``shared_read``, migration 0070), which are in the index. Figures: ADR 0028, amendment
``werkfacts``.

Both tables are insert-mostly (a plan version is never changed by the application; an
assessment is recorded, not edited), so the visibility map stays set and the scans do not
fall back to the heap. Cost: one index entry per plan version, and one per tussentijdse
meting.

Revision ID: 0072
Revises: 0071
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0072"
down_revision = "0071"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_plan_versions_casus_created",
        "plan_versions",
        ["tenant_id", "casus_id"],
        postgresql_include=["created_at"],
    )
    op.create_index(
        "ix_assessments_casus_tussentijds",
        "assessments",
        ["tenant_id", "casus_id"],
        postgresql_include=["taken_on"],
        postgresql_where=sa.text("moment = 'tussentijds'"),
    )


def downgrade() -> None:
    op.drop_index("ix_assessments_casus_tussentijds", table_name="assessments")
    op.drop_index("ix_plan_versions_casus_created", table_name="plan_versions")
