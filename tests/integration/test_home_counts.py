"""The home page's count of casussen (ADR 0026): one grouped query and one policy decision per
group of casussen with the same decision projection, audited in one aggregate row — and
exactly the number of casussen the list shows, for every user of the tenant."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
)

from services.casework.casussen import zichtbaar
from services.casework.unit_of_work import workspace
from services.casework.werkvoorraad import kandidaten
from services.platform.authz import enforce
from services.platform.db.models import (
    AuditEntry,
    Casus,
    CasusParticipant,
    CasusRole,
    CasusShare,
    UrgentAccess,
    User,
)
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.platform.policy import Decision, Reason
from services.platform.policy.input import build_inputs
from services.platform.policy.projection import decision_key
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


REGION = REGIO_UTRECHT
#: States the fixture gives the casussen (a variety of phases; the rows are set directly: the
#: count is about what the rows say, not about how a casus got there). Casussen n and n + 3
#: share a state and differ in one relation, so a relation left out of the group keys
#: puts two projections in one group.
STATES = ("aangemeld", "uitvoering", "afgeschaald")


def _principals(runtime: Runtime) -> list[Principal]:
    directory = PrincipalDirectory(runtime.sessions)
    out = []
    for tenant in (T, REGION):
        with tenant_transaction(runtime.sessions, tenant) as session:
            users = list(
                session.scalars(sa.select(User.id).where(User.tenant_id == tenant, User.active))
            )
        out += [directory.resolve(Claims(user, tenant, {})) for user in sorted(users)]
    return out


def _listed(runtime: Runtime, principal: Principal) -> int:
    """How many casussen the list shows, page after page (the old way of counting)."""
    total, cursor = 0, None
    with workspace(runtime.casework, principal) as ws:
        while True:
            page = zichtbaar.list_casussen(ws, limit=7, cursor=cursor)
            total += len(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return total


@pytest.fixture(scope="module")
def casussen(app: Litestar, runtime: Runtime, token_for: Headers) -> list[str]:
    """Casussen aangemeld by professionals of different organisations (so users stand in
    different relations to them), besides those other tests of the session made."""
    users = [ZEIST_WIJKAGENT, ZEIST_KLANTMANAGER, ZEIST_PSYCHIATER] * 2
    with TestClient(app) as client:
        ids = [aanmelden(client, token_for(T, user), f"Telling{n}") for n, user in enumerate(users)]
    with tenant_transaction(runtime.sessions, T) as session:
        for n, casus_id in enumerate(ids):
            casus = session.get(Casus, (T, uuid.UUID(casus_id)))
            assert casus is not None
            casus.state = STATES[n % len(STATES)]
        # Relations that vary within what one user sees: regie for Robin (sociaal wijkteam)
        # and for Eline (PGA-expert, who sees the tenant's casussen), participation of
        # Eline's organisation in one casus.
        for n, user, org in (
            (1, ZEIST_CASUSREGISSEUR, "sociaal-wijkteam-zeist"),
            (2, ZEIST_CASUSREGISSEUR, "sociaal-wijkteam-zeist"),
            (4, ZEIST_PGA_EXPERT, "gemeente-zeist-oov"),
        ):
            session.add(
                CasusRole(
                    tenant_id=T,
                    casus_id=uuid.UUID(ids[n]),
                    role="casusregisseur",
                    user_id=user,
                    organisation_id=org,
                )
            )
        session.add(
            CasusParticipant(
                tenant_id=T,
                casus_id=uuid.UUID(ids[5]),
                organisation_id="gemeente-zeist-oov",
                invited_by=ZEIST_PGA_EXPERT,
            )
        )
        session.add(  # opgeschaald: shared with the region
            CasusShare(
                tenant_id=T,
                casus_id=uuid.UUID(ids[3]),
                shared_with_tenant=REGION,
                reason="Opschaling (test).",
                created_by=ZEIST_PGA_EXPERT,
            )
        )
    return ids


def test_casussen_with_equal_group_keys_have_equal_decision_projections(
    runtime: Runtime, casussen: list[str]
) -> None:
    """The proof obligation of the grouping: for every user and every casus they could list,
    casussen in one SQL group have one decision projection (so one decision)."""
    groups_seen = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            rows = ws.session.execute(
                sa.select(Casus, *zichtbaar.count_group_keys(ws)).where(
                    zichtbaar.visible_casus_condition(ws)
                )
            ).all()
            if not rows:
                continue
            casus_rows = [row[0] for row in rows]
            inputs = build_inputs(
                principal.policy_subject(),
                "list",
                ws.context("casusoverleg"),
                ws.resources(casus_rows),
            )
            projections: dict[tuple[Any, ...], set[str]] = defaultdict(set)
            for row, policy_input in zip(rows, inputs, strict=True):
                projections[tuple(row[1:])].add(decision_key(policy_input))
        assert all(len(keys) == 1 for keys in projections.values()), principal.user_id
        groups_seen += len(projections)
    assert groups_seen > 10


def test_count_equals_the_list_for_every_user(runtime: Runtime, casussen: list[str]) -> None:
    principals = _principals(runtime)
    assert len(principals) >= 5
    seen = set()
    for principal in principals:
        listed = _listed(runtime, principal)
        seen.add(listed)
        with workspace(runtime.casework, principal) as ws:
            assert zichtbaar.count_casussen(ws, cap=10_000) == (listed, False), principal.user_id
        # The cap: "more" once more casussen are visible than the cap.
        for cap in (1, 2, 3):
            with workspace(runtime.casework, principal) as ws:
                expected = (cap, True) if listed > cap else (listed, False)
                assert zichtbaar.count_casussen(ws, cap=cap) == expected, (principal.user_id, cap)
    assert len(seen) > 1, "every user sees the same number: the test tells nothing"


def test_a_count_is_one_aggregate_audit_row_without_person_data(
    runtime: Runtime, casussen: list[str]
) -> None:
    [principal] = [p for p in _principals(runtime) if p.user_id == ZEIST_WIJKAGENT]

    def rows() -> list[AuditEntry]:
        with tenant_transaction(runtime.sessions, T) as session:
            found = list(
                session.scalars(
                    sa.select(AuditEntry)
                    .where(AuditEntry.tenant_id == T, AuditEntry.user_id == principal.user_id)
                    .order_by(AuditEntry.seq)
                )
            )
            session.expunge_all()
            return found

    before = len(rows())
    with workspace(runtime.casework, principal) as ws:
        count, more = zichtbaar.count_casussen(ws)
    assert count >= 2 and not more
    new = rows()[before:]
    assert len(new) == 1, [(r.action, r.resource_type) for r in new]
    [row] = new
    assert (row.action, row.resource_type, row.allowed, row.status) == (
        "list",
        "casus-aantal",
        True,
        "ok",
    )
    assert row.casus_id is None and row.data_subject_ref is None
    assert row.decision_input["aantal"] == count
    groups = row.decision_input["groepen"]
    assert sum(g["aantal"] for g in groups if g["toegestaan"]) == count
    assert all(set(g) == {"toegestaan", "redenen", "aantal"} for g in groups)
    assert row.policy_revision and row.data_revision


def _reference_groups(
    ws: Any, cap: int, cursor: uuid.UUID | tuple[Any, uuid.UUID] | None, *, by_id: bool = True
) -> set[tuple[Any, ...]]:
    """The groups as the first version of the count computed them: the first ``cap``
    pre-filtered casussen (a union of one page per relation) in the order of their id (after
    the id ``cursor``; amendment ``overzicht2`` of ADR 0028), or with ``by_id=False`` in
    the list's order (after the ``(created_at, id)`` cursor: the count's chunks before that
    amendment), joined back to the casussen and grouped by :func:`zichtbaar.count_group_keys`."""
    filters = []
    if by_id:
        order: tuple[Any, ...] = (Casus.id,)
        if cursor is not None:
            filters.append(Casus.id > cursor)
    else:
        order = (Casus.created_at.desc(), Casus.id.desc())
        if cursor is not None:
            filters.append(sa.tuple_(Casus.created_at, Casus.id) < sa.tuple_(*cursor))
    branches = zichtbaar.visible_casus_branches(ws)
    if not branches:
        return set()
    pages = [
        sa.select(Casus.tenant_id, Casus.id, Casus.created_at)
        .where(branch, *filters)
        .order_by(*order)
        .limit(cap)
        for branch in branches
    ]
    union = (pages[0] if len(pages) == 1 else sa.union(*pages)).subquery()
    chunk = (
        sa.select(union)
        .order_by(*((union.c.id,) if by_id else (union.c.created_at.desc(), union.c.id.desc())))
        .limit(cap)
        .subquery()
    )
    keys = zichtbaar.count_group_keys(ws)
    grouped = (
        sa.select(
            sa.func.count().label("n"),
            sa.func.min(sa.cast(Casus.id, sa.String)).label("representative"),
            *keys,
        )
        .select_from(chunk)
        .join(Casus, sa.and_(Casus.tenant_id == chunk.c.tenant_id, Casus.id == chunk.c.id))
        .group_by(*[sa.literal_column(str(i + 3)) for i in range(len(keys))])
    )
    return {tuple(row) for row in ws.session.execute(grouped)}


def test_the_count_groups_equal_the_groups_by_the_decision_keys(
    runtime: Runtime, casussen: list[str]
) -> None:
    """The grouped query of the count (issue 14: cheaper SQL) gives, for every user, cap and
    continuation, the same groups (size, representative, keys) as grouping the same chunk by
    :func:`zichtbaar.count_group_keys`, whose keys the projection test above checks; and its
    last row is the chunk's last in id order. All at once (a cap above every casus), the
    groups are those of the chunks in the list's order before amendment ``overzicht2``."""
    compared = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            all_rows = ws.session.execute(
                sa.select(Casus.id).where(zichtbaar.visible_casus_condition(ws)).order_by(Casus.id)
            ).all()
            cursors = [None, *[r.id for r in all_rows[:3]]]
            for cap in (1, 2, 3, 7, 10_000):
                for cursor in cursors:
                    driver: Any = ws.session.connection().connection.driver_connection
                    threshold = driver.prepare_threshold
                    groups = zichtbaar.count_groups(ws, cap, cursor)
                    assert driver.prepare_threshold == threshold  # sent unprepared, then back
                    found = {(g.n, *g.keys) for g in groups}
                    assert all(str(g.casus.id) == g.keys[0] for g in groups)
                    assert found == _reference_groups(ws, cap, cursor), (principal.user_id, cap)
                    rest = [r for r in all_rows if cursor is None or r.id > cursor][:cap]
                    if rest:
                        assert {g.last for g in groups} == {rest[-1].id}
                    compared += len(found)
            if all_rows:
                everything = {(g.n, *g.keys) for g in zichtbaar.count_groups(ws, 10_000)}
                assert everything == _reference_groups(ws, 10_000, None, by_id=False)
    assert compared > 50


