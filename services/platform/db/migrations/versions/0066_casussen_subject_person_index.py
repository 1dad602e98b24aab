"""An index of the casussen by their subject person (issue 14).

The ``shared_read`` policy of ``persons`` (migration 0005) reads a person when a casus of
theirs is shared with the reader's tenant: ``EXISTS (casus_shares JOIN casussen WHERE
c.subject_person_id = persons.id AND s.shared_with_tenant = <reader>)``. Nothing indexed
``casussen (tenant_id, subject_person_id)``, so PostgreSQL could not look a person's casussen
up; it built, once per statement, a hashed set of every person shared with the reader (every
share, its casus by ``ix_casussen_id``, that casus's own ``shared_read`` check) and probed it.
For a reader with 3,000 shares that is ~21,700 buffers per list page of 49 persons. With this
index it checks the page's persons one by one (~1,100 buffers). It also serves the foreign
key's ``ON DELETE CASCADE`` from ``persons`` and triage's "other casussen of this person".
Figures: ADR 0028, ``shares`` amendment.

(Numbered 0066 so that it does not clash with migrations of parallel work; it follows 0065.)

Revision ID: 0066
Revises: 0065
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0066"
down_revision = "0065"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_casussen_subject_person", "casussen", ["tenant_id", "subject_person_id"])


def downgrade() -> None:
    op.drop_index("ix_casussen_subject_person", table_name="casussen")
