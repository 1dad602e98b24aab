"""Casusoverleg: meetings of the tenant's meeting types, the agenda with a briefing per
casus, the per-participant view and the minutes (BOB: beeldvorming, oordeelsvorming,
besluitvorming) with decisions and actions.

Creating meetings, setting the agenda and recording minutes is the work of the PGA-expert /
procesregisseur (the voorzitter); the controllers guard that role. Every casus put on the
agenda or discussed in the minutes is asked of the policy (action ``update``, resource
type ``meeting``); the per-participant view checks the whole agenda with one page decision
and leaves out the items of casussen the caller's organisation does not take part in.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from services.casework import free_text
from services.casework.casussen.tijdlijn import event_view
from services.casework.casussen.weergave import group_name_of
from services.casework.casussen.zichtbaar import visible_casus_ids_query
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.local_time import local_date
from services.casework.domain.text import format_date_nl
from services.casework.errors import Conflict, NotFound
from services.casework.personen.service import person_view
from services.casework.workspace import Workspace, ref
from services.platform.authz.enforce import Target
from services.platform.db.models import (
    AgendaItem,
    Casus,
    CasusEvent,
    CasusParticipant,
    Meeting,
    MeetingType,
    Organisation,
    Person,
    User,
)
from services.platform.policy import Decision

PURPOSE = "casusoverleg"
PLANNED, HELD = "gepland", "gehouden"
STATUS_LABELS = {PLANNED: "Gepland", HELD: "Gehouden"}
#: At most this many changes per casus in "wijzigingen sinds het vorige overleg".
MAX_CHANGES = 50


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaInput:
    casus_id: uuid.UUID
    briefing: str | None = None


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner_organisation: str
    deadline: dt.date
    owner_user: str | None = None


@dataclass(frozen=True)
class MinutesItem:
    casus_id: uuid.UUID
    besluitvorming: str
    beeldvorming: str | None = None
    oordeelsvorming: str | None = None
    decisions: list[str] = field(default_factory=list)
    actions: list[ActionInput] = field(default_factory=list)


@dataclass(frozen=True)
class Minutes:
    items: list[MinutesItem]
    present: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _load(ws: Workspace, meeting_id: uuid.UUID, *, for_update: bool = False) -> Meeting:
    query = sa.select(Meeting).where(
        Meeting.tenant_id == ws.principal.tenant, Meeting.id == meeting_id
    )
    if for_update:
        query = query.with_for_update()
    meeting = ws.session.scalars(query).first()
    if meeting is None:
        raise NotFound(str(meeting_id))
    return meeting


def overleg_resource(ws: Workspace, meeting: Meeting | None = None) -> dict[str, Any]:
    """The policy resource of a meeting as such (not its agenda: those are per casus)."""
    resource: dict[str, Any] = {"type": "overleg", "tenant": ws.principal.tenant}
    if meeting is not None:
        resource["chair"] = ref(meeting.tenant_id, meeting.chair_user_id)
    return resource


def authorize_overleg(ws: Workspace, action: str, meeting: Meeting | None = None) -> Decision:
    """May the caller see (or plan, or keep the verslag of) this tenant's meetings?"""
    return ws.enforcer.decide(
        action,
        overleg_resource(ws, meeting),
        ws.context(PURPOSE),
        Target("overleg", str(meeting.id) if meeting else None),
    )


def _meeting_type(ws: Workspace, meeting: Meeting) -> MeetingType:
    mtype = ws.session.get(MeetingType, (meeting.tenant_id, meeting.meeting_type_id))
    if mtype is None:  # pragma: no cover - the type is checked when the meeting is made
        raise NotFound(meeting.meeting_type_id)
    return mtype


def _agenda(ws: Workspace, meeting: Meeting) -> list[tuple[AgendaItem, Casus]]:
    rows = ws.session.execute(
        sa.select(AgendaItem, Casus)
        .join(
            Casus,
            sa.and_(Casus.tenant_id == AgendaItem.tenant_id, Casus.id == AgendaItem.casus_id),
        )
        .where(AgendaItem.tenant_id == meeting.tenant_id, AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position, Casus.reference)
    ).all()
    return [(item, casus) for item, casus in rows]


