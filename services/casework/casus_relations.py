"""The rows a casus's policy resource is built from, read with one statement (issue 14).

A casus's policy resource (:meth:`Workspace.resources`) needs its active participants, its
active roles, its shares and the caller's own unexpired doorbreekglas grant. They used to
be four queries (five with the casus); here they are lateral subqueries beside the casus
(:data:`CASUS_WITH_RELATIONS`, for the casus page) or beside a list of (tenant, casus id)
keys (:data:`RELATIONS_OF_KEYS`, for a page of casussen; :data:`CASUSSEN_WITH_RELATIONS_OF_KEYS`
with the casussen themselves). The statements are built once
(bind parameters instead of a new ``select()`` per call), every lookup is qualified by the
casus's own tenant, and the rows come back as plain tuples: nothing here is changed through
the ORM (:meth:`Workspace.role_holders` loads roles that are).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.selectable import TableValuedAlias

from services.platform.db.models import (
    Casus,
    CasusParticipant,
    CasusRole,
    CasusShare,
    Person,
    Restriction,
    UrgentAccess,
)


class ParticipantRow(NamedTuple):
    """An active participant of a casus, as its view shows it."""

    organisation_id: str
    participation: str
    declared_role: str | None


class RoleRow(NamedTuple):
    """An active (not ended) role of a casus."""

    role: str
    user_id: str
    organisation_id: str


class GrantRow(NamedTuple):
    """The caller's own unexpired doorbreekglas grant on a casus (the latest expiry)."""

    reason: str
    expires_at: dt.datetime
    user_id: str


@dataclass(frozen=True)
class Relations:
    """The rows a casus's policy resource is built from (participants and roles in the
    order they came: invited or started first)."""

    participants: tuple[ParticipantRow, ...]
    roles: tuple[RoleRow, ...]
    shares: tuple[str, ...]
    grant: GrantRow | None

    @property
    def organisations(self) -> list[str]:
        return [p.organisation_id for p in self.participants]


#: The result columns of the relations, in this order, after the statement's own columns.
RELATION_COLUMNS = 10


def relations_of(row: Sequence[Any], start: int) -> Relations:
    """The relations in ``row[start:start + RELATION_COLUMNS]`` (aggregates of no rows are
    NULL)."""
    orgs, kinds, declared, roles, users, role_orgs, shares, reason, expires, grantee = row[
        start : start + RELATION_COLUMNS
    ]
    return Relations(
        participants=tuple(map(ParticipantRow, orgs, kinds, declared)) if orgs else (),
        roles=tuple(map(RoleRow, roles, users, role_orgs)) if roles else (),
        shares=tuple(shares) if shares else (),
        grant=None if expires is None else GrantRow(reason, expires, grantee),
    )


