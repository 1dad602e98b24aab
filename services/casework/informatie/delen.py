"""Sharing an information item through the checklist gegevensdeling, and withholding and
releasing it (the source only).

Sharing asks the policy (action ``share``) with the full checklist in the context: purpose,
art. 6 basis, art. 9 exception, beroepsgeheim ground, necessity, transparency. Consent as a
basis is checked against the recorded consents of the casus subject
(:mod:`services.casework.toestemming.service`). The source may withhold an item (lopend
onderzoek) and release it again. The browser's step-by-step form is :mod:`.delen_wizard`.
"""

from __future__ import annotations

import uuid

from services.casework.domain.errors import DomainValidationError
from services.casework.errors import Conflict
from services.casework.informatie.checklist import Checklist, code_problems, refuse_unknown_codes
from services.casework.informatie.items import item_resource, item_target, load_item
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, InformationItem
from services.platform.policy import Decision
from tenants.reference import DATA_CATEGORIES


def share_item(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    checklist: Checklist,
    expected_version: int | None,
) -> InformationItem:
    """Share an item with the participants of the casus through the checklist.

    The policy names every missing part of the checklist; only the source may share, never
    while withheld, never as a receive-only partner. If-Match is optional: when given it
    must name the current version.
    """
    refuse_unknown_codes(checklist)
    casus = ws.load_casus(casus_id)
    item = load_item(ws, casus, item_id, for_update=True)
    decision = ws.enforcer.decide(
        "share",
        item_resource(ws, casus, item, checklist.purpose),
        ws.context(checklist.purpose, checklist.context()),
        item_target(casus, item),
    )
    with ws.changing(item, expected_version, required=False):
        # The policy refuses unknown purposes and bases; an art. 9 exception or beroepsgeheim
        # ground is only checked for its category, so unknown codes there are refused here.
        problems = code_problems(checklist)
        if problems:
            raise DomainValidationError(problems)
        again = item.shared
        item.purpose = checklist.purpose or item.purpose
        item.legal_basis = checklist.legal_basis
        item.art9_exception = checklist.art9_exception
        item.beroepsgeheim_ground = checklist.beroepsgeheim_ground
        item.necessity = (checklist.necessity or "").strip() or None
        item.person_informed = checklist.person_informed
        item.not_informed_reason = (checklist.not_informed_reason or "").strip() or None
        item.shared = True
        item.shared_at = ws.enforcer.now
        _honour(ws, casus, item, decision, again=again)
    return item


def withhold_item(
    ws: Workspace, casus_id: uuid.UUID, item_id: uuid.UUID, expected_version: int | None
) -> InformationItem:
    """The source withholds its item (e.g. lopend onderzoek): nobody else sees it."""
    return _set_withheld(ws, casus_id, item_id, expected_version, withhold=True)


def release_item(
    ws: Workspace, casus_id: uuid.UUID, item_id: uuid.UUID, expected_version: int | None
) -> InformationItem:
    """Only the source releases a withheld item; a shared item is visible again."""
    return _set_withheld(ws, casus_id, item_id, expected_version, withhold=False)


def _set_withheld(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    expected_version: int | None,
    *,
    withhold: bool,
) -> InformationItem:
    casus = ws.load_casus(casus_id)
    item = load_item(ws, casus, item_id, for_update=True)
    decision = ws.enforcer.decide(
        "withhold" if withhold else "release",
        item_resource(ws, casus, item, item.purpose),
        ws.context(item.purpose),
        item_target(casus, item),
    )
    with ws.changing(item, expected_version, required=False):
        if withhold and item.withheld:
            raise Conflict("al-achtergehouden", "Dit item is al achtergehouden.")
        item.withheld = withhold
        _honour(ws, casus, item, decision)
    return item


def _honour(
    ws: Workspace,
    casus: Casus,
    item: InformationItem,
    decision: Decision,
    *,
    again: bool = False,
) -> None:
    """Carry out the obligations of an allowed decision. ``audit`` is done by the enforcer.

    Timeline events never hold content or person data: category, purpose and basis only.
    """
    label = DATA_CATEGORIES.get(item.category, item.category)
    for obligation in decision.obligations:
        if obligation.code == "registreer-deling":
            purpose = obligation.params.get("purpose") or item.purpose
            basis = obligation.params.get("legal_basis") or item.legal_basis
            ws.event(
                casus,
                "informatie-gedeeld",
                f"Informatie {'opnieuw ' if again else ''}gedeeld door "
                f"{item.source_organisation_id} (categorie: {label}; doel: {purpose}; "
                f"grondslag: {basis}).",
            )
        elif obligation.code == "informeer-regie":
            event = obligation.params.get("event")
            what = "achtergehouden" if event == "withhold" else "vrijgegeven"
            ws.event(
                casus,
                "informatie-bron",
                f"Een informatie-item (categorie: {label}) is door de bron "
                f"{item.source_organisation_id} {what}.",
            )
