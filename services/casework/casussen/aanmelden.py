"""Aanmelden: a convenant partner registers a person (or a youth group, step 1 of the group
approach). The aanmelding is checked (leefgebieden, informed or why not, text categories,
overleg) after the policy allowed the create; the aanmelder's organisation becomes a kern
participant.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.meldingen import service as meldingen
from services.casework.personen.service import PersonInput, create_person
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, CasusParticipant, MeetingType, Organisation, Person
from tenants.reference import DATA_CATEGORIES, INSTRUMENT_DOMAINS


@dataclass(frozen=True)
class Aanmelding:
    kind: str
    waarom_integraal: str
    problemen: dict[str, str]
    geinformeerd: bool
    reden_niet_geinformeerd: str | None = None
    person: PersonInput | None = None
    person_id: uuid.UUID | None = None
    group_name: str | None = None
    doelgroep: str | None = None
    vrijwillig: bool = True
    meeting_type: str | None = None
    #: Data categories of the general free text (services/casework/free_text.py).
    text_categories: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _check_aanmelding(ws: Workspace, data: Aanmelding) -> None:
    problems: list[FieldProblem] = []
    if data.kind not in ("persoon", "groep"):
        problems.append(FieldProblem("soort", "Kies 'persoon' of 'groep'."))
    if not data.waarom_integraal.strip():
        problems.append(
            FieldProblem("waarom_integraal", "Leg uit waarom een integrale aanpak nodig is.")
        )
    domains = INSTRUMENT_DOMAINS[ws.manifest.assessment_instrument]
    unknown = sorted(set(data.problemen) - set(domains))
    if unknown:
        problems.append(
            FieldProblem(
                "problemen",
                f"Onbekend leefgebied: {', '.join(unknown)}; kies uit {', '.join(domains)}.",
            )
        )
    if not data.geinformeerd and not (data.reden_niet_geinformeerd or "").strip():
        problems.append(
            FieldProblem(
                "reden_niet_geinformeerd",
                "Geef aan waarom de persoon (nog) niet is geïnformeerd over de aanmelding.",
            )
        )
    unknown_categories = sorted(set(data.text_categories) - set(DATA_CATEGORIES))
    if unknown_categories:
        problems.append(
            FieldProblem(
                "tekst_categorieen",
                f"Onbekende categorie: {', '.join(unknown_categories)}; kies uit "
                f"{', '.join(DATA_CATEGORIES)}.",
            )
        )
    if data.kind == "persoon" and data.person is None and data.person_id is None:
        problems.append(FieldProblem("persoon", "Geef de persoon op (of een bestaand persoon-id)."))
    if data.kind == "groep":
        if not (data.group_name or "").strip():
            problems.append(FieldProblem("groepsnaam", "Geef de (werk)naam van de groep op."))
        if data.person is not None or data.person_id is not None:
            problems.append(
                FieldProblem(
                    "persoon",
                    "Stap 1 van de groepsaanpak (signalen delen) gaat alleen over de groep: "
                    "geen persoonsgegevens.",
                )
            )
    if (
        data.meeting_type is not None
        and ws.session.get(MeetingType, (ws.principal.tenant, data.meeting_type)) is None
    ):
        problems.append(FieldProblem("overleg", f"Onbekend overleg '{data.meeting_type}'."))
    if problems:
        raise DomainValidationError(problems)


def aanmelden(ws: Workspace, data: Aanmelding) -> Casus:
    """A convenant partner registers a person (or a youth group, step 1)."""
    ctx = ws.context("aanmelding")
    ws.enforcer.decide(
        "create",
        {
            "type": "casus",
            "tenant": ws.principal.tenant,
            "casus_kind": data.kind,
            "phase": "aanmelding",
            # A group is registered at step 1 (signalen delen): group level only.
            "contains_person_identifiers": data.kind == "persoon",
            **({"group_step": 1} if data.kind == "groep" else {}),
        },
        ctx,
        Target("casus"),
    )
    _check_aanmelding(ws, data)
    subject: Person | None = None
    if data.person_id is not None:
        subject = ws.session.get(Person, (ws.principal.tenant, data.person_id))
        if subject is None:
            raise DomainValidationError([FieldProblem("persoon_id", "Onbekende persoon.")])
    elif data.person is not None:
        subject = create_person(ws, data.person)
    casus = Casus(
        tenant_id=ws.principal.tenant,
        id=uuid.uuid4(),
        reference=f"{ws.principal.tenant}-{ws.today.year}-{secrets.token_hex(3).upper()}",
        kind=data.kind,
        state=lifecycle.initial_state(data.kind),
        subject_person_id=subject.id if subject else None,
        group_name=data.group_name,
        doelgroep=data.doelgroep,
        voluntary=data.vrijwillig,
        meeting_type_id=data.meeting_type,
        aanmelder_organisation_id=ws.principal.organisation,
        aanmelder_user_id=ws.principal.user_id,
        aanmelding={
            "waarom_integraal": data.waarom_integraal.strip(),
            "problemen": data.problemen,
            "geinformeerd": data.geinformeerd,
            "reden_niet_geinformeerd": data.reden_niet_geinformeerd,
            "tekst_categorieen": sorted(set(data.text_categories) | {"algemeen"}),
            **data.extra,
        },
        aanmeld_date=ws.today,
        last_melding_on=ws.today,
        version=1,
    )
    ws.session.add(casus)
    ws.session.flush()
    ws.session.add(
        CasusParticipant(
            tenant_id=casus.tenant_id,
            casus_id=casus.id,
            organisation_id=ws.principal.organisation,
            participation="kern",
            declared_role="aanmelder",
            invited_by=ws.principal.user_id,
        )
    )
    org = ws.session.get(Organisation, (ws.principal.tenant, ws.principal.organisation))
    ws.event(
        casus, "aanmelding", f"Aangemeld door {org.name if org else ws.principal.organisation}."
    )
    meldingen.notify_aanmelding(ws, casus)
    ws.session.flush()
    return casus
