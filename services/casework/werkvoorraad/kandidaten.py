"""What is due, computed from facts that name no person (issue 14).

The werkvoorraad of a caseworker with many running casussen used to decide, audit and read
every casus (and its plan) before it knew which items a page shows. Here the due items are
computed first, from facts that carry nothing of a person: dates, states, owners and
statuses. A few queries, whatever the caseload:

1. the running casussen the caller could see (the SQL pre-filter of need-to-know), each with
   its kind, state, reference, plan and melding dates, the date of its first plan version
   and of its last tussentijdse meting;
2. of the current plan version of those casussen only the dates, owners and statuses of the
   actions and toezeggingen (``jsonb`` in SQL: no description, no text);
3. of the actions from casusoverleg minutes on those casussen the same facts;
4. for a PGA-expert, the unreviewed doorbreekglas grants of the tenant.

The due dates come from :func:`services.casework.domain.timers.due_items`, the same
function the full computation uses (labels aside, which need the texts and are made for the
items shown only). No decision is taken here: :mod:`.service` decides which casussen may be
shown, and reads and audits only the casussen of the page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Final, NamedTuple, cast

import sqlalchemy as sa

from services.casework.casussen.zichtbaar import (
    GROUP_NOW,
    custom_plan,
    probed_exists,
    visible_casus_parts,
)
from services.casework.domain import lifecycle
from services.casework.domain.local_time import local_date
from services.casework.domain.timers import DueDate, due_dates
from services.casework.workspace import REGIE_ROLES, ListScope, Workspace
from services.platform.db.models import (
    Casus,
    CasusParticipant,
    CasusRole,
    CasusShare,
    UrgentAccess,
)
from tenants.manifest import Review

PLAN_ACTION: Final = "planactie"
MEETING_ACTION: Final = "overlegactie"
URGENT_REVIEW: Final = "doorbreekglas-beoordelen"
OPEN_ACTION_STATUSES: Final = frozenset({"open", "loopt"})
#: A doorbreekglas grant should be reviewed within this many days.
DOORBREEKGLAS_REVIEW_DAYS: Final = 7


class Due(NamedTuple):
    """One due item before any decision: which casus, what kind, which subject, when.

    A named tuple, not a frozen dataclass: ~500 are made per request for a caseload of 175
    running casussen, and a frozen dataclass sets each field through ``object.__setattr__``
    (issue 14, ``werk3``)."""

    tenant_id: str
    casus_id: uuid.UUID
    #: ``str(casus_id)``, made once per casus (the order and the item's identity use it).
    casus_name: str
    reference: str
    kind: str
    subject: str | None
    due_on: dt.date
    overdue: bool
    #: Timer and action items need a full view of the casus; a doorbreekglas review does not.
    needs_full_view: bool = True
    #: The casus's decision group (:func:`count_group_keys`), when it was read with the facts.
    group: tuple[Any, ...] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """The item's identity, as the full computation names it (soort, casus, onderwerp)."""
        return (self.kind, self.casus_name, self.subject or "")


@dataclass(frozen=True)
class Found:
    """The due items, and what the full computation of a page may reuse of the facts."""

    dues: list[Due]
    #: The running casussen by id, with when their first plan version was made and their
    #: last tussentijdse meting.
    running: dict[uuid.UUID, _Running]


class _Running(NamedTuple):
    """A running casus with its facts (a named tuple: one per running casus per request)."""

    tenant_id: str
    id: uuid.UUID
    reference: str
    kind: str
    state: str
    plan_date: dt.date | None
    last_melding_on: dt.date | None
    first_plan: dt.datetime | None
    last_review: dt.date | None
    group: tuple[Any, ...]
    #: ``str(id)``.
    name: str


def _running_condition() -> sa.ColumnElement[bool]:
    return sa.or_(
        *(
            sa.and_(Casus.kind == kind, Casus.state.in_(lifecycle.running_states(kind)))
            for kind in (lifecycle.PERSON, lifecycle.GROUP)
        )
    )


