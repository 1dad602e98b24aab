"""Web forms validate with the API's pydantic schemas, with Dutch messages per field."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.casework.domain.errors import DomainValidationError
from services.casework.web.schema_forms import parse_form


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
