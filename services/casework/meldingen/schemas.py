"""Response bodies of the meldingen API (Dutch field names)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from services.platform.http.openapi import Out

Soort = Literal["uitnodiging", "regie", "aanmelding", "termijn"]


class MeldingOut(Out):
    """One notification: what happened, by reference and link only (no person data)."""

    id: uuid.UUID
    soort: Soort
    soort_label: str
    tekst: str
    link: str
    casus_id: uuid.UUID | None
    aangemaakt_op: dt.datetime
    gelezen_op: dt.datetime | None
    gelezen: bool


class MeldingenOut(Out):
    """The caller's notifications, newest first (at most 200), and how many are unread."""

    ongelezen: int
    meldingen: list[MeldingOut]


class GelezenOut(Out):
    """How many notifications were marked read."""

    gemarkeerd: int