class _Parametric:
    """What :func:`visible_casus_parts` and :func:`count_group_keys` read of a
    workspace, with bind parameters in place of the caller's values: the statement of
    :func:`_running` is built once per list scope and only its parameters change per request
    (issue 14: building and compiling it anew cost more CPU than PostgreSQL spent on it)."""

    principal = SimpleNamespace(
        tenant=sa.bindparam("me_tenant", type_=sa.String),
        organisation=sa.bindparam("me_organisation", type_=sa.String),
        user_id=sa.bindparam("me_user", type_=sa.String),
    )
    #: The decision time is the parameter GROUP_NOW of count_group_keys, given per run.
    enforcer = SimpleNamespace(now=None)

    def __init__(self, scope: ListScope) -> None:
        self.list_scope = scope


def _facts_columns(source: Any = Casus) -> tuple[Any, ...]:
    """Of a running casus: reference, kind, state, plan and melding dates, the time of its
    first plan version and the date of its last tussentijdse meting (kept on the casus row
    by the triggers of migration 0072; two correlated look-ups per running casus before,
    ~8 ms of the statement's ~19 for 508 casussen: ADR 0028, ``werkfacts``). ``source``: the
    casussen table, or the columns of a subquery of it (:func:`_own_part`)."""
    return (
        source.reference,
        source.kind,
        source.state,
        source.plan_date,
        source.last_melding_on,
        source.first_plan_at.label("first_plan"),
        source.last_review_on.label("last_review"),
    )


def _granted(ws: Workspace) -> sa.ColumnElement[Any]:
    """The ``granted`` key of :func:`count_group_keys` (the casus's id if the caller holds an
    unexpired doorbreekglas grant on it), as an uncorrelated ``IN`` over the caller's grants:
    planned once and hashed (the caller's few grants), where the correlated ``EXISTS`` was
    planned twice (a probe and a hashed alternative) per part (issue 14, ``werk4``). Equal:
    the subquery's columns are NOT NULL."""
    p = ws.principal
    grants = sa.select(UrgentAccess.tenant_id, UrgentAccess.casus_id).where(
        UrgentAccess.user_id == p.user_id,
        UrgentAccess.expires_at
        > sa.bindparam(GROUP_NOW, ws.enforcer.now, type_=sa.DateTime(timezone=True)),
    )
    return sa.case((sa.tuple_(Casus.tenant_id, Casus.id).in_(grants), Casus.id), else_=None)


def _any_coordinator() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        CasusRole.tenant_id == Casus.tenant_id,
        CasusRole.casus_id == Casus.id,
        CasusRole.role == "uitvoeringscoordinator",
        CasusRole.ended_at.is_(None),
    )


