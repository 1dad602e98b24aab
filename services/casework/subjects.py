"""Which casussen are about a person, and the policy resources of the AVG requests.

A casus is about a person when the person is its subject, a member of its group, a
household member of its subject, or the person an item of the casus is about. The AVG
resources (``toegangslog``, ``inzage``, ``correctie``; policies/avg.rego) carry the regie of
those casussen, so the policy can tell whether the caller is their regisseur.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from services.casework.casus_relations import key_pairs, restricted_person
from services.casework.errors import NotFound
from services.casework.workspace import REGIE_ROLES, Workspace, ref
from services.platform.db.models import (
    Casus,
    CasusRole,
    GroupMember,
    HouseholdMember,
    InformationItem,
    Person,
    Restriction,
)

#: The legal basis of handling an AVG request or the accountability of the regie: the
#: AVG itself obliges the controller (art. 6(1)(c)).
LEGAL_BASIS = "wettelijke-verplichting"


def load_person(ws: Workspace, person_id: uuid.UUID, *, for_update: bool = False) -> Person:
    """A person of the caller's own tenant; another tenant's person is a 404 (RLS)."""
    query = sa.select(Person).where(Person.tenant_id == ws.principal.tenant, Person.id == person_id)
    if for_update:
        query = query.with_for_update()
    person = ws.session.scalars(query).first()
    if person is None:
        raise NotFound(str(person_id))
    return person


def casus_ids_about(ws: Workspace, person_id: uuid.UUID) -> list[uuid.UUID]:
    """The own tenant's casussen about this person (subject, group, household, items)."""
    tenant = ws.principal.tenant
    household_subjects = sa.select(HouseholdMember.person_id).where(
        HouseholdMember.tenant_id == tenant, HouseholdMember.member_person_id == person_id
    )
    query = sa.select(Casus.id).where(
        Casus.tenant_id == tenant,
        sa.or_(
            Casus.subject_person_id == person_id,
            Casus.subject_person_id.in_(household_subjects),
            Casus.id.in_(
                sa.select(GroupMember.casus_id).where(
                    GroupMember.tenant_id == tenant, GroupMember.person_id == person_id
                )
            ),
            Casus.id.in_(
                sa.select(InformationItem.casus_id).where(
                    InformationItem.tenant_id == tenant,
                    InformationItem.about_person_id == person_id,
                )
            ),
        ),
    )
    return list(ws.session.scalars(query.order_by(Casus.aanmeld_date, Casus.id)))


def casus_avg_resource(ws: Workspace, casus: Casus, resource_type: str) -> dict[str, Any]:
    """An AVG resource about one casus: its tenant, participants and regie."""
    base = ws.resource(casus)
    return {
        "type": resource_type,
        "tenant": base["tenant"],
        "casus_id": base["casus_id"],
        "participants": base["participants"],
        "regisseurs": base["regisseurs"],
    }


def person_avg_resource(
    ws: Workspace, person: Person, casus_ids: Sequence[uuid.UUID], resource_type: str
) -> dict[str, Any]:
    """An AVG resource about one person: the regie of every casus about them."""
    regisseurs: set[str] = set()
    if casus_ids:
        regisseurs = set(
            ws.session.scalars(
                sa.select(CasusRole.user_id).where(
                    CasusRole.tenant_id == person.tenant_id,
                    CasusRole.casus_id.in_(casus_ids),
                    CasusRole.role.in_(REGIE_ROLES),
                    CasusRole.ended_at.is_(None),
                )
            )
        )
    return {
        "type": resource_type,
        "tenant": person.tenant_id,
        "regisseurs": [ref(person.tenant_id, user) for user in sorted(regisseurs)],
    }


# -- beperking (art. 18) ----------------------------------------------------------------------


# A restriction is the owning tenant's: of the person's or the item's (and its casus's)
# tenant, which is not the reader's when a casus was shared with the reader's tenant. Every
# lookup therefore names that tenant; row-level security lets the receiving tenant read the
# restrictions of the subject and the items of a casus shared with it (migration 0052).


def active_restriction(
    ws: Workspace, target_type: str, target_id: str, *, tenant: str
) -> Restriction | None:
    """The active restriction of the target of ``tenant`` (its owner), if any."""
    return ws.session.scalars(
        sa.select(Restriction).where(
            Restriction.tenant_id == tenant,
            Restriction.target_type == target_type,
            Restriction.target_id == target_id,
            Restriction.lifted_at.is_(None),
        )
    ).first()


def is_restricted(ws: Workspace, target_type: str, target_id: str, *, tenant: str) -> bool:
    return active_restriction(ws, target_type, target_id, tenant=tenant) is not None


