"""The plan van aanpak: content model, validation and a Dutch change summary.

A plan holds goals per leefgebied (a domain of the tenant's instrument), the end criterion
("wanneer is het goed genoeg om af te sluiten"), actions with an owner and a deadline,
interventions per track (zorg, strafrechtelijk, bestuurlijk) and partner commitments that
are checked after some weeks. Every change makes a new version (stored by the service);
:func:`diff_plans` summarises the changes for "wijzigingen sinds vorig overleg".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from tenants import reference
from tenants.manifest import format_loc

from .assessments import instrument_domains
from .errors import DomainValidationError, FieldProblem
from .text import format_date_nl

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=reference.CODE_PATTERN.pattern)]

GoalStatus = Literal["open", "loopt", "behaald", "niet-behaald"]
ActionStatus = Literal["open", "loopt", "gereed", "vervallen"]
Track = Literal["zorg", "strafrechtelijk", "bestuurlijk"]
CommitmentStatus = Literal["open", "nagekomen", "niet-nagekomen", "vervallen"]

GOAL_STATUS_LABELS: Final[Mapping[str, str]] = {
    "open": "open",
    "loopt": "loopt",
    "behaald": "behaald",
    "niet-behaald": "niet behaald",
}
ACTION_STATUS_LABELS: Final[Mapping[str, str]] = {
    "open": "open",
    "loopt": "loopt",
    "gereed": "gereed",
    "vervallen": "vervallen",
}
TRACK_LABELS: Final[Mapping[str, str]] = {
    "zorg": "Zorg",
    "strafrechtelijk": "Strafrechtelijk",
    "bestuurlijk": "Bestuurlijk",
}
COMMITMENT_STATUS_LABELS: Final[Mapping[str, str]] = {
    "open": "open",
    "nagekomen": "nagekomen",
    "niet-nagekomen": "niet nagekomen",
    "vervallen": "vervallen",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Goal(_Model):
    """A problem and goal on one leefgebied (domain code of the tenant's instrument)."""

    domain: str
    problem: Text
    goal: Text
    status: GoalStatus = "open"


class Action(_Model):
    """An action with its owner and deadline."""

    id: Slug
    """Stable within the plan across versions (e.g. ``a1``), so diffs can follow it."""
    description: Text
    owner_organisation_id: str
    owner_user_id: str | None = None
    deadline: date
    status: ActionStatus = "open"


class Intervention(_Model):
    """An intervention in one track of the multi-track approach."""

    track: Track
    description: Text
    organisation_id: str | None = None


class Commitment(_Model):
    """A partner commitment (toezegging), checked after ``commitment_check_weeks``."""

    organisation_id: str
    text: Text
    made_on: date
    check_due_on: date | None = None
    """Explicit check date; None: the tenant's ``commitment_check_weeks`` after ``made_on``."""
    status: CommitmentStatus = "open"


class PlanContent(_Model):
    """The content of one plan version."""

    goals: Annotated[list[Goal], Field(min_length=1)]
    end_criterion: Text
    """Eindcriterium: when is it good enough to close."""
    actions: list[Action] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    notes: str | None = None


# --- Validation -----------------------------------------------------------------------------

_PYDANTIC_NL: Final[Mapping[str, str]] = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld; dit veld is niet toegestaan",
    "string_type": "moet tekst zijn",
    "string_too_short": "mag niet leeg zijn",
    "string_pattern_mismatch": "ongeldig formaat: gebruik kleine letters, cijfers en koppeltekens",
    "list_type": "moet een lijst zijn",
    "too_short": "bevat te weinig elementen",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "dict_type": "moet een object zijn",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_inexact": "moet een datum zijn zonder tijd",
    "literal_error": "ongeldige waarde",
}

_FIELD_NAMES_NL: Final[Mapping[str, str]] = {
    "goals": "doelen",
    "end_criterion": "eindcriterium",
}


def _problems_from_pydantic(exc: PydanticValidationError) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for err in exc.errors(include_url=False):
        message = _PYDANTIC_NL.get(err["type"], "ongeldige waarde")
        ctx = err.get("ctx") or {}
        if err["type"] == "literal_error" and "expected" in ctx:
            message = f"{message}; toegestaan: {ctx['expected']}"
        elif err["type"] == "too_short" and "min_length" in ctx:
            message = f"{message}; minimaal {ctx['min_length']}"
        field = format_loc(err["loc"])
        name = _FIELD_NAMES_NL.get(field)
        if name:
            message = f"{name}: {message}"
        problems.append(FieldProblem(field, message))
    return problems