def _own_keys(ws: Workspace) -> tuple[sa.ColumnElement[Any], ...]:
    """:func:`count_group_keys`' ``participates, regie, coordinator, shared, granted`` for a
    casus of the caller's own tenant (the own part's ``WHERE`` says ``tenant_id = :me``), with
    nothing PostgreSQL must plan that the own tenant makes needless (issue 14, ``werk4``):

    * ``participates`` and ``regie`` without their ``tenant_id = :me AND`` (true here);
      both as :func:`probed_exists` (a probe per running casus, never a hash of the
      organisation's participations or the caller's roles; session 26);
    * ``shared`` as an uncorrelated ``IN`` over the shares of the caller's tenant with itself
      (planned once, hashed; none in practice, but ``casus_shares`` does not forbid one);
    * ``coordinator`` as one scalar subquery over the casus's active coordinators (``subject``
      if the caller is one of them, ``other`` if anyone else is, ``absent`` if none): planned
      once, where the two ``EXISTS`` were planned twice each (ADR 0028, ``werk2`` (2));
    * ``granted`` as :func:`_granted`.

    ``tests/integration/test_werkvoorraad_pages.py`` compares the rows with those of
    :func:`count_group_keys` for every user."""
    p = ws.principal
    # A probe per running casus, never a hash of the organisation's participations
    # (:func:`probed_exists`: 50,000 in the benchmark, 35 ms per request).
    participates = probed_exists(
        CasusParticipant.tenant_id == Casus.tenant_id,
        CasusParticipant.tenant_id == p.tenant,
        CasusParticipant.casus_id == Casus.id,
        CasusParticipant.organisation_id == p.organisation,
        CasusParticipant.active,
    )

    # Probed too: a regisseur's own regie roles are no small set (robin-visser holds 58,330
    # in the benchmark; hashed, they were read on every request: ``cliffs``, session 26).
    def mine(*roles: str) -> sa.ColumnElement[bool]:
        return probed_exists(
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.casus_id == Casus.id,
            CasusRole.role.in_(roles),
            CasusRole.ended_at.is_(None),
            CasusRole.user_id == p.user_id,
            CasusRole.tenant_id == p.tenant,
        )

    coordinators = (
        sa.select(
            sa.case((sa.func.bool_or(CasusRole.user_id == p.user_id), "subject"), else_="other")
        )
        .where(
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.tenant_id == p.tenant,
            CasusRole.casus_id == Casus.id,
            CasusRole.role == "uitvoeringscoordinator",
            CasusRole.ended_at.is_(None),
        )
        .having(sa.func.count() > 0)
        .scalar_subquery()
    )
    coordinator = sa.func.coalesce(coordinators, "absent")
    self_shares = sa.select(CasusShare.tenant_id, CasusShare.casus_id).where(
        CasusShare.shared_with_tenant == p.tenant, CasusShare.tenant_id == p.tenant
    )
    shared = sa.tuple_(Casus.tenant_id, Casus.id).in_(self_shares)
    return (
        participates.label("participates"),
        mine(*REGIE_ROLES).label("regie"),
        coordinator.label("coordinator"),
        shared.label("shared"),
        _granted(ws).label("granted"),
    )


def _shared_keys(ws: Workspace) -> tuple[Any, ...]:
    """:func:`count_group_keys`' keys for a casus of another tenant shared with the caller's
    (the shared part's ``WHERE``: ``tenant_id <> :me AND <shared>``): ``participates``,
    ``regie`` and the caller's coordinator role are ``tenant_id = :me AND ..``, so false;
    ``shared`` is the part's own condition, so true. Only whether anyone coordinates it and
    the caller's grant are read (issue 14, ``werk4``: three ``EXISTS`` fewer to plan)."""
    coordinator = sa.case((_any_coordinator(), "other"), else_="absent")
    return (
        Casus.tenant_id,
        Casus.kind,
        Casus.state,
        sa.false().label("participates"),
        sa.false().label("regie"),
        coordinator.label("coordinator"),
        sa.true().label("shared"),
        _granted(ws).label("granted"),
    )


