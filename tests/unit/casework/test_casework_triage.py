"""Triage: inclusion criteria, age band, decisions, duplicate findings."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.domain import triage
from services.casework.domain.errors import DomainValidationError
from services.casework.domain.triage import (
    ExistingCasus,
    age_on,
    check_age_band,
    evaluate_inclusion,
)
from tenants import reference
from tenants.manifest import AgeBandSetting, Criterion, Inclusion

INCLUSION = Inclusion(
    minimum_met=2,
    criteria=[
        Criterion(id="overlast-criminaliteit", text="Herhaaldelijk overlast of criminaliteit."),
        Criterion(id="politieregistraties", text="Minimaal 2 politieregistraties."),
        Criterion(id="meerdere-organisaties", text="Aanpak vanuit 2 of meer organisaties."),
    ],
)
BAND = AgeBandSetting(min=16, max=27)


def test_inclusion_label_and_criteria() -> None:
    result = evaluate_inclusion(INCLUSION, {"overlast-criminaliteit", "meerdere-organisaties"})
    assert result.label == "2 van 3 criteria (minimaal 2)"
    assert (result.met, result.total, result.minimum, result.included) == (2, 3, 2, True)
    assert [c.met for c in result.criteria] == [True, False, True]
    assert result.criteria[1].status_label == "niet voldaan"
    assert result.criteria[0].text == "Herhaaldelijk overlast of criminaliteit."


def test_inclusion_below_minimum() -> None:
    result = evaluate_inclusion(INCLUSION, {"politieregistraties"})
    assert result.label == "1 van 3 criteria (minimaal 2)"
    assert not result.included
    assert evaluate_inclusion(INCLUSION, set()).label == "0 van 3 criteria (minimaal 2)"


def test_inclusion_unknown_criterion() -> None:
    with pytest.raises(ValueError, match="Onbekend inclusiecriterium 'verslaving'"):
        evaluate_inclusion(INCLUSION, {"verslaving", "politieregistraties"})


def test_age_on() -> None:
    assert age_on(date(2006, 5, 10), date(2025, 5, 9)) == 18
    assert age_on(date(2006, 5, 10), date(2025, 5, 10)) == 19
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    with pytest.raises(ValueError, match="peildatum"):
        age_on(date(2020, 1, 1), date(2019, 1, 1))


def test_check_age_band() -> None:
    check = check_age_band(date(2006, 1, 1), date(2025, 6, 1), BAND)
    assert check.label == "19 jaar, binnen 16-27"
    assert check.within and check.age == 19
    young = check_age_band(date(2010, 1, 1), date(2025, 6, 1), BAND)
    assert not young.within
    assert young.label == "15 jaar, buiten 16-27 (te jong)"
    old = check_age_band(date(1990, 1, 1), date(2025, 6, 1), BAND)
    assert old.label == "35 jaar, buiten 16-27 (te oud)"
    edge = check_age_band(date(1998, 6, 1), date(2025, 6, 1), BAND)
    assert edge.within and edge.age == 27


def test_decision_states() -> None:
    assert set(triage.DECISION_STATES) == set(reference.TRIAGE_DECISIONS)
    assert triage.next_state_for_decision("opnemen") == "opgenomen"
    assert triage.next_state_for_decision("een-partner") == "doorverwezen"
    assert triage.next_state_for_decision("doorverwijzen-zorgoverleg") == "doorverwezen"
    assert triage.next_state_for_decision("doorverwijzen-zorgpartner") == "doorverwezen"
    assert triage.next_state_for_decision("niet-opnemen") == "niet_opgenomen"
    with pytest.raises(ValueError, match="Onbekend triagebesluit"):
        triage.next_state_for_decision("misschien")


def test_opnemen_needs_minimum_or_override() -> None:
    enough = evaluate_inclusion(INCLUSION, {"overlast-criminaliteit", "politieregistraties"})
    too_few = evaluate_inclusion(INCLUSION, {"politieregistraties"})
    decision = triage.decide("opnemen", enough)
    assert decision.next_state == "opgenomen" and not decision.override
    with pytest.raises(DomainValidationError) as info:
        triage.decide("opnemen", too_few)
    assert info.value.field == "override_reason"
    assert "1 van 3 criteria" in info.value.message
    override = triage.decide("opnemen", too_few, override_reason="Ernstige zorgen school")
    assert override.override and override.override_reason == "Ernstige zorgen school"


def test_opnemen_outside_age_band_needs_override() -> None:
    enough = evaluate_inclusion(INCLUSION, {"overlast-criminaliteit", "politieregistraties"})
    young = check_age_band(date(2011, 1, 1), date(2025, 6, 1), BAND)
    with pytest.raises(DomainValidationError, match="te jong"):
        triage.decide("opnemen", enough, age=young)
    assert triage.decide("opnemen", enough, age=young, override_reason="Broer in PGA").override


def test_other_decisions_need_reason() -> None:
    result = evaluate_inclusion(INCLUSION, set())
    with pytest.raises(DomainValidationError) as info:
        triage.decide("niet-opnemen", result)
    assert info.value.field == "reason"
    decision = triage.decide("doorverwijzen-zorgoverleg", result, reason=" Vooral zorg ")
    assert decision.next_state == "doorverwezen"
    assert decision.reason == "Vooral zorg"
    with pytest.raises(DomainValidationError) as info:
        triage.decide("weet-niet", result, reason="x")
    assert info.value.field == "decision"


def test_find_duplicates() -> None:
    existing = [
        ExistingCasus("c-2", "persoon", "uitvoering", "PGA-tafel Jeugd"),
        ExistingCasus("c-1", "persoon", "waakvlam"),
        ExistingCasus("c-3", "persoon", "gearchiveerd", "PGA-tafel Jeugd"),
        ExistingCasus("c-4", "groep", "stap-6", "Overleg jeugdgroepen"),
        ExistingCasus("c-5", "persoon", "in_triage"),
    ]
    findings = triage.find_duplicates(existing, exclude_casus_id="c-5")
    assert [f.casus_id for f in findings] == ["c-1", "c-2", "c-4"]
    by_id = {f.casus_id: f for f in findings}
    assert by_id["c-2"].text == (
        "Al besproken in actieve casus c-2 in overleg 'PGA-tafel Jeugd' (fase: Uitvoering)."
    )
    assert "heropenen" in by_id["c-1"].text
    assert by_id["c-4"].meeting_name == "Overleg jeugdgroepen"
    assert "groepscasus" in by_id["c-4"].text
