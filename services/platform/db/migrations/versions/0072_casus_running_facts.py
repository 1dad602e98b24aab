"""The first plan and the last tussentijdse meting of a casus, kept on its row (issue 14,
``werkfacts``).

The werkvoorraad's and the overzicht's running statement (``kandidaten._facts_columns``)
read per running casus ``min(plan_versions.created_at)`` and ``max(assessments.taken_on)
WHERE moment = 'tussentijds'``: two correlated probes with their row-level-security filters,
~8 of the statement's ~19 ms of backend CPU for the 508 running casussen of dennis-koster in
the benchmark. ``casussen.first_plan_at`` and ``casussen.last_review_on`` hold those values,
so the statement reads them from the casus row it reads anyway. Figures: ADR 0028, amendment
``werkfacts``.

Kept by two row triggers, as ``plan_version_facts`` (migration 0067) is. An inserted row
moves the value one way only (an earlier first plan, a later tussentijdse meting), which
stays right when two transactions insert at once; an updated or deleted row makes them lock
the casus row and recompute the value for its casus (both casussen when an ``UPDATE`` moves a
row) (:func:`_sync`). The casus is written only when its value changes, so a second plan
version or an intake meting does not touch the casus row:

* ``casus_first_plan_sync`` after ``INSERT``, ``DELETE`` and ``UPDATE OF tenant_id,
  casus_id, created_at`` on ``plan_versions``;
* ``casus_last_review_sync`` after ``INSERT``, ``DELETE`` and ``UPDATE OF tenant_id,
  casus_id, moment, taken_on`` on ``assessments``.

The application never changes or deletes either table's rows (a plan change is a new
version, a meting is recorded); the bewaartermijn deletes whole casussen, whose versions
and metingen go by cascade (the trigger then finds no casus to write). The functions run as
the caller (not ``SECURITY DEFINER``): the changed row is of the caller's tenant (the
``tenant_isolation`` policy's ``WITH CHECK``), so its casus and all its versions and
metingen are visible to the caller, and no privilege is lent. Tables and functions are
named with their schema.

The application never writes the columns: the ORM maps them ``deferred`` (not loaded with a
casus, not in its ``INSERT`` or ``UPDATE`` unless set), so a stale ``Casus`` object cannot
write an old value back. Backfilled here (``plan_versions``, ``assessments`` and
``casussen`` are bound by their tenant policies even for the owner, FORCE: lifted for this
transaction only, as 0067 does). The benchmark's bulk clone copies a template casus's values
with its versions and metingen (equal values: the triggers then write nothing).

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

#: The first plan version's time of the casus of row ``{r}``, recomputed, written only when
#: it changed.
_FIRST_PLAN = """
    UPDATE public.casussen AS k SET first_plan_at = f.at
    FROM (SELECT pg_catalog.min(v.created_at) AS at FROM public.plan_versions AS v
          WHERE v.tenant_id = {r}.tenant_id AND v.casus_id = {r}.casus_id) AS f
    WHERE k.tenant_id = {r}.tenant_id AND k.id = {r}.casus_id
        AND k.first_plan_at IS DISTINCT FROM f.at;
"""

#: An inserted plan version: the casus's first plan time can only move earlier.
_FIRST_PLAN_INSERTED = """
    UPDATE public.casussen AS k SET first_plan_at = NEW.created_at
    WHERE k.tenant_id = NEW.tenant_id AND k.id = NEW.casus_id
        AND (k.first_plan_at IS NULL OR k.first_plan_at > NEW.created_at);
"""

#: The last tussentijdse meting's date of the casus of row ``{r}``, recomputed, written only
#: when it changed.
_LAST_REVIEW = """
    UPDATE public.casussen AS k SET last_review_on = f.on_
    FROM (SELECT pg_catalog.max(a.taken_on) AS on_ FROM public.assessments AS a
          WHERE a.tenant_id = {r}.tenant_id AND a.casus_id = {r}.casus_id
              AND a.moment = 'tussentijds') AS f
    WHERE k.tenant_id = {r}.tenant_id AND k.id = {r}.casus_id
        AND k.last_review_on IS DISTINCT FROM f.on_;
