"""Typed request and response bodies of the AVG endpoints (Dutch field names).

Requests refuse unknown fields; responses are validated against these models before they
leave (``extra="forbid"``), so the OpenAPI document says exactly what is returned.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.casework.casussen.schemas import Adres

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Reason = Annotated[str, Field(min_length=5, max_length=2_000)]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests --------------------------------------------------------------------------------


class PersoonWijzigingen(_In):
    """Only the fields given are corrected (``roepnaam: null`` removes the roepnaam)."""

    voornamen: ShortText | None = None
    achternaam: ShortText | None = None
    roepnaam: ShortText | None = None
    aliassen: list[ShortText] | None = Field(default=None, max_length=20)
    geboortedatum: dt.date | None = None
    adres: Adres | None = None


class PersoonCorrectieIn(_In):
    wijzigingen: PersoonWijzigingen
    reden: Reason


class AanmeldingWijzigingen(_In):
    waarom_integraal: Annotated[str, Field(min_length=10, max_length=10_000)] | None = None
    reden_niet_geinformeerd: Text | None = None


class AanmeldingCorrectieIn(_In):
    wijzigingen: AanmeldingWijzigingen = Field(default_factory=AanmeldingWijzigingen)
    problemen: dict[Code, Text | None] = Field(default_factory=dict)
    """Per leefgebied the corrected problem text; ``null`` removes it."""
    reden: Reason


class ItemWijzigingen(_In):
    titel: ShortText | None = None
    inhoud: Text | None = None


class ItemCorrectieIn(_In):
    wijzigingen: ItemWijzigingen
    reden: Reason


class BeperkingIn(_In):
    beperkt: bool
    """true: beperk de verwerking (art. 18 AVG); false: hef de beperking op."""
    reden: Reason


# -- responses -------------------------------------------------------------------------------


class ToegangOut(_Out):
    id: str
    tijdstip: str
    gebruiker: str
    naam: str
    organisatie: str
    organisatie_naam: str
    rollen: list[str]
    handeling: str
    handeling_label: str
    wat: str
    wat_id: str | None
    casus_id: str | None
    doel: str | None
    doel_label: str | None
    grondslag: str | None
    toegestaan: bool
    redenen: list[str]


class ToegangslogOut(_Out):
    items: list[ToegangOut]
    volgende: str | None


class PersoonCorrectieOut(_Out):
    """What was corrected (field names); the person is read through a casus, under its
    view and masks."""

    id: str
    versie: int
    beperkt: bool
    gecorrigeerd: list[str]


class CasusCorrectieOut(_Out):
    """What was corrected (field names); the texts themselves are read through the casus,
    under its masks."""

    id: str
    versie: int
    gecorrigeerd: list[str]


class ItemCorrectieOut(_Out):
    """What was corrected (field names); the item is read through its own endpoint."""

    id: str
    casus_id: str
    versie: int
    beperkt: bool
    gecorrigeerd: list[str]


class CorrectieOut(_Out):
    id: str
    soort: Literal["persoon", "aanmelding", "item"]
    doel_id: str
    casus_id: str | None
    veld: str
    oude_waarde: Any
    nieuwe_waarde: Any
    afgeschermd: bool
    """True: the values are masked for this reader (the text's categories)."""
    reden: str
    door: str
    op: str


class BeperkingOut(_Out):
    id: str
    soort: Literal["persoon", "item"]
    doel_id: str
    casus_id: str | None
    reden: str
    door: str
    op: str
    actief: bool
    opgeheven_door: str | None
    opgeheven_op: str | None
    reden_opheffing: str | None


class HistorieOut(_Out):
    correcties: list[CorrectieOut]
    beperkingen: list[BeperkingOut]


class InzagePersoonOut(_Out):
    id: str
    voornamen: str
    achternaam: str
    roepnaam: str | None
    aliassen: list[str]
    geboortedatum: str | None
    bsn: str | None
    adres: dict[str, Any]
    bron: str
    vastgelegd_op: str | None
    beperkt: bool


class InzageAanmeldingOut(_Out):
    waarom_integraal: str | None
    problemen: dict[str, str]
    geinformeerd: bool | None
    bron: str | None


class InzageItemOut(_Out):
    id: str
    titel: str
    inhoud: str
    categorie: str
    categorie_label: str
    bron: str | None
    doel: str
    grondslag: str | None
    gedeeld: bool
    vastgelegd_op: str | None
    beperkt: bool


class InzageDocumentOut(_Out):
    id: str
    bestandsnaam: str
    omschrijving: str
    categorie: str
    categorie_label: str
    bron: str | None
    doel: str
    mediatype: str
    grootte: int
    vastgelegd_op: str


class AchtergehoudenOut(_Out):
    wat: Literal["aanmelding", "informatie-item", "document"]
    id: str
    categorie: str
    bron: str | None
    vastgelegd_op: str | None
    reden: str


class InzagePlanOut(_Out):
    versie: int
    inhoud: dict[str, Any]
    samenvatting: list[str]
    bron: str | None
    vastgelegd_op: str


class InzageMetingOut(_Out):
    instrument: str
    moment: str
    datum: str
    scores: dict[str, Any]
    bron: str | None


class InzageOverlegOut(_Out):
    overleg: str
    datum: str
    briefing: str | None
    besluiten: list[str]
    acties: dict[str, Any]
    bob: dict[str, Any]
    bron: str | None


class InzageCasusOut(_Out):
    id: str
    referentie: str
    soort: str
    fase: str
    fase_label: str
    uw_rol: Literal["hoofdpersoon", "groepslid", "gezinslid", "betrokkene"]
    uw_rol_toelichting: str
    aanmelddatum: str
    afsluitdatum: str | None
    aanmelder_organisatie: str | None
    deelnemers: list[str]
    aanmelding: InzageAanmeldingOut | None
    items: list[InzageItemOut]
    documenten: list[InzageDocumentOut] = []
    achtergehouden: list[AchtergehoudenOut]
    plannen: list[InzagePlanOut]
    metingen: list[InzageMetingOut]
    overleg: list[InzageOverlegOut]
    bewaartermijn_tot: str | None
    bewaartermijn: str


class GezinOut(_Out):
    id: str
    relatie: str
    richting: Literal["gezinslid-van-u", "u-als-gezinslid"]
    toelichting: str


class DoelOut(_Out):
    code: str
    label: str


class OntvangerOut(_Out):
    organisatie: str
    naam: str
    soort: str
    toelichting: str | None


class BewaartermijnOut(_Out):
    standaard_maanden: int
    per_reden_maanden: dict[str, int]
    toelichting: str


class InzageOut(_Out):
    verzoek_id: str
    opgesteld_op: str
    opgesteld_door: str
    verwerkingsverantwoordelijke: str
    persoon: InzagePersoonOut
    casussen: list[InzageCasusOut]
    gezin: list[GezinOut]
    doelen: list[DoelOut]
    ontvangers: list[OntvangerOut]
    toegangslog: list[ToegangOut]
    correcties: list[CorrectieOut]
    beperkingen: list[BeperkingOut]
    bewaartermijn: BewaartermijnOut
