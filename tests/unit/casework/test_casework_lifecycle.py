"""Casus state machines: allowed and refused transitions, labels, phases, required data."""

from __future__ import annotations

import pytest

from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError
from services.casework.domain.lifecycle import (
    GROUP,
    PERSON,
    InvalidTransition,
    Requirement,
    allowed_next,
    check_transition,
    check_transition_data,
    is_active,
    phase_of,
    state_label,
)
from tenants import reference

PERSON_STATES = (
    "aangemeld",
    "in_triage",
    "niet_opgenomen",
    "doorverwezen",
    "opgenomen",
    "plan",
    "uitvoering",
    "monitoring",
    "afgeschaald",
    "opgeschaald",
    "gestopt",
    "waakvlam",
    "gearchiveerd",
)

ALLOWED_PERSON = {
    ("aangemeld", "in_triage"),
    ("in_triage", "niet_opgenomen"),
    ("in_triage", "doorverwezen"),
    ("in_triage", "opgenomen"),
    ("opgenomen", "plan"),
    ("plan", "uitvoering"),
    ("uitvoering", "monitoring"),
    ("monitoring", "uitvoering"),
    *{(s, t) for s in ("uitvoering", "monitoring") for t in ("afgeschaald", "opgeschaald")},
    ("uitvoering", "gestopt"),
    ("monitoring", "gestopt"),
    ("afgeschaald", "waakvlam"),
    ("opgeschaald", "waakvlam"),
    ("gestopt", "waakvlam"),
    ("waakvlam", "gearchiveerd"),
    ("waakvlam", "plan"),
    ("niet_opgenomen", "gearchiveerd"),
    ("doorverwezen", "gearchiveerd"),
}


def test_person_states_exact() -> None:
    assert lifecycle.states(PERSON) == PERSON_STATES
    assert lifecycle.initial_state(PERSON) == "aangemeld"


@pytest.mark.parametrize("source", PERSON_STATES)
@pytest.mark.parametrize("target", PERSON_STATES)
def test_person_transition_matrix(source: str, target: str) -> None:
    if (source, target) in ALLOWED_PERSON:
        check_transition(PERSON, source, target)
        assert target in allowed_next(PERSON, source)
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(PERSON, source, target)
        assert info.value.current == source
        assert info.value.target == target
        assert info.value.allowed == allowed_next(PERSON, source)


def test_refusal_message_is_dutch() -> None:
    with pytest.raises(InvalidTransition) as info:
        check_transition(PERSON, "aangemeld", "plan")
    assert str(info.value) == "Van 'aangemeld' kan een casus alleen naar: in triage."
    with pytest.raises(InvalidTransition) as info:
        check_transition(PERSON, "in_triage", "plan")
    assert info.value.message == (
        "Van 'in triage' kan een casus alleen naar: niet opgenomen, doorverwezen of opgenomen."
    )
    with pytest.raises(InvalidTransition) as info:
        check_transition(PERSON, "gearchiveerd", "plan")
    assert info.value.allowed == ()
    assert "kan niet meer" in info.value.message


def test_unknown_kind_or_state() -> None:
    with pytest.raises(ValueError, match="Onbekend casustype"):
        allowed_next("dossier", "aangemeld")
    with pytest.raises(ValueError, match="Onbekende fase"):
        allowed_next(PERSON, "stap-1")
    with pytest.raises(InvalidTransition):
        check_transition(PERSON, "aangemeld", "bestaat-niet")


def test_group_steps_and_early_exits() -> None:
    assert lifecycle.states(GROUP) == (
        *(f"stap-{n}" for n in range(1, 8)),
        "afgesloten",
        "gearchiveerd",
    )
    for n in range(1, 7):
        check_transition(GROUP, f"stap-{n}", f"stap-{n + 1}")
    for n in range(1, 5):
        check_transition(GROUP, f"stap-{n}", "afgesloten")
    for n in (5, 6):
        with pytest.raises(InvalidTransition):
            check_transition(GROUP, f"stap-{n}", "afgesloten")
    check_transition(GROUP, "stap-7", "afgesloten")
    check_transition(GROUP, "afgesloten", "gearchiveerd")
    with pytest.raises(InvalidTransition) as info:
        check_transition(GROUP, "stap-1", "stap-3")
    assert "stap 2 (informatie verzamelen)" in info.value.message
    assert lifecycle.group_step("stap-4") == 4
    assert lifecycle.group_step("afgesloten") is None


def test_group_step_names() -> None:
    assert state_label(GROUP, "stap-1") == "Stap 1: Signalen delen"
    assert state_label(GROUP, "stap-4") == "Stap 4: Advies en prioritering driehoek"
    assert state_label(GROUP, "stap-7") == "Stap 7: Afsluiten en evalueren"