"""

#: An inserted meting: the casus's last review can only move later, and only a tussentijdse.
_LAST_REVIEW_INSERTED = """
    IF NEW.moment = 'tussentijds' THEN
        UPDATE public.casussen AS k SET last_review_on = NEW.taken_on
        WHERE k.tenant_id = NEW.tenant_id AND k.id = NEW.casus_id
            AND (k.last_review_on IS NULL OR k.last_review_on < NEW.taken_on);
    END IF;
"""

#: Lock the casus of row ``{r}`` before a recompute (see :func:`_sync`).
_LOCK = """
    PERFORM 1 FROM public.casussen AS k
    WHERE k.tenant_id = {r}.tenant_id AND k.id = {r}.casus_id FOR NO KEY UPDATE;
"""


def _sync(name: str, inserted: str, recompute: str) -> str:
    """The trigger function: an ``INSERT`` moves the kept value one way only (``inserted``),
    anything else recomputes it (``recompute``) for the old row's casus and the new one's.

    Why two ways (concurrency, READ COMMITTED): a recompute's aggregate sees what was
    committed when its statement began. Two transactions adding a meting to the same casus
    would each compute the maximum without the other's row; the second waits for the first's
    lock on the casus row and then writes its own, older maximum over the newer one.
    ``inserted`` has no aggregate: PostgreSQL re-evaluates its ``WHERE`` on the row version
    it waited for, so the later date wins whichever commits first. A recompute (an update or
    delete of a version or meting, which the application never makes) first locks the casus
    row, so that its aggregate, a new statement with a new snapshot, sees every committed
    row. ``tests/integration/test_casus_running_facts.py`` races two metingen."""
    return f"""
CREATE FUNCTION public.{name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {inserted}
        RETURN NULL;
    END IF;
    {_LOCK.format(r="OLD")}
    {recompute.format(r="OLD")}
    IF TG_OP = 'UPDATE' THEN
        {_LOCK.format(r="NEW")}
        {recompute.format(r="NEW")}
    END IF;
    RETURN NULL;
END $$
"""


BACKFILL = (
    """
    UPDATE casussen AS k SET first_plan_at = f.at
    FROM (SELECT tenant_id, casus_id, min(created_at) AS at FROM plan_versions
          GROUP BY tenant_id, casus_id) AS f
    WHERE k.tenant_id = f.tenant_id AND k.id = f.casus_id
    """,
    """
    UPDATE casussen AS k SET last_review_on = f.on_
    FROM (SELECT tenant_id, casus_id, max(taken_on) AS on_ FROM assessments
          WHERE moment = 'tussentijds' GROUP BY tenant_id, casus_id) AS f
    WHERE k.tenant_id = f.tenant_id AND k.id = f.casus_id
    """,
)

_TABLES = ("casussen", "plan_versions", "assessments")


def upgrade() -> None:
    op.add_column("casussen", sa.Column("first_plan_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("casussen", sa.Column("last_review_on", sa.Date(), nullable=True))
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    for statement in BACKFILL:
        op.execute(statement)
    for table in _TABLES:
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(_sync("casus_first_plan_sync", _FIRST_PLAN_INSERTED, _FIRST_PLAN))
    op.execute(_sync("casus_last_review_sync", _LAST_REVIEW_INSERTED, _LAST_REVIEW))
    op.execute(
        "CREATE TRIGGER casus_first_plan_sync AFTER INSERT OR DELETE OR UPDATE OF tenant_id, "
        "casus_id, created_at ON plan_versions FOR EACH ROW "
        "EXECUTE FUNCTION public.casus_first_plan_sync()"
    )
    op.execute(
        "CREATE TRIGGER casus_last_review_sync AFTER INSERT OR DELETE OR UPDATE OF tenant_id, "
        "casus_id, moment, taken_on ON assessments FOR EACH ROW "
        "EXECUTE FUNCTION public.casus_last_review_sync()"
    )
    op.execute("ANALYZE casussen")


def downgrade() -> None:
    op.execute("DROP TRIGGER casus_last_review_sync ON assessments")
    op.execute("DROP TRIGGER casus_first_plan_sync ON plan_versions")
    op.execute("DROP FUNCTION public.casus_last_review_sync()")
    op.execute("DROP FUNCTION public.casus_first_plan_sync()")
    op.drop_column("casussen", "last_review_on")
    op.drop_column("casussen", "first_plan_at")
