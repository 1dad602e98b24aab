"""The werkvoorraad in pages (issue 14): what is due is computed from facts that name no
person (services/casework/werkvoorraad/kandidaten.py), decided per group of casussen for the
counts (one aggregate audit row), and only the casussen of the items shown are read, decided
and audited. Pinned here: the new computation equals the old one (every running casus
decided and read) for every user of the test world, page after page; pages of 25 with
vorige/volgende on the page and in the API; a casus the policy refuses is neither shown nor
counted; and the page's SQL statements do not grow with the number of running casussen."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import REGIO_UTRECHT, ZEIST_KLANTMANAGER
from sqlalchemy.dialects import postgresql
from test_home_counts import _principals
from test_probed_exists import exists_subqueries
from test_werkvoorraad import REGISSEUR, TODAY, T, backdate, casus_in_uitvoering
from workspaces import statements_in_this_thread

from services.casework.casussen.zichtbaar import count_group_keys, visible_casus_condition
from services.casework.domain import lifecycle
from services.casework.unit_of_work import workspace
from services.casework.werkvoorraad import kandidaten
from services.casework.werkvoorraad import service as werkvoorraad
from services.casework.workspace import REGIE_ROLES, Workspace
from services.platform.authz import enforce
from services.platform.db.models import (
    AgendaItem,
    AuditEntry,
    Casus,
    CasusParticipant,
    CasusRole,
    CasusShare,
    Meeting,
    UrgentAccess,
)
from services.platform.db.provision import DatabaseUrls
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.platform.policy import Decision, Reason
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
WIJKTEAM = "sociaal-wijkteam-zeist"
#: More plan actions of the regisseur than fit on one page.
ACTIONS = 30


def _plan_with_actions(client: Client, token_for: Headers, casus_id: str) -> None:
    """A new plan version: ACTIONS actions of the regisseur (some done, some of the wijkteam
    without an owner user, one far ahead) and three toezeggingen."""
    actions = [
        {
            "id": f"a{i}",
            "omschrijving": f"Actie {i} van de regisseur.",
            "eigenaar_organisatie": WIJKTEAM,
            **({"eigenaar_gebruiker": REGISSEUR} if i % 5 else {}),
            "deadline": (TODAY + dt.timedelta(days=i - 10)).isoformat(),
            **({"status": "gereed"} if i % 7 == 0 else {}),
        }
        for i in range(1, ACTIONS + 1)
    ]
    actions.append(
        {
            "id": "ver",
            "omschrijving": "Ver weg.",
            "eigenaar_organisatie": WIJKTEAM,
            "eigenaar_gebruiker": REGISSEUR,
            "deadline": (TODAY + dt.timedelta(days=400)).isoformat(),
            "status": "loopt",
        }
    )
    plan = {
        "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
        "eindcriterium": "Schulden onder bewind.",
        "acties": actions,
        "toezeggingen": [
            {
                "organisatie": "rsd-krh",
                "tekst": "Beslagvrije voet herberekenen",
                "gedaan_op": (TODAY - dt.timedelta(weeks=8)).isoformat(),
            },
            {
                "organisatie": "kwintes",
                "tekst": "Intake begeleid wonen",
                "gedaan_op": TODAY.isoformat(),
                "controle_op": (TODAY + dt.timedelta(days=3)).isoformat(),
            },
            {
                "organisatie": "politie-basisteam-zeist",
                "tekst": "Wekelijks langslopen",
                "gedaan_op": (TODAY - dt.timedelta(weeks=10)).isoformat(),
                "status": "nagekomen",
            },
        ],
    }
    url = f"/api/v1/casussen/{casus_id}/plan"
    etag = client.get(url, headers=token_for(T, REGISSEUR)).headers["etag"]
    saved = client.put(url, json=plan, headers={**token_for(T, REGISSEUR), "If-Match": etag})
    assert saved.status_code in (200, 201), saved.text


def _meeting_actions(runtime: Runtime, casus_id: str) -> None:
    """A casusoverleg whose verslag has actions on the casus: of the regisseur, of the
    wijkteam, done, and one of another organisation."""
    acties = [
        {
            "omschrijving": "Overleg-actie van de regisseur.",
            "eigenaar_organisatie": WIJKTEAM,
            "eigenaar_gebruiker": REGISSEUR,
            "deadline": (TODAY - dt.timedelta(days=2)).isoformat(),
            "status": "open",
        },
        {
            "omschrijving": "Overleg-actie van het wijkteam.",
            "eigenaar_organisatie": WIJKTEAM,
            "eigenaar_gebruiker": None,
            "deadline": (TODAY + dt.timedelta(days=4)).isoformat(),
            "status": "open",
        },
        {
            "omschrijving": "Al gedaan.",
            "eigenaar_organisatie": WIJKTEAM,
            "eigenaar_gebruiker": REGISSEUR,
            "deadline": TODAY.isoformat(),
            "status": "gereed",
        },
        {
            "omschrijving": "Van de politie.",
            "eigenaar_organisatie": "politie-basisteam-zeist",
            "eigenaar_gebruiker": None,
            "deadline": TODAY.isoformat(),
            "status": "open",
        },
    ]
    meeting_id = uuid.uuid4()
    with tenant_transaction(runtime.sessions, T) as session:
        session.add(
            Meeting(
                tenant_id=T,
                id=meeting_id,
                meeting_type_id="pga-kernteam",
                scheduled_for=dt.datetime.combine(
                    TODAY - dt.timedelta(days=7), dt.time(10), dt.UTC
                ),
                chair_user_id=REGISSEUR,
                status="afgerond",
            )
        )
        session.flush()
        session.add(
            AgendaItem(
                tenant_id=T,
                meeting_id=meeting_id,
                casus_id=uuid.UUID(casus_id),
                actions={"acties": acties},
            )
        )


@pytest.fixture(scope="module")
def world(app: Litestar, runtime: Runtime, token_for: Headers) -> Iterator[dict[str, str]]:
    """Two casussen of the regisseur with every kind of due item, one in monitoring, an
    unreviewed doorbreekglas grant (for the PGA-expert), and the busy one shared with the
    region (for its users: casussen of another tenant)."""
    with TestClient(app) as client:
        busy = casus_in_uitvoering(client, token_for, "Pagina")
        backdate(
            runtime,
            busy,
            plan_on=TODAY - dt.timedelta(days=305),
            melding_on=TODAY - dt.timedelta(days=335),
        )
        _plan_with_actions(client, token_for, busy)
        _meeting_actions(runtime, busy)
        watched = casus_in_uitvoering(client, token_for, "Monitor")
        backdate(
            runtime,
            watched,
            plan_on=TODAY - dt.timedelta(days=200),
            melding_on=TODAY - dt.timedelta(days=100),
        )
        with tenant_transaction(runtime.sessions, T) as session:
            session.execute(
                sa.update(Casus).where(Casus.id == uuid.UUID(watched)).values(state="monitoring")
            )
        grant = client.post(
            f"/api/v1/casussen/{watched}/doorbreekglas",
            json={"reden": "Acute dreiging gemeld door de wachtdienst; overleg nodig.", "uren": 2},
            headers=token_for(T, ZEIST_KLANTMANAGER),
        )
        assert grant.status_code == 201, grant.text
        with tenant_transaction(runtime.sessions, T) as session:
            # Opgeschaald: the region's users see the busy casus as shared with their tenant.
            session.add(
                CasusShare(
                    tenant_id=T,
                    casus_id=uuid.UUID(busy),
                    shared_with_tenant=REGIO_UTRECHT,
                    reason="Opschaling (test).",
                    created_by=REGISSEUR,
                )
            )
        yield {"busy": busy, "watched": watched}


def _old_computation(ws: Workspace, horizon_days: int | None) -> list[dict[str, Any]]:
    """The werkvoorraad as it was computed before issue 14's paging: every running casus the
    caller could see decided, audited and read (its plans, assessments, meetings), and every
    unreviewed doorbreekglas grant for a PGA-expert."""
    rows = [
        c
        for c in ws.session.scalars(
            sa.select(Casus)
            .where(visible_casus_condition(ws), kandidaten._running_condition())
            .order_by(Casus.created_at, Casus.id)
        )
        if lifecycle.is_active(c.kind, c.state)
    ]
    items = werkvoorraad._timer_items(ws, rows, horizon_days)
    if werkvoorraad.REVIEWER_ROLE in ws.principal.roles:
        grants = ws.session.scalars(
            sa.select(UrgentAccess.id).where(
                UrgentAccess.tenant_id == ws.principal.tenant, UrgentAccess.reviewed_at.is_(None)
            )
        )
        items += werkvoorraad._urgent_items(ws, list(grants))
    return [w.body for w in items]


def _identity(body: dict[str, Any]) -> tuple[str, str, str]:
    return (body["soort"], body["casus_id"], str(body.get("onderwerp") or ""))


def _all_pages(ws: Workspace, **selection: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    items: list[dict[str, Any]] = []
    queues = []
    page: int | None = 1
    while page is not None:
        queue = werkvoorraad.work_queue(
            ws, selection=werkvoorraad.Selection(pagina=page, **selection)
        )
        assert len(queue["items"]) <= werkvoorraad.PAGE_SIZE
        items += queue["items"]
        queues.append(queue)
        page = queue["volgende"]
    return items, queues


def test_pages_and_due_facts_equal_the_old_computation_for_every_user(
    runtime: Runtime, world: dict[str, str]
) -> None:
    """Differential: for every user of the gemeente and the region, the items of all pages
    (whole bodies), the counts, and the due dates computed from the facts without person
    data are those of the old computation; so is the reminders job's unpaged list."""
    checked_items = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            old = sorted(_old_computation(ws, None), key=_identity)
            old_today = sorted(_old_computation(ws, 0), key=_identity)
            paged, queues = _all_pages(ws)
            dues = werkvoorraad._visible(
                ws,
                kandidaten.due(
                    ws, None, reviewer=werkvoorraad.REVIEWER_ROLE in principal.roles
                ).dues,
            )
            unpaged = werkvoorraad.work_queue(ws, horizon_days=0)
        assert sorted(paged, key=_identity) == old, principal.user_id
        assert len({_identity(b) for b in paged}) == len(paged), principal.user_id
        assert queues[0]["aantal"] == len(old) == queues[0]["gevonden"], principal.user_id
        assert queues[0]["te_laat"] == sum(1 for b in old if b["te_laat"]), principal.user_id
        assert sorted((d.key, d.due_on.isoformat(), d.overdue) for d in dues) == sorted(
            (_identity(b), b["datum"], b["te_laat"]) for b in old
        ), principal.user_id
        assert sorted(unpaged["items"], key=_identity) == old_today, principal.user_id
        checked_items += len(old)
    # The world has work: the busy casus alone carries more than a page.
    assert checked_items > werkvoorraad.PAGE_SIZE


