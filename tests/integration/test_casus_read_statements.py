"""The casus read path in few statements (issue 14): a casus with the rows of its policy
resource is one statement, a person with their restriction another, and a read does not
flush the pending audit rows of the request (they go with the commit)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of, rolled_back, statements_in_this_thread

from services.casework.casussen import weergave, zichtbaar
from services.casework.subjects import persons_with_restriction, restricted_targets
from services.casework.unit_of_work import workspace
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, Restriction, UrgentAccess
from services.platform.identity.principal import Principal
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


@pytest.fixture(scope="module")
def casus_id(app: Litestar, token_for: Headers) -> uuid.UUID:
    with TestClient(app) as client:
        return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Leespad"))


@pytest.fixture(scope="module")
def other_id(app: Litestar, token_for: Headers) -> uuid.UUID:
    with TestClient(app) as client:
        return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Leespad twee"))


@pytest.fixture
def expert(runtime: Runtime) -> Principal:
    return principal_of(runtime, ZEIST_PGA_EXPERT, T)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with statements_in_this_thread() as seen:
        yield seen


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
    runtime: Runtime,
    casus_id: uuid.UUID,
    other_id: uuid.UUID,
    expert: Principal,
    statements: list[str],
) -> None:
    with workspace(runtime.casework, expert) as ws:
        singles = [ws.resource(ws.load_casus(casus_id)), ws.resource(ws.load_casus(other_id))]
    for ids in ([casus_id], [casus_id, other_id]):
        with workspace(runtime.casework, expert) as ws:
            casussen = [ws.load_casus(i, for_update=True) for i in ids]  # without relations
            before = len(statements)
            page = ws.resources(casussen)
            assert len(statements) == before + 1, statements[before:]
            assert ws.resources(casussen) == page  # remembered
            assert len(statements) == before + 1
        assert page == singles[: len(ids)]


def test_reading_a_casus_leaves_the_audit_rows_to_the_commit(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    with workspace(runtime.casework, expert) as ws:
        before = len(statements)
        casus, decision = weergave.read_casus(ws, casus_id)
        view = weergave.detail_view(ws, casus, decision)
        read = statements[before:]
        assert ws.enforcer.unwritten == 1  # recorded; written in one INSERT before COMMIT
    assert not any(s.startswith("INSERT INTO audit_log") for s in read), read
    assert sum(s.startswith("SELECT") for s in read) == 2, read  # casus; person + restriction
    assert view["persoon"]["weergave"] == "full"
    assert any(s.startswith("INSERT INTO audit_log") for s in statements[before + len(read) :])


def test_persons_with_restriction_agree_with_the_restriction_lookup(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws:
        casus = ws.load_casus(casus_id)
        assert casus.subject_person_id is not None
        key = (casus.tenant_id, casus.subject_person_id)
        _restrict_subject(ws, casus)
        persons, restricted = persons_with_restriction(ws, [key])  # flushes the pending row
        assert set(persons) == {casus.subject_person_id}
        assert restricted == restricted_targets(
            ws, "persoon", [str(casus.subject_person_id)], tenant=casus.tenant_id
        )
        assert restricted == {str(casus.subject_person_id)}
        assert persons_with_restriction(ws, [(T, uuid.uuid4()), ("GM9999", key[1])]) == (
            {},
            set(),
        )


def test_a_page_of_casussen_loads_without_their_documents(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    with workspace(runtime.casework, expert) as ws:
        before = len(statements)
        page = zichtbaar.list_casussen(ws, limit=5)
        read = [s for s in statements[before:] if s.startswith("SELECT casussen.")]
        assert page.items and read
        assert not any("casussen.aanmelding" in s or "casussen.triage" in s for s in read)
        # Should anything read them after all, they load on access.
        casus = ws.load_casus(uuid.UUID(page.items[0]["id"]))
        assert isinstance(casus.aanmelding, dict)


def test_the_casus_page_reads_the_casus_and_its_person_in_one_statement(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    with workspace(runtime.casework, expert) as ws:
        before = len(statements)
        casus, decision = weergave.read_casus(ws, casus_id, subject=True)
        view = weergave.detail_view(ws, casus, decision)
        read = statements[before:]
    assert [s.split()[0] for s in read] == ["SELECT"], read
    with workspace(runtime.casework, expert) as ws:
        casus, decision = weergave.read_casus(ws, casus_id)
        assert weergave.detail_view(ws, casus, decision) == view


def test_a_restriction_made_after_the_casus_was_read_is_seen(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws:
        casus, decision = weergave.read_casus(ws, casus_id, subject=True)
        assert weergave.detail_view(ws, casus, decision)["persoon"]["weergave"] == "full"
        assert casus.subject_person_id is not None
        _restrict_subject(ws, casus)
        assert ws.known_subject(casus) is None  # pending: not from the memo
        assert weergave.detail_view(ws, casus, decision)["persoon"]["weergave"] == "beperkt"


def test_the_grant_in_the_resource_is_the_callers_latest_unexpired_one(
    runtime: Runtime, casus_id: uuid.UUID, other_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws:
        now = ws.enforcer.now

        def grant(user: str, reason: str, hours: float) -> UrgentAccess:
            return UrgentAccess(
                tenant_id=T,
                casus_id=casus_id,
                user_id=user,
                reason=reason,
                expires_at=now + dt.timedelta(hours=hours),
            )

        ws.session.add_all(
            [
                grant(expert.user_id, "eerder", 1),
                grant(expert.user_id, "laatst", 2),
                grant(expert.user_id, "verlopen", -1),
                grant(ZEIST_WIJKAGENT, "ander", 3),
            ]
        )
        casus, other = ws.load_casus(casus_id), ws.load_casus(other_id)
        expected = {
            "reason": "laatst",
            "expires_at": now + dt.timedelta(hours=2),
            "user": {"tenant": T, "id": expert.user_id},
        }
        assert ws.resource(casus)["urgent_access"] == expected
        page = ws.resources([other, casus])
        assert page[1]["urgent_access"] == expected and "urgent_access" not in page[0]


def _restrict_subject(ws: Workspace, casus: Casus) -> None:
    """Put the casus's subject person under a restriction (art. 18 AVG), pending."""
    assert casus.subject_person_id is not None
    ws.session.add(
        Restriction(
            tenant_id=T,
            target_type="persoon",
            target_id=str(casus.subject_person_id),
            person_id=casus.subject_person_id,
            reason="Test",
            restricted_by=ZEIST_PGA_EXPERT,
        )
    )


