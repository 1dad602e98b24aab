"""Web forms validate with the same pydantic schemas as the JSON API.

A posted form is turned into the API's request model (``parse_form``); pydantic's errors
become Dutch field problems (:class:`DomainValidationError`), so a form comes back with a
message beside each field, exactly as the API would have refused the same input with 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from services.casework.domain.errors import DomainValidationError, FieldProblem

M = TypeVar("M", bound=BaseModel)

#: pydantic error type -> Dutch message (``{ctx}`` keys are filled from the error context).
MESSAGES: dict[str, str] = {
    "missing": "Vul dit veld in.",
    "string_too_short": "Vul dit veld in.",
    "string_too_short_min": "Vul minstens {min_length} tekens in.",
    "string_too_long": "Dit veld is te lang (maximaal {max_length} tekens).",
    "too_long": "Kies er hoogstens {max_length}.",
    "too_short": "Kies er minstens {min_length}.",
    "int_parsing": "Vul een geheel getal in.",
    "int_type": "Vul een geheel getal in.",
    "float_parsing": "Vul een getal in.",
    "bool_parsing": "Kies ja of nee.",
    "date_parsing": "Vul een geldige datum in (jjjj-mm-dd).",
    "date_from_datetime_parsing": "Vul een geldige datum in (jjjj-mm-dd).",
    "datetime_parsing": "Vul een geldige datum en tijd in.",
    "datetime_from_date_parsing": "Vul een geldige datum en tijd in.",
    "time_parsing": "Vul een geldige tijd in (uu:mm).",
    "uuid_parsing": "Kies een geldige waarde.",
    "literal_error": "Kies een van de mogelijkheden.",
    "enum": "Kies een van de mogelijkheden.",
    "greater_than_equal": "Vul een waarde van minstens {ge} in.",
    "less_than_equal": "Vul een waarde van hoogstens {le} in.",
    "greater_than": "Vul een waarde groter dan {gt} in.",
    "less_than": "Vul een waarde kleiner dan {lt} in.",
    "string_pattern_mismatch": "Deze waarde heeft niet de juiste vorm.",
    "extra_forbidden": "Dit veld hoort niet bij dit formulier.",
}
FALLBACK = "Deze waarde is niet geldig."


def dutch_message(error: Mapping[str, Any]) -> str:
    """The Dutch message of one pydantic error (a validator's own message when it raised a
    ``ValueError`` with Dutch text: ``value_error``)."""
    kind = str(error.get("type", ""))
    if kind in ("value_error", "assertion_error"):
        text = str(error.get("msg", ""))
        return text.removeprefix("Value error, ").removeprefix("Assertion failed, ") or FALLBACK
    ctx = error.get("ctx") or {}
    if kind == "string_too_short" and int(ctx.get("min_length", 1)) > 1:
        # Said as what is needed, not as if the field were empty (e.g. a reason of 20+).
        kind = "string_too_short_min"
    template = MESSAGES.get(kind)
    if template is None:
        return FALLBACK
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return FALLBACK


def field_name(loc: tuple[int | str, ...], names: Mapping[str, str] | None = None) -> str:
    """``("doelen", 0, "titel")`` -> ``"doelen.0.titel"``, then renamed to the form's field
    name when ``names`` says so (service path -> form field)."""
    path = ".".join(str(part) for part in loc)
    return (names or {}).get(path, path)


def problems_of(
    error: ValidationError, names: Mapping[str, str] | None = None
) -> list[FieldProblem]:
    return [
        FieldProblem(field_name(tuple(e["loc"]), names), dutch_message(e))
        for e in error.errors(include_url=False)
    ]


def parse_form(
    model: type[M], data: Mapping[str, Any], *, names: Mapping[str, str] | None = None
) -> M:
    """``data`` (built from the form's fields) as the API's request ``model``; invalid input
    raises :class:`DomainValidationError` with a Dutch problem per field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as error:
        raise DomainValidationError(problems_of(error, names)) from None
