"""The form fields of ``_velden.html`` render what its macros rendered (issue 14).

``_velden.html`` exports Python helpers (:class:`services.casework.web.fields.FieldMacros`)
under the names of the macros it had; the macros, as they were before, are the oracle
(``ORACLE``). Every helper is called with many argument combinations (positional and by
keyword, left out, ``None``, text to escape, ``Markup``), for a form that did not come back,
one that came back with one or more errors per field, and another form's state, and must
render the same bytes, whitespace included.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import pytest
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from services.casework.web.fields import FieldMacros, field_id
from services.casework.web.formstate import FormState, FormView

TEMPLATES: Final = Path(__file__).parents[3] / "services/casework/web/templates"

#: ``_velden.html`` before issue 14's Python helpers, verbatim: its macros are the oracle.
ORACLE: Final = (Path(__file__).parent / "oracle_velden.html").read_text(encoding="utf-8")

#: Calls one helper of the imported module with the arguments of the context.
CALLER: Final = '{% import "_velden.html" as v with context %}[{{ v[naam](*args, **kwargs) }}]'


def environment(velden: str) -> Environment:
    env = Environment(
        loader=DictLoader({"_velden.html": velden, "caller": CALLER}), autoescape=True
    )
    env.globals["veld_html_id"] = field_id
    env.globals["veld_macros"] = FieldMacros
    return env


OLD: Final = environment(ORACLE)
NEW: Final = environment((TEMPLATES / "_velden.html").read_text(encoding="utf-8"))

FORM: Final = "overgang:afgesloten"
FIELD: Final = "brief_datum"


def views() -> list[FormView]:
    """No form came back; this form with values and one or two errors (some with text to
    escape); another form."""
    values: dict[str, str | list[str]] = {
        FIELD: "2026-01-02 <b>&",
        "bsn": ["123", "456"],
        "titel": Markup("<i>al veilig</i>"),
    }
    return [
        FormView(None),
        FormView(FormState(FORM, values, {FIELD: ["Vul dit veld in."]})),
        FormView(
            FormState(FORM, values, {FIELD: ["Eerste <fout>", "Tweede & laatste"], "bsn": ["x"]})
        ),
        FormView(FormState("informatie", values, {FIELD: ["Andere vorm"]})),
        FormView(FormState(FORM, {}, {})),
    ]


#: Parameter -> values to try ("-" leaves the argument out).
GIVEN: Final[Mapping[str, Sequence[Any]]] = {
    "form": [FORM, "informatie", "delen:7a_b.c", Markup("<b>")],
    "veld": [FIELD, "bsn", "titel", "<x>"],
    "tekst": ["-", "Datum", "Tekst <met> & tekens", Markup("<em>al</em>"), None],
    "type": ["-", "date", "<x>"],
    "verplicht": ["-", True, False, "", "ja"],
    "hint": ["-", None, "", "Bijvoorbeeld: <de> wijkagent.", Markup("<b>hint</b>")],
    "standaard": ["-", "", "standaard <x>", None, 3, dt.date(2026, 1, 2)],
    "extra": ["-", "", 'inputmode="numeric" autocomplete="off"', None],
    "rijen": ["-", 2, "4", None],
    "opties": [{}, {"a": "A", "<b>": "B & C", FIELD: "Gekozen", 3: "drie"}],
    "leeg": ["-", None, "", "— geen —", "<leeg>"],
    "versie": ["-", None, 0, 3, "<3>", ""],
}

#: The macros and their parameters, in order.
MACROS: Final[dict[str, tuple[str, ...]]] = {
    "veld_id": ("form", "veld"),
    "fouten": ("form", "veld"),
    "beschreven": ("form", "veld", "hint"),
    "groep_beschreven": ("form", "veld"),
    "label": ("form", "veld", "tekst", "verplicht"),
    "invoer": ("form", "veld", "tekst", "type", "verplicht", "hint", "standaard", "extra"),
    "tekstvak": ("form", "veld", "tekst", "verplicht", "hint", "rijen"),
    "keuze": ("form", "veld", "tekst", "opties", "verplicht", "hint", "leeg", "standaard"),
    "verborgen": ("versie",),
}


def calls(naam: str, limit: int = 400) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    """Argument lists of ``naam``: every combination, or ``limit`` of them drawn with a fixed
    seed; the leading arguments positionally or by keyword (a left-out argument ends the
    positional ones)."""
    params = MACROS[naam]
    combos = list(itertools.product(*(GIVEN[p] for p in params)))
    draw = random.Random(naam)
    if len(combos) > limit:
        combos = draw.sample(combos, limit)
    for combo in combos:
        positional = draw.randint(0, len(params))
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for index, (param, value) in enumerate(zip(params, combo, strict=True)):
            if value == "-" and isinstance(value, str):
                positional = min(positional, index)
                continue
            if index < positional:
                args.append(value)
            else:
                kwargs[param] = value
        yield args, kwargs


def render(env: Environment, context: dict[str, Any]) -> str:
    return env.get_template("caller").render(**context)


@pytest.mark.parametrize("naam", list(MACROS))
def test_each_field_helper_renders_what_its_macro_did(naam: str) -> None:
    checked = 0
    for view in views():
        for args, kwargs in calls(naam):
            context = {
                "f": view,
                "csrf_veld": "csrf_token",
                "csrf_token": "tok<en>&",
                "naam": naam,
                "args": args,
                "kwargs": kwargs,
            }
            assert render(NEW, context) == render(OLD, context), (naam, args, kwargs, view.state)
            checked += 1
    assert checked >= 5 * min(400, len(list(calls(naam))))


def test_the_hidden_fields_without_a_token_in_the_page_render_as_before() -> None:
    """A page that defines no ``csrf_veld``/``csrf_token`` (nor ``f``): empty, as the macro."""
    for versie in ([], [3], [None]):
        context: dict[str, Any] = {"naam": "verborgen", "args": versie, "kwargs": {}}
        assert render(NEW, context) == render(OLD, context)


def test_an_error_message_shows_once_per_message_with_its_reference() -> None:
    """The oracle itself is not trivially empty: a field with two errors gets both messages,
    numbered, and the input is described by the hint and both."""
    view = FormView(FormState(FORM, {FIELD: "x"}, {FIELD: ["Een", "Twee"]}))
    context = {
        "f": view,
        "csrf_veld": "c",
        "csrf_token": "t",
        "naam": "invoer",
        "args": [FORM, FIELD, "Datum"],
        "kwargs": {"hint": "Hint"},
    }
    html = render(NEW, context)
    assert html == render(OLD, context)
    assert 'id="overgang-afgesloten-brief-datum-fout2"' in html
    assert 'aria-describedby="overgang-afgesloten-brief-datum-hint' in html
    assert "overgang-afgesloten-brief-datum-fout1 overgang-afgesloten-brief-datum-fout2" in html
    assert 'aria-invalid="true"' in html
