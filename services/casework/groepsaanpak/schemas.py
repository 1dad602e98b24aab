"""Response bodies of the groepsaanpak endpoints (the request bodies are in routes.py)."""

from __future__ import annotations

from services.casework.casussen.schemas import PersoonOut
from services.platform.http.openapi import Out


class GroepslidOut(Out):
    persoon: PersoonOut
    rol: str
    rol_label: str
    persoon_casus_id: str | None
    toegevoegd_op: str | None
    verwijderd_op: str | None
    reden_verwijderd: str | None


class NamenlijstOut(Out):
    casus_id: str
    stap: int | None
    weergave: str | None
    gemaskeerd: list[str]
    leden: list[GroepslidOut]


class GroepslidVerwijderdOut(Out):
    persoon_id: str
    verwijderd: bool


class SignaalAangemaaktOut(Out):
    casus_id: str
    stap: int | None
    samenvatting: str
    bron: str | None


class SignaalOut(Out):
    op: str
    samenvatting: str
    door: str | None
