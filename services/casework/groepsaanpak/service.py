"""The group approach (problematische jeugdgroepen, seed 003): signals on group level and
the group members (the agreed namenlijst).

A group casus is made with the ordinary aanmelding (kind ``groep``, state ``stap-1``) and
moved with the ordinary transitions; this module adds what only groups have. The policy
(rule 7) guards person data: in step 1 nothing about individual members may be recorded
(``groep-stap1-persoonsgegevens``), and from step 2 on only once an uitvoeringscoördinator
is appointed. Resource types: ``group_member`` for members, ``casus`` for signals. The
concept plan (step 3) and the integral plan (step 5) are the ordinary plan van aanpak
(services/casework/plans.py), which the driehoek reads anonymised in step 4.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.text import format_date_nl
from services.casework.errors import Conflict, NotFound
from services.casework.personen.service import PersonInput, create_person, person_view
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, CasusEvent, GroupMember, Organisation, Person
from services.platform.policy import Decision

#: Roles of a member in the group (groepsdynamiek, seed 003 section 3.4).
MEMBER_ROLES: Final[Mapping[str, str]] = {
    "kern": "Kern (negatieve invloed op de groep)",
    "meeloper": "Meeloper",
    "aanhang": "Aanhang",
    "positief": "Positieve invloed op de groep",
}

SIGNAL = "signaal"

_IDENTIFIER_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"\b\d{4}[ .]?\d{2}[ .]?\d{3}\b|\b\d{8,9}\b"), "een nummer dat op een BSN lijkt"),
    (
        re.compile(r"\b(geboren|geb\.?)\s*(op\s*)?\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}", re.I),
        "een geboortedatum",
    ),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "een e-mailadres"),
    (re.compile(r"(\+31|\b0)[ -]?(6[ -]?\d{8}|\d{2}[ -]?\d{7})\b"), "een telefoonnummer"),
    (
        re.compile(
            r"\b[A-Z][\w'-]*(straat|laan|weg|plein|dreef|singel|kade|hof|pad|gracht)"
            r"\s+\d+[a-zA-Z]?\b"
        ),
        "een adres (straat en huisnummer)",
    ),
    (re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b"), "een postcode"),
)


def person_identifiers_in(text: str, names: Iterable[str] = ()) -> list[str]:
    """What in ``text`` looks like data about an individual (Dutch descriptions).

    A heuristic guard for group-level text (signals in step 1, the anonymised concept plan):
    numbers like a BSN, birth dates, e-mail addresses, phone numbers, street addresses,
    postcodes, and the names, nicknames and aliases of the group's known members.
    """
    found = [label for pattern, label in _IDENTIFIER_PATTERNS if pattern.search(text)]
    for name in names:
        name = name.strip()
        if len(name) >= 2 and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.I):
            found.append("de naam, roepnaam of alias van een groepslid")
            break
    return found


def _member_names(ws: Workspace, casus: Casus) -> set[str]:
    names: set[str] = set()
    for person in ws.session.scalars(
        sa.select(Person)
        .join(
            GroupMember,
            sa.and_(GroupMember.tenant_id == Person.tenant_id, GroupMember.person_id == Person.id),
        )
        .where(GroupMember.tenant_id == casus.tenant_id, GroupMember.casus_id == casus.id)
    ):
        names.update(person.given_names.split())
        names.add(person.surname)
        if person.roepnaam:
            names.add(person.roepnaam)
        names.update(person.aliases)
    return names


def _known_names_in(ws: Workspace, casus: Casus, text: str) -> set[str]:
    """Surnames and roepnamen of persons known in the tenant that occur in ``text``.

    Step 1 is group level only: a signal naming a person the gemeente already knows is person
    data, whether or not that person is on this group's namenlijst (issue 9, defect 7). The
    database finds candidates; the word-boundary check is ``person_identifiers_in``'s.
    """
    lowered = text.lower()
    candidates: set[str] = set()
    for surname, roepnaam in ws.session.execute(
        sa.select(Person.surname, Person.roepnaam).where(
            Person.tenant_id == casus.tenant_id,
            sa.or_(
                sa.and_(
                    sa.func.length(Person.surname) >= 3,
                    sa.func.strpos(sa.literal(lowered), sa.func.lower(Person.surname)) > 0,
                ),
                sa.and_(
                    sa.func.length(Person.roepnaam) >= 3,
                    sa.func.strpos(sa.literal(lowered), sa.func.lower(Person.roepnaam)) > 0,
                ),
            ),
        )
    ):
        candidates.add(surname)
        if roepnaam:
            candidates.add(roepnaam)
    return candidates


def _require_group(casus: Casus, *, active: bool = True) -> None:
    if casus.kind != "groep":
        raise Conflict(
            "alleen-groep", "Dit hoort bij de groepsaanpak: deze casus is geen groepscasus."
        )
    if active and not lifecycle.is_active(casus.kind, casus.state):
        raise Conflict(
            "groep-afgesloten",
            f"De groepscasus is {lifecycle.state_label(casus.kind, casus.state).lower()}.",
        )


# ---------------------------------------------------------------------------------------------
# Members (namenlijst)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    role: str
    person: PersonInput | None = None
    person_id: uuid.UUID | None = None
    person_casus_id: uuid.UUID | None = None


def _member_resource(ws: Workspace, casus: Casus) -> dict[str, Any]:
    return ws.resource(casus, "group_member", contains_person_identifiers=True)


def _linked_person(ws: Workspace, data: MemberInput) -> tuple[Person | None, Casus | None]:
    """The existing person (and their own person casus) a new member refers to."""
    if data.person_casus_id is not None:
        try:
            own = ws.load_casus(data.person_casus_id)
        except NotFound:
            raise DomainValidationError(
                [FieldProblem("persoon_casus_id", "Onbekende persoonscasus.")]
            ) from None
        if own.kind != "persoon" or own.subject_person_id is None:
            raise DomainValidationError(
                [FieldProblem("persoon_casus_id", "Koppel een persoonscasus, geen groepscasus.")]
            )
        # Linking shows the group who the person casus is about: the caller must be
        # allowed to read that casus.
        ws.enforcer.decide(
            "read",
            ws.resource(own),
            ws.context(ws.purpose_for(own, None)),
            Target("casus", str(own.id), own.id),
        )
        if data.person_id is not None and data.person_id != own.subject_person_id:
            raise DomainValidationError(
                [FieldProblem("persoon_id", "De persoonscasus gaat over een andere persoon.")]
            )
        person = ws.session.get(Person, (own.tenant_id, own.subject_person_id))
        return person, own
    if data.person_id is not None:
        if "persoon" not in ws.list_scope.tenant_wide_full:
            raise DomainValidationError(
                [
                    FieldProblem(
                        "persoon_id",
                        "Koppel een bestaand persoon via diens persoonscasus "
                        "(persoon_casus_id) waaraan uw organisatie deelneemt.",
                    )
                ]
            )
        person = ws.session.get(Person, (ws.principal.tenant, data.person_id))
        if person is None:
            raise DomainValidationError([FieldProblem("persoon_id", "Onbekende persoon.")])
        return person, None
    return None, None


def add_member(ws: Workspace, casus_id: uuid.UUID, data: MemberInput) -> dict[str, Any]:
    """Put a person on the group's namenlijst (step 2 on, with an uitvoeringscoördinator)."""
    casus = ws.load_casus(casus_id, for_update=True)
    decision = ws.enforcer.decide(
        "create",
        _member_resource(ws, casus),
        ws.context(ws.purpose_for(casus, None)),
        Target("group_member", None, casus.id),
    )
    _require_group(casus)
    problems: list[FieldProblem] = []
    if data.role not in MEMBER_ROLES:
        problems.append(FieldProblem("rol", f"Kies een rol: {', '.join(MEMBER_ROLES)}."))
    given = sum(x is not None for x in (data.person, data.person_id, data.person_casus_id))
    if given == 0:
        problems.append(
            FieldProblem(
                "persoon", "Geef een nieuwe persoon, een persoon-id of een persoonscasus op."
            )
        )
    if data.person is not None and (data.person_id or data.person_casus_id):
        problems.append(
            FieldProblem("persoon", "Geef óf een nieuwe persoon óf een bestaande persoon op.")
        )
    if problems:
        raise DomainValidationError(problems)
    person, own = _linked_person(ws, data)
    if person is None:
        assert data.person is not None
        person = create_person(ws, data.person)
    existing = ws.session.get(GroupMember, (casus.tenant_id, casus.id, person.id))
    if existing is not None and existing.ended_at is None:
        raise Conflict("lid-bestaat-al", "Deze persoon staat al op de namenlijst van de groep.")
    member = existing or GroupMember(
        tenant_id=casus.tenant_id, casus_id=casus.id, person_id=person.id
    )
    member.member_casus_id = own.id if own is not None else None
    member.role = data.role
    member.added_at = ws.enforcer.now
    member.added_by = ws.principal.user_id
    member.ended_at = None
    member.end_reason = None
    ws.session.add(member)
    ws.event(
        casus,
        "groepslid",
        f"Groepslid toegevoegd aan de namenlijst ({MEMBER_ROLES[data.role].lower()})"
        + ("; gekoppeld aan een persoonscasus." if own is not None else "."),
    )
    ws.session.flush()
    return _member_view(ws, member, person, decision)


