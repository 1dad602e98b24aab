"""Request bodies of the plan van aanpak, zelfredzaamheid and werkvoorraad endpoints
(Dutch field names, unknown fields refused). Domain rules (leefgebied of the tenant's
instrument, known organisations, scores per domain) are checked by the service layer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.platform.http.openapi import Out

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DoelIn(_In):
    leefgebied: Code
    probleem: Text
    doel: Text
    status: Literal["open", "loopt", "behaald", "niet-behaald"] = "open"


class ActieIn(_In):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    omschrijving: Text
    eigenaar_organisatie: Code
    eigenaar_gebruiker: Code | None = None
    deadline: dt.date
    status: Literal["open", "loopt", "gereed", "vervallen"] = "open"


class InterventieIn(_In):
    spoor: Literal["zorg", "strafrechtelijk", "bestuurlijk"]
    omschrijving: Text
    organisatie: Code | None = None


class ToezeggingIn(_In):
    organisatie: Code
    tekst: Text
    gedaan_op: dt.date
    controle_op: dt.date | None = None
    status: Literal["open", "nagekomen", "niet-nagekomen", "vervallen"] = "open"


class PlanIn(_In):
    doelen: Annotated[list[DoelIn], Field(min_length=1, max_length=50)]
    eindcriterium: Text
    acties: Annotated[list[ActieIn], Field(max_length=200)] = Field(default_factory=list)
    interventies: Annotated[list[InterventieIn], Field(max_length=100)] = Field(
        default_factory=list
    )
    toezeggingen: Annotated[list[ToezeggingIn], Field(max_length=100)] = Field(default_factory=list)
    toelichting: Text | None = None


class ZelfredzaamheidIn(_In):
    moment: Literal["intake", "tussentijds", "afsluiting"]
    datum: dt.date | None = None
    toelichting: Annotated[
        str | None,
        Field(
            max_length=10_000,
            description="Toelichting op de meting (vrije tekst; afgeschermd waar de tekst "
            "van de casus dat is).",
        ),
    ] = None
    # Values are checked per domain by the service (1-5, every domain of the instrument),
    # so that the error names the domain; the OpenAPI documents what the service accepts.
    scores: Annotated[
        dict[Code, Any],
        Field(
            min_length=1,
            max_length=50,
            description="Score per domein van het instrument van de gemeente (ZRM: 1-5, "
            "hoger is zelfredzamer). Elk domein van het instrument krijgt een score; de "
            "fout noemt het domein (veld scores.<domein>).",
            # Litestar renders a constrained dict as an array: say what the server reads.
            json_schema_extra={
                "type": "object",
                "items": None,
                "minLength": None,
                "maxLength": None,
                "minProperties": 1,
                "maxProperties": 50,
                "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
                "examples": [{"financien": 2, "huisvesting": 3}],
            },
        ),
    ]


class BeoordelingIn(_In):
    oordeel: Literal["terecht", "onterecht"]
    toelichting: Text


# ---------------------------------------------------------------------------------------------
# Responses. Free text is left out (not None) where the reader may not see it: the keys marked
# "free text" below are absent in an anonymised view or when the text categories are masked.
# ---------------------------------------------------------------------------------------------


class DoelOut(Out):
    leefgebied: str
    leefgebied_label: str
    probleem: str | None = None  # free text
    doel: str | None = None  # free text
    status: str | None = None
    status_label: str | None = None


class ActieOut(Out):
    id: str
    eigenaar_organisatie: str
    deadline: str
    status: str
    status_label: str
    omschrijving: str | None = None  # free text
    eigenaar_gebruiker: str | None = None  # free text


class InterventieOut(Out):
    spoor: str
    spoor_label: str
    organisatie: str | None
    omschrijving: str | None = None  # free text


class ToezeggingOut(Out):
    organisatie: str
    gedaan_op: str
    controle_op: str | None
    status: str
    status_label: str
    tekst: str | None = None  # free text


class PlanOut(Out):
    casus_id: str
    versie: int
    aangemaakt_door: str | None
    aangemaakt_op: str
    samenvatting: list[str]
    weergave: str | None
    tekst_afgeschermd: bool
    gemaskeerd: list[str]
    doelen: list[DoelOut]
    eindcriterium: str | None
    acties: list[ActieOut]
    interventies: list[InterventieOut]
    toezeggingen: list[ToezeggingOut]
    toelichting: str | None = None  # free text


class PlanOpgeslagenOut(PlanOut):
    nieuwe_versie: bool
    """False when the plan sent equals the current version (nothing saved)."""


class PlanversieOut(Out):
    versie: int
    aangemaakt_door: str | None
    aangemaakt_op: str
    samenvatting: list[str]


class PlanversiesOut(Out):
    items: list[PlanversieOut]
    weergave: str


class MetingOut(Out):
    """One assessment as recorded."""

    id: str
    instrument: str
    moment: str
    datum: str
    scores: dict[str, int]
    toelichting: str | None = None


class MetingWeergaveOut(Out):
    """One assessment as the reader may see it: masked domains score None."""

    id: str
    instrument: str
    moment: str
    moment_label: str
    datum: str
    scores: dict[str, int | None]
    gemiddelde: float | None
    door: str | None
    toelichting: str | None = None
    """Free text: None when there is none or it is afgeschermd for this reader."""


class DomeinOut(Out):
    domein: str
    label: str


class OntwikkelingOut(Out):
    domein: str
    label: str
    eerste: int | None
    laatste: int | None
    verandering: int | None
    verbeterd: bool | None


class ZelfredzaamheidOut(Out):
    casus_id: str
    instrument: str
    instrument_label: str
    domeinen: list[DomeinOut]
    schaal: dict[str, str]
    metingen: list[MetingWeergaveOut]
    ontwikkeling: list[OntwikkelingOut]
    verbeterde_domeinen: list[str]
    gemiddelde_verandering: float | None
    weergave: str | None
    gemaskeerd: list[str]


class WerkitemOut(Out):
    soort: str
    casus_id: str
    referentie: str
    casus_soort: str
    fase: str
    datum: str
    te_laat: bool
    omschrijving: str
    onderwerp: str | None
    # A doorbreekglas to review (soort ``doorbreekglas-beoordelen``) also carries these:
    id: str | None = None
    gebruiker: str | None = None
    reden: str | None = None
    verleend_op: str | None = None
    verloopt_op: str | None = None
    # A plan action or toezegging also carries its status and the plan version it is in
    # (sent back when it is marked done or postponed: a newer plan gives 412).
    status: str | None = None
    plan_versie: int | None = None


class WerkvoorraadOut(Out):
    """One page of the werkvoorraad: ``aantal`` and ``te_laat`` count every item the caller
    may see, ``gevonden`` those the filter keeps; ``items`` are the page's."""

    peildatum: str
    aantal: int
    te_laat: int
    gevonden: int
    soorten: list[str]
    pagina: int
    per_pagina: int
    vorige: int | None
    volgende: int | None
    items: list[WerkitemOut]


class BeoordelingOut(Out):
    id: str
    casus_id: str
    oordeel: str | None
    toelichting: str | None
    beoordeeld_door: str | None
    beoordeeld_op: str | None