def _running_both_ways(ws: Workspace) -> tuple[list[Any], list[Any]]:
    """The running casussen with their facts and keys: built from ``ws`` with
    :func:`count_group_keys` (as before the statement was prebuilt), and by the prebuilt
    statement (:func:`kandidaten._running_statement`), both in the same order."""
    built = ws.session.execute(
        sa.select(Casus.tenant_id, Casus.id, *kandidaten._facts_columns(), *count_group_keys(ws))
        .where(visible_casus_condition(ws), kandidaten._running_condition())
        .order_by(Casus.created_at, Casus.id)
    ).all()
    prebuilt = ws.session.execute(
        kandidaten._running_statement(ws.list_scope), kandidaten._running_params(ws)
    ).all()
    return list(built), list(prebuilt)


def test_the_prebuilt_running_statement_equals_one_built_per_request(
    runtime: Runtime, world: dict[str, str]
) -> None:
    """Differential: the statement of the running casussen, built once per list scope with
    the caller's values as bind parameters (kandidaten._running_statement), gives every user
    the rows of the statement built from their own workspace (as it was before): one
    condition, where the prebuilt statement reads the own tenant's and the shared casussen
    apart (UNION ALL)."""
    seen = shared = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            built, prebuilt = _running_both_ways(ws)
        assert [tuple(r) for r in prebuilt] == [tuple(r) for r in built], principal.user_id
        seen += len(built)
        shared += sum(1 for r in built if r.tenant_id != principal.tenant)
    assert seen > 0
    # The region's users see the busy casus that Zeist shared with them (the statement's
    # second part: casussen of another tenant).
    assert shared > 0


