"""Which casussen a reader sees: the SQL pre-filter of need-to-know (one condition per
relation that opens a casus, taken from the policy's list scope) and the casussen list,
checked page-wise by the policy. Search and filters build on this
(:mod:`services.casework.casussen.zoeken`), as do the werkvoorraad and the overleg agenda.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
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

#: A text array parameter.
_TEXTS = postgresql.ARRAY(sa.String)


def visible_casus_ids_query(ws: Workspace) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """The ids of :func:`visible_casus_condition` (for ``IN`` from other tables), read as
    :func:`visible_casus_select` does."""
    return visible_casus_select(ws, Casus.id)


def visible_casus_select(
    ws: Workspace, *columns: Any, where: tuple[sa.ColumnElement[bool], ...] = ()
) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """``columns`` of the casussen that meet :func:`visible_casus_condition` and ``where``:
    one ``SELECT`` per part of :func:`visible_casus_parts` (the own tenant's casussen, those
    shared with it), joined by ``UNION ALL`` (each casus once: the parts are disjoint).

    As one ``OR`` the shared branch made PostgreSQL read the casussen of every tenant for a
    caller who sees the whole tenant (the PGA-expert) or some of it: the tenant's indexes
    serve the own part, the shares by reader (ix_casus_shares_reader) the shared part
    (issue 14; ADR 0028, ``shares`` amendment)."""
    parts = [
        sa.select(*columns).where(part, *where)
        for part in visible_casus_parts(ws)
        if part is not None
    ]
    if not parts:
        return sa.select(*columns).where(sa.false())
    return parts[0] if len(parts) == 1 else sa.union_all(*parts)


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


#: The relation of :func:`visible_casus_relations` that opens casussen of other tenants
#: (shared with the caller's): none of the tenant's indexes serves it, it is read from the
#: shares by reader.
SHARED: Final = "shared"


def visible_casus_relations(ws: Workspace) -> list[tuple[str, sa.ColumnElement[bool]]]:
    """:func:`visible_casus_branches`, each with the name of its relation (:data:`SHARED`,
    ``tenant_wide``, ``participation``, ``regie``, ``coordinator``)."""
    p = ws.principal
    return named_branches(ws.list_scope, p.tenant, p.organisation, p.user_id)


def visible_casus_parts(
    ws: Workspace,
) -> tuple[sa.ColumnElement[bool] | None, sa.ColumnElement[bool] | None]:
    """:func:`visible_casus_condition` in two disjoint parts, ``(own, shared)``: the casussen
    of the caller's own tenant (the condition says ``tenant_id = own`` at the top, so
    PostgreSQL reads them from the tenant's indexes) and those another tenant shared with
    theirs (``tenant_id <> own``, driven by the shares). None: the part opens nothing.

    Their union is the condition; a casus meets at most one of them, so ``UNION ALL`` of
    a statement per part gives the rows of the condition, each once. In one ``OR`` the shared
    branch made PostgreSQL scan the state index of every tenant (issue 14)."""
    p = ws.principal
    named = visible_casus_relations(ws)
    own = [condition for relation, condition in named if relation != SHARED]
    shared = [condition for relation, condition in named if relation == SHARED]
    return (
        sa.and_(Casus.tenant_id == p.tenant, sa.or_(*own)) if own else None,
        shared[0] if shared else None,
    )


def _branches(
    scope: ListScope,
    tenant: str | sa.BindParameter[str],
    organisation: str | sa.BindParameter[str],
    user_id: str | sa.BindParameter[str],
) -> list[sa.ColumnElement[bool]]:
    """:func:`visible_casus_branches` for a subject given by values, or by bound parameters
    (a statement made once and executed for every subject of ``scope``: :func:`_page_query`)."""
    return [condition for _, condition in named_branches(scope, tenant, organisation, user_id)]


def bound_named_branches(scope: ListScope) -> list[tuple[str, sa.ColumnElement[bool]]]:
    """:func:`named_branches` for any subject of ``scope``: the subject's tenant,
    organisation and user are the bound parameters ``vis_tenant``, ``vis_organisation`` and
    ``vis_user``, so a statement made of them is made once per scope (:func:`_page_query`,
    ``zoeken._find_query``)."""
    return named_branches(
        scope,
        sa.bindparam("vis_tenant", type_=Casus.tenant_id.type),
        sa.bindparam("vis_organisation", type_=CasusParticipant.organisation_id.type),
        sa.bindparam("vis_user", type_=CasusRole.user_id.type),
    )


def named_branches(
    scope: ListScope,
    tenant: str | sa.BindParameter[str],
    organisation: str | sa.BindParameter[str],
    user_id: str | sa.BindParameter[str],
) -> list[tuple[str, sa.ColumnElement[bool]]]:
    """:func:`_branches`, each with the name of its relation (as :func:`count_groups`)."""

    def of_kind(kinds: frozenset[str], condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        if not kinds:
            return sa.false()
        return sa.and_(Casus.kind.in_(sorted(kinds)), condition)

    own_tenant = Casus.tenant_id == tenant
    # The relation's tenant is also given as the caller's own (equal, as each branch below
    # says ``own_tenant``): in a hashed subplan PostgreSQL then reads the caller's rows from
    # the index by its whole prefix, not every tenant's rows of the user (issue 14).
    participates = sa.exists().where(
        CasusParticipant.tenant_id == Casus.tenant_id,
        CasusParticipant.tenant_id == tenant,
        CasusParticipant.casus_id == Casus.id,
        CasusParticipant.organisation_id == organisation,
        CasusParticipant.active,
    )

    def holds(*roles: str) -> sa.ColumnElement[bool]:
        return sa.exists().where(
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.tenant_id == tenant,
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
        ("tenant_wide", scope.tenant_wide, own_tenant),
        ("participation", scope.participation, sa.and_(own_tenant, participates)),
        ("regie", scope.regie, sa.and_(own_tenant, holds(*REGIE_ROLES))),
        ("coordinator", scope.coordinator, sa.and_(own_tenant, holds("uitvoeringscoordinator"))),
        (SHARED, scope.shared, sa.and_(Casus.tenant_id != tenant, shared)),
    ]
    return [
        (relation, of_kind(kinds, condition)) for relation, kinds, condition in branches if kinds
    ]


@functools.lru_cache(maxsize=256)
def _page_query(scope: ListScope, fase: bool, soort: bool, cursor: bool) -> sa.Select[Casus] | None:
    """:func:`_make_page_query` for the subjects of ``scope``, who are bound parameters
    (``vis_tenant``, ``vis_organisation``, ``vis_user``), made once per list scope and filter
    shape (issue 14: making the statement and its cache key cost about a millisecond per
    request). Few: the scope follows the subject's roles."""
    branches = [condition for _, condition in bound_named_branches(scope)]
    return _make_page_query(branches, fase, soort, cursor)


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
    # Never prepared (:func:`custom_plan`): planned for its reader each time. Prepared, a
    # connection's statement may switch to PostgreSQL's generic plan for every later reader,
    # which walks all of a tenant's casussen for one without regie roles (445-533 ms instead
    # of 4; ADR 0028 ``pglist``, ADR 0024 amendment 5). Planning it anyway costs ~0.9 ms of
    # backend CPU on top: it was planned anew each time already, only the parse is extra.
    with custom_plan(ws):
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


