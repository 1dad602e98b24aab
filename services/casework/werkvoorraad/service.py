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
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from services.casework.casussen.zichtbaar import count_group_keys
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.local_time import local_date
from services.casework.domain.plan import PlanContent
from services.casework.domain.text import format_date_nl
from services.casework.domain.timers import CommitmentTimer, DueItem, TimerInput, werkvoorraad
from services.casework.errors import Conflict, NotFound
from services.casework.page_reads import organisation_names
from services.casework.werkvoorraad import kandidaten
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import (
    AgendaItem,
    Casus,
    Meeting,
    PlanVersion,
    UrgentAccess,
)
from services.platform.db.models import Assessment as AssessmentRow
from services.platform.policy import Decision, Reason

_UUIDS: Final = postgresql.ARRAY(postgresql.UUID(as_uuid=True))
_STRINGS: Final = postgresql.ARRAY(sa.String)
PURPOSE: Final = "monitoring"
REVIEW_PURPOSE: Final = "monitoring"
REVIEWER_ROLE: Final = "pga-expert"
#: A doorbreekglas grant should be reviewed within this many days.
DOORBREEKGLAS_REVIEW_DAYS: Final = kandidaten.DOORBREEKGLAS_REVIEW_DAYS
VERDICTS: Final = ("terecht", "onterecht")
PAGE: Final = 100
#: Items per page of the werkvoorraad (page and API).
PAGE_SIZE: Final = 25
#: The aggregate audit row of the werkvoorraad's counts (ADR 0026).
COUNT_RESOURCE: Final = "werkvoorraad-aantal"
DUE_KIND_LABELS: Final[Mapping[str, str]] = {
    "herijking": "Herijking",
    "positieve-afsluiting": "Positieve afsluiting",
    "toezegging-controleren": "Toezegging controleren",
    "doorbreekglas-beoordelen": "Doorbreekglas beoordelen",
    "planactie": "Actie uit het plan",
    "overlegactie": "Actie uit het overleg",
}
#: The orders of the werkvoorraad (page and API).
DUE_SORTS: Final = ("datum", "casus", "soort")
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
    current: dict[uuid.UUID, CurrentPlan]
    last_review: dict[uuid.UUID, dt.date]

    @classmethod
    def load(cls, ws: Workspace, casussen: Sequence[Casus], *, plans: bool = True) -> _PlanFacts:
        """``plans``: with the current plan versions (else none are read)."""
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
        current = _current_versions(ws, casussen) if plans else {}
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

    @classmethod
    def reuse(
        cls,
        ws: Workspace,
        casussen: Sequence[Casus],
        found: kandidaten.Found,
        *,
        plans: bool = True,
    ) -> _PlanFacts:
        """The facts of ``casussen`` from what :func:`kandidaten.due` read (the first plan
        and the last meting), and their current plan versions (one query; none without
        ``plans``)."""
        first_plan: dict[uuid.UUID, dt.datetime] = {}
        last_review: dict[uuid.UUID, dt.date] = {}
        for casus in casussen:
            running = found.running.get(casus.id)
            if running is None:
                continue
            if running.first_plan is not None:
                first_plan[casus.id] = running.first_plan
            if running.last_review is not None:
                last_review[casus.id] = running.last_review
        return cls(first_plan, _current_versions(ws, casussen) if plans else {}, last_review)


def _any_id(column: Any, ids: Sequence[uuid.UUID]) -> sa.ColumnElement[bool]:
    """``column = ANY(:ids)`` with one array parameter: the statement's text is the same for
    any number of ids (an expanded ``IN`` is parsed again for every length)."""
    return column == sa.any_(sa.bindparam(None, list(ids), type_=_UUIDS))  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class CurrentPlan:
    """The current plan version of a casus: its number and its parsed content."""

    version: int
    content: PlanContent


#: Parsed plan contents, by the content's exact JSON text (``jsonb`` as text).
PLAN_CONTENTS_REMEMBERED: Final = 2048