def test_is_active() -> None:
    active = {"aangemeld", "in_triage", "opgenomen", "plan", "uitvoering", "monitoring"}
    for state in PERSON_STATES:
        assert is_active(PERSON, state) == (state in active)
    assert is_active(GROUP, "stap-6")
    assert not is_active(GROUP, "afgesloten")
    assert lifecycle.is_reopenable(PERSON, "waakvlam")
    assert not lifecycle.is_reopenable(PERSON, "gestopt")


def test_labels_and_phases() -> None:
    assert state_label(PERSON, "in_triage") == "In triage"
    assert state_label(PERSON, "waakvlam") == reference.POST_CLOSURE_STATES["waakvlam"]
    phases = {phase_of(PERSON, s) for s in PERSON_STATES}
    assert phases == {p.value for p in lifecycle.Phase}
    assert phase_of(PERSON, "opgenomen") == "informeren"
    assert phase_of(PERSON, "waakvlam") == "nazorg"
    assert phase_of(PERSON, "gearchiveerd") == "archief"
    assert phase_of(GROUP, "stap-6") == "uitvoering"
    for kind in (PERSON, GROUP):
        for state in lifecycle.states(kind):
            assert phase_of(kind, state) in lifecycle.PHASE_LABELS


def test_requirements() -> None:
    assert lifecycle.required_data(PERSON, "aangemeld", "in_triage") == frozenset()
    assert lifecycle.required_data(PERSON, "in_triage", "opgenomen") == {
        Requirement.TRIAGE_DECISION
    }
    assert lifecycle.required_data(PERSON, "uitvoering", "gestopt") == {Requirement.CLOSURE_REASON}
    reopen = lifecycle.transition(PERSON, "waakvlam", "plan")
    assert reopen.action == "heropenen"
    assert reopen.requires == {Requirement.REASON}
    assert lifecycle.required_data(GROUP, "stap-2", "afgesloten") == {Requirement.REASON}
    assert lifecycle.required_data(GROUP, "stap-7", "afgesloten") == frozenset()
    assert lifecycle.transition(GROUP, "stap-6", "stap-3").action == "bijstellen"
    assert [t.target for t in lifecycle.transitions_from(PERSON, "waakvlam")] == [
        "plan",
        "gearchiveerd",
    ]


def test_closure_reasons_cover_reference() -> None:
    codes = [c for codes in lifecycle.CLOSURE_REASON_CODES.values() for c in codes]
    assert sorted(codes) == sorted(reference.CLOSURE_REASONS)
    assert lifecycle.closure_state_for("gestopt-verhuisd") == "gestopt"
    assert lifecycle.closure_state_for("afgeschaald") == "afgeschaald"
    with pytest.raises(ValueError, match="Onbekende afsluitreden"):
        lifecycle.closure_state_for("klaar")


def test_check_transition_data() -> None:
    check_transition_data(PERSON, "monitoring", "gestopt", closure_reason="gestopt-verhuisd")
    with pytest.raises(DomainValidationError) as info:
        check_transition_data(PERSON, "monitoring", "gestopt")
    assert info.value.field == "closure_reason"
    with pytest.raises(DomainValidationError) as info:
        check_transition_data(PERSON, "monitoring", "afgeschaald", closure_reason="opgeschaald")
    assert "past niet" in info.value.message
    with pytest.raises(DomainValidationError) as info:
        check_transition_data(PERSON, "waakvlam", "plan", reason="  ")
    assert info.value.field == "reason"
    check_transition_data(PERSON, "waakvlam", "plan", reason="Nieuwe meldingen")
    check_transition_data(PERSON, "in_triage", "doorverwezen", triage_decision="een-partner")
    with pytest.raises(DomainValidationError) as info:
        check_transition_data(PERSON, "in_triage", "opgenomen", triage_decision="niet-opnemen")
    assert info.value.field == "triage_decision"
    with pytest.raises(DomainValidationError):
        check_transition_data(GROUP, "stap-3", "afgesloten")
    check_transition_data(GROUP, "stap-3", "afgesloten", reason="Geen urgentie")
    with pytest.raises(InvalidTransition):
        check_transition_data(PERSON, "plan", "gestopt", closure_reason="gestopt-overig")


def test_walk_person_to_waakvlam_and_reopen() -> None:
    state = "aangemeld"
    walk = [
        ("in_triage", {}),
        ("opgenomen", {"triage_decision": "opnemen"}),
        ("plan", {}),
        ("uitvoering", {}),
        ("monitoring", {}),
        ("afgeschaald", {"closure_reason": "afgeschaald"}),
        ("waakvlam", {}),
        ("plan", {"reason": "Terugval"}),
    ]
    for target, data in walk:
        check_transition_data(PERSON, state, target, **data)
        state = target
    assert is_active(PERSON, state)
