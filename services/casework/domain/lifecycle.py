"""The casus state machines: the person-centred PGA and the 7-step group approach.

Person casus (kind ``persoon``, domain brief section 2)::

    aangemeld -> in_triage -> (niet_opgenomen | doorverwezen | opgenomen)
    opgenomen -> plan -> uitvoering <-> monitoring
    uitvoering | monitoring -> (afgeschaald | opgeschaald | gestopt) -> waakvlam
    waakvlam -> gearchiveerd | plan (heropenen: back to a plan review)
    niet_opgenomen | doorverwezen -> gearchiveerd

Group casus (kind ``groep``, seed 003 "Werkproces problematische jeugdgroepen")::

    stap-1 -> stap-2 -> ... -> stap-7 -> afgesloten -> gearchiveerd
    stap-1..stap-4 -> afgesloten (vroegtijdig, with a reason)
    stap-6 -> stap-3 | stap-5 (bijstellen: "loop terug naar stap 3 of 5", with a reason)

Some transitions need extra data (:class:`Requirement`): a triage decision code, a closure
reason code from :data:`tenants.reference.CLOSURE_REASONS`, or a free-text reason. Use
:func:`check_transition` for the move itself and :func:`check_transition_data` for the data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from tenants import reference

from .errors import DomainValidationError, FieldProblem
from .text import is_blank, join_nl

#: Casus kinds (codes of :data:`tenants.reference.CASUS_TYPES`).
PERSON: Final = "persoon"
GROUP: Final = "groep"
assert PERSON in reference.CASUS_TYPES and GROUP in reference.CASUS_TYPES


class PersonState(StrEnum):
    """States of a person casus."""

    AANGEMELD = "aangemeld"
    IN_TRIAGE = "in_triage"
    NIET_OPGENOMEN = "niet_opgenomen"
    DOORVERWEZEN = "doorverwezen"
    OPGENOMEN = "opgenomen"
    PLAN = "plan"
    UITVOERING = "uitvoering"
    MONITORING = "monitoring"
    AFGESCHAALD = "afgeschaald"
    OPGESCHAALD = "opgeschaald"
    GESTOPT = "gestopt"
    WAAKVLAM = "waakvlam"
    GEARCHIVEERD = "gearchiveerd"


class GroupState(StrEnum):
    """States of a group casus: the seven steps, closed, archived."""

    STAP_1 = "stap-1"
    STAP_2 = "stap-2"
    STAP_3 = "stap-3"
    STAP_4 = "stap-4"
    STAP_5 = "stap-5"
    STAP_6 = "stap-6"
    STAP_7 = "stap-7"
    AFGESLOTEN = "afgesloten"
    GEARCHIVEERD = "gearchiveerd"


class Phase(StrEnum):
    """Coarse phase of a casus, for policies and reporting."""

    AANMELDING = "aanmelding"
    TRIAGE = "triage"
    INFORMEREN = "informeren"
    PLAN = "plan"
    UITVOERING = "uitvoering"
    MONITORING = "monitoring"
    AFSLUITING = "afsluiting"
    NAZORG = "nazorg"
    ARCHIEF = "archief"


PHASE_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        Phase.AANMELDING: "Aanmelding",
        Phase.TRIAGE: "Triage",
        Phase.INFORMEREN: "Informeren",
        Phase.PLAN: "Plan van aanpak",
        Phase.UITVOERING: "Uitvoering",
        Phase.MONITORING: "Monitoring",
        Phase.AFSLUITING: "Afsluiting",
        Phase.NAZORG: "Nazorg (waakvlam)",
        Phase.ARCHIEF: "Archief",
    }
)


class Requirement(StrEnum):
    """Extra data a transition needs."""

    TRIAGE_DECISION = "triagebesluit"
    """A code of :data:`tenants.reference.TRIAGE_DECISIONS` that leads to the target."""
    CLOSURE_REASON = "afsluitreden"
    """A code of :data:`tenants.reference.CLOSURE_REASONS` that fits the target."""
    REASON = "reden"
    """A non-empty free-text reason (reopen, early group exit, plan bijstellen)."""


#: Group step names (seed 003).
GROUP_STEP_NAMES: Final[Mapping[int, str]] = MappingProxyType(
    {
        1: "Signalen delen",
        2: "Informatie verzamelen",
        3: "Integraal beeld en conceptplan",
        4: "Advies en prioritering driehoek",
        5: "Integraal plan van aanpak",
        6: "Uitvoeren en monitoren",
        7: "Afsluiten en evalueren",
    }
)

_PERSON_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        PersonState.AANGEMELD: "Aangemeld",
        PersonState.IN_TRIAGE: "In triage",
        PersonState.NIET_OPGENOMEN: "Niet opgenomen",
        PersonState.DOORVERWEZEN: "Doorverwezen",
        PersonState.OPGENOMEN: "Opgenomen (informeren)",
        PersonState.PLAN: "Plan van aanpak",
        PersonState.UITVOERING: "Uitvoering",
        PersonState.MONITORING: "Monitoring",
        PersonState.AFGESCHAALD: "Afgeschaald",
        PersonState.OPGESCHAALD: "Opgeschaald",
        PersonState.GESTOPT: "Gestopt",
        PersonState.WAAKVLAM: reference.POST_CLOSURE_STATES["waakvlam"],
        PersonState.GEARCHIVEERD: reference.POST_CLOSURE_STATES["gearchiveerd"],
    }
)

_GROUP_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{f"stap-{n}": f"Stap {n}: {name}" for n, name in GROUP_STEP_NAMES.items()},
        GroupState.AFGESLOTEN: "Afgesloten",
        GroupState.GEARCHIVEERD: reference.POST_CLOSURE_STATES["gearchiveerd"],
    }
)

_LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {PERSON: _PERSON_LABELS, GROUP: _GROUP_LABELS}
)

_P = PersonState
_G = GroupState

_PERSON_NEXT: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        _P.AANGEMELD: (_P.IN_TRIAGE,),
        _P.IN_TRIAGE: (_P.NIET_OPGENOMEN, _P.DOORVERWEZEN, _P.OPGENOMEN),
        _P.NIET_OPGENOMEN: (_P.GEARCHIVEERD,),
        _P.DOORVERWEZEN: (_P.GEARCHIVEERD,),
        _P.OPGENOMEN: (_P.PLAN,),
        _P.PLAN: (_P.UITVOERING,),
        _P.UITVOERING: (_P.MONITORING, _P.AFGESCHAALD, _P.OPGESCHAALD, _P.GESTOPT),
        _P.MONITORING: (_P.UITVOERING, _P.AFGESCHAALD, _P.OPGESCHAALD, _P.GESTOPT),
        _P.AFGESCHAALD: (_P.WAAKVLAM,),
        _P.OPGESCHAALD: (_P.WAAKVLAM,),
        _P.GESTOPT: (_P.WAAKVLAM,),
        _P.WAAKVLAM: (_P.PLAN, _P.GEARCHIVEERD),
        _P.GEARCHIVEERD: (),
    }
)

_GROUP_NEXT: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        _G.STAP_1: (_G.STAP_2, _G.AFGESLOTEN),
        _G.STAP_2: (_G.STAP_3, _G.AFGESLOTEN),
        _G.STAP_3: (_G.STAP_4, _G.AFGESLOTEN),
        _G.STAP_4: (_G.STAP_5, _G.AFGESLOTEN),
        _G.STAP_5: (_G.STAP_6,),
        _G.STAP_6: (_G.STAP_7, _G.STAP_3, _G.STAP_5),
        _G.STAP_7: (_G.AFGESLOTEN,),
        _G.AFGESLOTEN: (_G.GEARCHIVEERD,),
        _G.GEARCHIVEERD: (),
    }
)

_NEXT: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = MappingProxyType(
    {PERSON: _PERSON_NEXT, GROUP: _GROUP_NEXT}
)

#: Initial state per kind.
INITIAL_STATE: Final[Mapping[str, str]] = MappingProxyType(
    {PERSON: _P.AANGEMELD.value, GROUP: _G.STAP_1.value}
)

#: Person states reached by closing a casus (afsluiting).
CLOSURE_STATES: Final = frozenset({_P.AFGESCHAALD, _P.OPGESCHAALD, _P.GESTOPT})

#: Person states reached by a triage decision.
TRIAGE_OUTCOME_STATES: Final = frozenset({_P.NIET_OPGENOMEN, _P.DOORVERWEZEN, _P.OPGENOMEN})

#: Triage decision code (:data:`tenants.reference.TRIAGE_DECISIONS`) -> next person state.
TRIAGE_DECISION_STATES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "opnemen": _P.OPGENOMEN.value,
        "een-partner": _P.DOORVERWEZEN.value,
        "doorverwijzen-zorgoverleg": _P.DOORVERWEZEN.value,
        "doorverwijzen-zorgpartner": _P.DOORVERWEZEN.value,
        "niet-opnemen": _P.NIET_OPGENOMEN.value,
    }
)
assert set(TRIAGE_DECISION_STATES) == set(reference.TRIAGE_DECISIONS)

#: Closure state -> the closure reason codes (:data:`tenants.reference.CLOSURE_REASONS`).
CLOSURE_REASON_CODES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        _P.AFGESCHAALD.value: ("afgeschaald",),
        _P.OPGESCHAALD.value: ("opgeschaald",),
        _P.GESTOPT.value: tuple(c for c in reference.CLOSURE_REASONS if c.startswith("gestopt-")),
    }
)
assert {c for codes in CLOSURE_REASON_CODES.values() for c in codes} == set(
    reference.CLOSURE_REASONS
)

_INACTIVE: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        PERSON: frozenset(
            {
                _P.NIET_OPGENOMEN,
                _P.DOORVERWEZEN,
                _P.AFGESCHAALD,
                _P.OPGESCHAALD,
                _P.GESTOPT,
                _P.WAAKVLAM,
                _P.GEARCHIVEERD,
            }
        ),
        GROUP: frozenset({_G.AFGESLOTEN, _G.GEARCHIVEERD}),
    }
)

_PERSON_PHASES: Final[Mapping[str, Phase]] = MappingProxyType(
    {
        _P.AANGEMELD: Phase.AANMELDING,
        _P.IN_TRIAGE: Phase.TRIAGE,
        _P.NIET_OPGENOMEN: Phase.AFSLUITING,
        _P.DOORVERWEZEN: Phase.AFSLUITING,
        _P.OPGENOMEN: Phase.INFORMEREN,
        _P.PLAN: Phase.PLAN,
        _P.UITVOERING: Phase.UITVOERING,
        _P.MONITORING: Phase.MONITORING,
        _P.AFGESCHAALD: Phase.AFSLUITING,
        _P.OPGESCHAALD: Phase.AFSLUITING,
        _P.GESTOPT: Phase.AFSLUITING,
        _P.WAAKVLAM: Phase.NAZORG,
        _P.GEARCHIVEERD: Phase.ARCHIEF,
    }
)

_GROUP_PHASES: Final[Mapping[str, Phase]] = MappingProxyType(
    {
        _G.STAP_1: Phase.AANMELDING,
        _G.STAP_2: Phase.TRIAGE,
        _G.STAP_3: Phase.PLAN,
        _G.STAP_4: Phase.PLAN,
        _G.STAP_5: Phase.PLAN,
        _G.STAP_6: Phase.UITVOERING,
        _G.STAP_7: Phase.AFSLUITING,
        _G.AFGESLOTEN: Phase.AFSLUITING,
        _G.GEARCHIVEERD: Phase.ARCHIEF,
    }
)

_PHASES: Final[Mapping[str, Mapping[str, Phase]]] = MappingProxyType(
    {PERSON: _PERSON_PHASES, GROUP: _GROUP_PHASES}
)


# --- Errors ---------------------------------------------------------------------------------


class InvalidTransition(Exception):
    """A transition that the state machine does not allow (the API answers 409).

    ``message`` is the Dutch text, e.g. "Van 'aangemeld' kan een casus alleen naar: in triage."
    """

    def __init__(
        self, current: str, target: str, allowed: tuple[str, ...], kind: str = PERSON
    ) -> None:
        self.current = current
        self.target = target
        self.allowed = allowed
        self.kind = kind
        if allowed:
            names = [_short_name(kind, state) for state in allowed]
            self.message = (
                f"Van '{_short_name(kind, current)}' kan een casus alleen naar: {join_nl(names)}."
            )
        else:
            self.message = (
                f"Een casus in '{_short_name(kind, current)}' kan niet meer van fase wisselen."
            )
        super().__init__(self.message)


# --- Queries --------------------------------------------------------------------------------


def _states(kind: str) -> Mapping[str, tuple[str, ...]]:
    try:
        return _NEXT[kind]
    except KeyError:
        raise ValueError(
            f"Onbekend casustype '{kind}'; toegestaan: {', '.join(reference.CASUS_TYPES)}."
        ) from None


def _require_state(kind: str, state: str) -> None:
    if state not in _states(kind):
        raise ValueError(
            f"Onbekende fase '{state}' voor casustype '{kind}'; "
            f"toegestaan: {', '.join(_states(kind))}."
        )


def _short_name(kind: str, state: str) -> str:
    """Lower-case name used in messages: 'in triage', 'stap 2 (informatie verzamelen)'."""
    if kind == GROUP and state.startswith("stap-"):
        number = int(state.removeprefix("stap-"))
        return f"stap {number} ({GROUP_STEP_NAMES[number].lower()})"
    return state.replace("_", " ")


def states(kind: str) -> tuple[str, ...]:
    """All state codes of a casus kind, in lifecycle order."""
    return tuple(_states(kind))


def initial_state(kind: str) -> str:
    """The state a new casus of ``kind`` starts in."""
    _states(kind)
    return INITIAL_STATE[kind]


def allowed_next(kind: str, state: str) -> tuple[str, ...]:
    """The states a casus of ``kind`` in ``state`` may move to (empty when final)."""
    _require_state(kind, state)
    return tuple(str(s) for s in _states(kind)[state])


def check_transition(kind: str, state: str, target: str) -> None:
    """Raise :class:`InvalidTransition` unless ``state -> target`` is allowed."""
    allowed = allowed_next(kind, state)
    if target not in allowed:
        raise InvalidTransition(state, target, allowed, kind)


def running_states(kind: str) -> list[str]:
    """The states in which a casus of this kind is running (for SQL filters)."""
    return sorted(s for s in _states(kind) if s not in _INACTIVE[kind])


def is_active(kind: str, state: str) -> bool:
    """True while the casus is running (not closed, waakvlam or archived): duplicate checks."""
    _require_state(kind, state)
    return state not in _INACTIVE[kind]


def is_reopenable(kind: str, state: str) -> bool:
    """True for a person casus in ``waakvlam`` (closed but reachable)."""
    _require_state(kind, state)
    return kind == PERSON and state == PersonState.WAAKVLAM


def state_label(kind: str, state: str) -> str:
    """Dutch label of a state, e.g. 'In triage' or 'Stap 2: Informatie verzamelen'."""
    _require_state(kind, state)
    return _LABELS[kind][state]


def phase_of(kind: str, state: str) -> str:
    """Coarse phase code of a state (a :class:`Phase` value)."""
    _require_state(kind, state)
    return _PHASES[kind][state].value


def group_step(state: str) -> int | None:
    """Step number 1-7 of a group state; None for ``afgesloten``/``gearchiveerd``."""
    _require_state(GROUP, state)
    if state.startswith("stap-"):
        return int(state.removeprefix("stap-"))
    return None


# --- Transition data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One allowed move with its action code, Dutch label and required data."""

    kind: str
    source: str
    target: str
    action: str
    """Action code, e.g. ``heropenen``, ``afschalen``, ``vroegtijdig-afsluiten``."""
    label: str
    requires: frozenset[Requirement]


