"""Web forms validate with the same pydantic schemas as the JSON API.

A posted form is turned into the API's request model (``parse_form``); pydantic's errors
become Dutch field problems (:class:`DomainValidationError`), so a form comes back with a
message beside each field, exactly as the API would have refused the same input with 422.
A form may say a field's problem in its own words (``messages``: "Vul de voornamen in."
rather than "Vul dit veld in.") and add checks of its own that the schema leaves to the
service (``problems``), so that every problem of the form is shown at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from services.casework.domain.errors import DomainValidationError, FieldProblem

M = TypeVar("M", bound=BaseModel)

#: Form field -> pydantic error type (``"*"``: any) -> the form's own Dutch message.
Messages = Mapping[str, Mapping[str, str]]

_DUTCH_DATE: Final = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")

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
    error: ValidationError,
    names: Mapping[str, str] | None = None,
    messages: Messages | None = None,
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for e in error.errors(include_url=False):
        name = field_name(tuple(e["loc"]), names)
        own = (messages or {}).get(name, {})
        message = own.get(str(e.get("type", ""))) or own.get("*") or dutch_message(e)
        problems.append(FieldProblem(name, message))
    return problems


def parse_form(
    model: type[M],
    data: Mapping[str, Any],
    *,
    names: Mapping[str, str] | None = None,
    messages: Messages | None = None,
    problems: Iterable[FieldProblem] = (),
) -> M:
    """``data`` (built from the form's fields) as the API's request ``model``; invalid input
    raises :class:`DomainValidationError` with a Dutch problem per field.

    ``messages`` words a field's problems the form's own way (per pydantic error type, or
    ``"*"`` for any). ``problems`` are the form's own checks beyond the schema: they are
    raised together with the schema's, and take the place of the schema's on the same field.
    """
    own = list(problems)
    try:
        parsed = model.model_validate(dict(data))
    except ValidationError as error:
        checked = {p.field for p in own}
        found = [p for p in problems_of(error, names, messages) if p.field not in checked]
        raise DomainValidationError([*found, *own]) from None
    if own:
        raise DomainValidationError(own)
    return parsed


def filled(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that were filled in: empty text (and None) is left out, so that a required
    field is reported missing and an optional one takes the schema's default."""
    return {name: value for name, value in data.items() if value is not None and value != ""}


def iso_date(value: str) -> str:
    """A date as typed in a Dutch form (``17-05-2004``, also with / or .) in the ISO form the
    schemas read (``2004-05-17``); anything else is returned as it is, for the schema to
    judge. An impossible date (31-02-2026) stays as typed, so the schema refuses it."""
    match = _DUTCH_DATE.fullmatch(value.strip())
    if not match:
        return value
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return value