def _held_at(meeting: Meeting) -> dt.datetime | None:
    raw = meeting.minutes.get("gehouden_op")
    return dt.datetime.fromisoformat(raw) if raw else None


def _previous(ws: Workspace, meeting: Meeting) -> Meeting | None:
    """The last meeting of the same type that was held before this one."""
    return ws.session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.tenant_id == meeting.tenant_id,
            Meeting.meeting_type_id == meeting.meeting_type_id,
            Meeting.id != meeting.id,
            Meeting.status == HELD,
            Meeting.scheduled_for < meeting.scheduled_for,
        )
        .order_by(Meeting.scheduled_for.desc())
        .limit(1)
    ).first()


def _casus_for_agenda(ws: Workspace, casus_id: uuid.UUID, field_name: str) -> Casus:
    try:
        return ws.load_casus(casus_id, for_update=True)
    except NotFound:
        raise DomainValidationError([FieldProblem(field_name, "Onbekende casus.")]) from None


def _put_on_agenda(
    ws: Workspace,
    meeting: Meeting,
    mtype: MeetingType,
    entry: AgendaInput,
    position: int,
    field_prefix: str,
) -> AgendaItem:
    casus = _casus_for_agenda(ws, entry.casus_id, f"{field_prefix}casus_id")
    ws.enforcer.decide(
        "update",
        ws.resource(casus, "meeting"),
        ws.context(PURPOSE),
        Target("meeting", str(meeting.id), casus.id),
    )
    if casus.kind != mtype.casus_type:
        soort = "groepscasussen" if mtype.casus_type == "groep" else "persoonscasussen"
        raise DomainValidationError(
            [
                FieldProblem(
                    f"{field_prefix}casus_id",
                    f"Het {mtype.name} bespreekt alleen {soort}.",
                )
            ]
        )
    if not lifecycle.is_active(casus.kind, casus.state):
        raise Conflict(
            "casus-niet-actief",
            f"Casus {casus.reference} is {lifecycle.state_label(casus.kind, casus.state).lower()}"
            " en kan niet meer worden geagendeerd.",
        )
    if ws.session.get(AgendaItem, (meeting.tenant_id, meeting.id, casus.id)) is not None:
        raise Conflict(
            "al-geagendeerd", f"Casus {casus.reference} staat al op de agenda van dit overleg."
        )
    item = AgendaItem(
        tenant_id=meeting.tenant_id,
        meeting_id=meeting.id,
        casus_id=casus.id,
        position=position,
        briefing=(entry.briefing or "").strip() or None,
        bob={},
        decisions=[],
        actions={},
    )
    ws.session.add(item)
    ws.event(
        casus,
        "agenda",
        f"Geagendeerd voor {mtype.name} van {format_date_nl(local_date(meeting.scheduled_for))}.",
    )
    return item


# ---------------------------------------------------------------------------------------------
# Creating meetings and the agenda
# ---------------------------------------------------------------------------------------------


def create_meeting(
    ws: Workspace,
    type_id: str,
    scheduled_for: dt.datetime,
    chair_user_id: str | None,
    agenda: Sequence[AgendaInput] = (),
    place: str | None = None,
) -> Meeting:
    """A new meeting of one of the tenant's meeting types (voorzitter: the caller unless
    named) at ``place``, optionally with its first agenda items.

    The place is kept in the meeting's document (``minutes["plaats"]``; the verslag keeps
    it) until the meetings table has a column for it."""
    authorize_overleg(ws, "create")
    problems: list[FieldProblem] = []
    mtype = ws.session.get(MeetingType, (ws.principal.tenant, type_id))
    if mtype is None or not mtype.active:
        known = ws.session.scalars(
            sa.select(MeetingType.id).where(
                MeetingType.tenant_id == ws.principal.tenant, MeetingType.active
            )
        ).all()
        problems.append(
            FieldProblem("type", f"Onbekend overleg '{type_id}'; kies uit {', '.join(known)}.")
        )
    chair = chair_user_id or ws.principal.user_id
    user = ws.session.get(User, (ws.principal.tenant, chair))
    if user is None or not user.active:
        problems.append(FieldProblem("voorzitter", f"Onbekende gebruiker '{chair}'."))
    if scheduled_for.tzinfo is None:
        problems.append(
            FieldProblem("datum_tijd", "Geef de datum en tijd met tijdzone (bijv. +01:00).")
        )
    seen: set[uuid.UUID] = set()
    for i, entry in enumerate(agenda):
        if entry.casus_id in seen:
            problems.append(
                FieldProblem(f"agenda[{i}].casus_id", "Deze casus staat al op de agenda.")
            )
        seen.add(entry.casus_id)
    if problems:
        raise DomainValidationError(problems)
    assert mtype is not None
    meeting = Meeting(
        tenant_id=ws.principal.tenant,
        id=uuid.uuid4(),
        meeting_type_id=mtype.id,
        scheduled_for=scheduled_for,
        chair_user_id=chair,
        status=PLANNED,
        minutes={"plaats": place.strip()} if place and place.strip() else {},
        version=1,
    )
    ws.session.add(meeting)
    ws.session.flush()
    for i, entry in enumerate(agenda):
        _put_on_agenda(ws, meeting, mtype, entry, i + 1, f"agenda[{i}].")
    ws.session.flush()
    return meeting