def probed_exists(*conditions: sa.ColumnExpressionArgument[bool]) -> sa.Exists:
    """``EXISTS (SELECT 1 .. WHERE conditions OFFSET 0)``: a correlated test that PostgreSQL
    runs as a probe per outer row, never as a hashed subplan.

    For a correlated ``EXISTS`` in a select list PostgreSQL plans two alternatives, a probe
    per row and a hash of the subquery's whole uncorrelated part, and picks one by the
    estimated number of calls. For the caller's organisation's participations that part is
    every participation of the organisation in the tenant, closed casussen included, and it
    grows with the years: on a fresh ``ANALYZE`` of the benchmark database the werkvoorraad's
    running statement hashed all 50,000 of dennis-koster's organisation (each row through
    the row-level-security filter) for 516 running casussen, 35 ms per request where the
    probes take ~4 (issue 14, session 26; earlier loads of the same data got the probes).
    PostgreSQL does not turn an ``EXISTS`` whose subquery has an ``OFFSET`` into a hash
    (``simplify_EXISTS_query``), so the cost is the probes' whatever the statistics say:
    proportional to the rows the statement reads anyway. The same rows: ``OFFSET 0`` skips
    nothing."""
    return sa.exists(
        sa.select(sa.literal_column("1")).where(*conditions).offset(sa.literal_column("0"))
    )


