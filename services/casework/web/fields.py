"""The form fields of ``_velden.html`` in Python (issue 14): a macro call costs Jinja about ten
times what a function call does, and the casus page renders some 30 fields (its forms, each
with a label, a hint, errors and their ARIA references) on every view.

``_velden.html`` binds :class:`FieldMacros` to the context it is imported with (the form
helper ``f``, ``csrf_veld`` and ``csrf_token``, as its macros read them) and exports its
methods under the macros' names, so every page keeps calling ``v.invoer(...)``,
``v.keuze(...)`` and the rest. Each method renders exactly what the macro of the same name
rendered with autoescaping, whitespace included (tests/unit/web/test_field_macros.py renders
both over many inputs); ``Undefined`` stands in for an argument not given, as it does in a
macro.
"""

from __future__ import annotations

from typing import Any, Final

from jinja2 import Undefined
from jinja2.runtime import markup_join
from markupsafe import Markup, escape, soft_str

#: A parameter without a default that the call left out: a macro sees it as ``Undefined``
#: (rendered empty, false), and so do these methods.
NOT_GIVEN: Final = Undefined()

_REQUIRED: Final = ' <span class="req">(verplicht)</span>'


def _html(text: Any) -> Markup:
    """Markup of HTML put together here: every value in it went through ``escape`` (or is
    :func:`field_id`, escaped), as ``{{ value }}`` does in the macro; only ``extra`` (the
    macro's ``extra|safe``: attributes written in a template, never input) is taken as is."""
    return Markup(text)  # noqa: S704 - see above


def field_id(form: Any, veld: Any) -> Markup:
    """The HTML id of field ``veld`` of form ``form``: what the macro
    ``{{ (form ~ "-" ~ veld)|replace(":", "-")|replace("_", "-")|replace(".", "-") }}``
    renders with autoescaping (tests/unit/web/test_field_id.py compares them)."""
    text: str = soft_str(markup_join((form, "-", veld)))
    for old in (":", "_", "."):
        text = text.replace(old, "-")
    return escape(text)


