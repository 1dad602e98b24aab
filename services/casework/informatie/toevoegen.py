"""Adding an information item to a casus: the caller's organisation is its source, and it is
visible to the source only until it is shared (:mod:`.delen`). Data about a household member
belongs in category ``derden`` and names the member.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.informatie.checklist import Checklist, code_problems
from services.casework.informatie.items import RESOURCE_TYPE, build_item_resource, item_target
from services.casework.personen.service import household_of
from services.casework.toestemming.service import consent_resource
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, InformationItem, Person
from services.platform.policy import Decision
from tenants.reference import DATA_CATEGORIES


@dataclass(frozen=True)
class ItemInput:
    category: str
    title: str
    body: str
    checklist: Checklist
    about_person_id: uuid.UUID | None = None


def _household_member(ws: Workspace, casus: Casus, person_id: uuid.UUID) -> Person | None:
    if casus.subject_person_id is None:
        return None
    subject = ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
    if subject is None:
        return None
    return next((m for _, m in household_of(ws, subject) if m.id == person_id), None)


def _input_problems(data: ItemInput) -> list[FieldProblem]:
    """What is wrong with the form itself (codes, required fields): known before asking."""
    problems: list[FieldProblem] = []
    if data.category not in DATA_CATEGORIES:
        problems.append(
            FieldProblem(
                "categorie",
                f"Onbekende categorie '{data.category}'; kies uit {', '.join(DATA_CATEGORIES)}.",
            )
        )
    if not data.checklist.purpose:
        problems.append(FieldProblem("doel", "Geef het doel (doelbinding) op."))
    problems.extend(code_problems(data.checklist))
    return problems


def _check_item(ws: Workspace, casus: Casus, data: ItemInput) -> None:
    """Checks that look at the casus (household members): after the policy allowed."""
    problems: list[FieldProblem] = []
    if data.about_person_id is not None:
        if data.category != "derden":
            problems.append(
                FieldProblem(
                    "over_persoon_id",
                    "Gegevens over een gezinslid horen in de categorie 'derden'.",
                )
            )
        elif _household_member(ws, casus, data.about_person_id) is None:
            problems.append(
                FieldProblem(
                    "over_persoon_id",
                    "Deze persoon is geen (bekend) gezinslid van de persoon van deze casus.",
                )
            )
    elif data.category == "derden":
        problems.append(
            FieldProblem(
                "over_persoon_id",
                "Gegevens over derden worden apart gehouden: geef aan over welk gezinslid "
                "het gaat.",
            )
        )
    if problems:
        raise DomainValidationError(problems)


def create_item(
    ws: Workspace, casus_id: uuid.UUID, data: ItemInput
) -> tuple[InformationItem, Decision]:
    """Add an item; the caller's organisation is its source. Visible to the source only
    until it is shared. Returns the item and the decision that allowed it (for the view)."""
    casus = ws.load_casus(casus_id)
    checklist = data.checklist
    problems = _input_problems(data)
    if problems:
        raise DomainValidationError(problems)
    purpose = ws.purpose_for(casus, checklist.purpose)
    resource = build_item_resource(
        ws.resource(casus, RESOURCE_TYPE),
        casus,
        category=data.category,
        source=ws.principal.organisation,
        withheld=False,
        consent=consent_resource(ws, casus, purpose),
    )
    decision = ws.enforcer.decide(
        "create",
        resource,
        ws.context(
            purpose,
            {
                "legal_basis": checklist.legal_basis,
                "art9_exception": checklist.art9_exception,
                "beroepsgeheim_ground": checklist.beroepsgeheim_ground,
            },
        ),
        item_target(casus),
    )
    _check_item(ws, casus, data)
    item = InformationItem(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        about_person_id=data.about_person_id,
        category=data.category,
        source_organisation_id=ws.principal.organisation,
        purpose=purpose,
        legal_basis=checklist.legal_basis,
        art9_exception=checklist.art9_exception,
        beroepsgeheim_ground=checklist.beroepsgeheim_ground,
        necessity=(checklist.necessity or "").strip() or None,
        person_informed=checklist.person_informed,
        not_informed_reason=(checklist.not_informed_reason or "").strip() or None,
        withheld=False,
        shared=False,
        title=data.title.strip(),
        body=data.body.strip(),
        created_by=ws.principal.user_id,
        created_at=ws.enforcer.now,
        version=1,
    )
    ws.session.add(item)
    ws.session.flush()
    return item, decision
