"""Which casussen a reader sees: the SQL pre-filter of need-to-know (one condition per
relation that opens a casus, taken from the policy's list scope) and the casussen list,
checked page-wise by the policy. Search and filters build on this
(:mod:`services.casework.casussen.zoeken`), as do the werkvoorraad and the overleg agenda.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from services.casework.casussen.weergave import SUMMARY_OPTIONS, summary_view
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.subjects import persons_with_restriction
from services.casework.workspace import REGIE_ROLES, ListScope, Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import (
    Casus,
    CasusParticipant,
    CasusRole,
    CasusShare,
    UrgentAccess,
)


def visible_casus_ids_query(ws: Workspace) -> sa.Select[Any]:
    """The ids of :func:`visible_casus_condition` (for ``IN`` from other tables)."""
    return sa.select(Casus.id).where(visible_casus_condition(ws))


def visible_casus_condition(ws: Workspace) -> sa.ColumnElement[bool]:
    """The SQL pre-filter of need-to-know as one condition (see visible_casus_branches)."""
    branches = visible_casus_branches(ws)
    return sa.or_(*branches) if branches else sa.false()


def visible_casus_branches(ws: Workspace) -> list[sa.ColumnElement[bool]]:
    """The SQL pre-filter of need-to-know: what the policy could allow this subject to list,
    one condition per relation that counts (a casus may meet several).

    Which relations count (tenant-wide, participation of the organisation, a regie role,
    uitvoeringscoördinator, a casus shared with the tenant) comes from the policy itself
    (:attr:`Workspace.list_scope`); the policy then checks the page.
    """
    p = ws.principal
    return _branches(ws.list_scope, p.tenant, p.organisation, p.user_id)


def _branches(
    scope: ListScope,
    tenant: str | sa.BindParameter[str],
    organisation: str | sa.BindParameter[str],
    user_id: str | sa.BindParameter[str],
) -> list[sa.ColumnElement[bool]]:
    """:func:`visible_casus_branches` for a subject given by values, or by bound parameters
    (a statement made once and executed for every subject of ``scope``: :func:`_page_query`)."""

    def of_kind(kinds: frozenset[str], condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        if not kinds:
            return sa.false()
        return sa.and_(Casus.kind.in_(sorted(kinds)), condition)

    own_tenant = Casus.tenant_id == tenant
    participates = sa.exists().where(
        CasusParticipant.tenant_id == Casus.tenant_id,
        CasusParticipant.casus_id == Casus.id,
        CasusParticipant.organisation_id == organisation,
        CasusParticipant.active,
    )

    def holds(*roles: str) -> sa.ColumnElement[bool]:
        return sa.exists().where(
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.casus_id == Casus.id,
            CasusRole.user_id == user_id,
            CasusRole.role.in_(roles),
            CasusRole.ended_at.is_(None),
        )

    shared = sa.exists().where(
        CasusShare.tenant_id == Casus.tenant_id,
        CasusShare.casus_id == Casus.id,
        CasusShare.shared_with_tenant == tenant,
    )
    branches = [
        (scope.tenant_wide, own_tenant),
        (scope.participation, sa.and_(own_tenant, participates)),
        (scope.regie, sa.and_(own_tenant, holds(*REGIE_ROLES))),
        (scope.coordinator, sa.and_(own_tenant, holds("uitvoeringscoordinator"))),
        (scope.shared, sa.and_(Casus.tenant_id != tenant, shared)),
    ]
    return [of_kind(kinds, condition) for kinds, condition in branches if kinds]


#: The page statements of :func:`list_casussen`, made once per list scope and filter shape
#: (issue 14: making the statement and its cache key cost about a millisecond per request).
#: Few: the scope follows the subject's roles. Plain dict; two threads that make the same
#: statement at once both make an equal one.
_PAGE_QUERIES: dict[tuple[ListScope, bool, bool, bool], sa.Select[Casus] | None] = {}
_PAGE_QUERIES_MAX = 256


def _page_query(scope: ListScope, fase: bool, soort: bool, cursor: bool) -> sa.Select[Casus] | None:
    """:func:`_make_page_query` for the subjects of ``scope``, who are bound parameters
    (``vis_tenant``, ``vis_organisation``, ``vis_user``), made once (``_PAGE_QUERIES``)."""
    key = (scope, fase, soort, cursor)
    if key in _PAGE_QUERIES:
        return _PAGE_QUERIES[key]
    branches = _branches(
        scope,
        sa.bindparam("vis_tenant", type_=Casus.tenant_id.type),
        sa.bindparam("vis_organisation", type_=CasusParticipant.organisation_id.type),
        sa.bindparam("vis_user", type_=CasusRole.user_id.type),
    )
    query = _make_page_query(branches, fase, soort, cursor)
    if len(_PAGE_QUERIES) >= _PAGE_QUERIES_MAX:
        _PAGE_QUERIES.clear()
    _PAGE_QUERIES[key] = query
    return query


def _make_page_query(
    branches: list[sa.ColumnElement[bool]], fase: bool, soort: bool, cursor: bool
) -> sa.Select[Casus] | None:
    """The statement of a page of :func:`list_casussen` (None: no relation opens a casus),
    with the page size and the filters used as bound parameters: ``page_size`` (a page and
    one more), ``fase``, ``soort``, ``cursor_at`` and ``cursor_id``.

    One page per relation that opens casussen (participation, regie, ...), each taken in
    (created_at, id) order from ix_casussen_tenant_created so PostgreSQL stops after a page,
    then merged: an OR of the relations made it materialise every visible casus and sort
    them (seconds with 100,000 casussen in the tenant; issue 14)."""
    if not branches:
        return None
    filters: list[sa.ColumnElement[bool]] = []
    if fase:
        filters.append(Casus.state == sa.bindparam("fase", type_=Casus.state.type))
    if soort:
        filters.append(Casus.kind == sa.bindparam("soort", type_=Casus.kind.type))
    if cursor:
        filters.append(
            sa.tuple_(Casus.created_at, Casus.id)
            < sa.tuple_(
                sa.bindparam("cursor_at", type_=Casus.created_at.type),
                sa.bindparam("cursor_id", type_=Casus.id.type),
            )
        )
    order = (Casus.created_at.desc(), Casus.id.desc())
    size = sa.bindparam("page_size", type_=sa.Integer)
    pages = [
        sa.select(Casus.tenant_id, Casus.id).where(branch, *filters).order_by(*order).limit(size)
        for branch in branches
    ]
    page = (pages[0] if len(pages) == 1 else sa.union(*pages)).subquery()
    return (
        sa.select(Casus)
        .options(*SUMMARY_OPTIONS)
        .join(page, sa.and_(Casus.tenant_id == page.c.tenant_id, Casus.id == page.c.id))
        .order_by(*order)
        .limit(size)
    )


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def list_casussen(
    ws: Workspace,
    *,
    fase: str | None = None,
    soort: str | None = None,
    purpose: str | None = None,
    limit: int = 25,
    cursor: str | None = None,
) -> Page:
    """Cursor pagination over the pre-filtered casussen (:func:`_make_page_query`), checked
    page-wise by the policy."""
    params: dict[str, Any] = {"page_size": limit + 1}
    if fase:
        params["fase"] = fase
    if soort:
        params["soort"] = soort
    if cursor:
        try:
            at_raw, id_raw = cursor.split("_", 1)
            params["cursor_at"] = dt.datetime.fromisoformat(at_raw)
            params["cursor_id"] = uuid.UUID(id_raw)
        except ValueError:
            raise DomainValidationError([FieldProblem("cursor", "Ongeldige cursor.")]) from None
    query = _page_query(ws.list_scope, bool(fase), bool(soort), bool(cursor))
    if query is None:
        return Page([], None)
    p = ws.principal
    params |= {"vis_tenant": p.tenant, "vis_organisation": p.organisation, "vis_user": p.user_id}
    rows = list(ws.session.scalars(query, params))
    more = len(rows) > limit
    rows = rows[:limit]
    ctx = ws.context(purpose or "casusoverleg")
    decisions = ws.enforcer.decide_page(
        "list",
        ws.resources(rows),
        ctx,
        [Target("casus", str(c.id), c.id) for c in rows],
    )
    # The page's persons and their restrictions in one query, held here: the session's
    # identity map keeps objects only weakly, so a discarded result would be garbage and
    # every row queried again.
    persons, restricted = persons_with_restriction(
        ws,
        [
            (c.tenant_id, c.subject_person_id)
            for c, d in zip(rows, decisions, strict=True)
            if d.allow and c.subject_person_id is not None
        ],
    )
    items = [
        summary_view(ws, c, d, persons, restricted)
        for c, d in zip(rows, decisions, strict=True)
        if d.allow
    ]
    next_cursor = f"{rows[-1].created_at.isoformat()}_{rows[-1].id}" if more and rows else None
    return Page(items, next_cursor)


def count_group_keys(
    ws: Workspace,
) -> tuple[sa.ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """Per casus, in SQL, everything its ``list`` decision depends on for this caller (the
    decision projection, services/platform/policy/projection.py, of the resource that
    :meth:`Workspace.resources` builds): tenant, kind, state (phase, group step), and the
    caller's relation to it: participation of their organisation, their regie, the
    uitvoeringscoördinator (absent / them / another), shared with their tenant, and a
    doorbreekglas grant of their own (whose reason and expiry are in the decision's input:
    such a casus is a group of its own). Casussen with equal keys get the same decision;
    ``tests/integration/test_home_counts.py`` checks that against the projection."""
    p = ws.principal
    own_tenant = Casus.tenant_id == p.tenant

    def role_exists(*roles: str, me: bool) -> sa.ColumnElement[bool]:
        conditions = [
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.casus_id == Casus.id,
            CasusRole.role.in_(roles),
            CasusRole.ended_at.is_(None),
        ]
        if me:
            conditions.append(CasusRole.user_id == p.user_id)
        return sa.exists().where(*conditions)

    participates = sa.and_(
        own_tenant,
        sa.exists().where(
            CasusParticipant.tenant_id == Casus.tenant_id,
            CasusParticipant.casus_id == Casus.id,
            CasusParticipant.organisation_id == p.organisation,
            CasusParticipant.active,
        ),
    )
    regie = sa.and_(own_tenant, role_exists(*REGIE_ROLES, me=True))
    coordinator = sa.case(
        (sa.and_(own_tenant, role_exists("uitvoeringscoordinator", me=True)), "subject"),
        (role_exists("uitvoeringscoordinator", me=False), "other"),
        else_="absent",
    )
    shared = sa.exists().where(
        CasusShare.tenant_id == Casus.tenant_id,
        CasusShare.casus_id == Casus.id,
        CasusShare.shared_with_tenant == p.tenant,
    )
    granted = sa.case(
        (
            sa.exists().where(
                UrgentAccess.tenant_id == Casus.tenant_id,
                UrgentAccess.casus_id == Casus.id,
                UrgentAccess.user_id == p.user_id,
                UrgentAccess.expires_at > ws.enforcer.now,
            ),
            Casus.id,
        ),
        else_=None,
    )
    return (
        Casus.tenant_id,
        Casus.kind,
        Casus.state,
        participates.label("participates"),
        regie.label("regie"),
        coordinator.label("coordinator"),
        shared.label("shared"),
        granted.label("granted"),
    )


def count_casussen(
    ws: Workspace, *, purpose: str | None = None, cap: int = 500
) -> tuple[int, bool]:
    """How many casussen the caller may list (the policy's ``list`` decision), up to ``cap``:
    ``(count, more)``, in the order of :func:`list_casussen` (ADR 0026).

    One grouped query over the first ``cap + 1`` pre-filtered casussen gives, per group of
    casussen with the same decision projection (:func:`count_group_keys`), a representative
    and the group's size. Each representative's policy resource is built from its rows as
    for a page and decided by the engine; the groups it allows are counted. Nothing of a
    person is read or shown, so the count is audited in one aggregate row
    (:meth:`Enforcer.decide_count`)."""
    branches = visible_casus_branches(ws)
    if not branches:
        return 0, False
    order = (Casus.created_at.desc(), Casus.id.desc())
    keys = count_group_keys(ws)
    total = 0
    cursor: tuple[dt.datetime, uuid.UUID] | None = None
    while True:
        filters: list[sa.ColumnElement[bool]] = []
        if cursor is not None:
            filters.append(sa.tuple_(Casus.created_at, Casus.id) < sa.tuple_(*cursor))
        pages = [
            sa.select(Casus.tenant_id, Casus.id, Casus.created_at)
            .where(branch, *filters)
            .order_by(*order)
            .limit(cap + 1)
            for branch in branches
        ]
        union = (pages[0] if len(pages) == 1 else sa.union(*pages)).subquery()
        chunk = (
            sa.select(union)
            .order_by(union.c.created_at.desc(), union.c.id.desc())
            .limit(cap + 1)
            .subquery()
        )
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
        groups = ws.session.execute(grouped).all()
        scanned = sum(int(g.n) for g in groups)
        if groups:
            reps = {(g.tenant_id, uuid.UUID(g.representative)): int(g.n) for g in groups}
            rows = list(
                ws.session.scalars(
                    sa.select(Casus).where(sa.tuple_(Casus.tenant_id, Casus.id).in_(list(reps)))
                )
            )
            decisions = ws.enforcer.decide_count(
                "list",
                ws.resources(rows),
                [reps[(c.tenant_id, c.id)] for c in rows],
                ws.context(purpose or "casusoverleg"),
                "casus-aantal",
            )
            total += sum(
                reps[(c.tenant_id, c.id)] for c, d in zip(rows, decisions, strict=True) if d.allow
            )
        if total > cap:
            return cap, True
        if scanned <= cap:
            return total, False
        # Some of the chunk was refused: count on from its last row.
        last = ws.session.execute(
            sa.select(chunk.c.created_at, chunk.c.id)
            .order_by(chunk.c.created_at.asc(), chunk.c.id.asc())
            .limit(1)
        ).one()
        cursor = (last.created_at, last.id)