def test_the_running_statements_own_and_shared_keys_equal_the_count_keys(
    runtime: Runtime, world: dict[str, str]
) -> None:
    """Differential (issue 14, ``werk4``): the running statement computes the decision keys
    per part (``kandidaten._own_keys``, ``_shared_keys``: the shared key of the own part and
    the grant as uncorrelated ``IN``s, the coordinator as one scalar subquery, the keys that
    the shared part's ``tenant_id <> :me`` decides as constants). Every user gets the rows of
    one statement with :func:`count_group_keys`, with all three coordinator values present,
    a casus of the tenant shared with the tenant itself (``casus_shares`` allows it), and a
    coordinator on the casus shared with the region. Fails with ``shared`` as a constant
    false in the own part, or with the coordinator's ``user_id = :me`` negated."""
    busy, watched = uuid.UUID(world["busy"]), uuid.UUID(world["watched"])
    added: list[Any] = []
    with tenant_transaction(runtime.sessions, T) as session:
        added += [
            CasusShare(
                tenant_id=T,
                casus_id=watched,
                shared_with_tenant=T,
                reason="Met zichzelf gedeeld (test).",
                created_by=REGISSEUR,
            ),
            CasusRole(
                tenant_id=T,
                casus_id=watched,
                role="uitvoeringscoordinator",
                user_id=REGISSEUR,
                organisation_id=WIJKTEAM,
            ),
            CasusRole(
                tenant_id=T,
                casus_id=busy,
                role="uitvoeringscoordinator",
                user_id="iemand-anders",
                organisation_id=WIJKTEAM,
            ),
            CasusRole(
                tenant_id=T,
                casus_id=busy,
                role="uitvoeringscoordinator",
                user_id=REGISSEUR,
                organisation_id=WIJKTEAM,
                ended_at=dt.datetime.now(dt.UTC),
            ),
        ]
        session.add_all(added)
    coordinators: set[str] = set()
    own_shared = shared_other = 0
    try:
        for principal in _principals(runtime):
            with workspace(runtime.casework, principal) as ws:
                built, prebuilt = _running_both_ways(ws)
            assert [tuple(r) for r in prebuilt] == [tuple(r) for r in built], principal.user_id
            for row in built:
                coordinators.add(row[14])
                own = row[0] == principal.tenant
                own_shared += own and row[15]
                shared_other += not own and row[14] == "other"
    finally:
        with tenant_transaction(runtime.sessions, T) as session:
            for row in added:
                session.delete(session.merge(row, load=True))
    assert {"subject", "other"} <= coordinators
    assert own_shared > 0
    assert shared_other > 0