def add_to_agenda(
    ws: Workspace, meeting_id: uuid.UUID, entry: AgendaInput
) -> tuple[Meeting, AgendaItem]:
    meeting = _load(ws, meeting_id, for_update=True)
    authorize_overleg(ws, "update", meeting)
    if meeting.status != PLANNED:
        raise Conflict("overleg-gehouden", "Dit overleg is al gehouden: de agenda ligt vast.")
    mtype = _meeting_type(ws, meeting)
    position = (
        ws.session.scalar(
            sa.select(sa.func.max(AgendaItem.position)).where(
                AgendaItem.tenant_id == meeting.tenant_id, AgendaItem.meeting_id == meeting.id
            )
        )
        or 0
    ) + 1
    item = _put_on_agenda(ws, meeting, mtype, entry, position, "")
    ws.touch(meeting)
    ws.session.flush()
    return meeting, item


# ---------------------------------------------------------------------------------------------
# Listing and the per-participant view
# ---------------------------------------------------------------------------------------------


def _summary(meeting: Meeting, mtype: MeetingType) -> dict[str, Any]:
    return {
        "id": str(meeting.id),
        "type": meeting.meeting_type_id,
        "naam": mtype.name,
        "soort_casussen": mtype.casus_type,
        "datum_tijd": meeting.scheduled_for.isoformat(),
        "plaats": meeting.minutes.get("plaats"),
        "voorzitter": meeting.chair_user_id,
        "status": meeting.status,
        "status_label": STATUS_LABELS.get(meeting.status, meeting.status),
        "versie": meeting.version,
    }