def _count_in_the_lists_order(ws: Any, cap: int) -> tuple[int, bool]:
    """The oracle: :func:`zichtbaar.count_casussen` before amendment ``overzicht2`` of ADR
    0028, which took its chunks of ``cap + 1`` casussen in the list's order (newest first);
    every casus of a chunk decided on its own (the policy as the count asks it), the allowed
    ones added up until they pass the cap or the casussen run out."""
    rows = list(
        ws.session.scalars(
            sa.select(Casus)
            .where(zichtbaar.visible_casus_condition(ws))
            .order_by(Casus.created_at.desc(), Casus.id.desc())
        )
    )
    total = 0
    for start in range(0, len(rows) + 1, cap + 1):
        chunk = rows[start : start + cap + 1]
        if chunk:
            inputs = build_inputs(
                ws.principal.policy_subject(),
                "list",
                ws.context("casusoverleg"),
                ws.resources(chunk),
            )
            total += sum(1 for d in enforce.decide_inputs(ws.enforcer.engine, inputs) if d.allow)
        if total > cap:
            return cap, True
        if len(chunk) <= cap:
            return total, False
    raise AssertionError("unreachable")


@pytest.mark.parametrize("refused", [None, "uitvoering", "aanmelding"])
def test_the_count_in_id_order_equals_the_count_in_the_lists_order(
    runtime: Runtime,
    casussen: list[str],
    monkeypatch: pytest.MonkeyPatch,
    refused: str | None,
) -> None:
    """Amendment ``overzicht2`` of ADR 0028: the count's chunks are taken in id order, not
    in the list's order; the count is the same. For every user of the gemeente and the
    region and caps from 1 to above every casus, ``count_casussen`` equals the count in the
    list's order (kept here as the oracle), also when the policy refuses every casus in one
    phase (a stand-in for any refusal: then a chunk allows less than the cap, and the count
    goes on after the chunk's last casus, which differs between the two orders)."""
    if refused is not None:
        original = enforce.decide_inputs

        def refuse(engine: Any, inputs: Any) -> list[Decision]:
            decisions = original(engine, inputs)
            return [
                Decision(False, None, (Reason("test-geweigerd", "deny", "Geweigerd."),), (), ())
                if (i["resource"] or {}).get("phase") == refused
                else d
                for i, d in zip(inputs, decisions, strict=True)
            ]

        monkeypatch.setattr(enforce, "decide_inputs", refuse)
    seen: set[tuple[int, bool]] = set()
    for principal in _principals(runtime):
        for cap in (1, 2, 3, 4, 7, 10_000):
            with workspace(runtime.casework, principal) as ws:
                expected = _count_in_the_lists_order(ws, cap)
                assert zichtbaar.count_casussen(ws, cap=cap) == expected, (
                    principal.user_id,
                    cap,
                )
            seen.add(expected)
    assert len(seen) > 5