def _rows_before_the_tenant_in_the_relations(ws: Workspace) -> list[tuple[Any, ...]]:
    """The running casussen with their facts and decision keys, by the pre-filter and keys as
    they were before the caller's tenant was repeated inside the participation and role
    subqueries (issue 14, ADR 0028 amendment ``pgwerk``): the reference of the rewrite."""
    p, scope = ws.principal, ws.list_scope
    own = Casus.tenant_id == p.tenant

    def roles(*names: str, me: bool = True) -> sa.ColumnElement[bool]:
        where = [
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.casus_id == Casus.id,
            CasusRole.role.in_(names),
            CasusRole.ended_at.is_(None),
        ]
        if me:
            where.append(CasusRole.user_id == p.user_id)
        return sa.exists().where(*where)

    participates = sa.exists().where(
        CasusParticipant.tenant_id == Casus.tenant_id,
        CasusParticipant.casus_id == Casus.id,
        CasusParticipant.organisation_id == p.organisation,
        CasusParticipant.active,
    )
    shared = sa.exists().where(
        CasusShare.tenant_id == Casus.tenant_id,
        CasusShare.casus_id == Casus.id,
        CasusShare.shared_with_tenant == p.tenant,
    )
    branches = [
        (scope.tenant_wide, own),
        (scope.participation, sa.and_(own, participates)),
        (scope.regie, sa.and_(own, roles(*REGIE_ROLES))),
        (scope.coordinator, sa.and_(own, roles("uitvoeringscoordinator"))),
        (scope.shared, sa.and_(Casus.tenant_id != p.tenant, shared)),
    ]
    condition = sa.or_(
        sa.false(), *(sa.and_(Casus.kind.in_(sorted(k)), c) for k, c in branches if k)
    )
    granted = sa.exists().where(
        UrgentAccess.tenant_id == Casus.tenant_id,
        UrgentAccess.casus_id == Casus.id,
        UrgentAccess.user_id == p.user_id,
        UrgentAccess.expires_at > ws.enforcer.now,
    )
    keys = (
        Casus.tenant_id,
        Casus.kind,
        Casus.state,
        sa.and_(own, participates),
        sa.and_(own, roles(*REGIE_ROLES)),
        sa.case(
            (sa.and_(own, roles("uitvoeringscoordinator")), "subject"),
            (roles("uitvoeringscoordinator", me=False), "other"),
            else_="absent",
        ),
        shared,
        sa.case((granted, Casus.id), else_=None),
    )
    statement = (
        sa.select(Casus.tenant_id, Casus.id, *kandidaten._facts_columns(), *keys)
        .where(condition, kandidaten._running_condition())
        .order_by(Casus.created_at, Casus.id)
    )
    return [tuple(r) for r in ws.session.execute(statement)]


