"""The plan van aanpak as a plain HTML form: rows per section, and back again.

Field names are the API's paths with dots (``doelen.0.leefgebied``, ``acties.2.deadline``),
so that a problem of the API's pydantic schema (:class:`~.schemas.PlanIn`, through
:func:`services.casework.web.schema_forms.parse_form`) or of the service
(``acties[1].eigenaar_gebruiker``) lands beside its field. Empty rows are left out; the
index of a row in the form is kept apart from its index in the request body, so a message
still names the row the user typed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from services.casework.domain.errors import FieldProblem

FORM: Final = "plan"

#: Section -> the fields of one row (in the order of the form).
SECTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "doelen": ("leefgebied", "probleem", "doel", "status"),
    "acties": (
        "id",
        "omschrijving",
        "eigenaar_organisatie",
        "eigenaar_gebruiker",
        "deadline",
        "status",
    ),
    "interventies": ("spoor", "omschrijving", "organisatie"),
    "toezeggingen": ("organisatie", "tekst", "gedaan_op", "controle_op", "status"),
}

#: The fields that make a row "filled in" (a status or a hidden id alone does not).
CONTENT: Final[Mapping[str, tuple[str, ...]]] = {
    "doelen": ("leefgebied", "probleem", "doel"),
    "acties": ("omschrijving", "eigenaar_organisatie", "eigenaar_gebruiker", "deadline"),
    "interventies": ("spoor", "omschrijving", "organisatie"),
    "toezeggingen": ("organisatie", "tekst", "gedaan_op", "controle_op"),
}

DATE_FIELDS: Final = frozenset({"deadline", "gedaan_op", "controle_op"})

#: Empty rows offered below the filled ones (more with "Regels toevoegen").
EXTRA_ROWS: Final = 1
MORE_ROWS: Final = 2

REMOVE: Final = "verwijderen"

_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ROW_FIELD = re.compile(r"^([a-z]+)\.(\d+)\.([a-z_]+)$")
_PROBLEM_PATH = re.compile(r"^([a-z]+)(?:\[(\d+)\]|\.(\d+))(?:\.([a-z_]+))?$")
_ACTION_ID = re.compile(r"^a(\d+)$")


def iso_date(value: str) -> str:
    """``17-05-2026`` -> ``2026-05-17``; anything else stays as typed (pydantic judges it)."""
    match = _DUTCH_DATE.fullmatch(value)
    if match is None:
        return value
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return value


def row_count(values: Mapping[str, Any], section: str) -> int:
    """Rows of a section present in the (posted or prefilled) values."""
    highest = -1
    for name in values:
        match = _ROW_FIELD.fullmatch(name)
        if match and match.group(1) == section:
            highest = max(highest, int(match.group(2)))
    return highest + 1


def rows_to_show(values: Mapping[str, Any], extra: int) -> dict[str, list[int]]:
    """Row indexes per section: what is there plus ``extra`` empty rows (goals: at least 1)."""
    return {section: list(range(row_count(values, section) + extra)) for section in SECTIONS}


def values_from_view(view: Mapping[str, Any] | None) -> dict[str, str]:
    """The form's values of a plan (the API view, full weergave)."""
    if view is None:
        return {}
    values: dict[str, str] = {
        "eindcriterium": str(view.get("eindcriterium") or ""),
        "toelichting": str(view.get("toelichting") or ""),
    }
    for section, names in SECTIONS.items():
        for i, row in enumerate(view.get(section, [])):
            for name in names:
                value = row.get(name)
                values[f"{section}.{i}.{name}"] = "" if value is None else str(value)
    return values


@dataclass
class PlanForm:
    """A posted plan form as the API's request body, and where each body row came from."""

    body: dict[str, Any]
    origin: dict[str, list[int]] = field(default_factory=dict)
    """Section -> form row index of each body row."""


def _new_action_ids(taken: Iterable[str]) -> Iterator[str]:
    numbers = [int(m.group(1)) for t in taken if (m := _ACTION_ID.fullmatch(t))]
    n = max(numbers, default=0)
    while True:
        n += 1
        yield f"a{n}"


def body_from(fields: Mapping[str, str]) -> PlanForm:
    """The request body (API field names) of the filled-in rows; empty values are left out,
    so pydantic reports a missing required field and optional ones take their default."""
    result = PlanForm({})
    for name in ("eindcriterium", "toelichting"):
        if fields.get(name, "").strip():
            result.body[name] = fields[name].strip()
    taken = [fields.get(f"acties.{i}.id", "").strip() for i in range(row_count(fields, "acties"))]
    fresh = _new_action_ids(taken)
    for section, names in SECTIONS.items():
        rows: list[dict[str, Any]] = []
        origin: list[int] = []
        for i in range(row_count(fields, section)):
            if fields.get(f"{section}.{i}.{REMOVE}") == "ja":
                continue
            row = {n: fields.get(f"{section}.{i}.{n}", "").strip() for n in names}
            if not any(row[n] for n in CONTENT[section]):
                continue
            kept: dict[str, Any] = {
                n: (iso_date(v) if n in DATE_FIELDS else v) for n, v in row.items() if v
            }
            if section == "acties" and "id" not in kept:
                kept["id"] = next(fresh)
            rows.append(kept)
            origin.append(i)
        result.body[section] = rows
        result.origin[section] = origin
    return result


def form_field(path: str, origin: Mapping[str, Sequence[int]]) -> str:
    """A problem's path (``acties[1].deadline``, ``acties.1.deadline``) -> the form field of
    the row the user typed in (``acties.3.deadline``)."""
    match = _PROBLEM_PATH.fullmatch(path)
    if match is None:
        return path
    section, bracket, dotted, name = match.groups()
    rows = origin.get(section)
    index = int(bracket if bracket is not None else dotted)
    if rows is None or index >= len(rows) or name is None:
        return path
    return f"{section}.{rows[index]}.{name}"


def known_fields(values: Mapping[str, Any], extra: int = 0) -> frozenset[str]:
    """Every field the re-rendered form shows (a problem about another goes on top)."""
    names = {"eindcriterium", "toelichting", *SECTIONS}
    for section, indexes in rows_to_show(values, extra).items():
        for i in indexes:
            names.update(f"{section}.{i}.{n}" for n in SECTIONS[section] if n != "id")
    return frozenset(names)


def problems_by_field(
    problems: Iterable[FieldProblem],
    origin: Mapping[str, Sequence[int]],
    known: frozenset[str],
) -> tuple[dict[str, list[str]], list[str]]:
    """Problems beside their field; the rest (a duplicate action id ...) above the form."""
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        name = form_field(problem.field, origin)
        if name in known:
            errors.setdefault(name, []).append(problem.message)
        else:
            general.append(problem.message)
    return errors, general
