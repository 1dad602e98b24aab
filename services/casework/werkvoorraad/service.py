"""The werkvoorraad (work queue) of the calling user, and the review of doorbreekglas grants.

Due items come from :mod:`services.casework.domain.timers` with the tenant's ``Review``
settings: half-yearly herijking, a positive-closure proposal after N months without a new
melding, and the check of partner commitments (from the current plan version) after some
weeks. The casussen are those the user may see: the SQL pre-filter of need-to-know
(:func:`services.casework.casussen.zichtbaar.visible_casus_ids_query`), then the policy page-wise.
Only casussen with a full view carry work (an adviser's pseudonymised view does not).

Open actions of the current plan van aanpak owned by the user (or, without an owner user,
by the user's organisation) are items too (``planactie``); plan actions and toezeggingen
are done or postponed through :mod:`.afhandelen`, and so are the open actions from the
minutes of a casusoverleg owned by the user or their organisation (``overlegactie``).

PGA-experts also get the doorbreekglas grants of their tenant that nobody reviewed yet, and
mark them reviewed (terecht/onterecht) with an explanation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from services.casework.casussen.zichtbaar import visible_casus_condition
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.plan import PlanContent
from services.casework.domain.text import format_date_nl
from services.casework.domain.timers import CommitmentTimer, DueItem, TimerInput, werkvoorraad
from services.casework.errors import Conflict, NotFound
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import (
    AgendaItem,
    Casus,
    Meeting,
    Organisation,
    PlanVersion,
    UrgentAccess,
)
from services.platform.db.models import Assessment as AssessmentRow
from services.platform.policy import Decision, Reason

PURPOSE: Final = "monitoring"
REVIEW_PURPOSE: Final = "monitoring"
REVIEWER_ROLE: Final = "pga-expert"
#: A doorbreekglas grant should be reviewed within this many days.
DOORBREEKGLAS_REVIEW_DAYS: Final = 7
VERDICTS: Final = ("terecht", "onterecht")
PAGE: Final = 100
#: Work item kinds that are checked off in the plan van aanpak (done, postponed).
PLAN_ACTION: Final = "planactie"
COMMITMENT_CHECK: Final = "toezegging-controleren"
#: An action from the minutes of a casusoverleg (done or postponed, too).
MEETING_ACTION: Final = "overlegactie"
OPEN_ACTION_STATUSES: Final = frozenset({"open", "loopt"})


@dataclass(frozen=True)
class WorkItem:
    due_on: dt.date
    body: dict[str, Any]


def _chunks(rows: Sequence[Casus], size: int) -> list[Sequence[Casus]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _allowed(
    ws: Workspace, rows: Sequence[Casus], purpose: str, targets: Sequence[Target]
) -> list[Decision]:
    return ws.enforcer.decide_page("list", ws.resources(rows), ws.context(purpose), targets)


@dataclass(frozen=True)
class _PlanFacts:
    """What the timers need from the plans and assessments of a chunk of casussen, read in
    three queries for the whole chunk instead of three per casus (issue 14)."""

    first_plan: dict[uuid.UUID, dt.datetime]
    current: dict[uuid.UUID, PlanVersion]
    last_review: dict[uuid.UUID, dt.date]

    @classmethod
    def load(cls, ws: Workspace, casussen: Sequence[Casus]) -> _PlanFacts:
        if not casussen:
            return cls({}, {}, {})
        tenants = sorted({c.tenant_id for c in casussen})
        ids = [c.id for c in casussen]
        first_plan = {
            row[0]: row[1]
            for row in ws.session.execute(
                sa.select(PlanVersion.casus_id, sa.func.min(PlanVersion.created_at))
                .where(PlanVersion.tenant_id.in_(tenants), PlanVersion.casus_id.in_(ids))
                .group_by(PlanVersion.casus_id)
            )
        }
        current: dict[uuid.UUID, PlanVersion] = {}
        for version in ws.session.scalars(
            sa.select(PlanVersion)
            .where(PlanVersion.tenant_id.in_(tenants), PlanVersion.casus_id.in_(ids))
            .order_by(PlanVersion.casus_id, PlanVersion.version.desc())
        ):
            current.setdefault(version.casus_id, version)  # the newest comes first
        last_review = {
            casus_id: taken_on
            for casus_id, taken_on in ws.session.execute(
                sa.select(AssessmentRow.casus_id, sa.func.max(AssessmentRow.taken_on))
                .where(
                    AssessmentRow.tenant_id.in_(tenants),
                    AssessmentRow.casus_id.in_(ids),
                    AssessmentRow.moment == "tussentijds",
                )
                .group_by(AssessmentRow.casus_id)
            )
            if taken_on is not None
        }
        return cls(first_plan, current, last_review)


def _timer_input(
    ws: Workspace, casus: Casus, org_names: dict[str, str], facts: _PlanFacts | None = None
) -> TimerInput:
    if facts is None:
        facts = _PlanFacts.load(ws, [casus])
    first_plan = facts.first_plan.get(casus.id)
    plan_created_on = first_plan.date() if first_plan is not None else casus.plan_date
    current = facts.current.get(casus.id)
    commitments: tuple[CommitmentTimer, ...] = ()
    if current is not None:
        content = PlanContent.model_validate(current.content)
        commitments = tuple(
            CommitmentTimer(
                commitment_id=f"toezegging-{i + 1}",
                organisation_id=c.organisation_id,
                text=c.text,
                made_on=c.made_on,
                status=c.status,
                check_due_on=c.check_due_on,
                organisation_name=org_names.get(c.organisation_id),
            )
            for i, c in enumerate(content.commitments)
        )
    return TimerInput(
        casus_id=str(casus.id),
        kind=casus.kind,
        state=casus.state,
        today=ws.today,
        plan_created_on=plan_created_on,
        last_herijking_on=facts.last_review.get(casus.id),
        last_melding_on=casus.last_melding_on,
        commitments=commitments,
    )


def _due_view(item: DueItem, casus: Casus) -> dict[str, Any]:
    return {
        "soort": item.kind,
        "casus_id": str(casus.id),
        "referentie": casus.reference,
        "casus_soort": casus.kind,
        "fase": casus.state,
        "datum": item.due_on.isoformat(),
        "te_laat": item.overdue,
        "omschrijving": item.label,
        "onderwerp": item.subject_id,
    }


def _running() -> sa.ColumnElement[bool]:
    """Only running casussen have timers: closed ones stay in the database (issue 14)."""
    return sa.or_(
        *(
            sa.and_(Casus.kind == kind, Casus.state.in_(lifecycle.running_states(kind)))
            for kind in (lifecycle.PERSON, lifecycle.GROUP)
        )
    )


def _timer_items(ws: Workspace, horizon_days: int | None) -> list[WorkItem]:
    rows = [
        c
        for c in ws.session.scalars(
            sa.select(Casus)
            .where(visible_casus_condition(ws), _running())
            .order_by(Casus.created_at, Casus.id)
        )
        if lifecycle.is_active(c.kind, c.state)
    ]
    org_names = {
        o.id: o.name
        for o in ws.session.scalars(
            sa.select(Organisation).where(Organisation.tenant_id == ws.principal.tenant)
        )
    }
    inputs: list[TimerInput] = []
    by_id: dict[str, Casus] = {}
    # The current plan version of every shown casus, read with the chunk's facts: the plan
    # actions and the toezegging items use it too (one query per casus before; issue 14).
    current: dict[str, PlanVersion] = {}
    for chunk in _chunks(rows, PAGE):
        decisions = _allowed(ws, chunk, PURPOSE, [Target("casus", str(c.id), c.id) for c in chunk])
        shown = [
            casus
            for casus, decision in zip(chunk, decisions, strict=True)
            if decision.allow and decision.view == "full"
        ]
        facts = _PlanFacts.load(ws, shown)
        for casus in shown:
            by_id[str(casus.id)] = casus
            inputs.append(_timer_input(ws, casus, org_names, facts))
            version = facts.current.get(casus.id)
            if version is not None:
                current[str(casus.id)] = version
    due = werkvoorraad(inputs, ws.manifest.review, horizon_days=horizon_days)
    items = [WorkItem(item.due_on, _due_view(item, by_id[item.casus_id])) for item in due]
    plan_items = _plan_actions(ws, by_id, horizon_days, current)
    return (
        _with_plan_versions(items, current) + plan_items + _meeting_actions(ws, by_id, horizon_days)
    )


def _with_plan_versions(items: list[WorkItem], current: dict[str, PlanVersion]) -> list[WorkItem]:
    """A toezegging is checked off in the plan: its item names the plan version it is of."""
    for item in items:
        if item.body["soort"] == COMMITMENT_CHECK:
            version = current.get(item.body["casus_id"])
            item.body["plan_versie"] = version.version if version else None
    return items


def _plan_actions(
    ws: Workspace,
    casussen: dict[str, Casus],
    horizon_days: int | None,
    versions: dict[str, PlanVersion],
) -> list[WorkItem]:
    """Open actions of the plan van aanpak owned by the caller (or, without an owner user,
    by the caller's organisation); ``versions``: the current plan version per casus."""
    horizon = ws.today + dt.timedelta(days=horizon_days) if horizon_days is not None else None
    items = []
    for casus_key, casus in casussen.items():
        current = versions.get(casus_key)
        if current is None:
            continue
        for action in PlanContent.model_validate(current.content).actions:
            mine = action.owner_user_id == ws.principal.user_id or (
                action.owner_user_id is None
                and action.owner_organisation_id == ws.principal.organisation
            )
            if not mine or action.status not in OPEN_ACTION_STATUSES:
                continue
            if horizon is not None and action.deadline > horizon:
                continue
            items.append(
                WorkItem(
                    action.deadline,
                    {
                        "soort": PLAN_ACTION,
                        "casus_id": str(casus.id),
                        "referentie": casus.reference,
                        "casus_soort": casus.kind,
                        "fase": casus.state,
                        "datum": action.deadline.isoformat(),
                        "te_laat": action.deadline < ws.today,
                        "omschrijving": f"Actie uit het plan van aanpak: {action.description}",
                        "onderwerp": action.id,
                        "status": action.status,
                        "plan_versie": current.version,
                    },
                )
            )
    return items


def _meeting_actions(
    ws: Workspace, casussen: dict[str, Casus], horizon_days: int | None
) -> list[WorkItem]:
    """Open actions from casusoverleg minutes owned by the caller (or their organisation)."""
    if not casussen:
        return []
    rows = ws.session.execute(
        sa.select(AgendaItem, Meeting)
        .join(
            Meeting,
            sa.and_(Meeting.tenant_id == AgendaItem.tenant_id, Meeting.id == AgendaItem.meeting_id),
        )
        .where(
            AgendaItem.tenant_id == ws.principal.tenant,
            AgendaItem.casus_id.in_([c.id for c in casussen.values()]),
        )
    ).all()
    horizon = ws.today + dt.timedelta(days=horizon_days) if horizon_days is not None else None
    items = []
    for agenda_item, meeting in rows:
        casus = casussen[str(agenda_item.casus_id)]
        for index, action in enumerate(agenda_item.actions.get("acties", [])):
            mine = action.get("eigenaar_gebruiker") == ws.principal.user_id or (
                not action.get("eigenaar_gebruiker")
                and action.get("eigenaar_organisatie") == ws.principal.organisation
            )
            if not mine or action.get("status", "open") != "open":
                continue
            due_on = dt.date.fromisoformat(action["deadline"])
            if horizon is not None and due_on > horizon:
                continue
            items.append(
                WorkItem(
                    due_on,
                    {
                        "soort": "overlegactie",
                        "casus_id": str(casus.id),
                        "referentie": casus.reference,
                        "casus_soort": casus.kind,
                        "fase": casus.state,
                        "datum": due_on.isoformat(),
                        "te_laat": due_on < ws.today,
                        "omschrijving": f"Actie uit overleg van "
                        f"{format_date_nl(meeting.scheduled_for.date())}: "
                        f"{action.get('omschrijving', '')}",
                        # The action in the verslag, and the version of the meeting it is in
                        # (sent back when it is marked done or postponed).
                        "onderwerp": f"{meeting.id}-{index + 1}",
                        "status": action.get("status", "open"),
                        "plan_versie": meeting.version,
                    },
                )
            )
    return items


def _urgent_items(ws: Workspace) -> list[WorkItem]:
    grants = list(
        ws.session.scalars(
            sa.select(UrgentAccess)
            .where(
                UrgentAccess.tenant_id == ws.principal.tenant,
                UrgentAccess.reviewed_at.is_(None),
            )
            .order_by(UrgentAccess.granted_at)
        )
    )
    if not grants:
        return []
    casussen = {g.casus_id: ws.load_casus(g.casus_id) for g in grants}
    rows = [casussen[g.casus_id] for g in grants]
    targets = [Target("doorbreekglas", str(g.id), g.casus_id) for g in grants]
    decisions = _allowed(ws, rows, REVIEW_PURPOSE, targets)
    items = []
    for grant, casus, decision in zip(grants, rows, decisions, strict=True):
        if not decision.allow:
            continue
        due_on = grant.granted_at.date() + dt.timedelta(days=DOORBREEKGLAS_REVIEW_DAYS)
        overdue = due_on < ws.today
        when = (
            f"te laat sinds {format_date_nl(due_on)}"
            if overdue
            else f"uiterlijk {format_date_nl(due_on)}"
        )
        items.append(
            WorkItem(
                due_on,
                {
                    "soort": "doorbreekglas-beoordelen",
                    "id": str(grant.id),
                    "casus_id": str(casus.id),
                    "referentie": casus.reference,
                    "casus_soort": casus.kind,
                    "fase": casus.state,
                    "datum": due_on.isoformat(),
                    "te_laat": overdue,
                    "omschrijving": f"Spoedtoegang (doorbreekglas) van {grant.user_id} "
                    f"beoordelen ({when})",
                    "onderwerp": str(grant.id),
                    "gebruiker": grant.user_id,
                    "reden": grant.reason,
                    "verleend_op": grant.granted_at.isoformat(),
                    "verloopt_op": grant.expires_at.isoformat(),
                },
            )
        )
    return items


def work_queue(ws: Workspace, horizon_days: int | None = None) -> dict[str, Any]:
    """The due items of the calling user, oldest due date first."""
    if horizon_days is not None and horizon_days < 0:
        raise DomainValidationError(
            [FieldProblem("horizon_dagen", "De horizon mag niet negatief zijn.")]
        )
    items = _timer_items(ws, horizon_days)
    if REVIEWER_ROLE in ws.principal.roles:
        items += _urgent_items(ws)
    items.sort(key=lambda w: (w.due_on, w.body["casus_id"], w.body["soort"]))
    bodies = [w.body for w in items]
    return {
        "peildatum": ws.today.isoformat(),
        "aantal": len(bodies),
        "te_laat": sum(1 for b in bodies if b["te_laat"]),
        "items": bodies,
    }


def _reviewer_only(decision: Decision) -> AccessDenied:
    reason = Reason(
        "alleen-pga-expert",
        "deny",
        "Alleen de PGA-expert beoordeelt het gebruik van spoedtoegang (doorbreekglas).",
    )
    refused = Decision(
        allow=False,
        view=None,
        reasons=(reason, *decision.reasons),
        mask=(),
        obligations=decision.obligations,
    )
    return AccessDenied(refused, "update")


def review_urgent_access(
    ws: Workspace, grant_id: uuid.UUID, verdict: str, note: str
) -> UrgentAccess:
    """The PGA-expert judges a doorbreekglas grant: terecht or onterecht, with a note."""
    grant = ws.session.get(UrgentAccess, (ws.principal.tenant, grant_id))
    if grant is None:
        raise NotFound(str(grant_id))
    casus = ws.load_casus(grant.casus_id, for_update=True)
    decision = ws.enforcer.decide(
        "update",
        ws.resource(casus),
        ws.context(REVIEW_PURPOSE),
        Target("doorbreekglas", str(grant.id), casus.id),
    )
    if REVIEWER_ROLE not in ws.principal.roles:
        raise _reviewer_only(decision)
    problems = []
    if verdict not in VERDICTS:
        problems.append(FieldProblem("oordeel", "Kies 'terecht' of 'onterecht'."))
    if not note.strip():
        problems.append(FieldProblem("toelichting", "Licht het oordeel toe."))
    if problems:
        raise DomainValidationError(problems)
    if grant.reviewed_at is not None:
        raise Conflict(
            "al-beoordeeld",
            f"Deze spoedtoegang is al beoordeeld door {grant.reviewed_by}.",
            oordeel=grant.review_verdict,
        )
    if grant.user_id == ws.principal.user_id:
        raise Conflict(
            "eigen-doorbreekglas",
            "U kunt uw eigen spoedtoegang niet beoordelen; een andere PGA-expert doet dat.",
        )
    grant.reviewed_by = ws.principal.user_id
    grant.reviewed_at = ws.enforcer.now
    grant.review_verdict = verdict
    grant.review_note = note.strip()
    ws.event(
        casus,
        "doorbreekglas-beoordeeld",
        f"Spoedtoegang (doorbreekglas) beoordeeld als {verdict}.",
    )
    ws.session.flush()
    return grant
