"""The Jinja environment of the web pages (issue 14).

Two settings that change what a page costs, not what it shows:

* **Attribute lookup on plain dicts.** The pages' data are mostly plain dicts (the same views
  as the JSON API), and a template reads them as ``c.referentie``. Jinja's ``getattr`` tries
  the Python attribute first and the key only after the ``AttributeError`` that a dict raises
  for every key: an exception per lookup, several hundred per casus page. For an exact
  ``dict`` the outcome of that first try is known in advance: only the names of ``dir(dict)``
  (``items``, ``get``, ``keys`` ...) are attributes of a dict instance, every other name is
  not. :meth:`PageEnvironment.getattr` answers those other names from the key at once, and
  leaves every other case (a dict method's name, a dict subclass, any other object) to Jinja:
  the same value or the same ``Undefined`` as before
  (tests/unit/web/test_page_environment.py compares them).
* **No template reload check in production.** ``auto_reload`` makes every ``get_template``
  (each page, each ``include`` and ``import``: a dozen per casus page) stat its file; a
  production server does not change its templates while it runs. Embedded mode (development)
  keeps the check, so an edited template shows on the next request.
"""

from __future__ import annotations

from typing import Any, Final

from jinja2 import Environment, FileSystemLoader

#: The names that are attributes of a plain dict instance (its methods and dunders). A name
#: of a metaclass (``__name__``, ``__mro__``) is an attribute of the class, not of a dict.
DICT_ATTRIBUTES: Final = frozenset(dir(dict))


class PageEnvironment(Environment):
    """Jinja's environment with the fast attribute lookup on plain dicts."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and type(attribute) is str and attribute not in DICT_ATTRIBUTES:
            # Jinja: getattr(obj, attribute) raises AttributeError, then obj[attribute].
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


def page_environment(directory: Any, *, auto_reload: bool) -> PageEnvironment:
    """The pages' environment: templates from ``directory``, autoescaped (as Litestar's
    default environment), reloaded when changed only if ``auto_reload``."""
    return PageEnvironment(
        loader=FileSystemLoader(searchpath=directory), autoescape=True, auto_reload=auto_reload
    )
