"""Gezinsleden of a casus: household members are persons of their own (third-party data,
category ``derden``), kept apart from the subject's casus view and shown only under the
policy's ``derden`` grant. The casus page's section and form are :mod:`.huishouden`.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.casework.errors import Conflict
from services.casework.personen import service as persons
from services.casework.personen.service import PersonInput, person_view
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, Person


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
    ws.enforcer.decide(
        "read",
        ws.resource(casus, "person", category="derden"),
        context,
        Target("gezinslid", None, casus.id),
    )
    masks = ws.enforcer.decide(
        "read", ws.resource(casus, "person"), context, Target("gezinslid", None, casus.id)
    )
    subject = _subject_of(ws, casus)
    return [
        {"relatie": link.relation, "persoon": person_view(ws, member, masks)}
        for link, member in persons.household_of(ws, subject)
    ]


def _subject_of(ws: Workspace, casus: Casus) -> Person:
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    if person is None:
        raise Conflict("alleen-persoon", "Gezinsleden horen bij de persoon van een persoonscasus.")
    return person
