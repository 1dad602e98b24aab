"""Group steps 3-7 cannot be clicked through empty: what each step needs, in Dutch."""

from __future__ import annotations

import pytest

from services.casework.domain import group_steps as gs
from services.casework.domain.errors import DomainValidationError

NO_PLAN = gs.PlanFacts(exists=False, tracks=frozenset())
PLAN = gs.PlanFacts(exists=True, tracks=frozenset({"zorg", "bestuurlijk"}))
BEELD = {"tekst": "Kern van drie jongeren met meelopers."}


def test_step_3_needs_the_integraal_beeld_and_a_concept_plan() -> None:
    assert gs.missing_for_move(3, 4, {}, NO_PLAN) == [
        "Leg het integraal beeld van de groep vast.",
        "Stel een conceptplan van aanpak op.",
    ]
    assert gs.missing_for_move(3, 4, {"integraal_beeld": BEELD}, NO_PLAN) == [
        "Stel een conceptplan van aanpak op."
    ]
    assert gs.missing_for_move(3, 4, {"integraal_beeld": BEELD}, PLAN) == []


def test_step_4_needs_voorlegging_and_advice() -> None:
    missing = gs.missing_for_move(4, 5, {"voorlegging": {"tekst": "x"}}, PLAN)
    assert missing == ["Leg het advies en de prioritering van de driehoek vast."]


def test_step_5_needs_a_nulmeting_for_every_spoor_of_the_plan() -> None:
    assert gs.missing_for_move(5, 6, {}, NO_PLAN) == [
        "Neem in het plan van aanpak ten minste één interventie per spoor op.",
        "Leg de nulmeting vast.",
    ]
    one = {"nulmeting": {"zorg": {"indicator": "a", "waarde": "1"}}}
    assert gs.missing_for_move(5, 6, one, PLAN) == [
        "Leg de nulmeting vast voor het spoor bestuurlijk."
    ]


def test_step_6_and_7() -> None:
    assert gs.missing_for_move(6, 7, {}, PLAN) == ["Leg de voortgang van de uitvoering vast."]
    assert gs.missing_for_move(7, None, {}, PLAN) == ["Leg de evaluatie vast."]
    content = {
        "nulmeting": {"zorg": {"waarde": "6"}},
        "evaluatie": {"conclusie": "Doelen bereikt.", "nameting": {}},
    }
    assert gs.missing_for_move(7, None, content, PLAN) == [
        "Geef in de evaluatie de nameting voor het spoor zorg."
    ]


def test_bijstellen_needs_only_its_reason() -> None:
    assert gs.missing_for_move(6, 3, {}, NO_PLAN) == []
    assert gs.missing_for_move(6, 5, {}, NO_PLAN) == []


def test_a_part_belongs_to_its_steps() -> None:
    assert gs.part_allowed("advies", 4) is None
    reason = gs.part_allowed("advies", 3)
    assert reason == "Het advies van de driehoek hoort bij stap 4; deze groep is stap 3."
    assert gs.part_allowed("evaluatie", None) is not None


@pytest.mark.parametrize(
    ("part", "data", "fields"),
    [
        ("integraal_beeld", {"tekst": "kort"}, {"tekst"}),
        ("advies", {"advies": "Integrale aanpak met voorrang."}, {"prioriteit"}),
        ("nulmeting", {"spoor": "elders"}, {"spoor", "indicator", "waarde"}),
        ("voortgang", {"tekst": " "}, {"tekst"}),
        ("evaluatie", {}, {"conclusie"}),
    ],
)
def test_parts_are_checked_with_dutch_messages(
    part: str, data: dict[str, str], fields: set[str]
) -> None:
    with pytest.raises(DomainValidationError) as error:
        gs.check_part(part, data)
    assert {p.field for p in error.value.problems} == fields
    assert all(p.message[0].isupper() for p in error.value.problems)