def _member_view(
    ws: Workspace, member: GroupMember, person: Person, decision: Decision
) -> dict[str, Any]:
    full = decision.view == "full"
    role = member.role or ""
    return {
        "persoon": person_view(ws, person, decision),
        "rol": role,
        "rol_label": MEMBER_ROLES.get(role, role),
        "persoon_casus_id": str(member.member_casus_id)
        if full and member.member_casus_id
        else None,
        "toegevoegd_op": member.added_at.isoformat() if member.added_at else None,
        "verwijderd_op": member.ended_at.isoformat() if member.ended_at else None,
        "reden_verwijderd": member.end_reason if full else None,
    }


def remove_member(ws: Workspace, casus_id: uuid.UUID, person_id: uuid.UUID, reason: str) -> None:
    """Take a person off the namenlijst; the record stays (with when, by whom and why)."""
    casus = ws.load_casus(casus_id, for_update=True)
    ws.enforcer.decide(
        "update",
        _member_resource(ws, casus),
        ws.context(ws.purpose_for(casus, None)),
        Target("group_member", str(person_id), casus.id),
    )
    _require_group(casus)
    if not reason.strip():
        raise DomainValidationError([FieldProblem("reden", "Geef een reden op.")])
    member = ws.session.get(GroupMember, (casus.tenant_id, casus.id, person_id))
    if member is None or member.ended_at is not None:
        raise NotFound(str(person_id))
    member.ended_at = ws.enforcer.now
    member.end_reason = reason.strip()
    ws.event(casus, "groepslid", "Groepslid van de namenlijst gehaald.")
    ws.session.flush()