def _relation_laterals(
    tenant: sa.ColumnElement[str], casus: sa.ColumnElement[uuid.UUID]
) -> tuple[list[tuple[sa.FromClause, bool]], list[sa.ColumnElement[Any]]]:
    """The lateral subqueries of one casus (``tenant``, ``casus``: its key columns in the
    enclosing statement) and their columns. Each is one index lookup led by the tenant;
    the grant's is an outer join (no grant: NULLs). Core tables, not the ORM entities: the
    statements that only read these rows need no ORM loading (or autoflush)."""
    p = CasusParticipant.__table__.c
    r = CasusRole.__table__.c
    s = CasusShare.__table__.c
    u = UrgentAccess.__table__.c
    p_order = (p.invited_at, p.organisation_id)
    participants = (
        sa.select(
            sa.func.array_agg(aggregate_order_by(p.organisation_id, *p_order)).label("p_org"),
            sa.func.array_agg(aggregate_order_by(p.participation, *p_order)).label("p_kind"),
            sa.func.array_agg(aggregate_order_by(p.declared_role, *p_order)).label("p_role"),
        )
        .where(p.tenant_id == tenant, p.casus_id == casus, p.active)
        .lateral("rel_p")
    )
    r_order = (r.started_at, r.id)
    roles = (
        sa.select(
            sa.func.array_agg(aggregate_order_by(r.role, *r_order)).label("r_role"),
            sa.func.array_agg(aggregate_order_by(r.user_id, *r_order)).label("r_user"),
            sa.func.array_agg(aggregate_order_by(r.organisation_id, *r_order)).label("r_org"),
        )
        .where(r.tenant_id == tenant, r.casus_id == casus, r.ended_at.is_(None))
        .lateral("rel_r")
    )
    shares = (
        sa.select(
            sa.func.array_agg(aggregate_order_by(s.shared_with_tenant, s.shared_with_tenant)).label(
                "s_tenant"
            )
        )
        .where(s.tenant_id == tenant, s.casus_id == casus)
        .lateral("rel_s")
    )
    grant = (
        sa.select(u.reason, u.expires_at, u.user_id)
        .where(
            u.tenant_id == tenant,
            u.casus_id == casus,
            u.user_id == sa.bindparam("grant_user", type_=sa.String),
            u.expires_at > sa.bindparam("grant_now", type_=sa.DateTime(timezone=True)),
        )
        .order_by(u.expires_at.desc(), u.id.desc())
        .limit(1)
        .lateral("rel_u")
    )
    columns: list[sa.ColumnElement[Any]] = [
        participants.c.p_org,
        participants.c.p_kind,
        participants.c.p_role,
        roles.c.r_role,
        roles.c.r_user,
        roles.c.r_org,
        shares.c.s_tenant,
        grant.c.reason,
        grant.c.expires_at,
        grant.c.user_id,
    ]
    assert len(columns) == RELATION_COLUMNS
    return [(participants, False), (roles, False), (shares, False), (grant, True)], columns


def _casus_with_relations() -> sa.Select[Any]:
    laterals, columns = _relation_laterals(Casus.tenant_id, Casus.id)  # type: ignore[arg-type]
    joined: sa.FromClause = Casus.__table__
    for lateral, outer in laterals:
        joined = joined.join(lateral, sa.true(), isouter=outer)
    return (
        sa.select(Casus, *columns)
        .select_from(joined)
        .where(Casus.id == sa.bindparam("casus_id", type_=sa.Uuid))
    )


def key_pairs(name: str) -> TableValuedAlias:
    """The ``(tenant_id, id)`` pairs of the array parameters ``tenants`` and ``ids`` (the
    i-th tenant with the i-th id), one row each, as the derived table ``name``. A statement
    that joins them keeps PostgreSQL's generic plan, where ``tenant_id = ANY(:tenants) AND
    id = ANY(:ids)`` made it plan anew on every execution (ADR 0024, amendment 6).

    Each array is a scalar subquery (``unnest((SELECT :tenants), (SELECT :ids))``), which
    the planner does not look into: a custom plan then estimates ten pairs, as the generic
    plan does, whatever the parameters hold. Given the arrays themselves, a custom plan
    counted the pairs: with fewer than about ten (the representatives of a count's or a
    werkvoorraad's groups, often 2-11) it looked cheaper than the generic plan's ten, so
    PostgreSQL kept planning the statement anew on every execution (~1-2 ms of backend CPU
    each on the benchmark machine; ADR 0028, amendment ``overzicht2``). The plan is the
    same: a look-up per pair."""
    return (
        sa.func.unnest(
            sa.select(sa.bindparam("tenants", type_=ARRAY(sa.String))).scalar_subquery(),
            sa.select(sa.bindparam("ids", type_=ARRAY(sa.Uuid))).scalar_subquery(),
        )
        .table_valued(sa.column("tenant_id", sa.String), sa.column("id", sa.Uuid))
        .render_derived(name=name)
    )


def _relations_of_keys() -> sa.Select[Any]:
    keys = key_pairs("rel_k")
    laterals, columns = _relation_laterals(keys.c.tenant_id, keys.c.id)
    joined: sa.FromClause = keys
    for lateral, outer in laterals:
        joined = joined.join(lateral, sa.true(), isouter=outer)
    return sa.select(keys.c.tenant_id, keys.c.id, *columns).select_from(joined)


