"""Gezinsleden of a casus: household members are persons of their own (third-party data,
category ``derden``), kept apart from the subject's casus view and shown only under the
policy's ``derden`` grant. The casus page's section and form are :mod:`.huishouden`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.casework import free_text
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound
from services.casework.personen import service as persons
from services.casework.personen.service import PersonInput, person_view
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, HouseholdMember, Person


def add_household_member(
    ws: Workspace, casus_id: uuid.UUID, member: PersonInput, relation: str
) -> Person:
    casus = ws.load_casus(casus_id, for_update=True)
    ws.enforcer.decide(
        "create",
        ws.resource(casus, "person", category="derden"),
        ws.context(ws.purpose_for(casus, None)),
        Target("gezinslid", None, casus.id),
    )
    subject = _subject_of(ws, casus)
    other = persons.add_household_member(ws, subject, member, relation)
    ws.event(casus, "gezinslid", f"Gezinslid vastgelegd ({relation}).")
    ws.session.flush()
    return other


def household(ws: Workspace, casus_id: uuid.UUID, purpose: str | None) -> list[dict[str, Any]]:
    """Third-party data: needs a convenant grant for category ``derden`` for the purpose;
    the persons are then shown with the masks of a person view (BSN only where the purpose
    needs it, identifying data only with its grant)."""
    casus = ws.load_casus(casus_id)
    context = ws.context(ws.purpose_for(casus, purpose))
    third_party = ws.enforcer.decide(
        "read",
        ws.resource(casus, "person", category="derden"),
        context,
        Target("gezinslid", None, casus.id),
    )
    masks = ws.enforcer.decide(
        "read", ws.resource(casus, "person"), context, Target("gezinslid", None, casus.id)
    )
    subject = _subject_of(ws, casus)
    # The reason a membership ended is free text of the casus, read under the derden grant.
    text_categories = free_text.casus_text_categories(casus)
    return [
        {
            "id": str(link.id),
            "relatie": link.relation,
            "persoon": person_view(ws, member, masks),
            "beeindigd_op": link.ended_on,
            "reden_einde": free_text.text_or_none(third_party, text_categories, link.end_reason),
        }
        for link, member in persons.household_of(ws, subject)
    ]


def end_household_member(
    ws: Workspace,
    casus_id: uuid.UUID,
    member_id: uuid.UUID,
    ended_on: dt.date | None,
    reason: str,
) -> HouseholdMember:
    """The member left the household (on ``ended_on``, today when not given), with a reason.
    The membership is kept and shown as ended; the member stays a person of their own."""
    casus = ws.load_casus(casus_id, for_update=True)
    ws.enforcer.decide(
        "update",
        ws.resource(casus, "person", category="derden"),
        ws.context(ws.purpose_for(casus, None)),
        Target("gezinslid", str(member_id), casus.id),
    )
    subject = _subject_of(ws, casus)
    link = ws.session.get(HouseholdMember, (casus.tenant_id, member_id), with_for_update=True)
    if link is None or link.person_id != subject.id:
        raise NotFound(str(member_id))
    day = ended_on or ws.today
    problems = []
    if day > ws.today:
        problems.append(FieldProblem("datum", "De datum van het einde ligt in de toekomst."))
    if not reason.strip():
        problems.append(
            FieldProblem(
                "reden", "Geef de reden waarom het gezinslid niet meer tot het huishouden hoort."
            )
        )
    if problems:
        raise DomainValidationError(problems)
    if link.ended_on is not None:
        raise Conflict(
            "gezinslid-al-beeindigd",
            f"Dit gezinslid hoort sinds {link.ended_on.isoformat()} al niet meer tot het "
            "huishouden.",
        )
    link.ended_on = day
    link.end_reason = reason.strip()
    ws.event(casus, "gezinslid", f"Gezinslid beëindigd ({link.relation}).")
    ws.session.flush()
    return link


def _subject_of(ws: Workspace, casus: Casus) -> Person:
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    if person is None:
        raise Conflict("alleen-persoon", "Gezinsleden horen bij de persoon van een persoonscasus.")
    return person