def _person_action(source: str, target: str) -> tuple[str, str, frozenset[Requirement]]:
    none: frozenset[Requirement] = frozenset()
    if target == _P.IN_TRIAGE:
        return "triage-starten", "Triage starten", none
    if target in TRIAGE_OUTCOME_STATES:
        labels = {
            _P.OPGENOMEN: ("opnemen", "Opnemen in de PGA"),
            _P.DOORVERWEZEN: ("doorverwijzen", "Doorverwijzen"),
            _P.NIET_OPGENOMEN: ("niet-opnemen", "Niet opnemen"),
        }
        action, text = labels[PersonState(target)]
        return action, text, frozenset({Requirement.TRIAGE_DECISION})
    if target == _P.PLAN and source == _P.WAAKVLAM:
        return "heropenen", "Casus heropenen (terug naar plan)", frozenset({Requirement.REASON})
    if target == _P.PLAN:
        return "plan-opstellen", "Plan van aanpak opstellen", none
    if target == _P.UITVOERING and source == _P.MONITORING:
        return "uitvoering-hervatten", "Terug naar uitvoering", none
    if target == _P.UITVOERING:
        return "uitvoering-starten", "Uitvoering starten", none
    if target == _P.MONITORING:
        return "monitoring-starten", "Naar monitoring", none
    if target in CLOSURE_STATES:
        labels = {
            _P.AFGESCHAALD: ("afschalen", "Afschalen"),
            _P.OPGESCHAALD: ("opschalen", "Opschalen"),
            _P.GESTOPT: ("stoppen", "Stoppen"),
        }
        action, text = labels[PersonState(target)]
        return action, text, frozenset({Requirement.CLOSURE_REASON})
    if target == _P.WAAKVLAM:
        return "waakvlam", "Naar waakvlam", none
    if target == _P.GEARCHIVEERD:
        # Nobody works on an archived casus: why it was archived is on record (issue 12).
        return "archiveren", "Archiveren", frozenset({Requirement.REASON})
    raise AssertionError(f"unmapped person transition {source} -> {target}")


