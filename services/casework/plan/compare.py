"""Two plan versions side by side: per section the rows of both, matched, with what changed.

Works on the API views of the two versions (:func:`.service.plan_view`), so whatever the
policy left out of a view (anonymised, afgeschermde text) is left out here too.
Goals are matched by leefgebied (in order), actions by id, toezeggingen by organisation and
text, interventions by their content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from services.casework.domain.text import format_date_nl

SAME: Final = "gelijk"
CHANGED: Final = "gewijzigd"
NEW: Final = "nieuw"
GONE: Final = "vervallen"

CHANGE_LABELS: Final[Mapping[str, str]] = {
    SAME: "Ongewijzigd",
    CHANGED: "Gewijzigd",
    NEW: "Nieuw",
    GONE: "Vervallen",
}


@dataclass(frozen=True)
class Row:
    left: str | None
    right: str | None
    change: str

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[self.change]


def _date(value: Any) -> str:
    if not value:
        return "–"
    try:
        return format_date_nl(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _goal(g: Mapping[str, Any], orgs: Mapping[str, str]) -> str:
    text = f"{g.get('leefgebied_label', g.get('leefgebied'))}"
    if g.get("probleem") is not None:
        text += f" — probleem: {g['probleem']}; doel: {g.get('doel')}"
    return f"{text} ({g.get('status_label', 'open')})"


def _action(a: Mapping[str, Any], orgs: Mapping[str, str]) -> str:
    owner = orgs.get(a["eigenaar_organisatie"], a["eigenaar_organisatie"])
    if a.get("eigenaar_gebruiker"):
        owner += f" ({a['eigenaar_gebruiker']})"
    what = a.get("omschrijving") or "(omschrijving afgeschermd)"
    return f"{what} — {owner}, termijn {_date(a.get('deadline'))}, {a.get('status_label')}"


def _intervention(i: Mapping[str, Any], orgs: Mapping[str, str]) -> str:
    text = f"{i.get('spoor_label')}: {i.get('omschrijving') or '(afgeschermd)'}"
    if i.get("organisatie"):
        text += f" ({orgs.get(i['organisatie'], i['organisatie'])})"
    return text


def _commitment(c: Mapping[str, Any], orgs: Mapping[str, str]) -> str:
    who = orgs.get(c["organisatie"], c["organisatie"])
    return (
        f"{who}: {c.get('tekst') or '(afgeschermd)'} — toegezegd {_date(c.get('gedaan_op'))}, "
        f"controle {_date(c.get('controle_op'))}, {c.get('status_label')}"
    )


def _keyed(
    items: list[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], Any]
) -> dict[Any, Mapping[str, Any]]:
    seen: dict[Any, int] = {}
    result: dict[Any, Mapping[str, Any]] = {}
    for item in items:
        k = key(item)
        n = seen.get(k, 0)
        seen[k] = n + 1
        result[(k, n)] = item
    return result


def _rows(
    old: list[Mapping[str, Any]],
    new: list[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], Any],
    show: Callable[[Mapping[str, Any], Mapping[str, str]], str],
    orgs: Mapping[str, str],
) -> list[Row]:
    before, after = _keyed(old, key), _keyed(new, key)
    rows: list[Row] = []
    for k, item in after.items():
        prev = before.get(k)
        right = show(item, orgs)
        if prev is None:
            rows.append(Row(None, right, NEW))
        else:
            left = show(prev, orgs)
            rows.append(Row(left, right, SAME if left == right else CHANGED))
    rows += [Row(show(item, orgs), None, GONE) for k, item in before.items() if k not in after]
    return rows


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row]

    @property
    def changed(self) -> int:
        return sum(1 for r in self.rows if r.change != SAME)


def compare(
    old: Mapping[str, Any], new: Mapping[str, Any], orgs: Mapping[str, str]
) -> list[Section]:
    """The sections of two plan views side by side."""

    def text(view: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        value = view.get(name)
        return [{"tekst": value}] if value else []

    def plain(item: Mapping[str, Any], _: Mapping[str, str]) -> str:
        return str(item["tekst"])

    return [
        Section(
            "doelen",
            "Doelen per leefgebied",
            _rows(old["doelen"], new["doelen"], lambda g: g["leefgebied"], _goal, orgs),
        ),
        Section(
            "eindcriterium",
            "Eindcriterium",
            _rows(text(old, "eindcriterium"), text(new, "eindcriterium"), lambda _: 0, plain, orgs),
        ),
        Section(
            "acties",
            "Acties",
            _rows(old["acties"], new["acties"], lambda a: a["id"], _action, orgs),
        ),
        Section(
            "interventies",
            "Interventies per spoor",
            _rows(
                old["interventies"],
                new["interventies"],
                lambda i: (i["spoor"], i.get("omschrijving"), i.get("organisatie")),
                _intervention,
                orgs,
            ),
        ),
        Section(
            "toezeggingen",
            "Toezeggingen van partners",
            _rows(
                old["toezeggingen"],
                new["toezeggingen"],
                lambda c: (c["organisatie"], c.get("tekst")),
                _commitment,
                orgs,
            ),
        ),
    ]