def validate_plan(
    content: Mapping[str, Any] | PlanContent,
    instrument: str,
    organisation_ids: Collection[str],
) -> PlanContent:
    """Validate plan content for a tenant.

    Checks the structure (required fields, types, dates, statuses), that every goal's domain
    belongs to ``instrument``, that every organisation id is one of ``organisation_ids``
    and that action ids are unique. Raises :class:`~.errors.DomainValidationError` with a
    Dutch message per field (e.g. ``goals[0].domain``).
    """
    domains = instrument_domains(instrument)
    if isinstance(content, PlanContent):
        plan = content
    else:
        try:
            plan = PlanContent.model_validate(dict(content))
        except PydanticValidationError as exc:
            raise DomainValidationError(_problems_from_pydantic(exc)) from None

    problems: list[FieldProblem] = []
    known_orgs = set(organisation_ids)

    def check_org(field: str, org_id: str | None) -> None:
        if org_id is not None and org_id not in known_orgs:
            problems.append(
                FieldProblem(field, f"Onbekende organisatie '{org_id}' voor deze gemeente.")
            )

    for i, goal in enumerate(plan.goals):
        if goal.domain not in domains:
            problems.append(
                FieldProblem(
                    f"goals[{i}].domain",
                    f"Leefgebied '{goal.domain}' hoort niet bij "
                    f"{reference.ASSESSMENT_INSTRUMENTS[instrument]}; "
                    f"toegestaan: {', '.join(domains)}.",
                )
            )
    seen: dict[str, int] = {}
    for i, action in enumerate(plan.actions):
        if action.id in seen:
            problems.append(
                FieldProblem(
                    f"actions[{i}].id",
                    f"Dubbele actie-id '{action.id}' (ook bij actions[{seen[action.id]}]).",
                )
            )
        else:
            seen[action.id] = i
        check_org(f"actions[{i}].owner_organisation_id", action.owner_organisation_id)
    for i, intervention in enumerate(plan.interventions):
        check_org(f"interventions[{i}].organisation_id", intervention.organisation_id)
    for i, commitment in enumerate(plan.commitments):
        check_org(f"commitments[{i}].organisation_id", commitment.organisation_id)
        if commitment.check_due_on is not None and commitment.check_due_on < commitment.made_on:
            problems.append(
                FieldProblem(
                    f"commitments[{i}].check_due_on",
                    "De controledatum ligt vóór de datum van de toezegging.",
                )
            )
    if problems:
        raise DomainValidationError(problems)
    return plan


# --- Diff -----------------------------------------------------------------------------------


def _org(names: Mapping[str, str], org_id: str | None) -> str:
    if org_id is None:
        return "-"
    return names.get(org_id, org_id)


def _domain_label(domain: str) -> str:
    for domains in reference.INSTRUMENT_DOMAINS.values():
        if domain in domains:
            return domains[domain]
    return domain


def _diff_goals(old: PlanContent, new: PlanContent) -> list[str]:
    changes: list[str] = []
    order: list[str] = []
    for goal in [*old.goals, *new.goals]:
        if goal.domain not in order:
            order.append(goal.domain)
    for domain in order:
        label = _domain_label(domain)
        before = [g for g in old.goals if g.domain == domain]
        after = [g for g in new.goals if g.domain == domain]
        for prev, curr in zip(before, after, strict=False):
            if prev.problem != curr.problem:
                changes.append(f"Probleem bij {label} gewijzigd: {curr.problem}")
            if prev.goal != curr.goal:
                changes.append(f"Doel bij {label} gewijzigd: {curr.goal}")
            if prev.status != curr.status:
                changes.append(
                    f"Doel bij {label} ({curr.goal}): status {GOAL_STATUS_LABELS[prev.status]} → "
                    f"{GOAL_STATUS_LABELS[curr.status]}."
                )
        for curr in after[len(before) :]:
            changes.append(f"Nieuw doel bij {label}: {curr.goal}")
        for prev in before[len(after) :]:
            changes.append(f"Doel bij {label} vervallen: {prev.goal}")
    return changes