def _group_action(source: str, target: str) -> tuple[str, str, frozenset[Requirement]]:
    none: frozenset[Requirement] = frozenset()
    if target == _G.GEARCHIVEERD:
        return "archiveren", "Archiveren", frozenset({Requirement.REASON})
    if target == _G.AFGESLOTEN and source == _G.STAP_7:
        return "afsluiten", "Afsluiten na evaluatie", none
    if target == _G.AFGESLOTEN:
        return (
            "vroegtijdig-afsluiten",
            "Vroegtijdig afsluiten (geen integrale aanpak nodig)",
            frozenset({Requirement.REASON}),
        )
    step = group_step(target)
    source_step = group_step(source)
    assert step is not None and source_step is not None
    if step < source_step:
        return (
            "bijstellen",
            f"Terug naar stap {step} (bijstellen)",
            frozenset({Requirement.REASON}),
        )
    return "volgende-stap", f"Naar stap {step}: {GROUP_STEP_NAMES[step]}", none


def transition(kind: str, state: str, target: str) -> Transition:
    """The :class:`Transition` for ``state -> target``; raises :class:`InvalidTransition`."""
    check_transition(kind, state, target)
    if kind == PERSON:
        action, text, requires = _person_action(state, target)
    else:
        action, text, requires = _group_action(state, target)
    return Transition(kind, state, target, action, text, requires)