@lru_cache(maxsize=PLAN_CONTENTS_REMEMBERED)
def plan_content(text: str) -> PlanContent:
    """The plan content of the JSON ``text`` of a plan version, remembered by that text.

    A pure function of its argument: the key is the whole content as PostgreSQL prints its
    ``jsonb``, not the version's identity, so a content changed in place (an erasure, a
    correction by hand) is a new key, and two tenants' identical texts give equal values
    (nothing but the text goes in). The werkvoorraad validated the current plan of every
    casus it showed on every request (``json.loads`` and pydantic: ~35 µs a plan of the
    bench data, a hit ~1 µs; issue 14, ``werk3``). Parsed as the ORM column was
    (``json.loads``, then ``model_validate``). The value is shared: callers only read it (the
    model is frozen; its lists are not changed here)."""
    return PlanContent.model_validate(json.loads(text))


#: The newest plan version of each of the casussen ``ids`` (in the tenants ``tenants``),
#: built once: the primary key's order gives the newest version of each casus first. Its
#: number and its content as text (the key of :func:`plan_content`), not the ORM row.
_CURRENT_VERSIONS: Final = (
    sa.select(PlanVersion.casus_id, PlanVersion.version, sa.cast(PlanVersion.content, sa.Text))
    .where(
        PlanVersion.tenant_id == sa.any_(sa.bindparam("tenants", type_=_STRINGS)),
        PlanVersion.casus_id == sa.any_(sa.bindparam("ids", type_=_UUIDS)),
    )
    .ext(postgresql.distinct_on(PlanVersion.tenant_id, PlanVersion.casus_id))
    .order_by(PlanVersion.tenant_id, PlanVersion.casus_id, PlanVersion.version.desc())
)


def _current_versions(ws: Workspace, casussen: Sequence[Casus]) -> dict[uuid.UUID, CurrentPlan]:
    """The newest plan version of each casus (one statement, only the newest rows)."""
    if not casussen:
        return {}
    params = {"tenants": sorted({c.tenant_id for c in casussen}), "ids": [c.id for c in casussen]}
    return {
        casus_id: CurrentPlan(version, plan_content(text))
        for casus_id, version, text in ws.session.execute(_CURRENT_VERSIONS, params)
    }


def _timer_input(
    ws: Workspace,
    casus: Casus,
    org_names: dict[str, str],
    facts: _PlanFacts | None = None,
) -> TimerInput:
    """The timers' input of ``casus``."""
    if facts is None:
        facts = _PlanFacts.load(ws, [casus])
    first_plan = facts.first_plan.get(casus.id)
    plan_created_on = local_date(first_plan) if first_plan is not None else casus.plan_date
    current = facts.current.get(casus.id)
    content = current.content if current is not None else None
    commitments: tuple[CommitmentTimer, ...] = ()
    if content is not None:
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


def _timer_items(
    ws: Workspace,
    rows: Sequence[Casus],
    horizon_days: int | None,
    found: kandidaten.Found | None = None,
    kinds: frozenset[str] | None = None,
) -> list[WorkItem]:
    """The full items (with their texts) of ``rows``: each casus decided by the policy and
    audited (a page's casussen, or every casus with due items for the reminders job); only
    casussen with a full view carry work. ``found``: the plan dates already read. ``kinds``:
    only items of these kinds are wanted (None: all), so what only other kinds need is not
    read (the plan versions without plan actions or toezeggingen, the casusoverleg minutes
    without overlegacties, the organisations without toezeggingen)."""

    def wanted(*of: str) -> bool:
        return kinds is None or not kinds.isdisjoint(of)

    inputs: list[TimerInput] = []
    by_id: dict[str, Casus] = {}
    # The current plan version of every shown casus, read with the chunk's facts: the plan
    # actions and the toezegging items use it too (one query per casus before; issue 14).
    current: dict[str, CurrentPlan] = {}
    org_names: dict[str, str] | None = None
    for chunk in _chunks(rows, PAGE):
        decisions = _allowed(ws, chunk, PURPOSE, [Target("casus", str(c.id), c.id) for c in chunk])
        shown = [
            casus
            for casus, decision in zip(chunk, decisions, strict=True)
            if decision.allow and decision.view == "full"
        ]
        plans = wanted(PLAN_ACTION, COMMITMENT_CHECK)
        if found is None:
            facts = _PlanFacts.load(ws, shown, plans=plans)
        else:
            facts = _PlanFacts.reuse(ws, shown, found, plans=plans)
        for casus in shown:
            version = facts.current.get(casus.id)
            if version is not None and version.content.commitments and org_names is None:
                org_names = _organisation_names(ws)
            by_id[str(casus.id)] = casus
            inputs.append(_timer_input(ws, casus, org_names or {}, facts))
            if version is not None:
                current[str(casus.id)] = version
    due = werkvoorraad(inputs, ws.manifest.review, horizon_days=horizon_days)
    items = [WorkItem(item.due_on, _due_view(item, by_id[item.casus_id])) for item in due]
    plan_items = _plan_actions(ws, by_id, horizon_days, current)
    meeting_items = _meeting_actions(ws, by_id, horizon_days) if wanted(MEETING_ACTION) else []
    return _with_plan_versions(items, current) + plan_items + meeting_items


