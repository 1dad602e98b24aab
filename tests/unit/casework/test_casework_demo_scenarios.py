"""Demo scenarios: deterministic, valid BSNs, ages in band, legal paths, valid plans."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.domain import lifecycle
from services.casework.domain.assessments import make_assessment
from services.casework.domain.bsn import is_valid_bsn
from services.casework.domain.plan import validate_plan
from services.casework.domain.triage import age_on, evaluate_inclusion
from services.demo.scenarios import (
    DemoCasus,
    DemoGroupCasus,
    DemoStep,
    group_scenarios_for,
    scenarios_for,
)
from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest, load_all

TODAY = date(2026, 3, 15)
MANIFESTS = {m.gemeentecode: m for m in load_all(SHIPPED_MANIFESTS_DIR)}
CODES = sorted(MANIFESTS)


@pytest.fixture(scope="module")
def all_scenarios() -> dict[str, list[DemoCasus]]:
    return {code: scenarios_for(code, 30, seed=7, today=TODAY) for code in CODES}


def test_deterministic() -> None:
    first = scenarios_for("GM0355", 25, seed=3, today=TODAY)
    again = scenarios_for("GM0355", 25, seed=3, today=TODAY)
    assert first == again
    other = scenarios_for("GM0355", 25, seed=4, today=TODAY)
    assert first != other
    groups = group_scenarios_for("GM0355", None, seed=3, today=TODAY)
    assert groups == group_scenarios_for("GM0355", None, seed=3, today=TODAY)


def test_explicit_manifest_and_unknown_tenant() -> None:
    manifest = MANIFESTS["GM0637"]
    assert scenarios_for("GM0637", 5, 1, today=TODAY, manifest=manifest) == scenarios_for(
        "gm0637", 5, 1, today=TODAY
    )
    with pytest.raises(ValueError, match="Onbekende tenant"):
        scenarios_for("GM9999", 3, 1, today=TODAY)
    with pytest.raises(ValueError, match="hoort niet bij"):
        scenarios_for("GM0355", 3, 1, today=TODAY, manifest=manifest)


def test_all_states_covered(all_scenarios: dict[str, list[DemoCasus]]) -> None:
    for casussen in all_scenarios.values():
        assert {c.target_state for c in casussen} == set(lifecycle.states(lifecycle.PERSON))
        assert len({c.key for c in casussen}) == len(casussen)


def test_bsns_valid_and_unique(all_scenarios: dict[str, list[DemoCasus]]) -> None:
    for code, casussen in all_scenarios.items():
        bsns = [c.person.bsn for c in casussen]
        bsns += [
            member.person.bsn
            for group in group_scenarios_for(code, 2, seed=7, today=TODAY)
            for member in group.members
        ]
        assert all(is_valid_bsn(b) and b.startswith("999") for b in bsns)
        assert len(set(bsns)) == len(bsns)


def test_ages_within_band(all_scenarios: dict[str, list[DemoCasus]]) -> None:
    for code, casussen in all_scenarios.items():
        band = MANIFESTS[code].age_band
        for casus in casussen:
            for on in (casus.aangemeld_on, TODAY):
                assert band.min <= age_on(casus.person.birth_date, on) <= band.max, casus.key


def _walk(kind: str, start: str, path: tuple[DemoStep, ...], begin: date) -> str:
    state, previous = start, begin
    for step in path:
        assert step.on >= previous
        lifecycle.check_transition_data(
            kind,
            state,
            step.state,
            reason=step.reason,
            closure_reason=step.closure_reason,
            triage_decision=step.triage_decision,
        )
        state, previous = step.state, step.on
    assert previous <= TODAY
    return state


def test_paths_are_legal(all_scenarios: dict[str, list[DemoCasus]]) -> None:
    for casussen in all_scenarios.values():
        for casus in casussen:
            end = _walk("persoon", "aangemeld", casus.path, casus.aangemeld_on)
            assert end == casus.target_state
            assert type(end) is str and type(casus.target_state) is str
            assert casus.reopened == any(s.state == "plan" and s.reason for s in casus.path)


def test_content_valid_for_tenant(all_scenarios: dict[str, list[DemoCasus]]) -> None:
    for code, casussen in all_scenarios.items():
        manifest: Manifest = MANIFESTS[code]
        org_ids = {o.id for o in manifest.organisations}
        meeting_ids = {t.id for t in manifest.meeting_types}
        for casus in casussen:
            assert casus.instrument == manifest.assessment_instrument
            assert casus.aanmelder_organisation_id in org_ids
            assert set(casus.participant_organisation_ids) <= org_ids
            assert casus.meeting_type_id is None or casus.meeting_type_id in meeting_ids
            assert casus.informed or casus.not_informed_reason
            assert casus.waarom_integraal and casus.problems
            result = evaluate_inclusion(manifest.inclusion, set(casus.criteria_met))
            if casus.triage_decision == "opnemen":
                assert result.included
            if casus.triage_decision == "niet-opnemen":
                assert not result.included
            has_plan = any(s.state == "plan" for s in casus.path)
            assert (casus.plan is not None) == has_plan
            if casus.plan is not None:
                validate_plan(casus.plan, casus.instrument, org_ids)
                assert casus.plan_created_on is not None
                assert casus.assessments[0].moment == "intake"
            for assessment in casus.assessments:
                make_assessment(
                    casus.instrument, assessment.moment, assessment.taken_on, assessment.scores
                )
                assert assessment.taken_on <= TODAY
            closed = casus.target_state in {"afgeschaald", "opgeschaald", "gestopt"}
            if closed:
                assert casus.closure_reason is not None
                assert casus.assessments[-1].moment == "afsluiting"


def test_improvements_plausible(all_scenarios: dict[str, list[DemoCasus]]) -> None:
    changes = []
    for casussen in all_scenarios.values():
        for casus in casussen:
            if casus.closure_reason == "afgeschaald" and len(casus.assessments) > 1:
                first, last = casus.assessments[0], casus.assessments[-1]
                changes.append(sum(last.scores[d] - first.scores[d] for d in first.scores))
    assert changes and sum(changes) > 0


def test_group_scenarios() -> None:
    seen_states: set[str] = set()
    for code in CODES:
        manifest = MANIFESTS[code]
        groups: list[DemoGroupCasus] = group_scenarios_for(code, None, seed=11, today=TODAY)
        has_group_meeting = any(t.casus_type == "groep" for t in manifest.meeting_types)
        assert len(groups) == (2 if has_group_meeting and manifest.kind == "gemeente" else 0)
        for group in group_scenarios_for(code, 6, seed=11, today=TODAY):
            end = _walk("groep", "stap-1", group.path, group.started_on)
            assert end == group.target_state
            seen_states.add(end)
            reached_2 = any(s.state == "stap-2" for s in group.path)
            if reached_2:
                assert 3 <= len(group.members) <= 6
                assert group.coordinator_organisation_id is not None
            else:
                assert group.members == ()
            for member in group.members:
                assert member.role in {"kern", "meeloper", "randfiguur"}
                age = age_on(member.person.birth_date, TODAY)
                assert manifest.age_band.min <= age <= manifest.age_band.max
            if group.early_exit_reason:
                assert group.target_state == "afgesloten"
    assert "afgesloten" in seen_states and len(seen_states) >= 6


def test_negative_count_refused() -> None:
    with pytest.raises(ValueError, match="negatief"):
        scenarios_for("GM0355", -1, 1, today=TODAY)
