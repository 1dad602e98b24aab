"""Due actions and toezeggingen become in-app notifications (meldingen), by the periodic
reminders job (services/jobs.py), acting as each user in turn.

The items are the user's own werkvoorraad, computed under the policy as that user (what
they may see, audited as such): an action of the plan van aanpak or from a casusoverleg
owned by them (or, without an owner user, by their organisation), and a partner toezegging
made by their organisation, whose date is today or earlier. One notification per user, item
and date (``dedupe_key``): a rerun of the job on the same or a later day adds nothing; a
postponed item is due again on its new date. The text names the kind of item, the casus
reference and the date, never the action's own text (free text).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, Final

from services.casework.domain.plan import PlanContent
from services.casework.domain.text import format_date_nl
from services.casework.meldingen import service as meldingen
from services.casework.plan import service as plans
from services.casework.werkvoorraad.service import COMMITMENT_CHECK, PLAN_ACTION, work_queue
from services.casework.workspace import Workspace

MEETING_ACTION: Final = "overlegactie"

#: Kinds of werkvoorraad item that are assigned to someone, and how a notification names them.
ASSIGNED: Final[Mapping[str, str]] = {
    PLAN_ACTION: "Een actie uit het plan van aanpak",
    MEETING_ACTION: "Een actie uit het casusoverleg",
    COMMITMENT_CHECK: "Een toezegging van uw organisatie",
}


def _own_commitment(ws: Workspace, item: Mapping[str, Any]) -> bool:
    """A toezegging check is everyone's item on the casus; it is assigned to the users of
    the organisation that made the toezegging."""
    casus = ws.load_casus(uuid.UUID(item["casus_id"]))
    current = plans.current_version(ws, casus)
    if current is None:
        return False
    commitments = PlanContent.model_validate(current.content).commitments
    number = str(item.get("onderwerp") or "").removeprefix("toezegging-")
    if not number.isdigit() or not 1 <= int(number) <= len(commitments):
        return False
    return commitments[int(number) - 1].organisation_id == ws.principal.organisation


def _text(item: Mapping[str, Any], today: dt.date) -> str:
    due = dt.date.fromisoformat(item["datum"])
    when = (
        f"is vandaag aan de beurt ({format_date_nl(due)})"
        if due == today
        else f"is te laat: uiterlijk {format_date_nl(due)}"
    )
    return f"{ASSIGNED[item['soort']]} in casus {item['referentie']} {when}."


def notify_due(ws: Workspace) -> int:
    """Notify the workspace's user of their assigned items that are due; returns how many
    notifications were new."""
    written = 0
    for item in work_queue(ws, horizon_days=0)["items"]:
        kind = item["soort"]
        if kind not in ASSIGNED or dt.date.fromisoformat(item["datum"]) > ws.today:
            continue
        if kind == COMMITMENT_CHECK and not _own_commitment(ws, item):
            continue
        casus = ws.load_casus(uuid.UUID(item["casus_id"]))
        written += meldingen.notify(
            ws,
            [ws.principal.user_id],
            "termijn",
            casus,
            _text(item, ws.today),
            f"/werkvoorraad?casus={casus.reference}",
            dedupe_key=f"termijn:{casus.id}:{kind}:{item.get('onderwerp')}:{item['datum']}",
            to_self=True,
        )
    return written