#: The (tenant, id) pairs of :data:`_PERSONS_WITH_RESTRICTION`, one row per pair.
_PERSON_KEYS = key_pairs("person_k")

#: Persons by key with their restriction (in their own tenant): ``(Person, restricted)``.
#: Parameters: ``tenants`` and ``ids``, pairwise (the i-th tenant with the i-th id; each pair
#: once). The pairs are joined from ``unnest``, not matched as ``tenant_id = ANY(:tenants)
#: AND id = ANY(:ids)``: PostgreSQL estimates two array parameters of a prepared statement at
#: ten elements each, a hundred index probes, dearer than the custom plan of a page's 25, so
#: it planned that statement anew on every execution (~4.5 ms of backend CPU, most of it the
#: row-level-security policies of ``restrictions``), where the pairs' generic plan is kept
#: (~0.3 ms; issue 14, ADR 0024 amendment 6).
_PERSONS_WITH_RESTRICTION = (
    sa.select(Person, restricted_person(Person.tenant_id, Person.id))
    .select_from(_PERSON_KEYS)
    .join(
        Person,
        sa.and_(Person.tenant_id == _PERSON_KEYS.c.tenant_id, Person.id == _PERSON_KEYS.c.id),
    )
)


#: One person by key with their restriction (equalities, not arrays: PostgreSQL keeps a
#: generic plan for these, while an array made it plan each execution anew).
#: Parameters: ``tenant`` and ``person_id``.
_PERSON_WITH_RESTRICTION = sa.select(Person, restricted_person(Person.tenant_id, Person.id)).where(
    Person.tenant_id == sa.bindparam("tenant", type_=sa.String),
    Person.id == sa.bindparam("person_id", type_=sa.Uuid),
)


def persons_with_restriction(
    ws: Workspace, keys: Collection[tuple[str, uuid.UUID]]
) -> tuple[dict[uuid.UUID, Person], set[str]]:
    """The persons with these (tenant, id) keys and which of them are under an active
    restriction (as :func:`restricted_targets` says), in one query (issue 14): the persons
    by id, and the restricted ones' ids as strings."""
    if not keys:
        return {}, set()
    wanted = set(keys)
    if len(wanted) == 1:
        ((tenant, person_id),) = wanted
        rows = ws.read(
            _PERSON_WITH_RESTRICTION,
            {"tenant": tenant, "person_id": person_id},
        )
    else:
        pairs = sorted(wanted)
        rows = ws.read(
            _PERSONS_WITH_RESTRICTION,
            {"tenants": [tenant for tenant, _ in pairs], "ids": [i for _, i in pairs]},
        )
    persons: dict[uuid.UUID, Person] = {}
    restricted: set[str] = set()
    for person, is_restricted_ in rows:
        if (person.tenant_id, person.id) not in wanted:
            continue
        persons[person.id] = person
        if is_restricted_:
            restricted.add(str(person.id))
    return persons, restricted


def subject_with_restriction(
    ws: Workspace, casus: Casus
) -> tuple[dict[uuid.UUID, Person], set[str]]:
    """:func:`persons_with_restriction` for the subject of one casus; no query when the casus
    was loaded with them in this transaction (``Workspace.load_casus(subject=True)``)."""
    if casus.subject_person_id is None:
        return {}, set()
    known = ws.known_subject(casus)
    if known is None:
        return persons_with_restriction(ws, [(casus.tenant_id, casus.subject_person_id)])
    person, restricted = known
    if person is None:
        return {}, set()
    return {person.id: person}, ({str(person.id)} if restricted else set())


#: Which of the targets (of one type and tenant) are under an active restriction, built once
#: (issue 14). Parameters: ``tenant``, ``target_type``, ``target_ids`` (a list).
_RESTRICTED_TARGETS = sa.select(Restriction.target_id).where(
    Restriction.tenant_id == sa.bindparam("tenant", type_=sa.String),
    Restriction.target_type == sa.bindparam("target_type", type_=sa.String),
    Restriction.target_id.in_(sa.bindparam("target_ids", expanding=True)),
    Restriction.lifted_at.is_(None),
)


def restricted_targets(
    ws: Workspace, target_type: str, target_ids: Collection[str], *, tenant: str
) -> set[str]:
    """Which of ``target_ids`` (of ``tenant``) are under an active restriction (one query for
    a page: the same condition as :func:`active_restriction`, for many targets; issue 14)."""
    if not target_ids:
        return set()
    return set(
        ws.session.scalars(
            _RESTRICTED_TARGETS,
            {"tenant": tenant, "target_type": target_type, "target_ids": sorted(set(target_ids))},
        )
    )
