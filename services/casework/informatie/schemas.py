"""Response bodies of the informatie and uitleg endpoints (the request bodies
are in routes.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.casework.casussen.schemas import RedenOut
from services.platform.http.openapi import Out


class InformatieItemOut(Out):
    """An information item as the reader may see it: title, content and the free text of the
    checklist are None when the category is masked or the view is reduced."""

    id: str
    casus_id: str
    categorie: str
    categorie_label: str
    bronorganisatie: str
    eigen_bron: bool
    over_persoon_id: str | None
    doel: str | None
    grondslag: str | None
    art9_uitzondering: str | None
    beroepsgeheim_grond: str | None
    noodzaak: str | None
    persoon_geinformeerd: bool | None
    reden_niet_geinformeerd: str | None
    gedeeld: bool
    gedeeld_op: str | None
    achtergehouden: bool
    titel: str | None
    inhoud: str | None
    aangemaakt_door: str | None
    aangemaakt_op: str | None
    versie: int
    weergave: str | None
    gemaskeerd: list[str]
    melding: str | None = None
    """Only in a list, for an item shared on the basis of consent: open it to see it."""


class InformatieLijstOut(Out):
    items: list[InformatieItemOut]
    niet_zichtbaar: int
    melding: str | None


class InformatieStatusOut(Out):
    """The item after sharing, withholding or releasing (version also in the ETag)."""

    id: str
    categorie: str
    gedeeld: bool
    gedeeld_op: str | None
    achtergehouden: bool
    doel: str | None
    grondslag: str | None
    versie: int


class VerplichtingOut(BaseModel):
    """Something the caller must do when acting on the decision (with its parameters)."""

    model_config = ConfigDict(extra="allow")

    code: str


class UitlegOut(Out):
    actie: str
    toegestaan: bool
    weergave: str | None
    toegestaan_door: list[RedenOut]
    geweigerd_door: list[RedenOut]
    ontbreekt: list[str]
    gemaskeerd: list[str]
    verplichtingen: list[VerplichtingOut]
    samenvatting: str
    beleidsversie: str | None
    dataversie: str | None