def _casussen_with_relations_of_keys() -> sa.Select[Any]:
    keys = key_pairs("rel_k")
    laterals, columns = _relation_laterals(Casus.tenant_id, Casus.id)  # type: ignore[arg-type]
    joined: sa.FromClause = keys.join(
        Casus.__table__,
        sa.and_(Casus.tenant_id == keys.c.tenant_id, Casus.id == keys.c.id),
    )
    for lateral, outer in laterals:
        joined = joined.join(lateral, sa.true(), isouter=outer)
    return sa.select(Casus, *columns).select_from(joined)


def restricted_person(
    person_tenant: sa.ColumnElement[str] | InstrumentedAttribute[str],
    person_id: sa.ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID],
) -> sa.Label[bool]:
    """Whether the person ``(person_tenant, person_id)`` is under an active restriction:
    the condition of :func:`services.casework.subjects.active_restriction` for ``persoon``
    targets, in the person's own tenant (not the reader's: a casus shared with another
    tenant carries its owner's restrictions; row-level security lets the receiving tenant
    read those of what was shared with it, migration 0052)."""
    return (
        sa.exists()
        .where(
            Restriction.tenant_id == person_tenant,
            Restriction.target_type == "persoon",
            Restriction.target_id == sa.cast(person_id, sa.String),
            Restriction.lifted_at.is_(None),
        )
        .label("restricted")
    )


def _casus_with_subject() -> sa.Select[Any]:
    query = _casus_with_relations()
    persons = Person.__table__
    joined = query.get_final_froms()[0].outerjoin(
        persons,
        sa.and_(
            persons.c.tenant_id == Casus.__table__.c.tenant_id,
            persons.c.id == Casus.__table__.c.subject_person_id,
        ),
    )
    return query.add_columns(
        Person, restricted_person(persons.c.tenant_id, persons.c.id)
    ).select_from(joined)


def _relations_of_one() -> sa.Select[Any]:
    laterals, columns = _relation_laterals(
        sa.bindparam("tenant", type_=sa.String), sa.bindparam("casus_id", type_=sa.Uuid)
    )
    joined: sa.FromClause = laterals[0][0]
    for lateral, outer in laterals[1:]:
        joined = joined.join(lateral, sa.true(), isouter=outer)
    return sa.select(*columns).select_from(joined)


#: One casus (by id; row-level security shows the own tenant's and shared ones) with its
#: relations: ``(Casus, *relations)``. Parameters: ``casus_id``, ``grant_user``,
#: ``grant_now``.
CASUS_WITH_RELATIONS = _casus_with_relations()

#: :data:`CASUS_WITH_RELATIONS` with the casus's subject person and whether they are under
#: an active restriction: ``(Casus, *relations, Person | None, restricted)`` (for the casus
#: page, which shows the person; the restriction of the person's own tenant). Parameters:
#: those of CASUS_WITH_RELATIONS.
CASUS_WITH_SUBJECT = _casus_with_subject()

#: The relations of the casussen with the given keys: ``(tenant_id, id, *relations)``.
#: Parameters: ``tenants`` and ``ids`` (pairwise), ``grant_user``, ``grant_now``.
RELATIONS_OF_KEYS = _relations_of_keys()

#: The casussen with the given keys (those row-level security shows) with their relations:
#: ``(Casus, *relations)``. Parameters: ``tenants`` and ``ids`` (pairwise), ``grant_user``,
#: ``grant_now``.
CASUSSEN_WITH_RELATIONS_OF_KEYS = _casussen_with_relations_of_keys()

#: The relations of one casus: ``(*relations)``. Parameters: ``tenant``, ``casus_id``,
#: ``grant_user``, ``grant_now`` (equalities, not arrays: PostgreSQL keeps a generic plan
#: for these, while arrays made it plan each execution anew).
RELATIONS_OF_ONE = _relations_of_one()


