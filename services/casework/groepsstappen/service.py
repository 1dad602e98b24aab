"""The content of group approach steps 3-7: integraal beeld, the anonymised voorlegging and
the driehoek's advice, the nulmeting per spoor, the voortgang of the uitvoering and the
evaluation (seed 003; domain rules in services/casework/domain/group_steps.py).

The content lives with the group casus (``casussen.group_steps``). Writing is an ``update``
of the casus under the policy (rule 7: person data only with an uitvoeringscoördinator);
reading is a ``read`` of the casus, with the free text only in the full view. The driehoek
reads nothing of the casus: :func:`driehoek_view` is a read of the resource type ``plan``
(the only thing the policy lets the driehoek see) and returns the plan anonymised, the
voorlegging and the advice — both checked for person identifiers when written, as the
signals of step 1 are.

Whether a group may move on is checked in the transition itself
(``services.casework.casussen.fasen.transition``), so the API and the browser are held to
the same rule.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from services.casework import free_text
from services.casework.domain import group_steps, lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.plan import TRACK_LABELS
from services.casework.errors import Conflict
from services.casework.groepsaanpak import service as groups
from services.casework.plan import service as plans
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus
from services.platform.policy import Decision

#: Parts that the driehoek reads: group level only, never person data.
ANONYMOUS_PARTS: Final = frozenset({"voorlegging", "advies"})

#: The part -> its event summary on the tijdlijn (no content: the tijdlijn is read widely).
EVENT_SUMMARIES: Final[Mapping[str, str]] = {
    "integraal_beeld": "Integraal beeld van de groep vastgelegd.",
    "voorlegging": "Geanonimiseerde voorlegging voor de driehoek vastgelegd.",
    "advies": "Advies en prioritering van de driehoek vastgelegd.",
    "nulmeting": "Nulmeting vastgelegd.",
    "voortgang": "Voortgang van de uitvoering vastgelegd.",
    "evaluatie": "Evaluatie van de groepsaanpak vastgelegd.",
}

EVENT_KIND: Final = "groepsstap"


def _require_group(casus: Casus) -> None:
    if casus.kind != lifecycle.GROUP:
        raise Conflict(
            "alleen-groep", "Dit hoort bij de groepsaanpak: deze casus is geen groepscasus."
        )


def _authorize(ws: Workspace, casus: Casus, action: str, *, person_data: bool) -> Decision:
    return ws.enforcer.decide(
        action,
        ws.resource(casus, contains_person_identifiers=person_data),
        ws.context(ws.purpose_for(casus, None)),
        Target("groepsstap", None, casus.id),
    )


def _anonymous(ws: Workspace, casus: Casus, field: str, text: str) -> list[FieldProblem]:
    found = groups.person_identifiers_in(
        text, groups._member_names(ws, casus) | groups._known_names_in(ws, casus, text)
    )
    if not found:
        return []
    return [
        FieldProblem(
            field,
            "De driehoek ziet de groep alleen geanonimiseerd: geen persoonsgegevens "
            f"(gevonden: {', '.join(found)}).",
        )
    ]


@dataclass(frozen=True)
class PartInput:
    """One part of a step's content (field names as the API and the forms call them)."""

    part: str
    fields: Mapping[str, Any]


def record(ws: Workspace, casus_id: uuid.UUID, data: PartInput) -> dict[str, Any]:
    """Record (or replace) one part of the step content; ``voortgang`` adds an entry."""
    if data.part not in group_steps.PART_STEPS:
        raise DomainValidationError(
            [FieldProblem("onderdeel", f"Onbekend onderdeel '{data.part[:40]}'.")]
        )
    casus = ws.load_casus(casus_id, for_update=True)
    decision = _authorize(ws, casus, "update", person_data=data.part not in ANONYMOUS_PARTS)
    _require_group(casus)
    if not lifecycle.is_active(casus.kind, casus.state):
        raise Conflict(
            "groep-afgesloten",
            f"De groepscasus is {lifecycle.state_label(casus.kind, casus.state).lower()}.",
        )
    step = lifecycle.group_step(casus.state)
    wrong_step = group_steps.part_allowed(data.part, step)
    if wrong_step is not None:
        raise Conflict("groepsstap-andere-stap", wrong_step, stap=step)
    fields = {k: v for k, v in data.fields.items() if v is not None and v != ""}
    group_steps.check_part(data.part, fields)
    problems: list[FieldProblem] = []
    if data.part == "voorlegging":
        problems += _anonymous(ws, casus, "tekst", str(fields["tekst"]))
    if data.part == "advies":
        problems += _anonymous(ws, casus, "advies", str(fields["advies"]))
    if problems:
        raise DomainValidationError(problems)
    stamp = {"door": ws.principal.user_id, "op": ws.enforcer.now.isoformat(), "stap": step}
    entry = {**_jsonable(fields), **stamp}
    content = dict(casus.group_steps or {})
    if data.part == "nulmeting":
        measured = dict(content.get("nulmeting") or {})
        measured[str(fields["spoor"])] = entry
        content["nulmeting"] = measured
    elif data.part == "voortgang":
        content["voortgang"] = [*(content.get("voortgang") or []), entry]
    else:
        if data.part == "evaluatie":
            nameting = {k: str(v).strip() for k, v in (fields.get("nameting") or {}).items()}
            lacking = group_steps.missing_nameting(content, nameting)
            if lacking:
                raise DomainValidationError(
                    [
                        FieldProblem(
                            f"nameting.{spoor}",
                            f"Geef de nameting voor het spoor {TRACK_LABELS[spoor].lower()} "
                            "(de nulmeting is bekend).",
                        )
                        for spoor in lacking
                    ]
                )
        content[data.part] = entry
    casus.group_steps = content  # the UPDATE bumps the casus version (version_id_col)
    ws.event(casus, EVENT_KIND, EVENT_SUMMARIES[data.part])
    ws.session.flush()
    return steps_of(ws, casus, decision)


