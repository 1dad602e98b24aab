"""Plan van aanpak: versioned, under policy (resource type ``plan``).

Every change makes a new :class:`~services.platform.db.models.PlanVersion` with a Dutch change
summary (:func:`services.casework.domain.plan.diff_plans`) and a casus event without person
data. Older versions stay readable. The ETag of the plan is its version number; the first
version needs no If-Match (or ``If-Match: *``).

The API speaks Dutch field names (``doelen[0].leefgebied``); the domain model and the stored
content use the English names of :mod:`services.casework.domain.plan`. This module maps
between the two, including the field paths of validation problems.

Views: the driehoek reads the plan of a group casus anonymised, as does anyone whose
decision has a reduced view (``anoniem`` or ``pseudoniem``): owner user ids and free text
that may name people are left out; goals per leefgebied, action status and deadlines,
tracks and commitment status stay.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from services.casework import free_text
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.plan import (
    ACTION_STATUS_LABELS,
    COMMITMENT_STATUS_LABELS,
    GOAL_STATUS_LABELS,
    TRACK_LABELS,
    PlanContent,
    diff_plans,
    validate_plan,
)
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus, Organisation, PlanVersion, User
from services.platform.policy import Decision
from tenants.reference import INSTRUMENT_DOMAINS

PLAN_PURPOSE: Final = "plan-van-aanpak"

#: ``If-Match: *``: "create the first version" (matches no existing version).
ANY_VERSION: Final = -2

#: Domain field names -> API field names (Dutch).
API_NAMES: Final[Mapping[str, str]] = {
    "goals": "doelen",
    "domain": "leefgebied",
    "problem": "probleem",
    "goal": "doel",
    "end_criterion": "eindcriterium",
    "actions": "acties",
    "description": "omschrijving",
    "owner_organisation_id": "eigenaar_organisatie",
    "owner_user_id": "eigenaar_gebruiker",
    "deadline": "deadline",
    "status": "status",
    "interventions": "interventies",
    "track": "spoor",
    "organisation_id": "organisatie",
    "commitments": "toezeggingen",
    "text": "tekst",
    "made_on": "gedaan_op",
    "check_due_on": "controle_op",
    "notes": "toelichting",
    "id": "id",
}
DOMAIN_NAMES: Final[Mapping[str, str]] = {v: k for k, v in API_NAMES.items()}

_PERSON_PLAN_STATES: Final = frozenset({"opgenomen", "plan", "uitvoering", "monitoring"})
_GROUP_PLAN_STATES: Final = frozenset({"stap-3", "stap-4", "stap-5", "stap-6", "stap-7"})

_SEGMENT = re.compile(r"([A-Za-z_]+)((?:\[\d+\])*)")


def api_field(path: str) -> str:
    """``goals[0].domain`` -> ``doelen[0].leefgebied`` (unknown names stay as they are)."""
    parts = []
    for part in path.split("."):
        match = _SEGMENT.fullmatch(part)
        if match is None:
            parts.append(part)
            continue
        name, index = match.groups()
        parts.append(API_NAMES.get(name, name) + index)
    return ".".join(parts)


def to_domain(body: Mapping[str, Any]) -> dict[str, Any]:
    """A plan in API (Dutch) field names -> the domain's (English) names, recursively."""

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {DOMAIN_NAMES.get(k, k): convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    result = convert(body)
    assert isinstance(result, dict)
    return result


def _translate(error: DomainValidationError) -> DomainValidationError:
    return DomainValidationError(
        [FieldProblem(api_field(p.field), p.message) for p in error.problems]
    )


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


#: The newest two versions of a casus's plan, built once (issue 14). Parameters: ``tenant``,
#: ``casus_id``.
_NEWEST_TWO = (
    sa.select(PlanVersion)
    .where(
        PlanVersion.tenant_id == sa.bindparam("tenant", type_=sa.String),
        PlanVersion.casus_id == sa.bindparam("casus_id", type_=sa.Uuid),
    )
    .order_by(PlanVersion.version.desc())
    .limit(2)
)


def _versions_query(casus: Casus) -> sa.Select[PlanVersion]:
    return sa.select(PlanVersion).where(
        PlanVersion.tenant_id == casus.tenant_id, PlanVersion.casus_id == casus.id
    )


def has_plan(ws: Workspace, casus: Casus) -> bool:
    """Whether the casus has a plan van aanpak (any version; no policy check)."""
    return current_version(ws, casus) is not None


def current_version(ws: Workspace, casus: Casus) -> PlanVersion | None:
    """The newest plan version of a casus (no policy check: callers decide first)."""
    return ws.session.scalars(
        _versions_query(casus).order_by(PlanVersion.version.desc()).limit(1)
    ).first()


def _authorize(ws: Workspace, casus: Casus, action: str, purpose: str | None) -> Decision:
    return ws.enforcer.decide(
        action,
        ws.resource(casus, "plan"),
        ws.context(purpose or PLAN_PURPOSE),
        Target("plan", str(casus.id), casus.id),
    )


def anonymised(ws: Workspace, casus: Casus, decision: Decision) -> bool:
    """Reduced views get the plan anonymised; the policy gives the driehoek on a group casus
    the anonymised view whatever else the user is (policies/groups.rego)."""
    return decision.view != "full"


def _goal_domains(row: PlanVersion | None) -> list[str]:
    if row is None or not isinstance(row.content, dict):
        return []
    return [str(g.get("domain", "")) for g in row.content.get("goals", []) if isinstance(g, dict)]


def _summary_categories(
    ws: Workspace, casus: Casus, row: PlanVersion, read: PlanRead | None = None
) -> frozenset[str]:
    """A version's change summary quotes goals and actions alike, also the goals the version
    removed (the previous version's): all their categories. The previous version is read
    here unless ``read`` holds it already (or knows there is none)."""
    if read is not None and read.previous_read:
        previous = read.previous
    else:
        previous = ws.session.get(PlanVersion, (casus.tenant_id, casus.id, row.version - 1))
    return free_text.casus_text_categories(casus) | free_text.categories_of_leefgebieden(
        [*_goal_domains(row), *_goal_domains(previous)]
    )


@dataclass(frozen=True)
class PlanRead:
    casus: Casus
    version: PlanVersion
    decision: Decision
    anonymised: bool
    #: The version before ``version`` (its goals count for the categories of the change
    #: summary), when ``previous_read``: it was read with ``version`` (None: there is none).
    previous: PlanVersion | None = None
    previous_read: bool = False


def read_plan(
    ws: Workspace, casus_id: uuid.UUID, purpose: str | None, version: int | None = None
) -> PlanRead:
    """The current (or a given) version of the plan; NotFound if there is none."""
    casus = ws.load_casus(casus_id)
    decision = _authorize(ws, casus, "read", purpose)
    previous: PlanVersion | None = None
    known = False
    if version is None:
        # The newest two in one query: the summary's categories need the previous one too.
        newest = list(
            ws.session.scalars(_NEWEST_TWO, {"tenant": casus.tenant_id, "casus_id": casus.id})
        )
        row = newest[0] if newest else None
        if row is not None:
            before = newest[1] if len(newest) > 1 else None
            previous = before if before and before.version == row.version - 1 else None
            known = True
    else:
        row = ws.session.get(PlanVersion, (casus.tenant_id, casus.id, version))
    if row is None:
        raise NotFound(f"plan {casus_id} v{version}")
    return PlanRead(casus, row, decision, anonymised(ws, casus, decision), previous, known)


def list_versions(
    ws: Workspace, casus_id: uuid.UUID, purpose: str | None
) -> tuple[list[dict[str, Any]], bool]:
    """Every version, newest first: number, author, date and summary."""
    casus = ws.load_casus(casus_id)
    decision = _authorize(ws, casus, "list", purpose)
    anon = anonymised(ws, casus, decision)
    rows = ws.session.scalars(_versions_query(casus).order_by(PlanVersion.version.desc()))
    return [
        {
            "versie": row.version,
            "aangemaakt_door": None if anon else row.created_by,
            "aangemaakt_op": row.created_at.isoformat(),
            "samenvatting": _summary_of(
                row, anon or not free_text.shows(decision, _summary_categories(ws, casus, row))
            ),
        }
        for row in rows
    ], anon


def _summary_of(row: PlanVersion, anon: bool) -> list[str]:
    if not anon:
        return list(row.summary)
    # The summary quotes goal and action texts: only the count is safe to show.
    return [f"{len(row.summary)} wijziging(en) in het plan van aanpak."]


def plan_view(ws: Workspace, read: PlanRead) -> dict[str, Any]:
    """The plan in API field names; anonymised when the view asks for it."""
    row, read_anon = read.version, read.anonymised
    content = PlanContent.model_validate(row.content)
    labels = _domain_labels(ws, read.casus)
    # Goals carry their leefgebied's categories; the rest of the plan's free text (actions,
    # interventions, toezeggingen, eindcriterium) those of every goal and of the casus.
    # The plan's own free text (actions, interventions, toezeggingen, eindcriterium) carries
    # the casus's text categories; each goal carries its leefgebied's (below).
    anon = read_anon or not free_text.shows(
        read.decision, free_text.casus_text_categories(read.casus)
    )
    goals: list[dict[str, Any]] = []
    for g in content.goals:
        goal: dict[str, Any] = {
            "leefgebied": g.domain,
            "leefgebied_label": labels.get(g.domain, g.domain),
            "status": g.status,
            "status_label": GOAL_STATUS_LABELS[g.status],
        }
        if not read_anon and free_text.shows(
            read.decision, free_text.leefgebied_categories(g.domain)
        ):
            goal.update({"probleem": g.problem, "doel": g.goal})
        goals.append(goal)
    actions = []
    for a in content.actions:
        action: dict[str, Any] = {
            "id": a.id,
            "eigenaar_organisatie": a.owner_organisation_id,
            "deadline": a.deadline.isoformat(),
            "status": a.status,
            "status_label": ACTION_STATUS_LABELS[a.status],
        }
        if not anon:
            action.update({"omschrijving": a.description, "eigenaar_gebruiker": a.owner_user_id})
        actions.append(action)
    interventions = []
    for i in content.interventions:
        intervention: dict[str, Any] = {
            "spoor": i.track,
            "spoor_label": TRACK_LABELS[i.track],
            "organisatie": i.organisation_id,
        }
        if not anon:
            intervention["omschrijving"] = i.description
        interventions.append(intervention)
    commitments = []
    for c in content.commitments:
        commitment: dict[str, Any] = {
            "organisatie": c.organisation_id,
            "gedaan_op": c.made_on.isoformat(),
            "controle_op": c.check_due_on.isoformat() if c.check_due_on else None,
            "status": c.status,
            "status_label": COMMITMENT_STATUS_LABELS[c.status],
        }
        if not anon:
            commitment["tekst"] = c.text
        commitments.append(commitment)
    view: dict[str, Any] = {
        "casus_id": str(read.casus.id),
        "versie": row.version,
        "aangemaakt_door": None if anon else row.created_by,
        "aangemaakt_op": row.created_at.isoformat(),
        "samenvatting": _summary_of(
            row,
            anon
            or not free_text.shows(
                read.decision,
                _summary_categories(ws, read.casus, row, read),
            ),
        ),
        "weergave": "anoniem" if read_anon else read.decision.view,
        "tekst_afgeschermd": anon and not read_anon,
        "gemaskeerd": list(read.decision.mask),
        "doelen": goals,
        "eindcriterium": None if anon else content.end_criterion,
        "acties": actions,
        "interventies": interventions,
        "toezeggingen": commitments,
    }
    if not anon:
        view["toelichting"] = content.notes
    return view


def _domain_labels(ws: Workspace, casus: Casus) -> Mapping[str, str]:
    return INSTRUMENT_DOMAINS[ws.manifest_of(casus.tenant_id).assessment_instrument]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def _check_plan_version(current: int, expected: int | None) -> None:
    """First version: no If-Match or ``*``; later versions: the exact current ETag."""
    if current == 0:
        if expected not in (None, ANY_VERSION):
            raise VersionMismatch(current)
        return
    if expected is None:
        raise VersionRequired
    if expected != current:
        raise VersionMismatch(current)


def may_change(casus: Casus) -> bool:
    """Whether the phase of the casus lets the plan be changed (the policy decides who)."""
    allowed = _PERSON_PLAN_STATES if casus.kind == lifecycle.PERSON else _GROUP_PLAN_STATES
    return casus.state in allowed


def _check_state(casus: Casus) -> None:
    if not may_change(casus):
        raise Conflict(
            "plan-niet-in-deze-fase",
            f"In de fase '{lifecycle.state_label(casus.kind, casus.state)}' kan het plan van "
            "aanpak niet worden gewijzigd.",
            fase=casus.state,
        )


def _check_users(ws: Workspace, casus: Casus, plan: PlanContent) -> None:
    problems = []
    for i, action in enumerate(plan.actions):
        if action.owner_user_id is None:
            continue
        user = ws.session.get(User, (casus.tenant_id, action.owner_user_id))
        if user is None or not user.active:
            problems.append(
                FieldProblem(
                    f"acties[{i}].eigenaar_gebruiker",
                    f"Onbekende gebruiker '{action.owner_user_id}'.",
                )
            )
        elif user.organisation_id != action.owner_organisation_id:
            problems.append(
                FieldProblem(
                    f"acties[{i}].eigenaar_gebruiker",
                    f"Gebruiker '{action.owner_user_id}' hoort niet bij organisatie "
                    f"'{action.owner_organisation_id}'.",
                )
            )
    if problems:
        raise DomainValidationError(problems)


def save_plan(
    ws: Workspace,
    casus_id: uuid.UUID,
    expected_version: int | None,
    body: Mapping[str, Any],
    purpose: str | None = None,
    *,
    note: str | None = None,
) -> tuple[PlanRead, bool]:
    """Store a new version when the content changed; returns (the plan, created).

    ``note`` (e.g. why a deadline was postponed) is added to the version's change summary,
    which is free text under the plan's text categories (never in the casus event)."""
    casus = ws.load_casus(casus_id, for_update=True)
    decision = _authorize(ws, casus, "update", purpose)
    current = current_version(ws, casus)
    _check_plan_version(current.version if current else 0, expected_version)
    _check_state(casus)
    organisations = {
        o.id: o.name
        for o in ws.session.scalars(
            sa.select(Organisation).where(
                Organisation.tenant_id == casus.tenant_id, Organisation.active
            )
        )
    }
    instrument = ws.manifest_of(casus.tenant_id).assessment_instrument
    try:
        plan = validate_plan(to_domain(body), instrument, organisations)
    except DomainValidationError as error:
        raise _translate(error) from None
    _check_users(ws, casus, plan)
    old = PlanContent.model_validate(current.content) if current else None
    changes = diff_plans(old, plan, organisations)
    if note and changes:
        changes = [*changes, note]
    if current is not None and not changes:
        return PlanRead(casus, current, decision, anonymised(ws, casus, decision)), False
    row = PlanVersion(
        tenant_id=casus.tenant_id,
        casus_id=casus.id,
        version=(current.version if current else 0) + 1,
        content=plan.model_dump(mode="json"),
        summary=changes,
        created_by=ws.principal.user_id,
        created_at=ws.enforcer.now,
    )
    ws.session.add(row)
    if casus.plan_date is None:
        casus.plan_date = ws.today
    ws.event(
        casus,
        "plan",
        f"Plan van aanpak versie {row.version} vastgesteld ({len(changes)} wijziging(en)).",
    )
    ws.session.flush()
    return PlanRead(casus, row, decision, anonymised(ws, casus, decision)), True