def _own_part(ws: Workspace) -> sa.Select[Any]:
    """The running casussen of the caller's own tenant they could see, with facts and
    decision keys (the first part of :func:`visible_casus_parts`), each relation tested once.

    The pre-filter's own part is ``own tenant AND (kind IN .. AND <participation> OR kind IN
    .. AND <regie> OR ..)``, and the decision keys (:func:`count_group_keys`) are those very
    relations of the own tenant: ``participates`` is the participation branch, ``regie`` the
    regie branch, ``coordinator = 'subject'`` the coordinator branch. So the keys are computed
    once per running casus of the tenant in a subquery that PostgreSQL may not flatten
    (``OFFSET 0``), and the branches are tested on them. In one statement PostgreSQL probed
    participation for the filter and again for the key, and planned every relation subquery
    (each with its row-level-security subplans) twice (issue 14, ``pgwerk``: planning ~3-4 ->
    ~2-3.5 ms, execution ~7-10 -> ~5.5-9 ms, 4,059 -> 3,527 buffers for dennis-koster)."""
    p, scope = ws.principal, ws.list_scope
    keys = _own_keys(ws)  # participates, regie, coordinator, shared, granted
    casussen = (
        sa.select(
            Casus.tenant_id,
            Casus.id,
            Casus.reference,
            Casus.kind,
            Casus.state,
            Casus.plan_date,
            Casus.last_melding_on,
            Casus.first_plan_at,
            Casus.last_review_on,
            Casus.created_at,
            *keys,
        )
        .where(Casus.tenant_id == p.tenant, _running_condition())
        .offset(0)
        .subquery("own")
    )
    c = casussen.c
    branches = [
        (scope.tenant_wide, sa.true()),
        (scope.participation, c.participates),
        (scope.regie, c.regie),
        (scope.coordinator, c.coordinator == "subject"),
    ]
    return sa.select(
        c.tenant_id,
        c.id,
        *_facts_columns(c),
        c.tenant_id,
        c.kind,
        c.state,
        c.participates,
        c.regie,
        c.coordinator,
        c.shared,
        c.granted,
        c.created_at.label("sort_at"),
    ).where(sa.or_(*(sa.and_(c.kind.in_(sorted(kinds)), b) for kinds, b in branches if kinds)))


@lru_cache(maxsize=256)
def _running_statement(scope: ListScope) -> sa.Select[Any]:
    """The running casussen the caller could see, with the facts the timers need and their
    decision group: one statement per list scope (parameters: :func:`_running_params`).

    The casussen of the caller's tenant and those shared with it are read by one ``SELECT``
    each (:func:`visible_casus_parts`), joined by ``UNION ALL``: in one ``OR`` the shared
    part made PostgreSQL read the state index of all tenants (200 ms for the PGA-expert,
    issue 14); apart, the own part reads the tenant's running casussen from its indexes and
    the shared part starts from the tenant's shares."""
    ws = cast(Workspace, _Parametric(scope))
    columns = (Casus.tenant_id, Casus.id, *_facts_columns(), *_shared_keys(ws))
    own, shared = visible_casus_parts(ws)
    parts = [] if own is None else [_own_part(ws)]
    if shared is not None:
        parts.append(
            sa.select(*columns, Casus.created_at.label("sort_at")).where(
                shared, _running_condition()
            )
        )
    if not parts:
        return sa.select(*columns).where(sa.false())
    if len(parts) == 1:
        only = parts[0].subquery("running")
        *selected, sort_at = only.c
        return sa.select(*selected).order_by(sort_at, only.c.id)
    union = sa.union_all(*parts).subquery("running")
    *selected, sort_at = union.c
    return sa.select(*selected).order_by(sort_at, union.c.id)


def _running_params(ws: Workspace) -> dict[str, Any]:
    p = ws.principal
    return {
        "me_tenant": p.tenant,
        "me_organisation": p.organisation,
        "me_user": p.user_id,
        GROUP_NOW: ws.enforcer.now,
    }


def _running(ws: Workspace) -> list[_Running]:
    # Planned for the caller's values every time: a generic plan of this statement (shared by
    # every caller of the list scope) read every casus of the tenant, 1-9 s (issue 14).
    with custom_plan(ws):
        rows = ws.session.execute(_running_statement(ws.list_scope), _running_params(ws)).all()
    active = lifecycle.is_active
    return [
        _Running._make((*row[:9], tuple(row[9:]), str(row[1])))
        for row in rows
        if active(row[3], row[4])
    ]


