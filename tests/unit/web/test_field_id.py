"""The form fields' id helper renders as the Jinja macro it replaced (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import Environment
from markupsafe import Markup

from services.casework.web.fields import field_id

#: The macro of ``_velden.html`` before issue 14, as the oracle.
MACRO = (
    '{% macro veld_id(form, veld) %}{{ (form ~ "-" ~ veld)|replace(":", "-")'
    '|replace("_", "-")|replace(".", "-") }}{% endmacro %}'
)
ENV = Environment(autoescape=True)
ENV.globals["veld_html_id"] = field_id
CASES: list[tuple[Any, Any]] = [
    ("overgang:afgesloten", "bevestigd"),
    ("informatie", "art9_uitzondering"),
    ("document", "bestand"),
    ("a.b_c:d", "x.y_z"),
    ("<script>", "\"&'"),
    (Markup("<b>"), "v_1"),
    ("form", Markup("a&amp;b")),
    (None, 3),
    ("", ""),
]


@pytest.mark.parametrize(("form", "veld"), CASES)
def test_the_id_is_what_the_macro_rendered(form: Any, veld: Any) -> None:
    before = ENV.from_string(
        MACRO + '{{ veld_id(form, veld) }}|{{ veld_id(form, veld) ~ "-hint" }}'
    ).render(form=form, veld=veld)
    after = ENV.from_string(
        '{{ veld_html_id(form, veld) }}|{{ veld_html_id(form, veld) ~ "-hint" }}'
    ).render(form=form, veld=veld)
    assert after == before


def test_an_undefined_form_renders_as_before() -> None:
    before = ENV.from_string(MACRO + "{{ veld_id(nergens, 'v') }}").render()
    after = ENV.from_string("{{ veld_html_id(nergens, 'v') }}").render()
    assert after == before