def _jsonable(fields: Mapping[str, Any]) -> dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Mapping):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, str):
            return value.strip()
        return value

    return {k: convert(v) for k, v in fields.items()}


def plan_facts(ws: Workspace, casus: Casus) -> group_steps.PlanFacts:
    current = plans.current_version(ws, casus)
    if current is None or not isinstance(current.content, dict):
        return group_steps.PlanFacts(exists=current is not None, tracks=frozenset())
    tracks = frozenset(
        str(i.get("track")) for i in current.content.get("interventions", []) if isinstance(i, dict)
    )
    return group_steps.PlanFacts(exists=True, tracks=tracks)


def read_steps(ws: Workspace, casus_id: uuid.UUID) -> dict[str, Any]:
    """The step content as this reader may see it."""
    casus = ws.load_casus(casus_id)
    decision = _authorize(ws, casus, "read", person_data=True)
    _require_group(casus)
    return steps_of(ws, casus, decision)


def steps_of(ws: Workspace, casus: Casus, decision: Decision) -> dict[str, Any]:
    """Texts only in the full view and when the casus's text categories are not masked;
    who wrote what only in the full view. What is missing for the next step is always said
    (it holds no content)."""
    full = decision.view == "full"
    text_ok = full and free_text.shows(decision, free_text.casus_text_categories(casus))
    content: Mapping[str, Any] = casus.group_steps or {}
    step = lifecycle.group_step(casus.state)

    def part(entry: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if not entry:
            return None
        shown: dict[str, Any] = {"op": entry.get("op"), "stap": entry.get("stap")}
        shown["door"] = entry.get("door") if full else None
        if text_ok:
            shown.update({k: v for k, v in entry.items() if k not in ("op", "door", "stap")})
        return shown

    advice = part(content.get("advies"))
    if advice is not None and not text_ok:
        # The priority is a code, not free text: every reader of the casus may see it.
        advice["prioriteit"] = content["advies"].get("prioriteit")
    if advice is not None and advice.get("prioriteit"):
        advice["prioriteit_label"] = group_steps.PRIORITEITEN.get(advice["prioriteit"])
    nulmeting = {
        spoor: {**(part(entry) or {}), "spoor_label": TRACK_LABELS.get(spoor, spoor)}
        for spoor, entry in (content.get("nulmeting") or {}).items()
    }
    progress = [
        {
            **(part(entry) or {}),
            "spoor": entry.get("spoor"),
            "spoor_label": TRACK_LABELS.get(str(entry.get("spoor")), "Algemeen"),
        }
        for entry in content.get("voortgang") or []
    ]
    facts = plan_facts(ws, casus)
    next_steps = [
        t
        for t in lifecycle.transitions_from(casus.kind, casus.state)
        if t.action in ("volgende-stap", "afsluiten")
    ]
    missing: list[str] = []
    if step is not None and next_steps:
        target = next_steps[0]
        missing = group_steps.missing_for_move(
            step,
            lifecycle.group_step(target.target) if target.action != "afsluiten" else None,
            content,
            facts,
        )
    return {
        "casus_id": str(casus.id),
        "stap": step,
        "stap_naam": lifecycle.GROUP_STEP_NAMES.get(step or 0),
        "weergave": decision.view,
        "tekst_afgeschermd": not text_ok,
        "integraal_beeld": part(content.get("integraal_beeld")),
        "voorlegging": part(content.get("voorlegging")),
        "advies": advice,
        "nulmeting": nulmeting,
        "voortgang": progress,
        "evaluatie": part(content.get("evaluatie")),
        "plan": {"aanwezig": facts.exists, "sporen": sorted(facts.tracks)},
        "ontbreekt_voor_volgende_stap": missing,
        "onderdelen_nu": [
            p for p, steps in group_steps.PART_STEPS.items() if step is not None and step in steps
        ],
    }


def driehoek_view(ws: Workspace, casus_id: uuid.UUID) -> dict[str, Any]:
    """What the driehoek sees of a group: the plan anonymised, the voorlegging and the advice
    (group level by construction), the step and the priority. Always anonymised, also for a
    regisseur who previews it ("wat ziet de driehoek")."""
    casus = ws.load_casus(casus_id)
    decision = ws.enforcer.decide(
        "read",
        ws.resource(casus, "plan"),
        ws.context(plans.PLAN_PURPOSE),
        Target("plan", str(casus.id), casus.id),
    )
    _require_group(casus)
    current = plans.current_version(ws, casus)
    plan = (
        plans.plan_view(ws, plans.PlanRead(casus, current, decision, anonymised=True))
        if current is not None
        else None
    )
    content: Mapping[str, Any] = casus.group_steps or {}
    voorlegging = content.get("voorlegging") or {}
    advies = content.get("advies") or {}
    return {
        "casus_id": str(casus.id),
        "referentie": casus.reference,
        "stap": lifecycle.group_step(casus.state),
        "weergave": "anoniem",
        "plan": plan,
        "voorlegging": voorlegging.get("tekst"),
        "advies": {
            "advies": advies.get("advies"),
            "prioriteit": advies.get("prioriteit"),
            "prioriteit_label": group_steps.PRIORITEITEN.get(str(advies.get("prioriteit"))),
            "besproken_op": advies.get("besproken_op"),
        }
        if advies
        else None,
    }


# ---------------------------------------------------------------------------------------------
# The plan per spoor and the concept plan: new plan versions through the plan service
# ---------------------------------------------------------------------------------------------


def _api_plan(content: Mapping[str, Any]) -> dict[str, Any]:
    """Stored plan content (domain names) -> the plan service's API body (Dutch names)."""

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                plans.API_NAMES.get(k, k): convert(v) for k, v in value.items() if v is not None
            }
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    result = convert(content)
    assert isinstance(result, dict)
    return result


