"""Acting on the werkvoorraad: an action of the plan van aanpak or a partner toezegging is
done, or postponed to a new date with a reason.

Both live in the plan van aanpak, so both are a new plan version through
:func:`services.casework.plan.service.save_plan`: the policy decides (``update`` on the
plan, audited), the casus gets an event without person data, and the version's change
summary says what changed (the reason for a postponement is part of that summary, which is
free text under the plan's text categories). An action from the minutes of a casusoverleg
lives in the verslag instead (:func:`services.casework.overleg.service.complete_action`,
``postpone_action``: the policy decides ``update`` on the casus's meeting line). The caller
names the plan version (for an overleg action: the meeting version) the item came from; a
newer version (someone changed it meanwhile) is a version conflict, so an item never lands
on the wrong action or toezegging.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.text import format_date_nl
from services.casework.errors import NotFound, VersionMismatch
from services.casework.overleg import service as overleg
from services.casework.plan import service as plans
from services.casework.werkvoorraad.service import COMMITMENT_CHECK, MEETING_ACTION, PLAN_ACTION
from services.casework.workspace import Workspace
from services.platform.db.models import Organisation

#: What "done" means per kind of item.
DONE_STATUS: Final[Mapping[str, str]] = {
    PLAN_ACTION: "gereed",
    COMMITMENT_CHECK: "nagekomen",
    MEETING_ACTION: "gereed",
}
ACTIONABLE: Final = frozenset(DONE_STATUS)

_COMMITMENT = re.compile(r"^toezegging-(\d+)$")


@dataclass(frozen=True)
class Outcome:
    """What became of the item."""

    casus_id: uuid.UUID
    kind: str
    subject: str
    status: str
    due_on: dt.date
    plan_version: int
    new_version: bool


def _api(value: Any) -> Any:
    """Stored plan content (domain names) -> the API's (Dutch) names, for save_plan."""
    if isinstance(value, Mapping):
        return {plans.API_NAMES.get(k, k): _api(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_api(v) for v in value]
    return value


def _locate(content: Mapping[str, Any], kind: str, subject: str) -> tuple[str, int]:
    """(list in the plan content, index) of the item; NotFound when the plan has no such."""
    if kind == PLAN_ACTION:
        for i, action in enumerate(content.get("actions", [])):
            if action.get("id") == subject:
                return "actions", i
    elif kind == COMMITMENT_CHECK:
        match = _COMMITMENT.fullmatch(subject)
        if match and 1 <= int(match.group(1)) <= len(content.get("commitments", [])):
            return "commitments", int(match.group(1)) - 1
    else:
        raise DomainValidationError(
            [FieldProblem("soort", "Dit soort item handelt u af op de casus zelf.")]
        )
    raise NotFound(f"{kind} {subject}")


def _load(
    ws: Workspace, casus_id: uuid.UUID, kind: str, subject: str, plan_version: int
) -> tuple[dict[str, Any], str, int]:
    # The policy first (read, audited): nothing about the plan is told to someone who may
    # not read it. save_plan decides again for the update.
    current = plans.read_plan(ws, casus_id, None).version
    if current.version != plan_version:
        # Checked again (under the policy and a row lock) by save_plan; checked here first
        # so that an index never points into another version's list.
        raise VersionMismatch(current.version)
    content: dict[str, Any] = {
        k: [dict(x) for x in v] if isinstance(v, list) else v for k, v in current.content.items()
    }
    where, index = _locate(content, kind, subject)
    return content, where, index


def _save(
    ws: Workspace,
    casus_id: uuid.UUID,
    plan_version: int,
    content: Mapping[str, Any],
    kind: str,
    subject: str,
    item: Mapping[str, Any],
    note: str | None,
) -> Outcome:
    try:
        read, created = plans.save_plan(ws, casus_id, plan_version, _api(content), note=note)
    except DomainValidationError as error:
        raise DomainValidationError(
            [FieldProblem("nieuwe_datum", p.message) for p in error.problems]
        ) from None
    due = item.get("deadline") or item.get("check_due_on") or item.get("made_on")
    return Outcome(
        casus_id,
        kind,
        subject,
        str(item["status"]),
        dt.date.fromisoformat(str(due)),
        read.version.version,
        created,
    )


def _meeting_outcome(settled: overleg.SettledAction) -> Outcome:
    return Outcome(
        settled.casus_id,
        MEETING_ACTION,
        settled.subject,
        settled.status,
        settled.deadline,
        settled.meeting_version,
        True,
    )


def complete(
    ws: Workspace, casus_id: uuid.UUID, kind: str, subject: str, plan_version: int
) -> Outcome:
    """The action is ``gereed``, the toezegging ``nagekomen``: it leaves the werkvoorraad.
    (For an action from the overleg, ``plan_version`` is the version of the meeting.)"""
    if kind == MEETING_ACTION:
        return _meeting_outcome(overleg.complete_action(ws, casus_id, subject, plan_version))
    content, where, index = _load(ws, casus_id, kind, subject, plan_version)
    item = content[where][index]
    item["status"] = DONE_STATUS[kind]
    return _save(ws, casus_id, plan_version, content, kind, subject, item, None)


def postpone(
    ws: Workspace,
    casus_id: uuid.UUID,
    kind: str,
    subject: str,
    plan_version: int,
    new_date: dt.date,
    reason: str,
) -> Outcome:
    """A new deadline (action) or check date (toezegging) after today, with a reason."""
    if kind == MEETING_ACTION:
        return _meeting_outcome(
            overleg.postpone_action(ws, casus_id, subject, plan_version, new_date, reason)
        )
    problems = []
    if new_date <= ws.today:
        problems.append(FieldProblem("nieuwe_datum", "Kies een datum na vandaag."))
    if not reason.strip():
        problems.append(FieldProblem("reden", "Geef de reden van het uitstel."))
    if problems:
        raise DomainValidationError(problems)
    content, where, index = _load(ws, casus_id, kind, subject, plan_version)
    item = content[where][index]
    if kind == PLAN_ACTION:
        item["deadline"] = new_date.isoformat()
        note = f"Reden van uitstel van actie '{item['description']}': {reason.strip()}"
    else:
        item["check_due_on"] = new_date.isoformat()
        organisation = ws.session.get(Organisation, (ws.principal.tenant, item["organisation_id"]))
        who = organisation.name if organisation else item["organisation_id"]
        note = (
            f"Controle van de toezegging van {who} ({item['text']}) uitgesteld tot "
            f"{format_date_nl(new_date)}: {reason.strip()}"
        )
    return _save(ws, casus_id, plan_version, content, kind, subject, item, note)
