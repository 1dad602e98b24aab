"""What each step of the group approach must hold before the group moves on (seed 003).

Steps 3-7 each have content of their own; a group cannot be clicked through empty:

- step 3 (integraal beeld en conceptplan): the integraal beeld and a concept plan van aanpak;
- step 4 (advies en prioritering driehoek): the anonymised voorlegging for the driehoek and
  the driehoek's advice with its priority;
- step 5 (integraal plan van aanpak): the plan with interventions per spoor and a nulmeting
  for every spoor the plan works on;
- step 6 (uitvoeren en monitoren): at least one voortgang entry of the uitvoering;
- step 7 (afsluiten en evalueren): the evaluation, with a nameting for every spoor of the
  nulmeting.

The content is stored as a plain mapping (``casussen.group_steps``); this module checks one
part when it is recorded (:func:`check_part`) and says in Dutch what is missing before a
move (:func:`missing_for_move`). Early closure (steps 1-4) and bijstellen (back from step 6)
need only their reason (:mod:`.lifecycle`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .errors import DomainValidationError, FieldProblem
from .plan import TRACK_LABELS
from .text import join_nl

#: The sporen (tracks) of the multi-track approach, with their Dutch label.
SPOREN: Final[Mapping[str, str]] = TRACK_LABELS

#: The driehoek's priority for the group.
PRIORITEITEN: Final[Mapping[str, str]] = {
    "hoog": "Hoog: met voorrang aanpakken",
    "middel": "Middel: aanpakken binnen de gewone planning",
    "laag": "Laag: volgen, geen integrale aanpak nu",
}

#: Part of the content -> the steps in which it may be recorded.
PART_STEPS: Final[Mapping[str, tuple[int, ...]]] = {
    "integraal_beeld": (3, 4, 5, 6),
    "voorlegging": (3, 4),
    "advies": (4,),
    "nulmeting": (5, 6),
    "voortgang": (6,),
    "evaluatie": (7,),
}

#: Dutch names of the parts (in messages).
PART_LABELS: Final[Mapping[str, str]] = {
    "integraal_beeld": "het integraal beeld",
    "voorlegging": "de geanonimiseerde voorlegging voor de driehoek",
    "advies": "het advies van de driehoek",
    "nulmeting": "de nulmeting",
    "voortgang": "de voortgang van de uitvoering",
    "evaluatie": "de evaluatie",
}

#: Minimum length of the main texts: a step is not done with a word or two.
MIN_TEXT: Final = 20


@dataclass(frozen=True)
class PlanFacts:
    """What the step checks need to know of the plan van aanpak (no content)."""

    exists: bool
    tracks: frozenset[str]
    """The sporen the current plan has interventions in."""


def part_allowed(part: str, step: int | None) -> str | None:
    """None when ``part`` may be recorded in ``step``; else the Dutch reason."""
    steps = PART_STEPS[part]
    if step is not None and step in steps:
        return None
    where = join_nl([str(s) for s in steps])
    now = f"stap {step}" if step is not None else "afgesloten"
    return (
        f"{PART_LABELS[part][0].upper()}{PART_LABELS[part][1:]} hoort bij stap {where}; "
        f"deze groep is {now}."
    )


def _text(problems: list[FieldProblem], field: str, value: object, what: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) < MIN_TEXT:
        problems.append(FieldProblem(field, f"Beschrijf {what} in ten minste {MIN_TEXT} tekens."))
    return text


def check_part(part: str, data: Mapping[str, Any]) -> None:
    """Check one part before it is stored; Dutch problems per field."""
    problems: list[FieldProblem] = []
    if part == "integraal_beeld":
        _text(problems, "tekst", data.get("tekst"), "het integraal beeld")
    elif part == "voorlegging":
        _text(problems, "tekst", data.get("tekst"), "de voorlegging voor de driehoek")
    elif part == "advies":
        _text(problems, "advies", data.get("advies"), "het advies van de driehoek")
        if data.get("prioriteit") not in PRIORITEITEN:
            problems.append(
                FieldProblem("prioriteit", f"Kies een prioriteit: {join_nl(list(PRIORITEITEN))}.")
            )
    elif part == "nulmeting":
        if data.get("spoor") not in SPOREN:
            problems.append(FieldProblem("spoor", f"Kies een spoor: {join_nl(list(SPOREN))}."))
        if not str(data.get("indicator") or "").strip():
            problems.append(
                FieldProblem(
                    "indicator", "Geef aan wat u meet (bijvoorbeeld: meldingen per maand)."
                )
            )
        if not str(data.get("waarde") or "").strip():
            problems.append(FieldProblem("waarde", "Geef de gemeten waarde bij de start."))
    elif part == "voortgang":
        if data.get("spoor") is not None and data.get("spoor") not in SPOREN:
            problems.append(FieldProblem("spoor", f"Kies een spoor: {join_nl(list(SPOREN))}."))
        _text(problems, "tekst", data.get("tekst"), "de voortgang")
    elif part == "evaluatie":
        _text(problems, "conclusie", data.get("conclusie"), "de conclusie van de evaluatie")
    else:
        raise ValueError(f"unknown group step part {part!r}")
    if problems:
        raise DomainValidationError(problems)


def missing_nameting(content: Mapping[str, Any], nameting: Mapping[str, str]) -> list[str]:
    """The sporen of the nulmeting that the evaluation gives no nameting for."""
    measured: Mapping[str, Any] = content.get("nulmeting") or {}
    return [s for s in SPOREN if s in measured and not (nameting.get(s) or "").strip()]


def missing_for_move(
    source_step: int, target_step: int | None, content: Mapping[str, Any], plan: PlanFacts
) -> list[str]:
    """What is missing before a group in ``source_step`` may move forward to ``target_step``
    (None: afsluiten after step 7). Empty when nothing is missing. Dutch sentences."""
    if target_step is not None and target_step <= source_step:
        return []  # bijstellen: a reason is enough
    missing: list[str] = []
    if source_step == 3:
        if not content.get("integraal_beeld"):
            missing.append("Leg het integraal beeld van de groep vast.")
        if not plan.exists:
            missing.append("Stel een conceptplan van aanpak op.")
    elif source_step == 4:
        if not content.get("voorlegging"):
            missing.append("Leg de geanonimiseerde voorlegging voor de driehoek vast.")
        if not content.get("advies"):
            missing.append("Leg het advies en de prioritering van de driehoek vast.")
    elif source_step == 5:
        if not plan.tracks:
            missing.append("Neem in het plan van aanpak ten minste één interventie per spoor op.")
        measured: Collection[str] = (content.get("nulmeting") or {}).keys()
        if not measured:
            missing.append("Leg de nulmeting vast.")
        lacking = [SPOREN[t].lower() for t in SPOREN if t in plan.tracks and t not in measured]
        if measured and lacking:
            missing.append(f"Leg de nulmeting vast voor het spoor {join_nl(lacking)}.")
    elif source_step == 6:
        if not content.get("voortgang"):
            missing.append("Leg de voortgang van de uitvoering vast.")
    elif source_step == 7:
        evaluation: Mapping[str, Any] = content.get("evaluatie") or {}
        if not evaluation:
            missing.append("Leg de evaluatie vast.")
        else:
            lacking = missing_nameting(content, evaluation.get("nameting") or {})
            if lacking:
                names = join_nl([SPOREN[s].lower() for s in lacking])
                missing.append(f"Geef in de evaluatie de nameting voor het spoor {names}.")
    return missing