def list_members(
    ws: Workspace, casus_id: uuid.UUID, *, include_ended: bool = False
) -> dict[str, Any]:
    """The namenlijst, each person as the policy's view and masks allow (pseudonymised for
    the adviseur); members taken off the list only on request."""
    casus = ws.load_casus(casus_id)
    decision = ws.enforcer.decide(
        "read",
        _member_resource(ws, casus),
        ws.context(ws.purpose_for(casus, None)),
        Target("group_member", None, casus.id),
    )
    _require_group(casus, active=False)
    rows = ws.session.execute(
        sa.select(GroupMember, Person)
        .join(
            Person,
            sa.and_(Person.tenant_id == GroupMember.tenant_id, Person.id == GroupMember.person_id),
        )
        .where(
            GroupMember.tenant_id == casus.tenant_id,
            GroupMember.casus_id == casus.id,
            sa.true() if include_ended else GroupMember.ended_at.is_(None),
        )
        .order_by(GroupMember.role, Person.surname)
    ).all()
    return {
        "casus_id": str(casus.id),
        "stap": lifecycle.group_step(casus.state),
        "weergave": decision.view,
        "gemaskeerd": list(decision.mask),
        "leden": [_member_view(ws, m, p, decision) for m, p in rows],
    }


# ---------------------------------------------------------------------------------------------
# Signals (step 1: group level only)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalInput:
    text: str
    observed_on: dt.date | None = None
    location: str | None = None


def add_signal(ws: Workspace, casus_id: uuid.UUID, data: SignalInput) -> dict[str, Any]:
    """A signal about the group's behaviour, on group level: no person data."""
    casus = ws.load_casus(casus_id, for_update=True)
    ws.enforcer.decide(
        "update",
        ws.resource(casus),
        ws.context(ws.purpose_for(casus, None)),
        Target("signaal", None, casus.id),
    )
    _require_group(casus)
    names = _member_names(ws, casus)
    problems = []
    for name, value in (("tekst", data.text), ("locatie", data.location or "")):
        found = person_identifiers_in(value, names | _known_names_in(ws, casus, value))
        if found:
            problems.append(
                FieldProblem(
                    name,
                    "Signalen gaan over de groep als geheel: geen persoonsgegevens "
                    f"(gevonden: {', '.join(found)}).",
                )
            )
    if problems:
        raise DomainValidationError(problems)
    org = ws.session.get(Organisation, (casus.tenant_id, ws.principal.organisation))
    source = org.name if org is not None else ws.principal.organisation
    where = f" ({data.location.strip()})" if data.location and data.location.strip() else ""
    when = f" op {format_date_nl(data.observed_on)}" if data.observed_on else ""
    summary = f"Signaal van {source}{when}{where}: {data.text.strip()}"
    ws.event(casus, SIGNAL, summary)
    casus.last_melding_on = ws.today
    ws.session.flush()
    return {
        "casus_id": str(casus.id),
        "stap": lifecycle.group_step(casus.state),
        "samenvatting": summary,
        "bron": ws.principal.organisation,
    }


def list_signals(ws: Workspace, casus_id: uuid.UUID) -> list[dict[str, Any]]:
    casus = ws.load_casus(casus_id)
    ws.enforcer.decide(
        "read",
        ws.resource(casus),
        ws.context(ws.purpose_for(casus, None)),
        Target("signaal", None, casus.id),
    )
    _require_group(casus, active=False)
    return [
        {"op": e.at.isoformat(), "samenvatting": e.summary, "door": e.actor_user_id}
        for e in ws.session.scalars(
            sa.select(CasusEvent)
            .where(
                CasusEvent.tenant_id == casus.tenant_id,
                CasusEvent.casus_id == casus.id,
                CasusEvent.kind == SIGNAL,
            )
            .order_by(CasusEvent.at)
        )
    ]