#: Of the current plan version of each casus, one row per open action of the caller (their
#: own, or their organisation's without an owner user) and per open toezegging, with its place
#: in the plan (``n``): the dates, owners and status only, no description, no text. Read from
#: ``plan_version_facts`` (migration 0067: the open actions and toezeggingen of every plan
#: version, written by a trigger from its content), not from the content itself: unpacking
#: the ``jsonb`` of every current plan per request cost ~10 ms of backend CPU for 340 running
#: casussen, this ~4 ms (issue 14, ``werk``). The rows are those of the old lateral query over
#: the content (``test_plan_version_facts.py``). Read with the overleg facts: :data:`_FACTS`.
_PLAN_FACTS_SQL: Final = """
    SELECT pf.tenant_id, pf.casus_id, pf.what, pf.n, pf.subject, pf.owner_user, pf.owner_org,
        pf.status, pf.first_date, pf.second_date
    FROM plan_version_facts pf
    WHERE pf.tenant_id = ANY(:tenants) AND pf.casus_id = ANY(CAST(:ids AS uuid[]))
        AND (pf.what = 'toezegging' OR pf.owner_user = :user
            OR (pf.owner_user IS NULL AND pf.owner_org = :org))
        AND pf.version = (
            SELECT max(v.version) FROM plan_versions v
            WHERE v.tenant_id = pf.tenant_id AND v.casus_id = pf.casus_id
        )
    """
#: Of the actions from casusoverleg minutes: owner, deadline and status, in verslag order
#: (read with the plan facts: :data:`_FACTS`).
_MEETING_FACTS_SQL: Final = """
    SELECT ai.tenant_id, ai.casus_id, ai.meeting_id,
        COALESCE((
            SELECT jsonb_agg(jsonb_build_object(
                'eigenaar_gebruiker', a->'eigenaar_gebruiker',
                'eigenaar_organisatie', a->'eigenaar_organisatie',
                'deadline', a->'deadline', 'status', COALESCE(a->'status', '"open"'::jsonb))
                ORDER BY n)
            FROM jsonb_array_elements(COALESCE(ai.actions->'acties', '[]'::jsonb))
                WITH ORDINALITY AS x(a, n)
        ), '[]'::jsonb) AS acties
    FROM meeting_agenda ai
    WHERE ai.tenant_id = :tenant AND ai.casus_id = ANY(CAST(:ids AS uuid[]))
    """


#: The plan facts and the casusoverleg facts in one statement (one round trip per request
#: instead of two; issue 14, ``werk3``): ``src`` 0 for a plan fact, 1 for the actions of a
#: casusoverleg's minutes; each part's rows as its own statement gives them (the plan facts'
#: columns, then the meeting's).
#: A textual SELECT (its columns named), not a bare ``text()``: the page's write check takes a
#: bare text for a write, and a transaction that wrote reads the tenant's manifest and
#: organisations again instead of from the app's cache (services.casework.page_reads).
_FACTS: Final = sa.text(
    f"""
    SELECT pf.tenant_id, pf.casus_id, pf.what, pf.n, pf.subject, pf.owner_user,
        pf.owner_org, pf.status, pf.first_date, pf.second_date,
        CAST(NULL AS uuid) AS meeting_id, CAST(NULL AS jsonb) AS acties, 0 AS src
    FROM ({_PLAN_FACTS_SQL}) AS pf
    UNION ALL
    SELECT m.tenant_id, m.casus_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        m.meeting_id, m.acties, 1
    FROM ({_MEETING_FACTS_SQL}) AS m
    """
).columns(
    *map(
        sa.column,
        (
            *("tenant_id", "casus_id", "what", "n", "subject", "owner_user", "owner_org"),
            *("status", "first_date", "second_date", "meeting_id", "acties", "src"),
        ),
    )
)


def _uuid_array(ids: Iterable[uuid.UUID]) -> str:
    """``ids`` as a PostgreSQL array literal, for ``CAST(:ids AS uuid[])``."""
    return "{" + ",".join(map(str, ids)) + "}"


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