@dataclass(frozen=True, slots=True, repr=False)
class PersonRecord:
    """The subject person of a casus as the casus page reads them: the columns of ``persons``
    that :func:`services.casework.personen.service.person_view` shows, read-only (a plain
    row, not an ORM object; issue 14)."""

    tenant_id: str
    id: uuid.UUID
    given_names: str
    surname: str
    roepnaam: str | None
    aliases: list[str]
    birth_date: dt.date | None
    bsn_encrypted: bytes | None
    address: dict[str, Any]

    def __repr__(self) -> str:
        # Its id only: a record's repr in a log or an error must not carry person data.
        return f"PersonRecord(tenant_id={self.tenant_id!r}, id={self.id!r})"


@dataclass(frozen=True, slots=True, repr=False)
class CasusRecord:
    """A casus as the casus page (``GET /api/v1/casussen/{id}``) reads it: the columns its
    policy resource and its view use, read-only, with its subject person (None: none, or
    none visible) and whether that person is under an active restriction. A plain row, not
    an ORM object: reading it skips the session's execution path and the ORM's loading, about
    0.1-0.15 ms of the page's CPU (issue 14; ADR 0024, amendment ``casus3``). Anything that
    changes a casus loads the ORM :class:`Casus` (:meth:`Workspace.load_casus`)."""

    tenant_id: str
    id: uuid.UUID
    reference: str
    kind: str
    state: str
    subject_person_id: uuid.UUID | None
    group_name: str | None
    doelgroep: str | None
    voluntary: bool
    meeting_type_id: str | None
    aanmelder_organisation_id: str
    aanmelding: dict[str, Any]
    triage: dict[str, Any]
    informing: dict[str, Any]
    closure: dict[str, Any]
    aanmeld_date: dt.date
    retention_until: dt.date | None
    version: int
    person: PersonRecord | None
    restricted: bool

    def __repr__(self) -> str:
        # Its id only, as :class:`PersonRecord`: the aanmelding holds free text.
        return f"CasusRecord(tenant_id={self.tenant_id!r}, id={self.id!r})"


_CASUS_FIELDS: tuple[str, ...] = tuple(
    name for name in CasusRecord.__slots__ if name not in ("person", "restricted")
)
_PERSON_FIELDS: tuple[str, ...] = tuple(PersonRecord.__slots__)


def _casus_record() -> sa.Select[Any]:
    """:data:`CASUS_WITH_SUBJECT` with the columns of :class:`CasusRecord` and
    :class:`PersonRecord` instead of the ORM entities (the same FROM, WHERE and relations)."""
    query = CASUS_WITH_SUBJECT
    casussen, persons = Casus.__table__, Person.__table__
    selected = list(query.selected_columns)
    relations = selected[len(casussen.c) : len(casussen.c) + RELATION_COLUMNS]
    return query.with_only_columns(
        *(casussen.c[name] for name in _CASUS_FIELDS),
        *relations,
        *(persons.c[name].label(f"person_{name}") for name in _PERSON_FIELDS),
        selected[-1],  # restricted
        maintain_column_froms=False,
    ).select_from(query.get_final_froms()[0])


def casus_record_of(row: Sequence[Any]) -> tuple[CasusRecord, Relations]:
    """The casus (with its subject person) and its relations in a row of
    :data:`CASUS_RECORD`."""
    n, r = len(_CASUS_FIELDS), RELATION_COLUMNS
    person_values = row[n + r : n + r + len(_PERSON_FIELDS)]
    person = None if person_values[1] is None else PersonRecord(*person_values)
    values = (*row[:n], person, bool(row[-1]))
    casus = CasusRecord(*values)
    return casus, relations_of(row, n)


#: :data:`CASUS_WITH_SUBJECT` as plain columns: ``(*CasusRecord's columns, *relations,
#: *PersonRecord's columns, restricted)`` (:func:`casus_record_of`). Parameters: those of
#: CASUS_WITH_RELATIONS.
CASUS_RECORD = _casus_record()

#: One casus for update (locked), without its relations. Parameter: ``casus_id``.
CASUS_FOR_UPDATE = (
    sa.select(Casus).where(Casus.id == sa.bindparam("casus_id", type_=sa.Uuid)).with_for_update()
)