#: The decision time in :func:`count_group_keys` (a grant counts until it expires), a named
#: parameter: a statement built once may be run again with ``{GROUP_NOW: now}``.
GROUP_NOW: Final = "group_now"


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
        if me:  # only under ``own_tenant``: the caller's tenant given for the index prefix
            conditions += [CasusRole.user_id == p.user_id, CasusRole.tenant_id == p.tenant]
        return sa.exists().where(*conditions)

    participates = sa.and_(
        own_tenant,
        sa.exists().where(
            CasusParticipant.tenant_id == Casus.tenant_id,
            CasusParticipant.tenant_id == p.tenant,
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
                UrgentAccess.expires_at
                > sa.bindparam(GROUP_NOW, ws.enforcer.now, type_=sa.DateTime(timezone=True)),
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


def _count_branch(relation: str) -> str:
    """The condition of one relation that opens a casus (as :func:`visible_casus_branches`),
    on ``c``; its kinds are the parameter ``kinds_<relation>``."""
    kinds = f"c.kind = ANY(:kinds_{relation})"
    condition = {
        "tenant_wide": "c.tenant_id = :tenant",
        "participation": (
            "c.tenant_id = :tenant AND EXISTS (SELECT 1 FROM casus_participants p"
            " WHERE p.tenant_id = c.tenant_id AND p.casus_id = c.id"
            " AND p.organisation_id = :org AND p.active)"
        ),
        "regie": (
            "c.tenant_id = :tenant AND EXISTS (SELECT 1 FROM casus_roles r"
            " WHERE r.tenant_id = c.tenant_id AND r.casus_id = c.id AND r.user_id = :user"
            " AND r.role = ANY(:regie_roles) AND r.ended_at IS NULL)"
        ),
        "coordinator": (
            "c.tenant_id = :tenant AND EXISTS (SELECT 1 FROM casus_roles r"
            " WHERE r.tenant_id = c.tenant_id AND r.casus_id = c.id AND r.user_id = :user"
            " AND r.role = 'uitvoeringscoordinator' AND r.ended_at IS NULL)"
        ),
        "shared": (
            "c.tenant_id <> :tenant AND EXISTS (SELECT 1 FROM casus_shares s"
            " WHERE s.tenant_id = c.tenant_id AND s.casus_id = c.id"
            " AND s.shared_with_tenant = :tenant)"
        ),
    }[relation]
    return f"{kinds} AND {condition}"


@functools.lru_cache(maxsize=64)
def _count_groups_sql(
    relations: tuple[str, ...], after: bool, covering: frozenset[str] = frozenset()
) -> sa.Executable:
    """The grouped query of :func:`count_casussen` for a list scope whose non-empty relations
    are ``relations`` (their kinds are the parameters ``kinds_<relation>``), continuing after
    the cursor ``:after_id`` when ``after``. ``covering``: the relations whose kinds
    include every kind of the other relations (:func:`_covering`), so of every casus of the
    chunk; their key is the page's mark alone (``known``).

    The chunk is the first ``cap`` pre-filtered casussen **in the order of their id**, not in
    the list's order: a count does not depend on which casussen come first (it adds up the
    allowed groups until it passes the cap or has seen every casus), and in id order the
    participation page is the organisation's participations in their index's order, each
    casus looked up for its kind and state in ``ix_casussen_tenant_id_kind_state``
    (migration 0068), or merged with it; in the list's order PostgreSQL had to probe the
    participations once per casus of the tenant, newest first, ~1,000 probes for 501
    casussen (3,000 buffers; issue 14, ADR 0028 amendment ``overzicht2``).

    The same groups as grouping the first ``cap`` casussen in id order by
    :func:`count_group_keys` (``tests/integration/test_home_counts.py`` compares them),
    computed more cheaply (issue 14): each relation's page carries kind and state (no join
    back to the casussen), participation, regie and coordination follow from the pages
    (``known``: probed only for a casus of a kind the relation does not count for), the
    caller's own roles, when probed, are two hashed sets instead of a probe per casus, and
    the chunk's last row comes with the groups (no second statement to go on).

    Run it with :func:`custom_plan`: the best plan depends on the caller (a relation with a
    few casussen is read from the relation, one with thousands in the list's order), and a
    prepared statement may switch to one generic plan for everyone after five executions;
    that plan read all 100,000 casussen for a caller without regie (1.5 s instead of 10 ms)."""
    cursor = " AND c.id > :after_id" if after else ""
    #: The relations whose page marks the casussen it found (``via_<flag>``).
    flags = {"participation": "p", "regie": "r", "coordinator": "c"}
    pages = "\n    UNION ALL\n".join(
        "    (SELECT c.tenant_id, c.id, c.kind, c.state, "
        + ", ".join(
            f"{'true' if relation == named else 'false'} AS via_{flag}"
            for named, flag in flags.items()
        )
        + f" FROM casussen c WHERE {_count_branch(relation)}{cursor}"
        f" ORDER BY c.id LIMIT :cap)"
        for relation in relations
    )
    mine = (
        "ch.id IN (SELECT r.casus_id FROM casus_roles r WHERE r.tenant_id = :tenant"
        " AND r.user_id = :user AND r.role = ANY({roles}) AND r.ended_at IS NULL)"
    )

    def known(relation: str, probe: str) -> str:
        """Whether the caller stands in ``relation`` to the casus: true if its page found
        the casus; false if not and the relation counts for the casus's kind (a casus of
        the chunk that met its condition is among the first ``cap`` that do, the page); else
        the ``probe``. A casusregisseur's regie roles (58,000 in the benchmark) are then not
        read into a hashed set at all (100-250 ms; issue 14)."""
        if relation not in relations:
            return probe
        flag = flags[relation]
        if relation in covering:
            # Every casus of the chunk is of a kind the relation counts for (the chunk is
            # the union of the pages, each of its relation's kinds): the CASE below is
            # ``via`` or false, never the probe. Left in, PostgreSQL planned the probe and
            # its row-level-security subplans anyway and evaluated the CASE per casus
            # (issue 14, ``overzicht``: ~1.5 ms of backend CPU per count).
            return f"ch.via_{flag}"
        return (
            f"CASE WHEN ch.via_{flag} THEN true WHEN ch.kind = ANY(:kinds_{relation}) THEN false"
            f" ELSE {probe} END"
        )

    participates = known(
        "participation",
        "ch.tenant_id = :tenant AND EXISTS (SELECT 1 FROM casus_participants p"
        " WHERE p.tenant_id = ch.tenant_id AND p.casus_id = ch.id AND p.organisation_id = :org"
        " AND p.active OFFSET 0)",
    )
    regie = known("regie", f"ch.tenant_id = :tenant AND {mine.format(roles=':regie_roles')}")
    coordinating = known(
        "coordinator",
        "ch.tenant_id = :tenant AND " + mine.format(roles="ARRAY['uitvoeringscoordinator']"),
    )
    marks = ", ".join(f"bool_or(u.via_{flag}) AS via_{flag}" for flag in flags.values())
    # Shared with the caller's tenant and a grant of the caller's own are uncorrelated
    # ``IN``s over the casus's ``(tenant_id, id)``, like ``mine``: PostgreSQL plans each
    # once, as a hashed subplan of the reader's few shares or grants. A correlated
    # ``EXISTS`` in the select list was planned twice (a probe per casus and a hashed
    # alternative) and the grant's ran as a probe for each casus of the chunk (issue 14, ADR
    # 0028 amendment ``overzicht3``). Equal: the columns the subqueries return are NOT NULL,
    # so an ``IN`` is true or false. The probes of participation and of another
    # coordinator stay ``EXISTS``: as an ``IN`` they would hash every participation of the
    # organisation (50,000 in the benchmark) or every coordinator of the tenant per count,
    # where PostgreSQL now may probe the chunk's casussen instead. The participation probe
    # has ``OFFSET 0`` so that it stays a probe (:func:`probed_exists`): a hashed
    # alternative of it read all 50,000 (issue 14, session 26).
    template = f"""
WITH chunk AS (
  SELECT u.tenant_id, u.id, u.kind, u.state,
    {marks}
  FROM (
{pages}
  ) u
  GROUP BY u.tenant_id, u.id, u.kind, u.state
  ORDER BY u.id LIMIT :cap
), keyed AS (
  SELECT ch.tenant_id, ch.id, ch.kind, ch.state,
    {participates} AS participates,
    {regie} AS regie,
    CASE WHEN {coordinating} THEN 'subject'
      WHEN EXISTS (SELECT 1 FROM casus_roles r WHERE r.tenant_id = ch.tenant_id
        AND r.casus_id = ch.id AND r.role = 'uitvoeringscoordinator' AND r.ended_at IS NULL)
        THEN 'other'
      ELSE 'absent' END AS coordinator,
    (ch.tenant_id, ch.id) IN (SELECT s.tenant_id, s.casus_id FROM casus_shares s
      WHERE s.shared_with_tenant = :tenant) AS shared,
    CASE WHEN (ch.tenant_id, ch.id) IN (SELECT g.tenant_id, g.casus_id FROM urgent_access g
      WHERE g.user_id = :user AND g.expires_at > :now)
      THEN ch.id END AS granted
  FROM chunk ch
)
SELECT count(*) AS n, min(k.id::text) AS representative, k.tenant_id, k.kind, k.state,
  k.participates, k.regie, k.coordinator, k.shared, k.granted,
  (SELECT ch.id FROM chunk ch ORDER BY ch.id DESC LIMIT 1) AS last_id,
  min(k.id::text)::uuid AS id
FROM keyed k
GROUP BY k.tenant_id, k.kind, k.state, k.participates, k.regie, k.coordinator, k.shared,
  k.granted
"""
    textual = (
        sa.text(template)
        .bindparams(
            sa.bindparam("now", type_=sa.DateTime(timezone=True)),
            sa.bindparam("regie_roles", type_=_TEXTS),
            *(sa.bindparam(f"kinds_{relation}", type_=_TEXTS) for relation in relations),
        )
        .columns(
            sa.column("n", sa.Integer),
            sa.column("representative", sa.String),
            Casus.tenant_id,
            Casus.kind,
            Casus.state,
            sa.column("participates", sa.Boolean),
            sa.column("regie", sa.Boolean),
            sa.column("coordinator", sa.String),
            sa.column("shared", sa.Boolean),
            sa.column("granted", sa.Uuid),
            sa.column("last_id", sa.Uuid),
            Casus.id,
        )
    )
    # Each group's representative as a casus (its tenant, id, kind and state: what its
    # policy resource reads of the row; any other attribute is loaded when touched), with
    # the group's columns.
    columns = textual.selected_columns
    return sa.select(
        Casus,
        columns.n,
        columns.representative,
        columns.tenant_id,
        columns.kind,
        columns.state,
        columns.participates,
        columns.regie,
        columns.coordinator,
        columns.shared,
        columns.granted,
        columns.last_id,
    ).from_statement(textual)


@dataclass(frozen=True)
class CountGroup:
    """A group of :func:`count_groups`."""

    #: The representative, read with the columns its policy resource uses.
    casus: Casus
    n: int
    #: The representative's id as text, then :func:`count_group_keys`.
    keys: tuple[Any, ...]
    #: The id of the chunk's last casus (the chunk is in id order).
    last: uuid.UUID


def count_groups(ws: Workspace, cap: int, cursor: uuid.UUID | None = None) -> list[CountGroup]:
    """Per group of casussen with the same decision projection (:func:`count_group_keys`),
    of the first ``cap`` pre-filtered casussen in the order of their id (after the id
    ``cursor``): how many, a representative (the least id as text), the group keys, and the
    chunk's last id; in one statement."""
    p = ws.principal
    scope = ws.list_scope
    kinds = (
        ("tenant_wide", scope.tenant_wide),
        ("participation", scope.participation),
        ("regie", scope.regie),
        ("coordinator", scope.coordinator),
        ("shared", scope.shared),
    )
    relations = tuple((relation, found) for relation, found in kinds if found)
    if not relations:
        return []
    params: dict[str, Any] = {
        "tenant": p.tenant,
        "org": p.organisation,
        "user": p.user_id,
        "now": ws.enforcer.now,
        "cap": cap,
        "regie_roles": list(REGIE_ROLES),
        **{f"kinds_{relation}": sorted(found) for relation, found in relations},
    }
    if cursor is not None:
        params["after_id"] = cursor
    statement = _count_groups_sql(
        tuple(r for r, _ in relations), cursor is not None, _covering(relations)
    )
    with custom_plan(ws):
        rows = ws.session.execute(statement, params).all()
    return [CountGroup(row[0], int(row[1]), tuple(row[2:11]), row[11]) for row in rows]


def _covering(relations: tuple[tuple[str, frozenset[str]], ...]) -> frozenset[str]:
    """Of ``relations`` (each with its kinds), those whose kinds include the kinds of all of
    them: every casus a page of :func:`_count_groups_sql` finds is of one of its kinds."""
    every = frozenset().union(*(kinds for _, kinds in relations))
    return frozenset(relation for relation, kinds in relations if kinds >= every)


@contextmanager
def custom_plan(ws: Workspace) -> Iterator[None]:
    """Statements sent meanwhile are not prepared (psycopg's ``prepare_threshold``): an
    unnamed statement is planned for its parameters each time, never with a generic plan."""
    driver: Any = ws.session.connection().connection.driver_connection
    before = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = before


def count_casussen(
    ws: Workspace, *, purpose: str | None = None, cap: int = 500
) -> tuple[int, bool]:
    """How many casussen the caller may list (the policy's ``list`` decision), up to ``cap``:
    ``(count, more)``: the casussen :func:`list_casussen` shows (ADR 0026).

    One grouped query over the first ``cap + 1`` pre-filtered casussen (in id order: which
    come first does not change the count, :func:`_count_groups_sql`) gives, per group of
    casussen with the same decision projection (:func:`count_groups`), a representative
    (with its casus row's tenant, id, kind and state) and the group's size. Each
    representative's policy resource is built from its rows as for a page (its relations
    in one statement for all of them) and decided by the engine; the groups it allows are
    counted. Nothing of a person is read or shown, so the count is audited in one aggregate
    row (:meth:`Enforcer.decide_count`)."""
    total = 0
    cursor: uuid.UUID | None = None
    while True:
        groups = count_groups(ws, cap + 1, cursor)
        scanned = sum(g.n for g in groups)
        if groups:
            rows = [g.casus for g in groups]
            reps = {(g.casus.tenant_id, g.casus.id): g.n for g in groups}
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
        cursor = groups[0].last