def _diff_actions(old: PlanContent, new: PlanContent, names: Mapping[str, str]) -> list[str]:
    changes: list[str] = []
    before = {a.id: a for a in old.actions}
    after = {a.id: a for a in new.actions}
    for action_id, curr in after.items():
        prev = before.get(action_id)
        if prev is None:
            changes.append(
                f"Nieuwe actie '{curr.description}' ({_org(names, curr.owner_organisation_id)}, "
                f"deadline {format_date_nl(curr.deadline)})."
            )
            continue
        if prev.description != curr.description:
            changes.append(f"Actie '{prev.description}' heet nu '{curr.description}'.")
        if prev.status != curr.status:
            changes.append(
                f"Actie '{curr.description}': status {ACTION_STATUS_LABELS[prev.status]} → "
                f"{ACTION_STATUS_LABELS[curr.status]}."
            )
        if prev.deadline != curr.deadline:
            changes.append(
                f"Actie '{curr.description}': deadline van {format_date_nl(prev.deadline)} "
                f"naar {format_date_nl(curr.deadline)}."
            )
        if (prev.owner_organisation_id, prev.owner_user_id) != (
            curr.owner_organisation_id,
            curr.owner_user_id,
        ):
            changes.append(
                f"Actie '{curr.description}': eigenaar nu "
                f"{_org(names, curr.owner_organisation_id)}"
                + (f" ({curr.owner_user_id})" if curr.owner_user_id else "")
                + "."
            )
    for action_id, prev in before.items():
        if action_id not in after:
            changes.append(f"Actie '{prev.description}' verwijderd.")
    return changes


def _diff_interventions(old: PlanContent, new: PlanContent, names: Mapping[str, str]) -> list[str]:
    def key(i: Intervention) -> tuple[str, str, str | None]:
        return (i.track, i.description, i.organisation_id)

    before = [key(i) for i in old.interventions]
    after = [key(i) for i in new.interventions]
    changes = [
        f"Nieuwe interventie ({TRACK_LABELS[track].lower()}): {text}"
        + (f" ({_org(names, org)})" if org else "")
        for track, text, org in after
        if (track, text, org) not in before
    ]
    changes += [
        f"Interventie ({TRACK_LABELS[track].lower()}) vervallen: {text}"
        for track, text, org in before
        if (track, text, org) not in after
    ]
    return changes


def _diff_commitments(old: PlanContent, new: PlanContent, names: Mapping[str, str]) -> list[str]:
    changes: list[str] = []
    before = {(c.organisation_id, c.text): c for c in old.commitments}
    after = {(c.organisation_id, c.text): c for c in new.commitments}
    for key, curr in after.items():
        prev = before.get(key)
        who = _org(names, curr.organisation_id)
        if prev is None:
            changes.append(f"Nieuwe toezegging van {who}: {curr.text}")
        else:
            if prev.status != curr.status:
                changes.append(
                    f"Toezegging van {who} ({curr.text}): "
                    f"{COMMITMENT_STATUS_LABELS[prev.status]} → "
                    f"{COMMITMENT_STATUS_LABELS[curr.status]}."
                )
            if prev.made_on != curr.made_on:
                changes.append(
                    f"Toezegging van {who} ({curr.text}): toegezegd op "
                    f"{format_date_nl(curr.made_on)}."
                )
            if prev.check_due_on != curr.check_due_on:
                when = (
                    format_date_nl(curr.check_due_on)
                    if curr.check_due_on
                    else "de standaardtermijn"
                )
                changes.append(f"Toezegging van {who} ({curr.text}): controle op {when}.")
    for key, prev in before.items():
        if key not in after:
            changes.append(
                f"Toezegging van {_org(names, prev.organisation_id)} vervallen: {prev.text}"
            )
    return changes


def diff_plans(
    old: PlanContent | None,
    new: PlanContent,
    organisation_names: Mapping[str, str] | None = None,
) -> list[str]:
    """Dutch summary of the changes from ``old`` to ``new`` (empty list: no changes).

    ``old`` None means the first version. Actions are matched by id, goals by leefgebied
    (in order), interventions and commitments by their content.
    """
    names = organisation_names or {}
    if old is None:
        return [
            f"Eerste versie van het plan van aanpak: {len(new.goals)} doel(en), "
            f"{len(new.actions)} actie(s)."
        ]
    changes = _diff_goals(old, new)
    if old.end_criterion != new.end_criterion:
        changes.append(f"Eindcriterium gewijzigd: {new.end_criterion}")
    changes += _diff_actions(old, new, names)
    changes += _diff_interventions(old, new, names)
    changes += _diff_commitments(old, new, names)
    if (old.notes or "") != (new.notes or ""):
        changes.append("Toelichting gewijzigd.")
    return changes