def _organisation_names(ws: Workspace) -> dict[str, str]:
    """The names of the tenant's organisations (a toezegging's label names its maker): the
    page's shared read of them (:mod:`services.casework.page_reads`: id and name only, once
    per transaction; it loaded every organisation as an ORM object before, issue 14)."""
    return organisation_names(ws.session, ws.principal.tenant)


def _with_plan_versions(items: list[WorkItem], current: dict[str, CurrentPlan]) -> list[WorkItem]:
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
    versions: dict[str, CurrentPlan],
) -> list[WorkItem]:
    """Open actions of the plan van aanpak owned by the caller (or, without an owner user,
    by the caller's organisation); ``versions``: the current plan version per casus."""
    horizon = ws.today + dt.timedelta(days=horizon_days) if horizon_days is not None else None
    items = []
    for casus_key, casus in casussen.items():
        current = versions.get(casus_key)
        if current is None:
            continue
        for action in current.content.actions:
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
            _any_id(AgendaItem.casus_id, [c.id for c in casussen.values()]),
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
                        f"{format_date_nl(local_date(meeting.scheduled_for))}: "
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


def _urgent_items(ws: Workspace, grant_ids: Sequence[uuid.UUID]) -> list[WorkItem]:
    """The doorbreekglas reviews ``grant_ids`` (still unreviewed), each decided and audited."""
    if not grant_ids:
        return []
    grants = list(
        ws.session.scalars(
            sa.select(UrgentAccess)
            .where(
                UrgentAccess.tenant_id == ws.principal.tenant,
                UrgentAccess.id.in_(grant_ids),
                UrgentAccess.reviewed_at.is_(None),
            )
            .order_by(UrgentAccess.granted_at)
        )
    )
    if not grants:
        return []
    loaded = {c.id: c for c in ws.load_casussen([(g.tenant_id, g.casus_id) for g in grants])}
    missing = [g.casus_id for g in grants if g.casus_id not in loaded]
    if missing:  # pragma: no cover - a grant's casus exists (foreign key)
        raise NotFound(str(missing[0]))
    rows = [loaded[g.casus_id] for g in grants]
    targets = [Target("doorbreekglas", str(g.id), g.casus_id) for g in grants]
    decisions = _allowed(ws, rows, REVIEW_PURPOSE, targets)
    items = []
    for grant, casus, decision in zip(grants, rows, decisions, strict=True):
        if not decision.allow:
            continue
        due_on = local_date(grant.granted_at) + dt.timedelta(days=DOORBREEKGLAS_REVIEW_DAYS)
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


@dataclass(frozen=True)
class Selection:
    """What the page (and the API) asks for: a filter, an order and a page number."""

    soort: str | None = None
    te_laat: bool = False
    casus: str | None = None
    sorteer: str = "datum"
    pagina: int = 1


def _check_horizon(horizon_days: int | None) -> None:
    if horizon_days is not None and horizon_days < 0:
        raise DomainValidationError(
            [FieldProblem("horizon_dagen", "De horizon mag niet negatief zijn.")]
        )