class FieldMacros:
    """The macros of ``_velden.html`` for one import: ``f`` (formstate.FormView) and the CSRF
    field and token of the page that imports them."""

    __slots__ = ("_csrf_field", "_csrf_token", "_f")

    def __init__(self, f: Any, csrf_field: Any, csrf_token: Any) -> None:
        self._f = f
        self._csrf_field = csrf_field
        self._csrf_token = csrf_token

    @staticmethod
    def veld_id(form: Any = NOT_GIVEN, veld: Any = NOT_GIVEN) -> Markup:
        return field_id(form, veld)

    def _errors(self, fid: str, errors: Any) -> str:
        return "".join(
            f'<p class="field-error" id="{fid}-fout{index}"><span class="sr-only">Fout: </span>'
            f"{escape(message)}</p>"
            for index, message in enumerate(errors, 1)
        )

    @staticmethod
    def _described(fid: str, hint: Any, errors: Any, *, invalid: bool) -> str:
        ids = [f"{fid}-hint"] if hint else []
        ids.extend(f"{fid}-fout{index}" for index, _ in enumerate(errors, 1))
        text = f' aria-describedby="{" ".join(ids)}"' if ids else ""
        return (text + ' aria-invalid="true"') if invalid and errors else text

    def fouten(self, form: Any = NOT_GIVEN, veld: Any = NOT_GIVEN) -> Markup:
        errors = self._f.errors(form, veld)
        return _html(self._errors(field_id(form, veld), errors) if errors else "")

    def beschreven(
        self, form: Any = NOT_GIVEN, veld: Any = NOT_GIVEN, hint: Any = NOT_GIVEN
    ) -> Markup:
        errors = self._f.errors(form, veld)
        return _html("\n\n" + self._described(field_id(form, veld), hint, errors, invalid=True))

    def groep_beschreven(self, form: Any = NOT_GIVEN, veld: Any = NOT_GIVEN) -> Markup:
        errors = self._f.errors(form, veld)
        return _html("\n" + self._described(field_id(form, veld), None, errors, invalid=False))

    @staticmethod
    def _label(fid: str, tekst: Any, verplicht: Any) -> str:
        required = _REQUIRED if verplicht else ""
        return f'<label for="{fid}">{escape(tekst)}{required}</label>'

    def label(
        self,
        form: Any = NOT_GIVEN,
        veld: Any = NOT_GIVEN,
        tekst: Any = NOT_GIVEN,
        verplicht: Any = False,
    ) -> Markup:
        return _html(self._label(field_id(form, veld), tekst, verplicht))

    def _head(self, fid: str, tekst: Any, verplicht: Any, hint: Any, errors: Any) -> str:
        """The field's opening: its div, label, hint and error messages."""
        invalid = " field-invalid" if errors else ""
        hint_html = f'<p class="hint" id="{fid}-hint">{escape(hint)}</p>' if hint else ""
        return (
            f'<div class="field{invalid}">\n  {self._label(fid, tekst, verplicht)}\n  '
            f"{hint_html}\n  {self._errors(fid, errors)}\n  "
        )

    def invoer(
        self,
        form: Any = NOT_GIVEN,
        veld: Any = NOT_GIVEN,
        tekst: Any = NOT_GIVEN,
        type: Any = "text",
        verplicht: Any = False,
        hint: Any = None,
        standaard: Any = "",
        extra: Any = "",
    ) -> Markup:
        errors = self._f.errors(form, veld)
        fid = field_id(form, veld)
        value = escape(self._f.value(form, veld, standaard))
        described = self._described(fid, hint, errors, invalid=True)
        return _html(
            f'{self._head(fid, tekst, verplicht, hint, errors)}<input type="{escape(type)}" '
            f'id="{fid}" name="{escape(veld)}" value="{value}"\n\n{described} '
            f"{_html(extra)}>\n</div>"
        )

    def tekstvak(
        self,
        form: Any = NOT_GIVEN,
        veld: Any = NOT_GIVEN,
        tekst: Any = NOT_GIVEN,
        verplicht: Any = False,
        hint: Any = None,
        rijen: Any = 3,
    ) -> Markup:
        errors = self._f.errors(form, veld)
        fid = field_id(form, veld)
        described = self._described(fid, hint, errors, invalid=True)
        return _html(
            f'{self._head(fid, tekst, verplicht, hint, errors)}<textarea id="{fid}" '
            f'name="{escape(veld)}" rows="{escape(rijen)}"\n\n{described}>'
            f"{escape(self._f.value(form, veld))}</textarea>\n</div>"
        )

    def keuze(
        self,
        form: Any = NOT_GIVEN,
        veld: Any = NOT_GIVEN,
        tekst: Any = NOT_GIVEN,
        opties: Any = NOT_GIVEN,
        verplicht: Any = False,
        hint: Any = None,
        leeg: Any = "— kies —",
        standaard: Any = "",
    ) -> Markup:
        chosen = self._f.value(form, veld, standaard)
        errors = self._f.errors(form, veld)
        fid = field_id(form, veld)
        described = self._described(fid, hint, errors, invalid=True)
        empty = f'<option value="">{escape(leeg)}</option>' if leeg else ""
        options = "".join(
            f'<option value="{escape(code)}"{" selected" if code == chosen else ""}>'
            f"{escape(name)}</option>"
            for code, name in opties.items()
        )
        return _html(
            f'\n{self._head(fid, tekst, verplicht, hint, errors)}<select id="{fid}" '
            f'name="{escape(veld)}"\n\n{described}>\n    {empty}\n    {options}'
            "\n  </select>\n</div>"
        )

    def verborgen(self, versie: Any = None) -> Markup:
        token = (
            f'<input type="hidden" name="{escape(self._csrf_field)}" '
            f'value="{escape(self._csrf_token)}">\n'
        )
        if versie is None:
            return _html(token)
        return _html(f'{token}<input type="hidden" name="versie" value="{escape(versie)}">')