def test_the_running_statement_with_the_tenant_in_its_relations_gives_the_same_rows(
    runtime: Runtime, world: dict[str, str]
) -> None:
    """Differential (issue 14, ``pgwerk``): the participation and role subqueries of the
    pre-filter and of the decision keys name the caller's tenant as well as the casus's
    (equal where they are used), so that PostgreSQL reads a hashed subplan of the caller's
    roles by the index prefix (tenant, user) instead of every tenant's roles of that user id
    (10 ms of the 28 of the statement for dennis-koster in the benchmark). Every user gets
    the rows of the statement without it."""
    seen = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            reference = _rows_before_the_tenant_in_the_relations(ws)
            prebuilt = ws.session.execute(
                kandidaten._running_statement(ws.list_scope), kandidaten._running_params(ws)
            ).all()
        assert [tuple(r) for r in prebuilt] == reference, principal.user_id
        seen += len(reference)
    assert seen > 0


def test_the_callers_role_and_participation_subqueries_name_the_tenant(
    runtime: Runtime, world: dict[str, str]
) -> None:
    """Every subquery of the running statement that looks for the caller's roles or their
    organisation's participation also says ``tenant_id = <the caller's tenant>``: without
    it a hashed subplan of the caller's roles scanned ix_casus_roles_user_active for every
    tenant (its first column unbound)."""
    scopes = set()
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            scopes.add(ws.list_scope)
    checked = 0
    for scope in scopes:
        sql = str(kandidaten._running_statement(scope).compile(dialect=postgresql.dialect()))
        for part in sql.split("SELECT")[1:]:
            for table, caller in (
                ("casus_roles", "casus_roles.user_id = %(me_user)s"),
                ("casus_participants", "casus_participants.organisation_id = %(me_organisation)s"),
            ):
                if caller in part:
                    assert f"{table}.tenant_id = %(me_tenant)s" in part, (scope, part)
                    checked += 1
    assert checked > 0