def _visible(ws: Workspace, dues: Sequence[kandidaten.Due]) -> list[kandidaten.Due]:
    """The due items of casussen the policy lets the caller see for the werkvoorraad.

    Decided per group of casussen with the same decision projection
    (:func:`count_group_keys`, ADR 0026): every group's representative is decided by the
    engine with the input a casus of the page gets, and the decisions are audited in one
    aggregate row (``werkvoorraad-aantal``: how many casussen per group, never an id). Only
    dates, kinds and references are used; the items shown are decided and audited per casus
    again when they are read (:func:`_page_items`)."""
    if not dues:
        return []
    # The casussen of the items, each once, by (tenant, id as text): the text is one object
    # per casus, shared by its items, so its hash is computed once (a UUID's hash is Python
    # code, and ~500 items were keyed several times over; issue 14, ``werk3``).
    grouped: dict[tuple[str, str], kandidaten.Due] = {}
    ungrouped: dict[tuple[str, str], uuid.UUID] = {}
    for due in dues:
        key = (due.tenant_id, due.casus_name)
        if due.group is not None:
            if key not in grouped:
                grouped[key] = due
        elif key not in ungrouped:
            ungrouped[key] = due.casus_id
    groups: dict[tuple[Any, ...], list[tuple[str, str, uuid.UUID]]] = {}
    for (tenant, name), due in grouped.items():
        groups.setdefault(cast(tuple[Any, ...], due.group), []).append((tenant, name, due.casus_id))
    # A doorbreekglas review of a casus that is not running: its group is read here.
    rest = sorted((t, i) for (t, name), i in ungrouped.items() if (t, name) not in grouped)
    if rest:
        for row in ws.session.execute(
            sa.select(Casus.id.label("casus_id"), *count_group_keys(ws)).where(
                sa.tuple_(Casus.tenant_id, Casus.id).in_(rest)
            )
        ):
            groups.setdefault(tuple(row)[1:], []).append(
                (row.tenant_id, str(row.casus_id), row.casus_id)
            )
    # Each group's members in (tenant, id as text) order; its representative: the least id
    # as text.
    named = [sorted(m) for m in groups.values()]
    members = [[(t, i) for t, _, i in m] for m in named]
    representatives = {
        (first[0], first[2]): i for i, first in enumerate(min(m, key=lambda k: k[1]) for m in named)
    }
    rows = ws.load_casussen(list(representatives))
    decisions = ws.enforcer.decide_count(
        "list",
        ws.resources(rows),
        [len(members[representatives[(c.tenant_id, c.id)]]) for c in rows],
        ws.context(PURPOSE),
        COUNT_RESOURCE,
    )
    allowed: dict[tuple[str, str], Decision] = {}
    for casus, decision in zip(rows, decisions, strict=True):
        for tenant, name, _ in named[representatives[(casus.tenant_id, casus.id)]]:
            allowed[(tenant, name)] = decision
    shown = []
    for due in dues:
        found = allowed.get((due.tenant_id, due.casus_name))
        if found is None or not found.allow:
            continue
        if due.needs_full_view and found.view != "full":
            continue
        shown.append(due)
    return shown


def _sort_key(sort: str) -> Callable[[kandidaten.Due], tuple[Any, ...]]:
    """The page's orders; every order ends in the item's identity, so pages are stable."""

    def identity(d: kandidaten.Due) -> tuple[Any, ...]:
        return (d.casus_name, d.kind, d.subject or "")

    if sort == "casus":
        return lambda d: (d.reference, d.due_on, *identity(d))
    if sort == "soort":
        return lambda d: (DUE_KIND_LABELS.get(d.kind, d.kind), d.due_on, d.reference, *identity(d))
    return lambda d: (d.due_on, d.reference, *identity(d))


def _selected(dues: Sequence[kandidaten.Due], selection: Selection) -> list[kandidaten.Due]:
    chosen = [
        d
        for d in dues
        if (not selection.soort or d.kind == selection.soort)
        and (not selection.te_laat or d.overdue)
        and (not selection.casus or d.reference == selection.casus)
    ]
    return sorted(chosen, key=_sort_key(selection.sorteer))


