"""Request bodies of the casework API (Dutch field names, unknown fields refused)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.casework.casussen.aanmelden import Aanmelding
from services.casework.casussen.afsluiting import Afsluiting
from services.casework.casussen.informeren import Informeren
from services.casework.personen.service import PersonInput
from services.platform.http.openapi import Out

Text = Annotated[str, Field(min_length=1, max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Adres(_In):
    straat: ShortText | None = None
    huisnummer: Annotated[str, Field(max_length=20)] | None = None
    postcode: Annotated[str, Field(pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$")] | None = None
    woonplaats: ShortText | None = None


class PersoonIn(_In):
    voornamen: ShortText
    achternaam: ShortText
    roepnaam: ShortText | None = None
    aliassen: list[ShortText] = Field(default_factory=list, max_length=20)
    geboortedatum: dt.date | None = None
    bsn: Annotated[str, Field(pattern=r"^[0-9]{8,9}$")] | None = None
    adres: Adres | None = None


class AanmeldingIn(_In):
    soort: Literal["persoon", "groep"]
    waarom_integraal: Annotated[str, Field(min_length=10, max_length=10_000)]
    problemen: dict[Code, Text] = Field(default_factory=dict)
    geinformeerd: bool
    reden_niet_geinformeerd: Text | None = None
    persoon: PersoonIn | None = None
    persoon_id: uuid.UUID | None = None
    groepsnaam: ShortText | None = None
    doelgroep: Code | None = None
    vrijwillig: bool = True
    overleg: Code | None = None
    tekst_categorieen: list[Code] = Field(default_factory=list, max_length=10)
    """Data categories of the free text outside the leefgebieden (waarom_integraal, later
    reasons and notes): the text is masked for readers to whom one of them is masked."""


class GezinslidIn(_In):
    relatie: Annotated[str, Field(pattern=r"^(ouder|broer-zus|partner|kind|huisgenoot|overig)$")]
    persoon: PersoonIn


class GezinslidEindeIn(_In):
    """A household member left the household: when (today when not given) and why."""

    datum: dt.date | None = None
    reden: Text


class UitkomstenIn(_In):
    moment: Literal["intake", "afsluiting", "nameting-12m"]
    datum: dt.date | None = None
    uitkomsten: dict[Code, bool | None]


class OvergangIn(_In):
    naar: Code
    reden: Text | None = None


class TriageIn(_In):
    criteria: list[Code] = Field(default_factory=list)
    besluit: Code
    reden: Text | None = None
    afwijking_reden: Text | None = None


class Notificatiebrief(_In):
    ondertekend_door: ShortText | None = None
    overhandigd_door: ShortText | None = None
    datum: dt.date | None = None


class Startgesprek(_In):
    datum: dt.date | None = None
    notities: Text | None = None


class InformerenIn(_In):
    notificatiebrief: Notificatiebrief | None = None
    startgesprek: Startgesprek | None = None
    geen_reactie: bool = False
    toelichting: Text | None = None


class DeelnemerIn(_In):
    organisatie: Code
    deelname: Literal["kern", "op-afroep"] = "kern"
    rol: ShortText | None = None


class RegieIn(_In):
    rol: Literal["casusregisseur", "procesregisseur", "uitvoeringscoordinator"]
    gebruiker: Code
    reden: Text | None = None


class Eindgesprek(_In):
    datum: dt.date | None = None
    notities: Text | None = None


class AfsluitingIn(_In):
    reden: Code
    toelichting: Text | None = None
    ontvangende_organisatie: Code | None = None
    eindgesprek: Eindgesprek | None = None
    afsluitbrief_datum: dt.date | None = None


class HeropenenIn(_In):
    reden: Text


class DoorbreekglasIn(_In):
    reden: Annotated[str, Field(min_length=20, max_length=2_000)]
    uren: Annotated[int, Field(ge=1, le=24)] = 4


def to_person_input(p: PersoonIn) -> PersonInput:
    """The API's person (Dutch fields) as the service layer's input."""
    return PersonInput(
        given_names=p.voornamen,
        surname=p.achternaam,
        roepnaam=p.roepnaam,
        aliases=list(p.aliassen),
        birth_date=p.geboortedatum,
        bsn=p.bsn,
        address=p.adres.model_dump(exclude_none=True) if p.adres else {},
    )


def to_aanmelding(data: AanmeldingIn) -> Aanmelding:
    """The API's aanmelding (Dutch fields) as the service layer's input."""
    return Aanmelding(
        kind=data.soort,
        waarom_integraal=data.waarom_integraal,
        problemen=dict(data.problemen),
        geinformeerd=data.geinformeerd,
        reden_niet_geinformeerd=data.reden_niet_geinformeerd,
        person=to_person_input(data.persoon) if data.persoon is not None else None,
        person_id=data.persoon_id,
        group_name=data.groepsnaam,
        doelgroep=data.doelgroep,
        vrijwillig=data.vrijwillig,
        meeting_type=data.overleg,
        text_categories=tuple(data.tekst_categorieen),
    )


def to_informeren(data: InformerenIn) -> Informeren:
    """The API's informeren (Dutch fields) as the service layer's input."""
    brief, gesprek = data.notificatiebrief, data.startgesprek
    return Informeren(
        brief_ondertekend_door=brief.ondertekend_door if brief else None,
        brief_overhandigd_door=brief.overhandigd_door if brief else None,
        brief_datum=brief.datum if brief else None,
        startgesprek_datum=gesprek.datum if gesprek else None,
        startgesprek_notities=gesprek.notities if gesprek else None,
        geen_reactie=data.geen_reactie,
        toelichting=data.toelichting,
    )


def to_afsluiting(data: AfsluitingIn) -> Afsluiting:
    """The API's afsluiting (Dutch fields) as the service layer's input."""
    talk = data.eindgesprek
    return Afsluiting(
        reden=data.reden,
        toelichting=data.toelichting,
        ontvangende_organisatie=data.ontvangende_organisatie,
        eindgesprek_datum=talk.datum if talk else None,
        eindgesprek_notities=talk.notities if talk else None,
        afsluitbrief_datum=data.afsluitbrief_datum,
    )


# ---------------------------------------------------------------------------------------------
# Responses. Views are masked per data category by the policy: a masked field is None or left
# out (``exclude_unset`` keeps it out of the JSON), and ``gemaskeerd`` names what was masked.
# ---------------------------------------------------------------------------------------------


class PersoonOut(Out):
    """A person as the reader may see them: in full, or pseudonymised (``pseudoniem``, no
    identifying fields) when the view or a mask says so."""

    id: str
    weergave: str | None
    gemaskeerd: list[str]
    leeftijdscategorie: str | None = None
    beperkt: bool | None = None
    """True when the processing of this person is restricted (art. 18 AVG): no data shown."""
    pseudoniem: str | None = None
    voornamen: str | None = None
    achternaam: str | None = None
    roepnaam: str | None = None
    aliassen: list[str] | None = None
    geboortedatum: str | None = None
    leeftijd: int | None = None
    bsn: str | None = None
    """The BSN, or only its last three digits (``******333``) when ``bsn`` is masked."""
    adres: dict[str, Any] | None = None


class CasusStatusOut(Out):
    """The casus after a change: its phase and version (also in the ETag)."""

    id: str
    referentie: str
    fase: str
    versie: int


class CasusSamenvattingOut(Out):
    id: str
    referentie: str
    tenant: str
    soort: str
    fase: str
    fase_label: str
    aangemeld_op: str
    versie: int
    weergave: str | None
    groepsnaam: str | None = None
    stap: int | None = None
    persoon: PersoonOut | None = None


class CasussenOut(Out):
    items: list[CasusSamenvattingOut]
    volgende: str | None
    """Cursor of the next page (``cursor=``), or None on the last page."""


class AanmeldingOut(BaseModel):
    """The aanmelding: problems per leefgebied (None where masked), the rest of the free
    text only when the casus's text categories are not masked."""

    model_config = ConfigDict(extra="allow")

    problemen: dict[str, str | None]
    problemen_afgeschermd: list[str]
    geinformeerd: bool | None
    waarom_integraal: str | None = None
    reden_niet_geinformeerd: str | None = None
    tekst_categorieen: list[str] | None = None


