"""Response bodies of the user administration API."""

from __future__ import annotations

from services.platform.http.openapi import Out


class RolwijzigingOut(Out):
    """A proposal to grant roles or move a user (four eyes)."""

    id: str
    gebruiker: str
    rollen_erbij: list[str]
    organisatie: str | None
    reden: str | None
    status: str
    voorgesteld_door: str | None
    voorgesteld_op: str | None
    besloten_door: str | None
    besloten_op: str | None
    toelichting: str | None


class GebruikerOut(Out):
    id: str
    naam: str
    organisatie: str
    rollen: list[str]
    email: str | None
    functie: str | None
    actief: bool
    bron: str
    versie: int


class GebruikerDetailOut(GebruikerOut):
    voorstel: RolwijzigingOut | None
    """The open proposal for this user (roles or organisation), if any."""