def _current_plan(ws: Workspace, casus_id: uuid.UUID) -> tuple[dict[str, Any], int | None]:
    casus = ws.load_casus(casus_id)
    _require_group(casus)
    current = plans.current_version(ws, casus)
    if current is None:
        return {}, None
    return _api_plan(current.content), current.version


def add_intervention(
    ws: Workspace,
    casus_id: uuid.UUID,
    expected_version: int | None,
    track: str,
    description: str,
    organisation_id: str | None,
) -> plans.PlanRead:
    """Step 5: one intervention in a spoor of the group plan (a new plan version)."""
    body, version = _current_plan(ws, casus_id)
    if version is None:
        raise Conflict(
            "plan-ontbreekt",
            "Er is nog geen plan van aanpak: stel in stap 3 eerst het conceptplan op.",
        )
    intervention: dict[str, Any] = {"spoor": track, "omschrijving": description}
    if organisation_id:
        intervention["organisatie"] = organisation_id
    body["interventies"] = [*body.get("interventies", []), intervention]
    read, _created = plans.save_plan(ws, casus_id, expected_version, body)
    return read


def add_concept_goal(
    ws: Workspace,
    casus_id: uuid.UUID,
    expected_version: int | None,
    domain: str,
    problem: str,
    goal: str,
    end_criterion: str | None,
) -> plans.PlanRead:
    """Step 3: a goal of the concept plan; the first one makes the plan (which then needs an
    eindcriterium)."""
    body, version = _current_plan(ws, casus_id)
    body["doelen"] = [
        *body.get("doelen", []),
        {"leefgebied": domain, "probleem": problem, "doel": goal},
    ]
    if end_criterion:
        body["eindcriterium"] = end_criterion
    elif version is None:
        raise DomainValidationError(
            [FieldProblem("eindcriterium", "Geef het eindcriterium van het conceptplan op.")]
        )
    read, _created = plans.save_plan(
        ws, casus_id, expected_version if version is not None else None, body
    )
    return read


def driehoek_list(ws: Workspace) -> list[dict[str, Any]]:
    """The groups of the own tenant whose voorlegging the reader may see (the driehoek:
    the plan, anonymised): reference, step and priority only, decided per group as a
    ``list`` of the resource type ``plan``."""
    rows = list(
        ws.session.scalars(
            sa.select(Casus)
            .where(
                Casus.tenant_id == ws.principal.tenant,
                Casus.kind == lifecycle.GROUP,
                Casus.state.in_(("stap-4", "stap-5", "stap-6", "stap-7")),
            )
            .order_by(Casus.created_at.desc())
            .limit(100)
        )
    )
    decisions = ws.enforcer.decide_page(
        "list",
        ws.resources(rows, "plan"),
        ws.context(plans.PLAN_PURPOSE),
        [Target("plan", str(c.id), c.id) for c in rows],
    )
    result = []
    for casus, decision in zip(rows, decisions, strict=True):
        if not decision.allow:
            continue
        advies = (casus.group_steps or {}).get("advies") or {}
        result.append(
            {
                "casus_id": str(casus.id),
                "referentie": casus.reference,
                "stap": lifecycle.group_step(casus.state),
                "voorgelegd": bool((casus.group_steps or {}).get("voorlegging")),
                "prioriteit_label": group_steps.PRIORITEITEN.get(str(advies.get("prioriteit")))
                if advies
                else None,
            }
        )
    return result