def test_the_running_casussen_query_is_built_once_and_takes_the_time_as_a_parameter(
    runtime: Runtime, casussen: list[str]
) -> None:
    """The werkvoorraad's query of the running casussen (with their group keys) is built once
    per list scope and reused; the decision time is a parameter of each run, so a doorbreekglas
    grant that expired in between is no longer in the casus's group, and a reused statement
    gives what a freshly built one gives."""
    [principal] = [
        p for p in _principals(runtime) if p.tenant == T and p.user_id == ZEIST_CASUSREGISSEUR
    ]
    casus_id = uuid.UUID(casussen[1])  # uitvoering, with Robin as casusregisseur
    now = dt.datetime.now(dt.UTC)
    with tenant_transaction(runtime.sessions, T) as session:
        grant = UrgentAccess(
            tenant_id=T,
            casus_id=casus_id,
            user_id=principal.user_id,
            reason="Test van de groepssleutel.",
            expires_at=now + dt.timedelta(hours=1),
        )
        session.add(grant)
        session.flush()
        grant_id = grant.id
    try:
        with workspace(runtime.casework, principal, now=now) as ws:
            first = kandidaten._running_statement(ws.list_scope)
            before = {c.id: c.group for c in kandidaten._running(ws)}
        later = now + dt.timedelta(days=1)
        with workspace(runtime.casework, principal, now=later) as ws:
            assert kandidaten._running_statement(ws.list_scope) is first
            after = {c.id: c.group for c in kandidaten._running(ws)}
            kandidaten._running_statement.cache_clear()
            assert {c.id: c.group for c in kandidaten._running(ws)} == after
            assert kandidaten._running_statement(ws.list_scope) is not first
        assert before[casus_id][-1] == casus_id  # granted: a group of its own
        assert after[casus_id][-1] is None
    finally:
        with tenant_transaction(runtime.sessions, T) as session:
            session.execute(sa.delete(UrgentAccess).where(UrgentAccess.id == grant_id))