def test_the_regisseur_pages_through_the_werkvoorraad_in_the_api_and_the_browser(
    client: Client, token_for: Headers, world: dict[str, str]
) -> None:
    headers = token_for(T, REGISSEUR)
    first = client.get("/api/v1/werkvoorraad", headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["pagina"] == 1 and body["vorige"] is None and body["volgende"] == 2
    assert len(body["items"]) == werkvoorraad.PAGE_SIZE == body["per_pagina"]
    seen = [_identity(i) for i in body["items"]]
    page = body["volgende"]
    while page is not None:
        more = client.get("/api/v1/werkvoorraad", headers=headers, params={"pagina": page}).json()
        assert more["vorige"] == page - 1
        seen += [_identity(i) for i in more["items"]]
        page = more["volgende"]
    assert len(seen) == len(set(seen)) == body["aantal"]
    # Sorted by date (oldest first), across the pages.
    reference = client.get(f"/api/v1/casussen/{world['busy']}", headers=headers).json()[
        "referentie"
    ]
    only = client.get(
        "/api/v1/werkvoorraad",
        headers=headers,
        params={"soort": "planactie", "casus": reference, "sorteer": "datum"},
    ).json()
    assert {i["soort"] for i in only["items"]} == {"planactie"}
    # 30 actions (6 of the wijkteam without an owner user), 4 done, and one far ahead.
    assert only["gevonden"] == 27
    dates = [i["datum"] for i in only["items"]]
    assert dates == sorted(dates)
    assert (
        client.get("/api/v1/werkvoorraad", headers=headers, params={"pagina": 0}).status_code == 422
    )
    assert (
        client.get("/api/v1/werkvoorraad", headers=headers, params={"sorteer": "x"}).status_code
        == 422
    )


def test_a_refused_casus_is_neither_shown_nor_counted(
    runtime: Runtime, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every casus in monitoring is refused (a stand-in for any refusal of the policy): its
    items are on no page, in no count, and its refusal is on record in the aggregate row."""
    original = enforce.decide_inputs

    def refuse_monitoring(engine: Any, inputs: Any) -> list[Decision]:
        decisions = original(engine, inputs)
        return [
            Decision(False, None, (Reason("test-geweigerd", "deny", "Geweigerd."),), (), ())
            if (i["resource"] or {}).get("phase") == "monitoring"
            else d
            for i, d in zip(inputs, decisions, strict=True)
        ]

    principal = PrincipalDirectory(runtime.sessions).resolve(Claims(REGISSEUR, T, {}))
    with workspace(runtime.casework, principal) as ws:
        before, _ = _all_pages(ws)
        assert world["watched"] in {b["casus_id"] for b in before}
    monkeypatch.setattr(enforce, "decide_inputs", refuse_monitoring)
    with workspace(runtime.casework, principal) as ws:
        started = ws.enforcer.now
        after, queues = _all_pages(ws)
        counts = werkvoorraad.due_counts(ws)
    assert world["watched"] not in {b["casus_id"] for b in after}
    assert queues[0]["aantal"] == len(after) == counts[0]
    assert len(after) == len([b for b in before if b["casus_id"] != world["watched"]])
    with tenant_transaction(runtime.sessions, T) as session:
        rows = list(
            session.scalars(
                sa.select(AuditEntry).where(
                    AuditEntry.tenant_id == T,
                    AuditEntry.user_id == REGISSEUR,
                    AuditEntry.at >= started,
                )
            )
        )
    aggregate = [r for r in rows if r.resource_type == werkvoorraad.COUNT_RESOURCE]
    assert aggregate and all(r.casus_id is None for r in aggregate)
    assert any(
        not g["toegestaan"] and "test-geweigerd" in g["redenen"]
        for r in aggregate
        for g in r.decision_input["groepen"]
    )
    # The refused casus is read and audited nowhere: it was on no page.
    assert uuid.UUID(world["watched"]) not in {r.casus_id for r in rows}


def _page_statements(runtime: Runtime, principal: Principal) -> list[str]:
    with statements_in_this_thread() as statements, workspace(runtime.casework, principal) as ws:
        werkvoorraad.work_queue(ws, selection=werkvoorraad.Selection())
        werkvoorraad.due_counts(ws)
    return [" ".join(statement.split()) for statement in statements]


def test_the_statements_of_a_page_do_not_grow_with_the_running_casussen(
    client: Client, token_for: Headers, runtime: Runtime, world: dict[str, str]
) -> None:
    """The page (and the home page's count) run a fixed number of statements: with 2 and
    with 6 more running casussen carrying work, the same number (or fewer)."""
    principal = PrincipalDirectory(runtime.sessions).resolve(Claims(REGISSEUR, T, {}))

    def more_casussen(names: tuple[str, ...]) -> None:
        for name in names:
            casus_id = casus_in_uitvoering(client, token_for, name)
            backdate(
                runtime,
                casus_id,
                plan_on=TODAY - dt.timedelta(days=305),
                melding_on=TODAY - dt.timedelta(days=335),
            )

    more_casussen(("Groeia", "Groeib"))
    _page_statements(runtime, principal)  # warm: policy loaded, list scope known
    before = _page_statements(runtime, principal)
    more_casussen(("Groeic", "Groeid", "Groeie", "Groeif"))
    after = _page_statements(runtime, principal)
    # The reads of a casus's policy resource (Workspace.resources: one statement for a page
    # of casussen, one for a single casus; services/casework/casus_relations.py), or of
    # casussen with it (Workspace.load_casussen), run at most once for the groups'
    # representatives, once for the page's casussen and once for the count's
    # representatives, and are skipped when the session still holds those rows (which casus
    # represents a group depends on its id).
    resource_reads = {
        "relations of keys": "SELECT rel_k.tenant_id, rel_k.id, rel_p.",
        "relations of one": "SELECT rel_p.p_org,",
        "casussen with relations": "SELECT casussen.tenant_id, casussen.id, casussen.reference,",
    }

    def kind_of(statement: str) -> str | None:
        for kind, prefix in resource_reads.items():
            if statement.startswith(prefix) and "rel_p.p_org" in statement:
                return kind
        return None

    def reads(statements: list[str]) -> list[str]:
        return [s for s in statements if s.startswith("SELECT") and kind_of(s) is None]

    report = "\n".join(s[:90] for s in [*before, "-----", *after])
    # The prefixes name real statements (a renamed statement would make the test count it).
    assert any(kind_of(s) is not None for s in after), report
    assert len(reads(after)) <= len(reads(before)), report
    # The audit rows go in a few INSERTs (one per row shape): the page's rows, the two
    # aggregate rows; never one per casus.
    assert sum(1 for s in after if s.startswith("INSERT")) <= 4, report
    for read in resource_reads:
        assert sum(1 for s in after if kind_of(s) == read) <= 3, report


#: The current plan version of a casus, changed in place (as an erasure or a correction by
#: hand would: the same tenant, casus and version number, another content).
_CHANGE_IN_PLACE = sa.text(
    """
    UPDATE plan_versions SET content = CAST(:content AS jsonb)
    WHERE casus_id = :casus AND version = (
        SELECT max(version) FROM plan_versions WHERE casus_id = :casus)
    RETURNING CAST(content AS text)
    """
)


def test_a_plan_changed_in_place_is_shown_as_it_is_now(
    runtime: Runtime, world: dict[str, str], db_urls: DatabaseUrls
) -> None:
    """The parsed plan contents are remembered across requests (``service.plan_content``,
    issue 14 ``werk3``) by the content's text: a version whose content is changed in place
    (the same tenant, casus and version number) is shown with its new texts on the next
    request, by the regisseur and by the region's user who sees the casus shared; and the
    texts are those of a fresh parse (the old computation, which reads no memo). A memo by
    the version's identity fails here."""
    assert db_urls.admin is not None
    admin = sa.create_engine(db_urls.admin.set(database=runtime.settings.database_name))
    directory = PrincipalDirectory(runtime.sessions)
    regisseur = directory.resolve(Claims(REGISSEUR, T, {}))
    busy = world["busy"]

    def texts() -> dict[str, str]:
        with workspace(runtime.casework, regisseur) as ws:
            items, _ = _all_pages(ws)
            old = _old_computation(ws, None)
        assert sorted(items, key=_identity) == sorted(old, key=_identity)
        return {
            str(b["onderwerp"]): b["omschrijving"]
            for b in items
            if b["casus_id"] == busy and b["soort"] in ("planactie", "toezegging-controleren")
        }

    with admin.connect() as conn:
        original = conn.execute(
            sa.text(
                "SELECT CAST(content AS text) FROM plan_versions WHERE casus_id = :casus "
                "ORDER BY version DESC LIMIT 1"
            ),
            {"casus": busy},
        ).scalar_one()
    before = texts()
    assert before["a1"] == "Actie uit het plan van aanpak: Actie 1 van de regisseur."
    commitment = next(k for k in before if k.startswith("toezegging-"))
    assert "Beslagvrije voet herberekenen" in before[commitment]
    changed = json.loads(original)
    changed["actions"][0]["description"] = "Gewist op verzoek."
    changed["commitments"][0]["text"] = "Tekst gewist"
    try:
        with admin.begin() as conn:
            conn.execute(_CHANGE_IN_PLACE, {"casus": busy, "content": json.dumps(changed)})
        after = texts()
        assert after["a1"] == "Actie uit het plan van aanpak: Gewist op verzoek."
        assert "Tekst gewist" in after[commitment]
        assert "Beslagvrije" not in after[commitment]
        unchanged = set(before) - {"a1", commitment}
        assert unchanged and {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
        # The region's user sees the busy casus shared: the same version, the new texts.
        region = [p for p in _principals(runtime) if p.tenant == REGIO_UTRECHT]
        shared_texts = []
        for principal in region:
            with workspace(runtime.casework, principal) as ws:
                items, _ = _all_pages(ws)
            for body in items:
                assert "Beslagvrije" not in body["omschrijving"], principal.user_id
                assert "Actie 1 van de regisseur." not in body["omschrijving"], principal.user_id
                if body["casus_id"] == busy:
                    shared_texts.append(body["omschrijving"])
        # The region's PGA-expert has the busy casus's toezeggingen: with the new text.
        assert any("Tekst gewist" in text for text in shared_texts), shared_texts
    finally:
        with admin.begin() as conn:
            restored = conn.execute(_CHANGE_IN_PLACE, {"casus": busy, "content": original})
            assert restored.scalar_one() == original
        admin.dispose()
    assert texts() == before


def test_the_remembered_plan_content_is_a_function_of_the_text_alone() -> None:
    """``plan_content`` takes the content's text and nothing else (no tenant, casus or
    version to confuse), and gives what a fresh parse gives, for texts that differ in one
    character only, asked in turn."""
    assert list(inspect.signature(werkvoorraad.plan_content).parameters) == ["text"]
    # As stored (the model's field names).
    plan: dict[str, Any] = {
        "goals": [{"domain": "financien", "problem": "Schulden.", "goal": "Budgetplan."}],
        "end_criterion": "Schulden onder bewind.",
        "actions": [
            {
                "id": "a1",
                "description": "Actie A.",
                "owner_organisation_id": WIJKTEAM,
                "deadline": TODAY.isoformat(),
            }
        ],
    }
    texts = [json.dumps(plan)]
    plan["actions"][0]["description"] = "Actie B."
    texts.append(json.dumps(plan))
    for text in [*texts, *reversed(texts), *texts]:
        fresh = werkvoorraad.PlanContent.model_validate(json.loads(text))
        assert werkvoorraad.plan_content(text) == fresh
    assert werkvoorraad.plan_content(texts[0]) != werkvoorraad.plan_content(texts[1])


def test_the_callers_relations_in_the_running_statement_are_probed_never_hashed(
    runtime: Runtime, world: dict[str, str]
) -> None:
    """The caller's organisation's participation and the caller's own regie roles are
    tested per running casus with an ``EXISTS`` that PostgreSQL cannot hash
    (``zichtbaar.probed_exists``, ``OFFSET 0``; ``tests/integration/test_probed_exists.py``
    shows what that does to the plan). Hashed, they read every participation of the
    organisation in the tenant, closed casussen included (50,000 in the benchmark after a
    fresh ANALYZE: 35 ms per werkvoorraad request), and every regie role of a regisseur
    (58,330 for robin-visser: ~80 ms per request); issue 14, session 26."""
    scopes = set()
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            scopes.add(ws.list_scope)
    checked = {"participation": 0, "regie": 0}
    for scope in scopes:
        sql = str(kandidaten._running_statement(scope).compile(dialect=postgresql.dialect()))
        for subquery in exists_subqueries(sql):
            if "FROM casus_participants" in subquery:
                relation = "participation"
            elif "casus_roles.user_id = %(me_user)s" in subquery:
                relation = "regie"
            else:
                continue
            assert subquery.rstrip().endswith("OFFSET 0"), subquery
            checked[relation] += 1
    # Not vacuous: both relations appear in the statements of the test world's scopes.
    assert all(checked.values()), checked
