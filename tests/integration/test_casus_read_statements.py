"""The casus read path in few statements (issue 14): a casus with the rows of its policy
resource is one statement, a person with their restriction another, and a read does not
flush the pending audit rows of the request (they go with the commit)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from services.casework.unit_of_work import workspace
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


@pytest.fixture(scope="module")
def casus_id(app: Litestar, token_for: Headers) -> uuid.UUID:
    with TestClient(app) as client:
        return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Leespad"))


@pytest.fixture
def expert(runtime: Runtime) -> Principal:
    return PrincipalDirectory(runtime.sessions).resolve(Claims(ZEIST_PGA_EXPERT, T, {}))


@pytest.fixture
def statements(runtime: Runtime) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def test_a_casus_with_its_policy_rows_is_one_statement(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    with workspace(runtime.casework, expert) as ws:
        before = len(statements)
        casus = ws.load_casus(casus_id)
        resource = ws.resource(casus)
        participants = ws.participants(casus)
        roles = ws.active_roles(casus)
        assert len(statements) == before + 1, statements[before:]
    assert resource["casus_id"] == str(casus_id)
    assert {p.organisation_id for p in participants} == {r["id"] for r in resource["participants"]}
    assert all(r.role for r in roles)


def test_a_page_of_policy_rows_is_one_statement_and_equals_the_single_reads(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    with workspace(runtime.casework, expert) as ws:
        single = ws.resource(ws.load_casus(casus_id))
    with workspace(runtime.casework, expert) as ws:
        casussen = [ws.load_casus(casus_id, for_update=True)]
        before = len(statements)
        page = ws.resources(casussen)
        assert len(statements) == before + 1, statements[before:]
    assert page == [single]
