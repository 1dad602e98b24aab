"""The tijdlijn in words: names of organisations and professionals instead of their ids,
a Dutch label for every kind of event and who did it, on every line.

Only where the policy's view allows it: :func:`~services.casework.casussen.service.event_view`
hides who did what and the summary outside the full view, and this module adds names only
to lines that already show them (``door`` set). Names here are of professionals and
organisations, never of the person the casus is about.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final

import sqlalchemy as sa

from services.casework.casussen import service as svc
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, Organisation, User

#: Every kind of tijdlijn event, in words.
KIND_LABELS: Final[Mapping[str, str]] = {
    **svc.EVENT_LABELS,
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
    organisations = {
        row.id: row.name
        for row in ws.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.tenant_id == tenant)
        )
    }
    wanted = sorted(set(user_ids))
    users: dict[str, tuple[str, str]] = {}
    if wanted:
        for row in ws.session.execute(
            sa.select(User.id, User.display_name, User.organisation_id).where(
                User.tenant_id == tenant, User.id.in_(wanted)
            )
        ):
            users[row.id] = (row.display_name, row.organisation_id)
    return organisations, users


def in_words(
    text: str, organisations: Mapping[str, str], users: Mapping[str, tuple[str, str]]
) -> str:
    """Replace organisation and user ids (whole words) by their names, codes by words."""
    names = {**organisations, **{uid: name for uid, (name, _org) in users.items()}}
    if names:
        pattern = re.compile(
            r"(?<![\w-])("
            + "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
            + r")(?![\w-])"
        )
        text = pattern.sub(lambda m: names[m.group(1)], text)
    for code, words in CODE_WORDS.items():
        text = text.replace(code, words)
    return text


def timeline_in_words(ws: Workspace, casus_id: uuid.UUID) -> list[dict[str, Any]]:
    """The tijdlijn as :func:`~services.casework.casussen.service.timeline` gives it (under
    the policy), with the kind in words and, where the line shows who, their name and
    organisation."""
    events = svc.timeline(ws, casus_id, None)
    casus = ws.session.get(Casus, (ws.principal.tenant, casus_id)) or ws.load_casus(casus_id)
    organisations, users = _names(ws, casus.tenant_id, (e["door"] for e in events if e["door"]))
    result = []
    for event in events:
        line = {**event, "soort_label": KIND_LABELS.get(event["soort"], event["soort"])}
        actor = event["door"]
        if actor:
            name, org = users.get(actor, (actor, None))
            line["door_naam"] = name
            line["door_organisatie"] = organisations.get(org, org) if org else None
            line["samenvatting"] = in_words(event["samenvatting"], organisations, users)
        result.append(line)
    return result


def criteria_texts(ws: Workspace, casus: Casus) -> dict[str, str]:
    """The tenant's inclusion criteria: id -> text (reference data)."""
    return {c.id: c.text for c in ws.manifest_of(casus.tenant_id).inclusion.criteria}
