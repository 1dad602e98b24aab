"""Reading a casus: the policy's read decision and the views of a casus as a list row
(:func:`summary_view`) and in full (:func:`detail_view`), with free text, triage and closure
reduced where the reader's view or masks say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any, Final

from sqlalchemy.orm import defer

from services.casework import free_text
from services.casework.casus_relations import CasusRecord
from services.casework.domain import lifecycle
from services.casework.personen.service import person_view
from services.casework.subjects import subject_with_restriction
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, Person
from services.platform.policy import Decision

#: The casus's documents that neither a list row (:func:`summary_view`) nor its policy
#: resource reads: a page of casussen loads without them (about 1.4 kB of JSON per casus
#: to parse; issue 14). They load on access, should anything read them after all.
SUMMARY_OPTIONS: Final = tuple(
    defer(column)
    for column in (
        Casus.aanmelding,
        Casus.triage,
        Casus.informing,
        Casus.closure,
        Casus.group_steps,
    )
)


def group_name_of(casus: Casus | CasusRecord, decision: Decision) -> str | None:
    """The group's (working) name, which identifies its members: only in a full view whose
    purpose has the grant for identifying data (found by the hostile probes: a list under
    ``doel=opschaling`` showed it to a participant without that grant)."""
    if decision.view != "full" or "identificerend" in decision.mask:
        return None
    return casus.group_name


def summary_view(
    ws: Workspace,
    casus: Casus | CasusRecord,
    decision: Decision,
    persons: dict[uuid.UUID, Person] | None = None,
    restricted: Collection[str] | None = None,
) -> dict[str, Any]:
    """The casus as a list shows it; ``persons`` holds the page's persons when a list loaded
    them in one query, ``restricted`` which of them are under a restriction (otherwise
    looked up per person); without ``persons`` the person and their restriction are looked
    up together, or taken from a :class:`CasusRecord`, which was read with them."""
    view: dict[str, Any] = {
        "id": str(casus.id),
        "referentie": casus.reference,
        "tenant": casus.tenant_id,
        "soort": casus.kind,
        "fase": casus.state,
        "fase_label": lifecycle.state_label(casus.kind, casus.state),
        "aangemeld_op": casus.aanmeld_date.isoformat(),
        "versie": casus.version,
        "weergave": decision.view,
    }
    if casus.kind == "groep":
        view["groepsnaam"] = group_name_of(casus, decision)
        view["stap"] = lifecycle.group_step(casus.state)
    elif isinstance(casus, CasusRecord):
        if casus.person is not None:
            view["persoon"] = person_view(ws, casus.person, decision, restricted=casus.restricted)
    elif casus.subject_person_id is not None:
        if persons is None:
            persons, restricted = subject_with_restriction(ws, casus)
        person = persons.get(casus.subject_person_id)
        if person is not None:
            view["persoon"] = person_view(
                ws,
                person,
                decision,
                restricted=None if restricted is None else str(person.id) in restricted,
            )
    return view


def read_casus(
    ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None, *, subject: bool = False
) -> tuple[Casus, Decision]:
    """The casus and the policy's read decision on it (audited). ``subject``: load its
    subject person with it, for :func:`detail_view` (one statement fewer)."""
    casus = ws.load_casus(casus_id, subject=subject)
    return casus, _read_decision(ws, casus, purpose)


def read_casus_record(
    ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None
) -> tuple[CasusRecord, Decision]:
    """:func:`read_casus` for the casus page: the casus as a plain row with its subject
    person (:meth:`Workspace.load_casus_record`), and the same audited read decision."""
    casus = ws.load_casus_record(casus_id)
    return casus, _read_decision(ws, casus, purpose)


def _read_decision(ws: Workspace, casus: Casus | CasusRecord, purpose: str | None) -> Decision:
    """The policy's read decision on ``casus`` for ``purpose`` (audited)."""
    return ws.enforcer.decide(
        "read",
        ws.resource(casus),
        ws.context(ws.purpose_for(casus, purpose)),
        Target("casus", str(casus.id), casus.id),
    )


def detail_view(ws: Workspace, casus: Casus | CasusRecord, decision: Decision) -> dict[str, Any]:
    view = summary_view(ws, casus, decision)
    full = decision.view == "full"
    # Free text carries the categories of what the casus is about (services/casework/
    # free_text.py): it is shown only when none of them is masked for this reader.
    text_ok = free_text.shows(decision, free_text.casus_text_categories(casus))
    participants = ws.participants(casus)
    roles = ws.active_roles(casus)
    view.update(
        {
            "doelgroep": casus.doelgroep,
            "vrijwillig": casus.voluntary,
            "overleg": casus.meeting_type_id,
            "aanmelder_organisatie": casus.aanmelder_organisation_id,
            "aanmelding": _aanmelding_view(casus.aanmelding, decision, text_ok),
            "triage": casus.triage if text_ok else _redact_triage(casus.triage),
            "informeren": casus.informing if text_ok else {},
            "afsluiting": casus.closure if text_ok else _redact_closure(casus.closure),
            "tekst_afgeschermd": not text_ok,
            "bewaartermijn_tot": casus.retention_until.isoformat()
            if casus.retention_until
            else None,
            "deelnemers": [
                {
                    "organisatie": p.organisation_id,
                    "deelname": p.participation,
                    "rol": p.declared_role,
                }
                for p in participants
            ],
            "regie": [
                {
                    "rol": r.role,
                    "gebruiker": r.user_id if full else None,
                    "organisatie": r.organisation_id,
                }
                for r in roles
            ],
            "volgende_fasen": [
                {
                    "fase": t.target,
                    "actie": t.action,
                    "label": t.label,
                    "vereist": sorted(str(r) for r in t.requires),
                }
                for t in lifecycle.transitions_from(casus.kind, casus.state)
            ],
            "gemaskeerd": list(decision.mask),
            "redenen": [r.to_dict() for r in decision.reasons],
        }
    )
    return view


def _aanmelding_view(
    aanmelding: dict[str, Any], decision: Decision, text_ok: bool
) -> dict[str, Any]:
    """Each problem under its leefgebied's categories; other free text under the casus's.
    (Also for the aanmelder: what it may read follows its grants, like everyone's.)"""
    problems: dict[str, Any] = aanmelding.get("problemen", {}) or {}
    shown = {
        code: free_text.text_or_none(decision, free_text.leefgebied_categories(code), text)
        for code, text in problems.items()
    }
    view: dict[str, Any] = {
        "problemen": shown,
        "problemen_afgeschermd": sorted(code for code, text in shown.items() if text is None),
        "geinformeerd": aanmelding.get("geinformeerd"),
    }
    if text_ok:
        view.update({k: v for k, v in aanmelding.items() if k not in ("problemen", "geinformeerd")})
    return view


def _redact_triage(triage: dict[str, Any]) -> dict[str, Any]:
    """Reduced views: the decision and the criteria count, no reasons, age or duplicates."""
    return {k: triage[k] for k in ("besluit", "besluit_label", "inclusie", "datum") if k in triage}


def _redact_closure(closure: dict[str, Any]) -> dict[str, Any]:
    """Reduced views: the closure reason code and date, no free text or conversations."""
    return {k: closure[k] for k in ("reden", "datum", "opgeschaald_naar") if k in closure}
