"""Migration 0072 (ADR 0028, amendment ``werkfacts``): the werkvoorraad's running statement
reads the first plan version and the last tussentijdse meting of each running casus from an
index alone (``ix_plan_versions_casus_created``, ``ix_assessments_casus_tussentijds``), not
from an index and the table; and the migration goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from migrations import migrate
from test_home_counts import _principals

from services.casework.casussen.zichtbaar import visible_casus_parts
from services.casework.unit_of_work import workspace
from services.casework.werkvoorraad import kandidaten
from services.runtime import Runtime
from tenants.manifest import Manifest

INDEXES = {
    "ix_plan_versions_casus_created": (
        "CREATE INDEX ix_plan_versions_casus_created ON public.plan_versions"
        " USING btree (tenant_id, casus_id) INCLUDE (created_at)"
    ),
    "ix_assessments_casus_tussentijds": (
        "CREATE INDEX ix_assessments_casus_tussentijds ON public.assessments"
        " USING btree (tenant_id, casus_id) INCLUDE (taken_on)"
        " WHERE ((moment)::text = 'tussentijds'::text)"
    ),
}


def _definitions(runtime: Runtime) -> dict[str, str]:
    engine = sa.create_engine(runtime.urls.owner)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT indexname, indexdef FROM pg_indexes"
                    " WHERE indexname IN ('ix_plan_versions_casus_created',"
                    " 'ix_assessments_casus_tussentijds')"
                )
            )
            return {name: definition for name, definition in rows}
    finally:
        engine.dispose()


@contextmanager
def _explained(engine: Any) -> Iterator[list[str]]:
    """Every statement ``engine`` sends meanwhile is sent as ``EXPLAIN <statement>`` (with the
    parameters as the app binds them); the plan's lines are collected in the list given."""
    lines: list[str] = []

    def explain(*args: Any) -> tuple[str, Any]:
        statement, parameters = args[2], args[3]
        return f"EXPLAIN {statement}", parameters

    def collect(*args: Any) -> None:
        lines.extend(row[0] for row in args[1].fetchall())

    sa.event.listen(engine, "before_cursor_execute", explain, retval=True)
    sa.event.listen(engine, "after_cursor_execute", collect)
    try:
        yield lines
    finally:
        sa.event.remove(engine, "after_cursor_execute", collect)
        sa.event.remove(engine, "before_cursor_execute", explain)


def test_the_indexes_go_up_and_down(runtime: Runtime) -> None:
    assert _definitions(runtime) == INDEXES
    try:
        migrate(runtime.urls.owner, "0071", down=True)
        assert _definitions(runtime) == {}
        migrate(runtime.urls.owner, "0072")
        assert _definitions(runtime) == INDEXES
    finally:
        migrate(runtime.urls.owner, "head")
    assert _definitions(runtime) == INDEXES


def test_the_first_plan_and_the_last_review_are_read_from_the_indexes_alone(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    """The plan of the running statement (as the app role, the caller's tenant set, the
    caller's values bound: what ``kandidaten._running`` sends) reads ``plan_versions`` and
    ``assessments`` with an index-only scan of the two indexes. The test database's tables
    are tiny, so sequential scans are switched off for the plan; the tables are vacuumed so
    that PostgreSQL knows their pages are all visible (as they are in a database whose
    plan versions and assessments are inserted, not changed). Fails without migration 0072:
    the first plan is then read by ``pk_plan_versions`` and the last review by
    ``ix_assessments_casus``, each with a heap fetch per casus."""
    owner = sa.create_engine(runtime.urls.owner, isolation_level="AUTOCOMMIT")
    try:
        with owner.connect() as conn:
            conn.execute(sa.text("VACUUM (ANALYZE) plan_versions, assessments"))
    finally:
        owner.dispose()
    planned = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            if visible_casus_parts(ws)[0] is None:
                continue  # no casussen of the own tenant: no own part
            ws.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            with _explained(ws.session.get_bind()) as lines:
                ws.session.connection().execute(
                    kandidaten._running_statement(ws.list_scope), kandidaten._running_params(ws)
                ).close()
        plan = "\n".join(lines)
        for index in INDEXES:
            assert f"Index Only Scan using {index} on " in plan, (principal.user_id, plan)
        assert "pk_plan_versions" not in plan, plan
        assert "ix_assessments_casus " not in plan, plan
        planned += 1
    assert planned