def test_a_page_of_persons_keeps_its_generic_plan(
    runtime: Runtime, casus_id: uuid.UUID, other_id: uuid.UUID, expert: Principal
) -> None:
    """The persons of a page with their restriction (ADR 0024, amendment 6): prepared on a
    connection, PostgreSQL switches the statement to its generic plan instead of planning it
    anew on every execution (it did, with the tenants and ids as two arrays: ~4.5 ms of
    backend CPU per list page, most of it the restrictions' row-level security). The pairs
    it answers are those asked for, whatever else the arrays would combine to."""
    with rolled_back(runtime, expert) as ws:
        casussen = [ws.load_casus(casus_id), ws.load_casus(other_id)]
        keys = [(c.tenant_id, c.subject_person_id) for c in casussen if c.subject_person_id]
        assert len(keys) == 2
        _restrict_subject(ws, casussen[0])
        persons, restricted = persons_with_restriction(ws, [*keys, ("GM9999", keys[1][1])])
        assert set(persons) == {i for _, i in keys}
        assert restricted == {str(keys[0][1])}
        assert persons_with_restriction(ws, [("GM9999", keys[0][1]), (T, uuid.uuid4())]) == (
            {},
            set(),
        )
        # A page's worth of keys (ids without a person cost the plan as much as with one).
        page = [*keys, *((T, uuid.uuid4()) for _ in range(23))]
        with statements_in_this_thread() as sent:
            for _ in range(12):  # psycopg prepares on the 6th; PostgreSQL decides after 5 more
                assert set(persons_with_restriction(ws, page)[0]) == {i for _, i in keys}
        # The pairs as rows (unnest), not two arrays matched with ANY: a generic plan of
        # those estimates ten of each, a hundred probes, and in the benchmark tenant
        # PostgreSQL then kept planning anew (prepared, 4.9 ms of backend CPU per execution
        # against 0.3 ms now; this database's tables are too small to show it).
        (text,) = set(sent)
        assert "FROM unnest(" in text and "= ANY" not in text, text
        prepared = ws.session.execute(
            sa.text("SELECT statement, generic_plans FROM pg_prepared_statements")
        ).all()
        plans = [
            g for statement, g in prepared if "FROM unnest(" in statement and "persons" in statement
        ]
        assert plans and plans[0] > 0, prepared