@lru_cache(maxsize=8192)
def _casus_dates(
    kind: str,
    state: str,
    first_plan: dt.datetime | None,
    plan_date: dt.date | None,
    last_review: dt.date | None,
    last_melding_on: dt.date | None,
    commitments: tuple[tuple[str, str, dt.date, dt.date | None], ...],
    review: Review,
    limit: dt.date | None,
) -> tuple[DueDate, ...]:
    """The timers' due dates of one casus: those of :func:`due_dates` (the rules of
    :func:`due_items`, without the labels, which only the items shown need), within the
    horizon ``limit``, in :func:`due_items`'s order.

    A pure function of its arguments (the casus's facts, its open toezeggingen with their
    dates already defaulted, the tenant's review settings, the horizon), remembered: the
    werkvoorraad and the overzicht compute the same dates for the same running casussen on
    every request, ~20 us each of calendar arithmetic (issue 14, ``werk``). Anything that
    changes a date is in the key; today is not an input (a toezegging without a date was
    given today's date by the caller, and whether an item is overdue is decided after)."""
    plan_created_on = local_date(first_plan) if first_plan else plan_date
    dates = due_dates(
        kind, state, plan_created_on, last_review, last_melding_on, commitments, review
    )
    if limit is not None:
        dates = [d for d in dates if d[1] <= limit]
    if len(dates) > 1:
        dates.sort(key=lambda d: (d[1], d[0], d[2] or ""))
    return tuple(dates)


def _timer_dues(
    casus: _Running,
    commitments: list[Any],
    today: dt.date,
    review: Review,
    limit: dt.date | None,
) -> list[Due]:
    """The timers' due items of ``casus`` (:func:`_casus_dates`), within the horizon
    ``limit``."""
    dates = _casus_dates(
        casus.kind,
        casus.state,
        casus.first_plan,
        casus.plan_date,
        casus.last_review,
        casus.last_melding_on,
        tuple(
            (f"toezegging-{c.n}", str(c.status), _date(c.first_date) or today, _date(c.second_date))
            for c in commitments
        )
        if commitments
        else (),
        review,
        limit,
    )
    tenant_id, casus_id, name, reference, group = (
        casus.tenant_id,
        casus.id,
        casus.name,
        casus.reference,
        casus.group,
    )
    return [
        Due(tenant_id, casus_id, name, reference, kind, subject, on, on < today, True, group)
        for kind, on, subject in dates
    ]


def _mine(ws: Workspace, owner_user: Any, owner_organisation: Any) -> bool:
    p = ws.principal
    return bool(
        owner_user == p.user_id or (not owner_user and owner_organisation == p.organisation)
    )


def _action_dues(
    casus: _Running,
    actions: list[Any],
    user_id: str,
    organisation: str,
    today: dt.date,
    horizon: dt.date | None,
) -> list[Due]:
    dues = []
    for action in actions:
        if action.owner_user is not None:
            mine = action.owner_user == user_id
        else:
            mine = action.owner_org == organisation
        deadline = _date(action.first_date)
        if not mine or action.status not in OPEN_ACTION_STATUSES or deadline is None:
            continue
        if horizon is not None and deadline > horizon:
            continue
        dues.append(
            Due(
                casus.tenant_id,
                casus.id,
                casus.name,
                casus.reference,
                PLAN_ACTION,
                str(action.subject),
                deadline,
                deadline < today,
                group=casus.group,
            )
        )
    return dues


def _meeting_dues(
    ws: Workspace,
    casus: _Running,
    meeting_id: uuid.UUID,
    acties: list[dict[str, Any]],
    horizon: dt.date | None,
) -> list[Due]:
    dues = []
    for index, action in enumerate(acties):
        mine = _mine(ws, action.get("eigenaar_gebruiker"), action.get("eigenaar_organisatie"))
        if not mine or action.get("status") != "open":
            continue
        due_on = _date(action.get("deadline"))
        if due_on is None or (horizon is not None and due_on > horizon):
            continue
        dues.append(
            Due(
                casus.tenant_id,
                casus.id,
                casus.name,
                casus.reference,
                MEETING_ACTION,
                f"{meeting_id}-{index + 1}",
                due_on,
                due_on < ws.today,
                group=casus.group,
            )
        )
    return dues