class DeelnemerOut(Out):
    organisatie: str
    deelname: str
    rol: str | None


class RegieOut(Out):
    rol: str
    gebruiker: str | None
    organisatie: str


class VolgendeFaseOut(Out):
    fase: str
    actie: str
    label: str
    vereist: list[str]


class RedenOut(Out):
    """A rule of the policy that allowed or denied."""

    code: str
    effect: str
    message: str


class CasusOut(CasusSamenvattingOut):
    doelgroep: str | None
    vrijwillig: bool
    overleg: str | None
    aanmelder_organisatie: str | None
    aanmelding: AanmeldingOut
    triage: dict[str, Any]
    informeren: dict[str, Any]
    afsluiting: dict[str, Any]
    tekst_afgeschermd: bool
    bewaartermijn_tot: str | None
    deelnemers: list[DeelnemerOut]
    regie: list[RegieOut]
    volgende_fasen: list[VolgendeFaseOut]
    gemaskeerd: list[str]
    redenen: list[RedenOut]


class TriageCriteriumOut(Out):
    id: str
    tekst: str
    voldaan: bool


class InclusieOut(Out):
    voldaan: int
    totaal: int
    minimaal: int
    opgenomen_mogelijk: bool
    label: str


class LeeftijdOut(Out):
    leeftijd: int
    binnen_grens: bool
    label: str


class DubbelingOut(Out):
    casus: str
    fase: str
    tekst: str


class TriageOut(Out):
    criteria: list[TriageCriteriumOut]
    inclusie: InclusieOut
    leeftijd: LeeftijdOut | None
    dubbelingen: list[DubbelingOut]


class DoorbreekglasOut(Out):
    id: str
    verloopt: str
    melding: str


class GezinslidAangemaaktOut(Out):
    id: str
    relatie: str


class GezinslidOut(Out):
    id: str
    """The membership (for ``.../gezinsleden/{lid_id}/beeindigen``)."""
    relatie: str
    persoon: PersoonOut
    beeindigd_op: dt.date | None = None
    """Set when the member left the household (shown as ended)."""
    reden_einde: str | None = None
    """Why; free text, left out where the casus's text is afgeschermd."""


class GezinslidBeeindigdOut(Out):
    id: str
    relatie: str
    beeindigd_op: dt.date


class GebeurtenisOut(Out):
    op: str
    soort: str
    samenvatting: str
    door: str | None


class UitkomstAangemaaktOut(Out):
    id: str
    moment: str
    datum: str


class UitkomstmetingOut(Out):
    id: str
    moment: str
    moment_label: str
    datum: str
    uitkomsten: dict[str, bool | None]
    """Per outcome: yes / no / unknown (None); masked outcomes are left out."""
    gemaskeerd: list[str]
