"""Response bodies of the overleg endpoints (the request bodies are in routes.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from services.casework.casussen.schemas import GebeurtenisOut, PersoonOut
from services.platform.http.openapi import Out


class OverlegStatusOut(Out):
    """The meeting after a change: its status and version (also in the ETag)."""

    id: str
    type: str
    datum_tijd: str
    plaats: str | None = None
    voorzitter: str | None
    status: str
    versie: int


class OverlegSamenvattingOut(Out):
    id: str
    type: str
    naam: str
    soort_casussen: str
    datum_tijd: str
    plaats: str | None = None
    voorzitter: str | None
    status: str
    status_label: str
    versie: int


class OverleggenOut(Out):
    items: list[OverlegSamenvattingOut]


class VorigOverlegOut(Out):
    id: str
    datum_tijd: str
    gehouden_op: str | None


class OverlegActieOut(BaseModel):
    """An action from the minutes (as recorded)."""

    model_config = ConfigDict(extra="allow")

    omschrijving: str | None = None
    eigenaar_organisatie: str | None = None
    eigenaar_gebruiker: str | None = None
    deadline: str | None = None
    status: str | None = None


class AgendapuntOut(Out):
    """An agenda item as the participant may see it: the briefing, the minutes (BOB) and the
    decisions only when the casus's text categories are not masked for them."""

    casus_id: str
    referentie: str
    soort: str
    fase: str
    fase_label: str
    positie: int
    weergave: str | None
    gemaskeerd: list[str]
    groepsnaam: str | None = None
    stap: int | None = None
    persoon: PersoonOut | None = None
    briefing: str | None
    bespreking: dict[str, Any] | None
    """Beeldvorming, oordeelsvorming, besluitvorming (BOB)."""
    besluiten: list[str]
    acties: list[OverlegActieOut]
    tekst_afgeschermd: bool
    aantal_besluiten: int
    aantal_acties: int
    wijzigingen_sinds_vorig_overleg: list[GebeurtenisOut]


class OverlegOut(OverlegSamenvattingOut):
    vorig_overleg: VorigOverlegOut | None
    aanwezig: list[str]
    gehouden_op: str | None
    agenda: list[AgendapuntOut]
    verborgen_agendapunten: int
    melding: str | None


class AgendapuntToegevoegdOut(Out):
    overleg_id: str
    casus_id: str
    positie: int
    versie: int