def _urgent_dues(ws: Workspace) -> list[Due]:
    rows = ws.session.execute(
        sa.select(UrgentAccess.id, UrgentAccess.granted_at, Casus.tenant_id, Casus.id)
        .add_columns(Casus.reference)
        .join(
            Casus,
            sa.and_(Casus.tenant_id == UrgentAccess.tenant_id, Casus.id == UrgentAccess.casus_id),
        )
        .where(
            UrgentAccess.tenant_id == ws.principal.tenant,
            UrgentAccess.reviewed_at.is_(None),
        )
        .order_by(UrgentAccess.granted_at)
    ).all()
    dues = []
    for grant_id, granted_at, tenant_id, casus_id, reference in rows:
        due_on = local_date(granted_at) + dt.timedelta(days=DOORBREEKGLAS_REVIEW_DAYS)
        dues.append(
            Due(
                tenant_id,
                casus_id,
                str(casus_id),
                reference,
                URGENT_REVIEW,
                str(grant_id),
                due_on,
                due_on < ws.today,
                needs_full_view=False,
            )
        )
    return dues


def _place(row: Any) -> Any:
    """A plan fact's place in its plan (``n``)."""
    return row.n


def due(ws: Workspace, horizon_days: int | None, *, reviewer: bool) -> Found:
    """Every due item of the caller's running casussen (and, for a ``reviewer``, the
    doorbreekglas reviews), undecided: what the policy would let the caller see is decided
    by the caller (:mod:`.service`)."""
    running = _running(ws)
    by_id = {c.id: c for c in running}
    dues: list[Due] = []
    if running:
        tenants = sorted({c.tenant_id for c in running})
        # The ids as one array literal, made once for both statements: psycopg dumps a list
        # of UUIDs element by element (~3 ms for 340 ids, per statement; issue 14, ``werk``).
        ids = _uuid_array(c.id for c in running)
        facts = {
            "tenants": tenants,
            "ids": ids,
            "user": ws.principal.user_id,
            "org": ws.principal.organisation,
            "tenant": ws.principal.tenant,
        }
        # Per casus its toezeggingen and its actions, each in plan order (``n``); and the
        # casusoverleg minutes (one statement for both, :data:`_FACTS`).
        plans: dict[tuple[str, uuid.UUID], tuple[list[Any], list[Any]]] = {}
        meetings: list[Any] = []
        for row in ws.session.execute(_FACTS, facts):
            if row.src:
                meetings.append(row)
                continue
            both = plans.get((row.tenant_id, row.casus_id))
            if both is None:
                both = plans[(row.tenant_id, row.casus_id)] = ([], [])
            both[0 if row.what == "toezegging" else 1].append(row)
        horizon = ws.today + dt.timedelta(days=horizon_days) if horizon_days is not None else None
        today, review = ws.today, ws.manifest.review
        user_id, organisation = ws.principal.user_id, ws.principal.organisation
        nothing: tuple[list[Any], list[Any]] = ([], [])
        for casus in running:
            commitments, actions = plans.get((casus.tenant_id, casus.id), nothing)
            if len(commitments) > 1:
                commitments.sort(key=_place)
            dues += _timer_dues(casus, commitments, today, review, horizon)
            if actions:
                if len(actions) > 1:
                    actions.sort(key=_place)
                dues += _action_dues(casus, actions, user_id, organisation, today, horizon)
        for row in meetings:
            dues += _meeting_dues(ws, by_id[row.casus_id], row.meeting_id, row.acties, horizon)
    if reviewer:
        dues += _urgent_dues(ws)
    return Found(dues, by_id)
