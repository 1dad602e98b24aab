"""Triage: the inclusion criteria, the age band and the duplicate check (earlier casussen of
the same person, also by BSN), as a preview and as the triage decision that moves the casus
on (opnemen, niet opnemen, doorverwijzen).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from services.casework.casussen.fasen import authorize_change, move_to
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.timers import add_months
from services.casework.domain.triage import (
    ExistingCasus,
    check_age_band,
    decide,
    evaluate_inclusion,
    find_duplicates,
)
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, MeetingType, Person


def _same_person_casussen(ws: Workspace, casus: Casus) -> list[ExistingCasus]:
    if casus.subject_person_id is None:
        return []
    person = ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
    person_ids = {casus.subject_person_id}
    if person is not None and person.bsn_hash:
        person_ids |= set(
            ws.session.scalars(
                sa.select(Person.id).where(
                    Person.tenant_id == casus.tenant_id, Person.bsn_hash == person.bsn_hash
                )
            )
        )
    rows = ws.session.execute(
        sa.select(Casus, MeetingType.name)
        .outerjoin(
            MeetingType,
            sa.and_(
                MeetingType.tenant_id == Casus.tenant_id, MeetingType.id == Casus.meeting_type_id
            ),
        )
        .where(Casus.tenant_id == casus.tenant_id, Casus.subject_person_id.in_(person_ids))
    ).all()
    return [ExistingCasus(c.reference, c.kind, c.state, name) for c, name in rows]


def triage_preview(ws: Workspace, casus_id: uuid.UUID, met_ids: set[str]) -> dict[str, Any]:
    casus = ws.load_casus(casus_id)
    authorize_change(ws, casus, "read", "triage")
    inclusion = evaluate_inclusion(ws.manifest.inclusion, met_ids)
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    age = (
        check_age_band(person.birth_date, ws.today, ws.manifest.age_band)
        if person is not None and person.birth_date
        else None
    )
    duplicates = find_duplicates(_same_person_casussen(ws, casus), exclude_casus_id=casus.reference)
    return {
        "criteria": [{"id": c.id, "tekst": c.text, "voldaan": c.met} for c in inclusion.criteria],
        "inclusie": {
            "voldaan": inclusion.met,
            "totaal": inclusion.total,
            "minimaal": inclusion.minimum,
            "opgenomen_mogelijk": inclusion.included,
            "label": inclusion.label,
        },
        "leeftijd": {"leeftijd": age.age, "binnen_grens": age.within, "label": age.label}
        if age
        else None,
        "dubbelingen": [
            {"casus": d.casus_id, "fase": d.state, "tekst": d.text} for d in duplicates
        ],
    }


def triage_decide(
    ws: Workspace,
    casus_id: uuid.UUID,
    expected_version: int | None,
    *,
    criteria_met: set[str],
    decision: str,
    reason: str | None,
    override_reason: str | None,
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "transition", "triage")
    with ws.changing(casus, expected_version):
        if casus.state != "in_triage":
            raise lifecycle.InvalidTransition(
                casus.state, "triage", lifecycle.allowed_next(casus.kind, casus.state), casus.kind
            )
        try:
            inclusion = evaluate_inclusion(ws.manifest.inclusion, criteria_met)
        except ValueError as error:
            raise DomainValidationError([FieldProblem("criteria", str(error))]) from None
        person = (
            ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
            if casus.subject_person_id
            else None
        )
        age = (
            check_age_band(person.birth_date, ws.today, ws.manifest.age_band)
            if person is not None and person.birth_date
            else None
        )
        outcome = decide(
            decision, inclusion, age=age, reason=reason, override_reason=override_reason
        )
        duplicates = find_duplicates(
            _same_person_casussen(ws, casus), exclude_casus_id=casus.reference
        )
        casus.triage = {
            "besluit": outcome.decision,
            "besluit_label": outcome.label,
            "reden": outcome.reason,
            "afwijking": outcome.override,
            "afwijking_reden": outcome.override_reason,
            "criteria": sorted(criteria_met),
            "inclusie": inclusion.label,
            "leeftijd": age.label if age else None,
            "dubbelingen": [d.text for d in duplicates],
            "door": ws.principal.user_id,
            "datum": ws.today.isoformat(),
        }
        move_to(ws, casus, outcome.next_state, f"Triagebesluit: {outcome.label}.")
        if outcome.next_state in ("niet_opgenomen", "doorverwezen"):
            casus.closure_date = ws.today
            casus.retention_until = add_months(
                ws.today, ws.manifest.retention.months_for(outcome.decision)
            )
    return casus
