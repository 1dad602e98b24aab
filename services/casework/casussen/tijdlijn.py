"""The tijdlijn of a casus: its events as this reader may see them (:func:`timeline`), and in
words for the casus page: names of organisations and professionals instead of their ids, a
Dutch label for every kind of event and who did it, on every line.

Only where the policy's view allows it: :func:`event_view` hides who did what and the
summary outside the full view, and :func:`timeline_in_words` adds names only to lines that
already show them (``door`` set). Names here are of professionals and
organisations, never of the person the casus is about.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final

import sqlalchemy as sa

from services.casework import free_text
from services.casework.casussen.weergave import read_casus
from services.casework.page_reads import colleagues, organisation_names
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, CasusEvent
from services.platform.policy import Decision

#: Timeline events whose summary may hold free text a user wrote (a reason).
FREE_TEXT_EVENTS = frozenset({"fase", "regie", "heropenen", "afsluiting"})

#: The events of a casus in time order, built once (issue 14). Parameters: ``tenant``,
#: ``casus_id``.
_EVENTS = (
    sa.select(CasusEvent)
    .where(
        CasusEvent.tenant_id == sa.bindparam("tenant", type_=sa.String),
        CasusEvent.casus_id == sa.bindparam("casus_id", type_=sa.Uuid),
    )
    .order_by(CasusEvent.at)
)


def timeline(ws: Workspace, casus_id: uuid.UUID, since: dt.datetime | None) -> list[dict[str, Any]]:
    """The tijdlijn as this reader may see it: who did what only in the full view; a summary
    that holds a user's free text only when the casus's text categories are not masked."""
    casus, decision = read_casus(ws, casus_id, None)
    query = _EVENTS if since is None else _EVENTS.where(CasusEvent.at > since)
    rows = ws.session.scalars(query, {"tenant": casus.tenant_id, "casus_id": casus.id})
    # Whether the casus's free text shows is the same for every line: decided once.
    text_ok = free_text.shows(decision, free_text.casus_text_categories(casus))
    return [event_view(e, decision, casus, text_ok=text_ok) for e in rows]


def event_view(
    event: CasusEvent, decision: Decision, casus: Casus, *, text_ok: bool | None = None
) -> dict[str, Any]:
    """One line of the tijdlijn; ``text_ok``: whether the casus's text categories show
    (:func:`free_text.shows`; computed here when not given)."""
    full = decision.view == "full"
    if text_ok is None:
        text_ok = free_text.shows(decision, free_text.casus_text_categories(casus))
    summary = event.summary
    if not full or (event.kind in FREE_TEXT_EVENTS and not text_ok):
        summary = EVENT_LABELS.get(event.kind, "Gebeurtenis") + " (details afgeschermd)."
    return {
        "op": event.at.isoformat(),
        "soort": event.kind,
        "samenvatting": summary,
        "door": event.actor_user_id if full else None,
    }


#: What a timeline line says when its details are afgeschermd for the reader.
EVENT_LABELS: dict[str, str] = {
    "aanmelding": "Aangemeld",
    "fase": "Fase gewijzigd",
    "regie": "Regie gewijzigd",
    "heropenen": "Heropend",
    "afsluiting": "Afgesloten",
    "informeren": "Informeren vastgelegd",
    "deelnemer": "Deelnemer gewijzigd",
    "gezinslid": "Gezinslid vastgelegd",
    "doorbreekglas": "Spoedtoegang gebruikt",
    "agenda": "Geagendeerd",
    "informatie-gedeeld": "Informatie gedeeld",
    "informatie-bron": "Informatie achtergehouden of vrijgegeven",
    "document": "Document toegevoegd of verwijderd",
}


#: Every kind of tijdlijn event, in words.
KIND_LABELS: Final[Mapping[str, str]] = {
    **EVENT_LABELS,
    "plan": "Plan van aanpak",
    "overleg": "Overleg",
    "overlegactie": "Actie uit het overleg",
    "signaal": "Signaal",
    "groepslid": "Namenlijst",
    "groepsstap": "Groepsaanpak",
    "toestemming": "Toestemming",
    "zelfredzaamheid": "Zelfredzaamheid",
    "uitkomst": "Uitkomsten",
    "doorbreekglas-beoordeeld": "Spoedtoegang beoordeeld",
}

#: Codes that old summaries carry, in words (participation, roles).
CODE_WORDS: Final[Mapping[str, str]] = {
    "(op-afroep)": "(op afroep)",
    "(kern)": "(kernpartner)",
    "als uitvoeringscoordinator": "als uitvoeringscoördinator",
}


def _names(
    ws: Workspace, tenant: str, user_ids: Iterable[str]
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Names of the tenant's organisations and of these users (read once per page:
    :mod:`services.casework.page_reads`)."""
    organisations = organisation_names(ws.session, tenant)
    return organisations, colleagues(ws.session, tenant, set(user_ids))


class _Words:
    """Replaces organisation and user ids (whole words) by their names, codes by words; the
    names and their pattern are made once for all lines of a tijdlijn."""

    def __init__(
        self, organisations: Mapping[str, str], users: Mapping[str, tuple[str, str]]
    ) -> None:
        self.names = {**organisations, **{uid: name for uid, (name, _org) in users.items()}}
        self.pattern = (
            re.compile(
                r"(?<![\w-])("
                + "|".join(re.escape(k) for k in sorted(self.names, key=len, reverse=True))
                + r")(?![\w-])"
            )
            if self.names
            else None
        )

    def __call__(self, text: str) -> str:
        if self.pattern is not None:
            names = self.names
            text = self.pattern.sub(lambda m: names[m.group(1)], text)
        for code, words in CODE_WORDS.items():
            text = text.replace(code, words)
        return text


def in_words(
    text: str, organisations: Mapping[str, str], users: Mapping[str, tuple[str, str]]
) -> str:
    """Replace organisation and user ids (whole words) by their names, codes by words."""
    return _Words(organisations, users)(text)


def timeline_in_words(ws: Workspace, casus_id: uuid.UUID) -> list[dict[str, Any]]:
    """The tijdlijn as :func:`timeline` gives it (under
    the policy), with the kind in words and, where the line shows who, their name and
    organisation."""
    events = timeline(ws, casus_id, None)
    casus = ws.session.get(Casus, (ws.principal.tenant, casus_id)) or ws.load_casus(casus_id)
    organisations, users = _names(ws, casus.tenant_id, (e["door"] for e in events if e["door"]))
    words = _Words(organisations, users)
    result = []
    for event in events:
        line = {**event, "soort_label": KIND_LABELS.get(event["soort"], event["soort"])}
        actor = event["door"]
        if actor:
            name, org = users.get(actor, (actor, None))
            line["door_naam"] = name
            line["door_organisatie"] = organisations.get(org, org) if org else None
            line["samenvatting"] = words(event["samenvatting"])
        result.append(line)
    return result


def criteria_texts(ws: Workspace, casus: Casus) -> dict[str, str]:
    """The tenant's inclusion criteria: id -> text (reference data)."""
    return {c.id: c.text for c in ws.manifest_of(casus.tenant_id).inclusion.criteria}
