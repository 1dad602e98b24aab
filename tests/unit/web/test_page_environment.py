"""The pages' Jinja environment looks attributes up as Jinja does (issue 14): the fast path
for plain dicts gives the same value, or the same kind of ``Undefined``, for every name."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from types import MappingProxyType
from typing import Any

import pytest
from jinja2 import Environment, Undefined

from services.casework.web.jinja_env import DICT_ATTRIBUTES, PageEnvironment, page_environment

JINJA = Environment(autoescape=True)
PAGES = PageEnvironment(autoescape=True)


@dataclasses.dataclass
class Section:
    data: Any = None


class Both(dict[str, Any]):
    """A dict subclass with an attribute of its own: Jinja's order (attribute first) holds."""

    referentie = "attribuut"


OBJECTS: list[Any] = [
    {"referentie": "R-1", "items": "een sleutel", "get": 1, "__class__": "k", "": 0},
    {},
    {1: "int key"},
    Both(referentie="sleutel", fase="x"),
    OrderedDict(referentie="o"),
    MappingProxyType({"referentie": "m", "items": 2}),
    Section({"a": 1}),
    "tekst",
    None,
    [1, 2],
]
NAMES = [
    *sorted(DICT_ATTRIBUTES),
    "referentie",
    "fase",
    "data",
    "ontbreekt",
    "",
    "__name__",
    "__mro__",
    "__dict__",
    "__qualname__",
    "upper",
]


def outcome(env: Environment, obj: Any, name: Any) -> Any:
    found = env.getattr(obj, name)
    if isinstance(found, Undefined):
        return ("undefined", type(found), found._undefined_obj is obj, found._undefined_name)
    return found


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: type(o).__name__)
def test_every_name_gives_what_jinja_gives(obj: Any) -> None:
    for name in NAMES:
        assert outcome(PAGES, obj, name) == outcome(JINJA, obj, name), name


def test_a_name_that_is_not_text_is_left_to_jinja() -> None:
    obj = {3: "drie"}
    for env in (JINJA, PAGES):  # Jinja's own getattr refuses it; so does the fast path
        with pytest.raises(TypeError):
            env.getattr(obj, 3)  # type: ignore[arg-type]


def test_templates_render_alike() -> None:
    source = "{{ c.referentie }}|{{ c.items is callable }}|{{ c.ontbreekt is defined }}|{{ c.a.b }}"
    context = {"c": {"referentie": "<R>", "items": "x", "a": {"b": 2}}}
    assert PAGES.from_string(source).render(context) == JINJA.from_string(source).render(context)


def test_production_does_not_check_templates_for_changes(tmp_path: Any) -> None:
    assert page_environment(tmp_path, auto_reload=False).auto_reload is False
    assert page_environment(tmp_path, auto_reload=True).auto_reload is True