def _page_items(
    ws: Workspace,
    dues: Sequence[kandidaten.Due],
    horizon_days: int | None,
    found: kandidaten.Found,
) -> list[dict[str, Any]]:
    """The full items of ``dues``, in their order: their casussen read, decided and audited
    (and their texts made) by the full computation; an item whose casus is refused now, or
    that is no longer due, is left out."""
    timer_casussen = sorted(
        {(d.tenant_id, d.casus_id) for d in dues if d.kind != kandidaten.URGENT_REVIEW}
    )
    grant_ids = [uuid.UUID(str(d.subject)) for d in dues if d.kind == kandidaten.URGENT_REVIEW]
    rows = sorted(ws.load_casussen(timer_casussen), key=lambda c: (c.created_at, c.id))
    kinds = frozenset(d.kind for d in dues)
    items = _timer_items(ws, rows, horizon_days, found, kinds) + _urgent_items(ws, grant_ids)
    by_key = {
        (w.body["soort"], w.body["casus_id"], str(w.body.get("onderwerp") or "")): w.body
        for w in items
    }
    return [by_key[d.key] for d in dues if d.key in by_key]


def _checked_selection(selection: Selection) -> Selection:
    if selection.pagina < 1:
        raise DomainValidationError([FieldProblem("pagina", "De pagina begint bij 1.")])
    if selection.sorteer not in DUE_SORTS:
        raise DomainValidationError([FieldProblem("sorteer", f"Kies uit: {', '.join(DUE_SORTS)}.")])
    return selection


def work_queue(
    ws: Workspace, horizon_days: int | None = None, selection: Selection | None = None
) -> dict[str, Any]:
    """The due items of the calling user: one page of ``selection`` (a filter, an order and
    a page of :data:`PAGE_SIZE` items), or every item when ``selection`` is None (the
    reminders job).

    What is due is computed from facts that name no person (:mod:`.kandidaten`); which of
    it the caller may see is decided per group of casussen (one aggregate audit row); only
    the casussen of the items shown are read, decided and audited one by one. ``aantal`` and
    ``te_laat`` count every item the caller may see, ``gevonden`` those the filter keeps."""
    _check_horizon(horizon_days)
    reviewer = REVIEWER_ROLE in ws.principal.roles
    found = kandidaten.due(ws, horizon_days, reviewer=reviewer)
    dues = found.dues
    if selection is None:
        ordered = sorted(dues, key=lambda d: (d.due_on, str(d.casus_id), d.kind, d.subject or ""))
        bodies = _page_items(ws, ordered, horizon_days, found)
        return {
            "peildatum": ws.today.isoformat(),
            "aantal": len(bodies),
            "te_laat": sum(1 for b in bodies if b["te_laat"]),
            "items": bodies,
        }
    selection = _checked_selection(selection)
    visible = _visible(ws, dues)
    chosen = _selected(visible, selection)
    first = (selection.pagina - 1) * PAGE_SIZE
    page = chosen[first : first + PAGE_SIZE]
    return {
        "peildatum": ws.today.isoformat(),
        "aantal": len(visible),
        "te_laat": sum(1 for d in visible if d.overdue),
        "gevonden": len(chosen),
        "soorten": sorted({d.kind for d in visible}),
        "pagina": selection.pagina,
        "per_pagina": PAGE_SIZE,
        "vorige": selection.pagina - 1 if selection.pagina > 1 else None,
        "volgende": selection.pagina + 1 if first + PAGE_SIZE < len(chosen) else None,
        "items": _page_items(ws, page, horizon_days, found) if page else [],
    }


def due_counts(ws: Workspace) -> tuple[int, int]:
    """How many werkvoorraad items the caller may see, and how many are overdue: decided per
    group of casussen and audited in one aggregate row, nothing of a casus read (the home
    page; ADR 0026)."""
    found = kandidaten.due(ws, None, reviewer=REVIEWER_ROLE in ws.principal.roles)
    visible = _visible(ws, found.dues)
    return len(visible), sum(1 for d in visible if d.overdue)


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
