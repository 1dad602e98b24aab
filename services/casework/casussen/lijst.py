"""The casussen page: the list with its filters and sorting, and the search box — through
:mod:`services.casework.casussen.zoeken`, the same functions as the API.

Filters are a GET form (bookmarkable, no person data in them); a search is a POST form, so
a name or a BSN never lands in a URL, the browser history or an access log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

from litestar.response import Template

from services.casework.casussen import zoeken
from services.casework.domain import lifecycle
from services.casework.domain.errors import DomainValidationError
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.shell import person_label, render
from tenants.reference import PURPOSES

PAGE_SIZE: Final = 25
SEARCH_SIZE: Final = 50
LIST_PURPOSE: Final = zoeken.LIST_PURPOSE
FILTER_FIELDS: Final = ("fase", "soort", "regisseur", "van", "tot", "sortering")

#: What a row was found by, in words.
FOUND_LABELS: Final = {
    "referentie": "referentie",
    "groepsnaam": "groepsnaam",
    "naam": "naam",
    "alias": "alias",
    "geboortedatum": "geboortedatum",
    "bsn": "BSN",
}
KIND_LABELS: Final = {lifecycle.PERSON: "Persoon", lifecycle.GROUP: "Groep"}


def phase_options() -> list[dict[str, str]]:
    options: dict[str, str] = {}
    for kind in (lifecycle.PERSON, lifecycle.GROUP):
        for state in lifecycle.states(kind):
            label = lifecycle.state_label(kind, state)
            options.setdefault(state, label if kind == lifecycle.PERSON else f"Groep: {label}")
    return [{"code": code, "label": label} for code, label in options.items()]


def _date(value: str, name: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(f"Vul bij '{name}' een geldige datum in (jjjj-mm-dd).")
        return None


def list_page(
    viewer: Viewer,
    web: WebDeps,
    token: str,
    chosen: Mapping[str, str],
    *,
    cursor: str | None = None,
    term: str | None = None,
) -> Template:
    """The list (or the search results) with the filters as chosen."""
    problems: list[str] = []
    search_error: str | None = None
    van = _date(chosen.get("van", ""), "aangemeld vanaf", problems)
    tot = _date(chosen.get("tot", ""), "aangemeld tot en met", problems)
    filters = zoeken.Filters(
        fase=chosen.get("fase") or None,
        soort=chosen.get("soort") or None,
        regisseur=chosen.get("regisseur") or None,
        van=van,
        tot=tot,
        sortering=chosen.get("sortering") or "nieuwste",
    )
    items: list[dict[str, Any]] = []
    next_cursor: str | None = None
    searched: str | None = None
    status = 200
    with viewer.reading() as ws:
        regisseurs = zoeken.regisseurs(ws)
        try:
            zoeken.check_filters(filters)
        except DomainValidationError as error:
            problems += [p["message"] for p in error.as_dicts()]
        if not problems:
            try:
                if term is not None:
                    read = zoeken.read_term(ws, term)
                    searched = zoeken.ZOEKSOORTEN[read.soort]
                    purpose = zoeken.check_purpose(ws, read, chosen.get("doel") or None)
                    page = zoeken.find(ws, filters, read, limit=SEARCH_SIZE, purpose=purpose)
                else:
                    page = zoeken.find(ws, filters, None, limit=PAGE_SIZE, cursor=cursor)
                items, next_cursor = page.items, page.next_cursor
            except DomainValidationError as error:
                messages = [p["message"] for p in error.as_dicts()]
                if term is not None and all(
                    p["field"] in ("zoekterm", "doel") for p in error.as_dicts()
                ):
                    search_error = " ".join(messages)
                else:
                    problems += messages
        if problems or search_error:
            status = 422
    rows = [
        {
            **item,
            "naam": person_label(item),
            "soort_label": KIND_LABELS.get(item["soort"], item["soort"]),
            "gevonden": [FOUND_LABELS.get(f, f) for f in item.get("gevonden_op", [])],
        }
        for item in items
    ]
    kept = {k: v for k, v in chosen.items() if k in FILTER_FIELDS and v}
    return render(
        viewer,
        "casussen.html",
        {
            "rijen": rows,
            "gekozen": {name: chosen.get(name, "") for name in FILTER_FIELDS},
            "fase": chosen.get("fase") or None,
            "fasen": phase_options(),
            "soorten": KIND_LABELS,
            "regisseurs": regisseurs,
            "sorteringen": zoeken.SORTERINGEN,
            "zoekterm": term,
            "zoekdoel": chosen.get("doel") or LIST_PURPOSE,
            "doelen": PURPOSES,
            "gezocht_op": searched,
            "zoekfout": search_error,
            "meer_treffers": term is not None and next_cursor is not None,
            "volgende": next_cursor if term is None else None,
            "filter_query": urlencode(kept),
            "filters_actief": bool(kept.keys() - {"sortering"}),
            "vervolg": bool(cursor),
            "probleem": " ".join(problems) or None,
            "csrf_token": token,
        },
        doel=LIST_PURPOSE,
        active="casussen",
        status=status,
    )
