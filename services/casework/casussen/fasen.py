"""The phases of a casus: the policy check of a change, the move to another phase (with its
tijdlijn line) and the moves that need no more than a reason. Triage
(:mod:`.triage`), closure and reopening (:mod:`.afsluiting`) carry more data and have their
own modules; group steps 3-7 cannot be clicked through empty.
"""

from __future__ import annotations

import uuid

from services.casework.domain import group_steps, lifecycle
from services.casework.domain.timers import add_months
from services.casework.errors import Conflict
from services.casework.plan import service as plans
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus
from services.platform.policy import Decision


def authorize_change(
    ws: Workspace, casus: Casus, action: str, purpose: str | None, resource_type: str = "casus"
) -> Decision:
    return ws.enforcer.decide(
        action,
        ws.resource(casus, resource_type),
        ws.context(ws.purpose_for(casus, purpose)),
        Target(resource_type, str(casus.id), casus.id),
    )


def move_to(ws: Workspace, casus: Casus, target: str, summary: str) -> None:
    previous = casus.state
    casus.state = target
    ws.touch(casus)
    if target == "plan" and casus.plan_date is None:
        casus.plan_date = ws.today
    ws.event(
        casus,
        "fase",
        f"{lifecycle.state_label(casus.kind, previous)} → "
        f"{lifecycle.state_label(casus.kind, target)}. {summary}".strip(),
    )


def transition(
    ws: Workspace,
    casus_id: uuid.UUID,
    target: str,
    expected_version: int | None,
    *,
    reason: str | None = None,
) -> Casus:
    """Moves that need no more than a reason. Triage, closure and reopening have their own
    functions because they carry more data."""
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "transition", None)
    with ws.changing(casus, expected_version):
        move = lifecycle.transition(casus.kind, casus.state, target)
        special = {
            "opnemen",
            "doorverwijzen",
            "niet-opnemen",
            "afschalen",
            "opschalen",
            "stoppen",
            "heropenen",
        }
        if move.action in special:
            raise Conflict(
                "gebruik-specifieke-actie",
                f"'{move.label}' gaat via het eigen formulier (triage, afsluiting of heropenen).",
                toegestaan=list(lifecycle.allowed_next(casus.kind, casus.state)),
            )
        lifecycle.check_transition_data(casus.kind, casus.state, target, reason=reason)
        if move.action == "uitvoering-starten" and not plans.has_plan(ws, casus):
            raise Conflict(
                "plan-vereist",
                "Stel eerst het plan van aanpak vast: zonder plan van aanpak start de uitvoering "
                "niet.",
            )
        if (
            casus.kind == "groep"
            and target == "stap-2"
            and not any(r.role == "uitvoeringscoordinator" for r in ws.active_roles(casus))
        ):
            raise Conflict(
                "uitvoeringscoordinator-vereist",
                "Stel eerst een uitvoeringscoördinator aan: vanaf stap 2 worden persoonsgegevens "
                "verwerkt.",
            )
        if casus.kind == lifecycle.GROUP:
            _check_group_step_done(ws, casus, move)
        move_to(ws, casus, target, reason or move.label)
        if move.action == "archiveren":
            casus.closure = {
                **casus.closure,
                "gearchiveerd_op": ws.today.isoformat(),
                "archiveer_reden": (reason or "").strip(),
            }
        if casus.kind == "groep" and target == "afgesloten":
            casus.closure = {"reden": reason, "datum": ws.today.isoformat(), "stap": move.source}
            casus.closure_date = ws.today
            casus.retention_until = add_months(ws.today, ws.manifest.retention.default_months)
    return casus


def _check_group_step_done(ws: Workspace, casus: Casus, move: lifecycle.Transition) -> None:
    """Group steps 3-7 cannot be clicked through empty (domain/group_steps.py): a forward
    move needs the step's content; early closure and bijstellen need only their reason."""
    if move.action not in ("volgende-stap", "afsluiten"):
        return
    source = lifecycle.group_step(casus.state)
    if source is None:
        return
    current = plans.current_version(ws, casus)
    tracks = (
        frozenset(
            str(i.get("track"))
            for i in current.content.get("interventions", [])
            if isinstance(i, dict)
        )
        if current is not None and isinstance(current.content, dict)
        else frozenset()
    )
    facts = group_steps.PlanFacts(exists=current is not None, tracks=tracks)
    missing = group_steps.missing_for_move(
        source,
        lifecycle.group_step(move.target) if move.action != "afsluiten" else None,
        casus.group_steps or {},
        facts,
    )
    if missing:
        raise Conflict(
            "groepsstap-onvolledig",
            f"Stap {source} is nog niet af: {' '.join(missing)}",
            ontbreekt=missing,
        )
