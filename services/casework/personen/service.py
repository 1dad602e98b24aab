"""Persons: stored with an encrypted BSN (looked up by a keyed hash) and shown through the
policy's view and masks: full, pseudonymised (adviseur) or anonymised (driehoek)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from services.casework.casus_relations import PersonRecord
from services.casework.domain.bsn import is_valid_bsn, mask, normalize_bsn
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.triage import age_on
from services.casework.subjects import is_restricted
from services.casework.workspace import Workspace
from services.platform.db.models import HouseholdMember, Person
from services.platform.policy import Decision
from tenants.reference import age_band_for


@dataclass(frozen=True)
class PersonInput:
    given_names: str
    surname: str
    roepnaam: str | None = None
    aliases: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    bsn: str | None = None
    address: dict[str, str] = field(default_factory=dict)


def create_person(ws: Workspace, data: PersonInput, field_prefix: str = "persoon") -> Person:
    encrypted: bytes | None = None
    lookup: str | None = None
    if data.bsn:
        bsn = normalize_bsn(data.bsn)
        if not is_valid_bsn(bsn):
            raise DomainValidationError(
                [FieldProblem(f"{field_prefix}.bsn", "Dit is geen geldig BSN (elfproef).")]
            )
        encrypted = ws.vault.encrypt(bsn)
        lookup = ws.vault.lookup_hash(bsn)
    if data.birth_date and data.birth_date > ws.today:
        raise DomainValidationError(
            [FieldProblem(f"{field_prefix}.geboortedatum", "De geboortedatum ligt in de toekomst.")]
        )
    person = Person(
        tenant_id=ws.principal.tenant,
        id=uuid.uuid4(),
        given_names=data.given_names.strip(),
        surname=data.surname.strip(),
        roepnaam=(data.roepnaam or "").strip() or None,
        aliases=[a.strip() for a in data.aliases if a.strip()],
        birth_date=data.birth_date,
        bsn_encrypted=encrypted,
        bsn_hash=lookup,
        address=dict(data.address),
        version=1,
    )
    ws.session.add(person)
    ws.session.flush()
    return person


def add_household_member(
    ws: Workspace, person: Person, member: PersonInput, relation: str
) -> Person:
    """A household member is a person of their own; the link says how they are related."""
    other = create_person(ws, member, field_prefix="gezinslid")
    ws.session.add(
        HouseholdMember(
            tenant_id=person.tenant_id,
            id=uuid.uuid4(),
            person_id=person.id,
            member_person_id=other.id,
            relation=relation,
        )
    )
    ws.session.flush()
    return other


def person_view(
    ws: Workspace,
    person: Person | PersonRecord,
    decision: Decision,
    *,
    restricted: bool | None = None,
) -> dict[str, Any]:
    """The person as this reader may see them, by the decision's view and masks.
    ``restricted``: whether the person is under a restriction, when the caller read that
    with the person (:func:`~services.casework.subjects.persons_with_restriction`, for a
    casus or a whole page); otherwise it is looked up here."""
    masked: Collection[str] = decision.mask
    if restricted is None:
        restricted = is_restricted(ws, "persoon", str(person.id), tenant=person.tenant_id)
    if restricted:
        # Beperking (art. 18 AVG): kept, but not processed: nobody sees the person's data
        # in the casework (the regie does through inzage and correctie; docs/avg.md).
        return {
            "id": str(person.id),
            "pseudoniem": ws.pseudonym(person.id),
            "weergave": "beperkt",
            "beperkt": True,
            "gemaskeerd": sorted({"identificerend", "bsn", *masked}),
        }
    age = age_on(person.birth_date, ws.today) if person.birth_date else None
    band = age_band_for(age).code if age is not None else None
    if decision.view != "full" or "identificerend" in masked:
        view: dict[str, Any] = {
            "id": str(person.id),
            "pseudoniem": ws.pseudonym(person.id),
            "leeftijdscategorie": band,
            # Identifying data masked for this purpose reads as a pseudonymised person,
            # even when the casus itself is shown in full.
            "weergave": "pseudoniem" if decision.view in (None, "full") else decision.view,
            "gemaskeerd": sorted({"identificerend", "bsn", *masked}),
        }
        return view
    bsn_value: str | None = None
    if person.bsn_encrypted is not None:
        plain = ws.vault.decrypt(person.bsn_encrypted)
        bsn_value = mask(plain) if "bsn" in masked else plain
    return {
        "id": str(person.id),
        "voornamen": person.given_names,
        "achternaam": person.surname,
        "roepnaam": person.roepnaam,
        "aliassen": person.aliases,
        "geboortedatum": person.birth_date.isoformat() if person.birth_date else None,
        "leeftijd": age,
        "leeftijdscategorie": band,
        "bsn": bsn_value,
        "adres": person.address,
        "weergave": "full",
        "gemaskeerd": sorted(masked),
    }


def household_of(ws: Workspace, person: Person) -> list[tuple[HouseholdMember, Person]]:
    rows = ws.session.execute(
        sa.select(HouseholdMember, Person)
        .join(
            Person,
            sa.and_(
                Person.tenant_id == HouseholdMember.tenant_id,
                Person.id == HouseholdMember.member_person_id,
            ),
        )
        .where(
            HouseholdMember.tenant_id == person.tenant_id, HouseholdMember.person_id == person.id
        )
    ).all()
    return [(link, member) for link, member in rows]