def list_meetings(
    ws: Workspace, *, wanneer: str | None = None, type_id: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Upcoming (``komend``) or held (``gehouden``) meetings of the tenant.

    Tenant-wide roles see every meeting; others see the meetings that have a casus on the
    agenda their organisation takes part in (the same pre-filter as the casus list). The
    list carries no casus content: the agenda itself is read per meeting, under the policy.
    """
    query = sa.select(Meeting, MeetingType).join(
        MeetingType,
        sa.and_(
            MeetingType.tenant_id == Meeting.tenant_id, MeetingType.id == Meeting.meeting_type_id
        ),
    )
    authorize_overleg(ws, "list")
    query = query.where(Meeting.tenant_id == ws.principal.tenant)
    if not ws.list_scope.tenant_wide_full:
        query = query.where(
            sa.exists().where(
                AgendaItem.tenant_id == Meeting.tenant_id,
                AgendaItem.meeting_id == Meeting.id,
                AgendaItem.casus_id.in_(visible_casus_ids_query(ws)),
            )
        )
    if wanneer == "komend":
        query = query.where(Meeting.status == PLANNED).order_by(Meeting.scheduled_for)
    elif wanneer == "gehouden":
        query = query.where(Meeting.status == HELD).order_by(Meeting.scheduled_for.desc())
    elif wanneer is None:
        query = query.order_by(Meeting.scheduled_for.desc())
    else:
        raise DomainValidationError(
            [FieldProblem("wanneer", "Kies 'komend' of 'gehouden' (of laat leeg).")]
        )
    if type_id:
        query = query.where(Meeting.meeting_type_id == type_id)
    return [_summary(m, t) for m, t in ws.session.execute(query.limit(limit)).all()]


def _changes(
    ws: Workspace,
    meeting: Meeting,
    casus_ids: Sequence[uuid.UUID],
    since: dt.datetime | None,
) -> dict[uuid.UUID, list[CasusEvent]]:
    """Casus events between the previous meeting (held) and this one, per casus."""
    changes: dict[uuid.UUID, list[CasusEvent]] = {c: [] for c in casus_ids}
    if not casus_ids:
        return changes
    query = (
        sa.select(CasusEvent)
        .where(
            CasusEvent.tenant_id == meeting.tenant_id,
            CasusEvent.casus_id.in_(casus_ids),
            CasusEvent.kind != "agenda",  # the agenda itself shows that
        )
        .order_by(CasusEvent.at.desc())
    )
    if since is not None:
        query = query.where(CasusEvent.at > since)
    until = _held_at(meeting)
    if until is not None:
        query = query.where(CasusEvent.at < until)
    for event in ws.session.scalars(query):
        bucket = changes[event.casus_id]
        if len(bucket) < MAX_CHANGES:
            bucket.append(event)
    for bucket in changes.values():
        bucket.reverse()
    return changes


def _item_view(
    ws: Workspace,
    item: AgendaItem,
    casus: Casus,
    decision: Decision,
    changes: list[CasusEvent],
) -> dict[str, Any]:
    full = decision.view == "full"
    # Briefings and verslagen may say anything the casus is about (free_text.py).
    text_ok = free_text.shows(decision, free_text.casus_text_categories(casus))
    view: dict[str, Any] = {
        "casus_id": str(casus.id),
        "referentie": casus.reference,
        "soort": casus.kind,
        "fase": casus.state,
        "fase_label": lifecycle.state_label(casus.kind, casus.state),
        "positie": item.position,
        "weergave": decision.view,
        "gemaskeerd": list(decision.mask),
    }
    if casus.kind == "groep":
        view["groepsnaam"] = group_name_of(casus, decision)
        view["stap"] = lifecycle.group_step(casus.state)
    elif casus.subject_person_id is not None:
        person = ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if person is not None:
            view["persoon"] = person_view(ws, person, decision)
    actions = list(item.actions.get("acties", []))
    view.update(
        {
            # Free text may name people and carries the casus's categories.
            "briefing": item.briefing if text_ok else None,
            "bespreking": dict(item.bob) if text_ok and item.bob else None,
            "besluiten": list(item.decisions) if text_ok else [],
            "acties": actions if text_ok else [],
            "tekst_afgeschermd": full and not text_ok,
            "aantal_besluiten": len(item.decisions),
            "aantal_acties": len(actions),
            "wijzigingen_sinds_vorig_overleg": [event_view(e, decision, casus) for e in changes],
        }
    )
    return view


def meeting_view(ws: Workspace, meeting_id: uuid.UUID) -> tuple[Meeting, dict[str, Any]]:
    """The meeting as this participant may see it: only the agenda items of casussen their
    organisation takes part in (one policy decision for the whole agenda), each with the
    briefing and the changes since the previous meeting of the same type."""
    meeting = _load(ws, meeting_id)
    authorize_overleg(ws, "read", meeting)
    mtype = _meeting_type(ws, meeting)
    agenda = _agenda(ws, meeting)
    decisions = ws.enforcer.decide_page(
        "read",
        [ws.resource(casus, "meeting") for _, casus in agenda],
        ws.context(PURPOSE),
        [Target("meeting", str(meeting.id), casus.id) for _, casus in agenda],
    )
    visible = [
        (item, casus, decision)
        for (item, casus), decision in zip(agenda, decisions, strict=True)
        if decision.allow
    ]
    hidden = len(agenda) - len(visible)
    previous = _previous(ws, meeting)
    since = _held_at(previous) if previous is not None else None
    changes = _changes(ws, meeting, [casus.id for _, casus, _ in visible], since)
    body = _summary(meeting, mtype)
    body.update(
        {
            "vorig_overleg": {
                "id": str(previous.id),
                "datum_tijd": previous.scheduled_for.isoformat(),
                "gehouden_op": previous.minutes.get("gehouden_op"),
            }
            if previous is not None
            else None,
            "aanwezig": list(meeting.minutes.get("aanwezig", [])),
            "gehouden_op": meeting.minutes.get("gehouden_op"),
            "agenda": [
                _item_view(ws, item, casus, decision, changes[casus.id])
                for item, casus, decision in visible
            ],
            "verborgen_agendapunten": hidden,
            "melding": (
                f"{hidden} agendapunt{'en' if hidden != 1 else ''} niet getoond: uw organisatie "
                "neemt niet deel aan die casus"
                + ("sen" if hidden != 1 else "")
                + " (need-to-know)."
            )
            if hidden
            else None,
        }
    )
    return meeting, body


# ---------------------------------------------------------------------------------------------
# Minutes (verslag)
# ---------------------------------------------------------------------------------------------


def _check_actions(
    ws: Workspace,
    meeting: Meeting,
    casus: Casus,
    actions: Sequence[ActionInput],
    prefix: str,
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    participating = {
        p.organisation_id
        for p in ws.session.scalars(
            sa.select(CasusParticipant).where(
                CasusParticipant.tenant_id == casus.tenant_id,
                CasusParticipant.casus_id == casus.id,
                CasusParticipant.active,
            )
        )
    }
    meeting_day = local_date(meeting.scheduled_for)
    for j, action in enumerate(actions):
        here = f"{prefix}acties[{j}]."
        org = ws.session.get(Organisation, (casus.tenant_id, action.owner_organisation))
        if org is None or not org.active:
            problems.append(
                FieldProblem(
                    here + "eigenaar_organisatie",
                    f"Onbekende organisatie '{action.owner_organisation}'.",
                )
            )
        elif org.id not in participating:
            problems.append(
                FieldProblem(
                    here + "eigenaar_organisatie",
                    f"{org.name} neemt niet deel aan casus {casus.reference}: nodig de "
                    "organisatie eerst uit.",
                )
            )
        if action.owner_user is not None:
            user = ws.session.get(User, (casus.tenant_id, action.owner_user))
            if user is None or not user.active:
                problems.append(
                    FieldProblem(
                        here + "eigenaar_gebruiker", f"Onbekende gebruiker '{action.owner_user}'."
                    )
                )
            elif user.organisation_id != action.owner_organisation:
                problems.append(
                    FieldProblem(
                        here + "eigenaar_gebruiker",
                        "De eigenaar hoort niet bij de eigenaar-organisatie van de actie.",
                    )
                )
        if action.deadline < meeting_day:
            problems.append(
                FieldProblem(here + "deadline", "De deadline ligt vóór de datum van het overleg.")
            )
    return problems


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def record_minutes(
    ws: Workspace, meeting_id: uuid.UUID, expected_version: int | None, minutes: Minutes
) -> Meeting:
    """Record (or correct) the minutes: BOB, decisions and actions per agenda item.

    The meeting becomes ``gehouden``; each discussed casus gets an event "Besproken in
    <overleg>: <n> besluiten". The policy is asked for every casus discussed.
    """
    meeting = _load(ws, meeting_id, for_update=True)
    authorize_overleg(ws, "update", meeting)
    with ws.changing(meeting, expected_version):
        mtype = _meeting_type(ws, meeting)
        if local_date(meeting.scheduled_for) > ws.today:
            raise Conflict(
                "overleg-nog-niet-gehouden",
                f"Het overleg is gepland op {format_date_nl(local_date(meeting.scheduled_for))}: "
                "het verslag kan pas vanaf die dag worden vastgelegd.",
            )
        agenda = {casus.id: (item, casus) for item, casus in _agenda(ws, meeting)}
        problems: list[FieldProblem] = []
        if not minutes.items:
            problems.append(FieldProblem("agendapunten", "Leg ten minste één agendapunt vast."))
        seen: set[uuid.UUID] = set()
        for i, entry in enumerate(minutes.items):
            if entry.casus_id not in agenda:
                problems.append(
                    FieldProblem(
                        f"agendapunten[{i}].casus_id", "Deze casus staat niet op de agenda."
                    )
                )
            elif entry.casus_id in seen:
                problems.append(
                    FieldProblem(f"agendapunten[{i}].casus_id", "Dit agendapunt staat er al in.")
                )
            seen.add(entry.casus_id)
        for i, org_id in enumerate(minutes.present):
            org = ws.session.get(Organisation, (meeting.tenant_id, org_id))
            if org is None or not org.active:
                problems.append(
                    FieldProblem(f"aanwezig[{i}]", f"Onbekende organisatie '{org_id}'.")
                )
        if problems:
            raise DomainValidationError(problems)
        # The policy, for every casus discussed (a denial stops the whole verslag).
        for entry in minutes.items:
            _, casus = agenda[entry.casus_id]
            ws.enforcer.decide(
                "update",
                ws.resource(casus, "meeting"),
                ws.context(PURPOSE),
                Target("meeting", str(meeting.id), casus.id),
            )
        for i, entry in enumerate(minutes.items):
            item, casus = agenda[entry.casus_id]
            if not entry.besluitvorming.strip():
                problems.append(
                    FieldProblem(
                        f"agendapunten[{i}].besluitvorming", "Leg de besluitvorming vast (BOB)."
                    )
                )
            problems.extend(
                _check_actions(ws, meeting, casus, entry.actions, f"agendapunten[{i}].")
            )
        if problems:
            raise DomainValidationError(problems)

        correction = meeting.status == HELD
        now = ws.enforcer.now.isoformat()
        for entry in minutes.items:
            item, casus = agenda[entry.casus_id]
            item.bob = {
                "beeldvorming": entry.beeldvorming,
                "oordeelsvorming": entry.oordeelsvorming,
                "besluitvorming": entry.besluitvorming,
            }
            item.decisions = [d.strip() for d in entry.decisions if d.strip()]
            # A corrected verslag keeps what became of its actions (done, postponed from the
            # werkvoorraad) for the actions it still has.
            settled = {_action_key(a): a for a in item.actions.get("acties", [])}
            item.actions = {
                "acties": [
                    _keep_settled(
                        {
                            "omschrijving": a.description,
                            "eigenaar_organisatie": a.owner_organisation,
                            "eigenaar_gebruiker": a.owner_user,
                            "deadline": a.deadline.isoformat(),
                            "status": OPEN_ACTION,
                        },
                        settled.get((a.description, a.owner_organisation, a.owner_user)),
                    )
                    for a in entry.actions
                ]
            }
            counts = _plural(len(item.decisions), "besluit", "besluiten")
            if entry.actions:
                counts += ", " + _plural(len(entry.actions), "actie", "acties")
            ws.event(
                casus,
                "overleg",
                f"Verslag van {mtype.name} bijgewerkt: {counts}."
                if correction
                else f"Besproken in {mtype.name}: {counts}.",
            )
        meeting.minutes = {
            **meeting.minutes,
            "aanwezig": sorted(set(minutes.present)),
            "gehouden_op": meeting.minutes.get("gehouden_op", now),
            "vastgesteld_door": ws.principal.user_id,
            **({"bijgewerkt_op": now} if correction else {}),
        }
        meeting.status = HELD
    return meeting


# ---------------------------------------------------------------------------------------------
# Actions from the minutes: done, or postponed with a reason (from the werkvoorraad)
# ---------------------------------------------------------------------------------------------

#: Status of an overleg action that is still to be done.
OPEN_ACTION = "open"
#: What the werkvoorraad adds to an action (kept when the verslag is corrected).
_SETTLED_FIELDS = ("status", "gereed_op", "gereed_door", "uitstel")


def _action_key(action: dict[str, Any]) -> tuple[Any, Any, Any]:
    return (
        action.get("omschrijving"),
        action.get("eigenaar_organisatie"),
        action.get("eigenaar_gebruiker"),
    )


def _keep_settled(action: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """The action of a corrected verslag, with what became of it before: its status, and a
    postponed deadline unless the correction sets another than the verslag had."""
    if before is None:
        return action
    kept = {**action, **{k: before[k] for k in _SETTLED_FIELDS if k in before}}
    postponed = before.get("uitstel") or []
    if postponed and action["deadline"] == postponed[0].get("van"):
        kept["deadline"] = before["deadline"]
    return kept


def action_subject(meeting_id: uuid.UUID, index: int) -> str:
    """How the werkvoorraad names action ``index`` (0-based) of a casus in a meeting."""
    return f"{meeting_id}-{index + 1}"


def _parse_subject(subject: str) -> tuple[uuid.UUID, int]:
    head, _, number = subject.rpartition("-")
    try:
        meeting_id = uuid.UUID(head)
    except ValueError:
        raise NotFound(subject[:80]) from None
    if not number.isdigit() or int(number) < 1:
        raise NotFound(subject[:80])
    return meeting_id, int(number) - 1


@dataclass(frozen=True)
class SettledAction:
    """An overleg action after it was marked done or postponed."""

    casus_id: uuid.UUID
    subject: str
    status: str
    deadline: dt.date
    meeting_version: int


def _settle_action(
    ws: Workspace,
    casus_id: uuid.UUID,
    subject: str,
    expected_version: int | None,
    settle: Callable[[Meeting, dict[str, Any]], str],
) -> SettledAction:
    """Change one open action of the verslag: ``settle`` changes the action and says what
    happened (the casus event)."""
    meeting_id, index = _parse_subject(subject)
    meeting = _load(ws, meeting_id, for_update=True)
    item = ws.session.get(AgendaItem, (meeting.tenant_id, meeting.id, casus_id))
    if item is None:
        raise NotFound(subject)
    casus = ws.load_casus(casus_id, for_update=True)
    # The verslag's line of this casus is changed: the policy decides as for the verslag.
    ws.enforcer.decide(
        "update",
        ws.resource(casus, "meeting"),
        ws.context(PURPOSE),
        Target("meeting", str(meeting.id), casus.id),
    )
    with ws.changing(meeting, expected_version):
        actions = [dict(a) for a in item.actions.get("acties", [])]
        if index >= len(actions):
            raise NotFound(subject)
        action = actions[index]
        if action.get("status", OPEN_ACTION) != OPEN_ACTION:
            raise Conflict("actie-afgehandeld", "Deze actie uit het overleg is al afgehandeld.")
        summary = settle(meeting, action)
        item.actions = {**item.actions, "acties": actions}
        ws.event(casus, "overleg", summary)
    return SettledAction(
        casus.id,
        action_subject(meeting.id, index),
        str(action["status"]),
        dt.date.fromisoformat(action["deadline"]),
        meeting.version,
    )


def complete_action(
    ws: Workspace, casus_id: uuid.UUID, subject: str, expected_version: int | None
) -> SettledAction:
    """The action from the overleg is done (``gereed``): it leaves the werkvoorraad."""

    def done(meeting: Meeting, action: dict[str, Any]) -> str:
        action.update(
            status="gereed", gereed_op=ws.today.isoformat(), gereed_door=ws.principal.user_id
        )
        return (
            f"Actie uit het overleg van {format_date_nl(local_date(meeting.scheduled_for))} gereed."
        )

    return _settle_action(ws, casus_id, subject, expected_version, done)


def postpone_action(
    ws: Workspace,
    casus_id: uuid.UUID,
    subject: str,
    expected_version: int | None,
    new_date: dt.date,
    reason: str,
) -> SettledAction:
    """A new deadline after today, with a reason (kept with the action in the verslag,
    which is free text of the casus: shown only where the verslag's text is)."""
    problems = []
    if new_date <= ws.today:
        problems.append(FieldProblem("nieuwe_datum", "Kies een datum na vandaag."))
    if not reason.strip():
        problems.append(FieldProblem("reden", "Geef de reden van het uitstel."))
    if problems:
        raise DomainValidationError(problems)

    def postpone(meeting: Meeting, action: dict[str, Any]) -> str:
        action["uitstel"] = [
            *action.get("uitstel", []),
            {
                "van": action["deadline"],
                "tot": new_date.isoformat(),
                "reden": reason.strip(),
                "door": ws.principal.user_id,
                "op": ws.today.isoformat(),
            },
        ]
        action["deadline"] = new_date.isoformat()
        day = format_date_nl(local_date(meeting.scheduled_for))
        return f"Actie uit het overleg van {day} uitgesteld tot {format_date_nl(new_date)}."

    return _settle_action(ws, casus_id, subject, expected_version, postpone)