def transitions_from(kind: str, state: str) -> tuple[Transition, ...]:
    """All allowed transitions out of ``state`` (for buttons in the UI)."""
    return tuple(transition(kind, state, target) for target in allowed_next(kind, state))


def required_data(kind: str, state: str, target: str) -> frozenset[Requirement]:
    """What ``state -> target`` needs besides the move itself."""
    return transition(kind, state, target).requires


def closure_state_for(closure_reason: str) -> str:
    """The closure state a closure reason code leads to (``gestopt-verhuisd`` -> ``gestopt``)."""
    for state, codes in CLOSURE_REASON_CODES.items():
        if closure_reason in codes:
            return state
    raise ValueError(
        f"Onbekende afsluitreden '{closure_reason}'; "
        f"toegestaan: {', '.join(reference.CLOSURE_REASONS)}."
    )


def check_transition_data(
    kind: str,
    state: str,
    target: str,
    *,
    reason: str | None = None,
    closure_reason: str | None = None,
    triage_decision: str | None = None,
) -> Transition:
    """Check the move and its data; returns the :class:`Transition`.

    Raises :class:`InvalidTransition` for a move that is not allowed and
    :class:`~.errors.DomainValidationError` (fields ``reason``, ``closure_reason``,
    ``triage_decision``) for missing or unfitting data. Whether a triage decision is
    justified by the inclusion criteria is checked in :func:`.triage.decide`.
    """
    move = transition(kind, state, target)
    problems: list[FieldProblem] = []
    if Requirement.REASON in move.requires and is_blank(reason):
        problems.append(FieldProblem("reason", f"Geef een reden op voor: {move.label.lower()}."))
    if Requirement.CLOSURE_REASON in move.requires:
        fitting = CLOSURE_REASON_CODES[target]
        if is_blank(closure_reason):
            problems.append(
                FieldProblem(
                    "closure_reason",
                    f"Kies een afsluitreden; toegestaan: {', '.join(fitting)}.",
                )
            )
        elif closure_reason not in fitting:
            problems.append(
                FieldProblem(
                    "closure_reason",
                    f"Afsluitreden '{closure_reason}' past niet bij "
                    f"'{_short_name(kind, target)}'; toegestaan: {', '.join(fitting)}.",
                )
            )
    if Requirement.TRIAGE_DECISION in move.requires:
        fitting = tuple(code for code, st in TRIAGE_DECISION_STATES.items() if st == target)
        if is_blank(triage_decision):
            problems.append(
                FieldProblem(
                    "triage_decision",
                    f"Kies een triagebesluit; toegestaan: {', '.join(fitting)}.",
                )
            )
        elif triage_decision not in fitting:
            problems.append(
                FieldProblem(
                    "triage_decision",
                    f"Triagebesluit '{triage_decision}' past niet bij "
                    f"'{_short_name(kind, target)}'; toegestaan: {', '.join(fitting)}.",
                )
            )
    if problems:
        raise DomainValidationError(problems)
    return move
