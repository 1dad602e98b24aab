"""The hidden fields of a werkvoorraad item's forms, now a macro imported from its own
template (``_werkvoorraad_item.html``) instead of one defined in the page: a macro defined in
a page is made per render and holds the render's context in a reference cycle (issue 14; ADR
0020, amendment ``cycles``). Compared with the macro as the page defined it, on values that
need escaping and on missing ones, through the pages' environment."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from services.casework.web import TEMPLATES
from services.casework.web.jinja_env import page_environment

#: The macro as werkvoorraad.html defined it (it read the CSRF field from the page).
OLD = """{% macro verborgen_item(item) -%}
<input type="hidden" name="{{ csrf_veld }}" value="{{ csrf_token }}">
<input type="hidden" name="casus_id" value="{{ item.casus_id }}">
<input type="hidden" name="soort" value="{{ item.soort }}">
<input type="hidden" name="onderwerp" value="{{ item.onderwerp }}">
<input type="hidden" name="plan_versie" value="{{ item.plan_versie }}">
{%- endmacro %}
<form>
          {{ verborgen_item(item) }}
</form>"""

NEW = """{% from "_werkvoorraad_item.html" import verborgen_item %}
<form>
          {{ verborgen_item(item, csrf_veld, csrf_token) }}
</form>"""

ITEMS: list[dict[str, Any]] = [
    {
        "casus_id": "6f0c0b1e-0000-4000-8000-000000000001",
        "soort": "actie-gereed",
        "onderwerp": "plan:3",
        "plan_versie": 4,
    },
    {
        "casus_id": "x",
        "soort": 'a"b<c>&d',
        "onderwerp": "'quoted' \u2028 ë",
        "plan_versie": None,
    },
    {"casus_id": "y"},  # missing keys: undefined, rendered empty as before
]


@pytest.mark.parametrize("item", ITEMS)
def test_the_imported_macro_renders_as_the_page_macro_did(item: dict[str, Any]) -> None:
    env = page_environment(TEMPLATES, auto_reload=False)
    context = {"item": item, "csrf_veld": "csrf_token", "csrf_token": 'tok"<en>'}
    old = env.from_string(OLD).render(context)
    assert env.from_string(NEW).render(context) == old
    assert 'name="casus_id"' in old


def test_the_page_imports_the_macro() -> None:
    """werkvoorraad.html defines no macro of its own (each render would make it anew)."""
    page = (TEMPLATES / "werkvoorraad.html").read_text(encoding="utf-8")
    assert "{% macro" not in page
    assert "verborgen_item(item, csrf_veld, csrf_token)" in page


def test_rendering_with_the_imported_macro_leaves_no_cycle() -> None:
    env = page_environment(TEMPLATES, auto_reload=False)
    template = env.from_string(NEW)
    context = {"item": ITEMS[0], "csrf_veld": "csrf_token", "csrf_token": "t"}
    template.render(context)  # the imported module is made (and kept) on first use
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(5):
            template.render(context)
        assert gc.collect() < 5  # none; a margin for anything unrelated
        # The page's own macro left a cycle per render (the check above can fail).
        old = env.from_string(OLD)
        for _ in range(5):
            old.render(context)
        assert gc.collect() >= 5
    finally:
        if enabled:
            gc.enable()
