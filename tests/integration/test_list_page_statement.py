"""The casussen list's page statement is made once per list scope and filter shape, with the
subject, the filters and the page size as bound parameters (issue 14). This differential
test holds its pages (ids and cursors, filters and paging included) equal to the statement
made anew with the values in it, as ``list_casussen`` did before."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of, rolled_back

from services.casework.casussen import zichtbaar
from services.casework.casussen.weergave import SUMMARY_OPTIONS
from services.casework.workspace import Workspace
from services.platform.db.models import Casus
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]


@pytest.fixture(scope="module")
def casus_ids(app: Litestar, token_for: Headers) -> list[uuid.UUID]:
    with TestClient(app) as client:
        return [
            uuid.UUID(aanmelden(client, token_for(ZEIST, ZEIST_WIJKAGENT), f"Lijstpagina{n}"))
            for n in range(5)
        ]


def _made_anew(
    ws: Workspace, fase: str | None, soort: str | None, limit: int, cursor: str | None
) -> tuple[list[uuid.UUID], str | None]:
    """The ids and the next cursor of a page as list_casussen made its statement before."""
    filters: list[sa.ColumnElement[bool]] = []
    if fase:
        filters.append(Casus.state == fase)
    if soort:
        filters.append(Casus.kind == soort)
    if cursor:
        at_raw, id_raw = cursor.split("_", 1)
        at, after_id = dt.datetime.fromisoformat(at_raw), uuid.UUID(id_raw)
        filters.append(sa.tuple_(Casus.created_at, Casus.id) < sa.tuple_(at, after_id))
    order = (Casus.created_at.desc(), Casus.id.desc())
    branches = zichtbaar.visible_casus_branches(ws)
    if not branches:
        return [], None
    pages = [
        sa.select(Casus.tenant_id, Casus.id)
        .where(branch, *filters)
        .order_by(*order)
        .limit(limit + 1)
        for branch in branches
    ]
    page = (pages[0] if len(pages) == 1 else sa.union(*pages)).subquery()
    query = (
        sa.select(Casus)
        .options(*SUMMARY_OPTIONS)
        .join(page, sa.and_(Casus.tenant_id == page.c.tenant_id, Casus.id == page.c.id))
        .order_by(*order)
        .limit(limit + 1)
    )
    rows = list(ws.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = f"{rows[-1].created_at.isoformat()}_{rows[-1].id}" if more and rows else None
    return [c.id for c in rows], next_cursor


@pytest.mark.parametrize("user", [ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT])
@pytest.mark.parametrize(
    ("fase", "soort"),
    [
        (None, None),
        ("aanmelding", None),
        (None, "persoon"),
        ("aanmelding", "persoon"),
        (None, "groep"),
    ],
)
def test_the_pages_of_the_list_equal_those_of_the_statement_made_anew(
    runtime: Runtime,
    casus_ids: list[uuid.UUID],
    user: str,
    fase: str | None,
    soort: str | None,
) -> None:
    with rolled_back(runtime, principal_of(runtime, user, ZEIST)) as ws:
        for limit in (1, 2, 50):
            cursor: str | None = None
            seen: list[uuid.UUID] = []
            for _ in range(200):
                expected_ids, expected_next = _made_anew(ws, fase, soort, limit, cursor)
                page = zichtbaar.list_casussen(
                    ws, fase=fase, soort=soort, limit=limit, cursor=cursor
                )
                shown = [uuid.UUID(item["id"]) for item in page.items]
                # The policy may refuse a pre-filtered casus; what it shows is in page order.
                assert shown == [i for i in expected_ids if i in set(shown)]
                assert page.next_cursor == expected_next
                seen += expected_ids
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            if fase is None and soort is None:
                assert set(casus_ids) <= set(seen)  # the wijkagent's own aanmeldingen


@pytest.mark.parametrize("user", [ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT])
def test_the_page_statement_is_never_prepared(
    runtime: Runtime, casus_ids: list[uuid.UUID], user: str
) -> None:
    """The page statement goes unprepared however often a connection sends it (ADR 0024,
    amendment 5): a prepared one may switch to PostgreSQL's generic plan for every later
    reader on that connection, and for the page that plan walks all of a tenant's casussen
    (445-533 ms instead of 4 in the benchmark tenant; ADR 0028 ``pglist``). psycopg prepares
    a statement on its sixth execution on a connection; the others of the list still are."""
    with rolled_back(runtime, principal_of(runtime, user, ZEIST)) as ws:
        for _ in range(8):
            zichtbaar.list_casussen(ws, limit=2)
        prepared = (
            ws.session.execute(sa.text("SELECT statement FROM pg_prepared_statements"))
            .scalars()
            .all()
        )
        page_marker = "FROM casussen JOIN ("
        assert prepared, "the list's other statements are prepared as before"
        assert not [s for s in prepared if page_marker in " ".join(s.split())], prepared
