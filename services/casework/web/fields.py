"""Template helpers of the form fields (``_velden.html``) in Python (issue 14): a macro call
costs Jinja about ten times what a function call does, and every field of the casus page's
forms names its id several times."""

from __future__ import annotations

from typing import Any

from jinja2.runtime import markup_join
from markupsafe import Markup, escape, soft_str


def field_id(form: Any, veld: Any) -> Markup:
    """The HTML id of field ``veld`` of form ``form``: what the macro
    ``{{ (form ~ "-" ~ veld)|replace(":", "-")|replace("_", "-")|replace(".", "-") }}``
    renders with autoescaping (tests/unit/web/test_field_id.py compares them)."""
    text: str = soft_str(markup_join((form, "-", veld)))
    for old in (":", "_", "."):
        text = text.replace(old, "-")
    return escape(text)
