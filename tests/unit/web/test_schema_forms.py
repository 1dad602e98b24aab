"""Web forms validate with the API's pydantic schemas, with Dutch messages per field."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.web.schema_forms import filled, iso_date, parse_form


class Voorbeeld(BaseModel):
    model_config = ConfigDict(extra="forbid")

    titel: str = Field(min_length=1, max_length=10)
    datum: dt.date
    score: int = Field(ge=1, le=5)
    soort: Literal["a", "b"]

    @field_validator("titel")
    @classmethod
    def no_x(cls, value: str) -> str:
        if value == "x":
            raise ValueError("Een titel 'x' zegt niets.")
        return value


def test_valid_form_becomes_the_model() -> None:
    parsed = parse_form(
        Voorbeeld, {"titel": "Plan", "datum": "2026-11-01", "score": "3", "soort": "a"}
    )
    assert parsed == Voorbeeld(titel="Plan", datum=dt.date(2026, 11, 1), score=3, soort="a")


def test_every_problem_gets_a_dutch_message_on_its_field() -> None:
    with pytest.raises(DomainValidationError) as caught:
        parse_form(
            Voorbeeld,
            {
                "titel": "te lange titel hier",
                "datum": "31-02-2026",
                "score": "9",
                "soort": "c",
                "x": 1,
            },
            names={"titel": "plan_titel"},
        )
    problems = {p.field: p.message for p in caught.value.problems}
    assert problems == {
        "plan_titel": "Dit veld is te lang (maximaal 10 tekens).",
        "datum": "Vul een geldige datum in (jjjj-mm-dd).",
        "score": "Vul een waarde van hoogstens 5 in.",
        "soort": "Kies een van de mogelijkheden.",
        "x": "Dit veld hoort niet bij dit formulier.",
    }


def test_missing_fields_and_validator_messages() -> None:
    with pytest.raises(DomainValidationError) as caught:
        parse_form(Voorbeeld, {"titel": "x"})
    problems = {p.field: p.message for p in caught.value.problems}
    assert problems["titel"] == "Een titel 'x' zegt niets."
    assert problems["datum"] == problems["score"] == problems["soort"] == "Vul dit veld in."


def test_a_form_words_a_fields_problems_its_own_way() -> None:
    with pytest.raises(DomainValidationError) as caught:
        parse_form(
            Voorbeeld,
            {"titel": "te lange titel hier", "datum": "morgen"},
            names={"titel": "plan_titel"},
            messages={
                "plan_titel": {"string_too_long": "Houd de titel kort."},
                "datum": {"*": "Vul een geldige datum in (dd-mm-jjjj)."},
                "score": {"missing": "Geef een score van 1 tot 5."},
            },
        )
    problems = {p.field: p.message for p in caught.value.problems}
    assert problems == {
        "plan_titel": "Houd de titel kort.",
        "datum": "Vul een geldige datum in (dd-mm-jjjj).",
        "score": "Geef een score van 1 tot 5.",
        "soort": "Vul dit veld in.",  # no own words: the general message
    }


def test_the_forms_own_checks_come_with_the_schemas_and_replace_them_per_field() -> None:
    with pytest.raises(DomainValidationError) as caught:
        parse_form(
            Voorbeeld,
            {"titel": "Plan", "datum": "2026-11-01", "score": "9", "soort": "a"},
            problems=[
                FieldProblem("score", "Een score gaat tot 5."),
                FieldProblem("reden", "Geef een reden."),
            ],
        )
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("score", "Een score gaat tot 5."),
        ("reden", "Geef een reden."),
    ]
    # The schema is satisfied, the form's own check is not: still refused.
    with pytest.raises(DomainValidationError) as caught:
        parse_form(
            Voorbeeld,
            {"titel": "Plan", "datum": "2026-11-01", "score": "3", "soort": "a"},
            problems=[FieldProblem("reden", "Geef een reden.")],
        )
    assert [p.field for p in caught.value.problems] == ["reden"]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("17-05-2004", "2004-05-17"),
        ("1/2/2026", "2026-02-01"),
        ("05.01.2026", "2026-01-05"),
        ("2026-01-05", "2026-01-05"),
        ("31-02-2026", "31-02-2026"),  # impossible: left for the schema to refuse
        ("morgen", "morgen"),
        ("", ""),
    ],
)
def test_dutch_dates_are_read_as_iso(typed: str, read: str) -> None:
    assert iso_date(typed) == read


def test_filled_leaves_out_what_was_not_filled_in() -> None:
    assert filled({"a": "", "b": None, "c": "x", "d": False, "e": [], "f": 0}) == {
        "c": "x",
        "d": False,
        "e": [],
        "f": 0,
    }