def test_a_relation_whose_kinds_cover_the_chunk_takes_its_key_from_the_page(
    runtime: Runtime, casussen: list[str]
) -> None:
    """The count's SQL takes a relation's key from its page alone when the relation counts for
    every kind the pages find (``zichtbaar._covering``), and probes otherwise. A wijkagent
    lists casussen of both kinds through participation, and a groep casus only as its
    uitvoeringscoördinator: as uitvoeringscoördinator of a persoon casus their organisation
    takes part in, that casus's ``coordinator`` key is 'subject' only if it is probed. The
    groups equal the reference grouping by the decision keys (a key taken from the page for
    a relation that does not cover the chunk would say 'other' here)."""
    [principal] = [
        p for p in _principals(runtime) if p.tenant == T and p.user_id == ZEIST_WIJKAGENT
    ]
    casus_id = uuid.UUID(casussen[0])  # aangemeld by the wijkagent: their organisation takes part
    with workspace(runtime.casework, principal) as ws:
        scope = ws.list_scope
    # The case this test is about: coordination does not cover the kinds of participation.
    assert "persoon" in scope.participation and "persoon" not in scope.coordinator
    assert scope.coordinator, "the wijkagent's scope has no coordinator relation"
    relations = (("participation", scope.participation), ("coordinator", scope.coordinator))
    assert zichtbaar._covering(relations) == {"participation"}
    with tenant_transaction(runtime.sessions, T) as session:
        role = CasusRole(
            tenant_id=T,
            casus_id=casus_id,
            role="uitvoeringscoordinator",
            user_id=principal.user_id,
            organisation_id=principal.organisation,
        )
        session.add(role)
        session.flush()
        role_id = role.id
    try:
        with workspace(runtime.casework, principal) as ws:
            for cap in (1, 7, 10_000):
                groups = zichtbaar.count_groups(ws, cap)
                found = {(g.n, *g.keys) for g in groups}
                assert found == _reference_groups(ws, cap, None), cap
            subject = [g for g in zichtbaar.count_groups(ws, 10_000) if g.keys[6] == "subject"]
            assert [g.casus.id for g in subject] == [casus_id]
    finally:
        with tenant_transaction(runtime.sessions, T) as session:
            session.execute(sa.delete(CasusRole).where(CasusRole.id == role_id))


def test_the_counts_share_and_grant_probes_are_uncorrelated() -> None:
    """The keyed stage of the count's statement tests a share and a grant by an
    uncorrelated ``IN`` over the casus's ``(tenant_id, id)`` (planned once, as a hashed
    subplan; ADR 0028 amendment ``overzicht3``), not by a correlated ``EXISTS`` (planned
    twice, the grant's run per casus)."""
    for relations, covering in (
        (("participation", "regie", "coordinator"), frozenset({"participation", "regie"})),
        (("tenant_wide", "shared"), frozenset()),
    ):
        statement = zichtbaar._count_groups_sql(relations, False, covering)
        sql = " ".join(str(statement.compile()).split())
        keyed = sql[sql.index("keyed AS (") :]
        for alias, table in (("s", "casus_shares"), ("g", "urgent_access")):
            assert f"EXISTS (SELECT 1 FROM {table}" not in keyed, table
            probe = (
                f"(ch.tenant_id, ch.id) IN (SELECT {alias}.tenant_id, {alias}.casus_id FROM {table}"
            )
            assert probe in keyed, table
