"""Request bodies for the content of group steps 3-7 (Dutch field names, unknown fields
refused). The web forms validate with the same models (``schema_forms.parse_form``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.casework.plan.schemas import PlanOut

LongText = Annotated[str, Field(min_length=1, max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Spoor = Literal["zorg", "strafrechtelijk", "bestuurlijk"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IntegraalBeeldIn(_In):
    """Step 3: what the partners together know of the group (may name members)."""

    tekst: LongText


class VoorleggingIn(_In):
    """Step 4: the anonymised summary of beeld and plan for the driehoek (no person data)."""

    tekst: LongText


class AdviesIn(_In):
    """Step 4: the driehoek's advice and priority, recorded by the regie (no person data)."""

    advies: LongText
    prioriteit: Literal["hoog", "middel", "laag"]
    besproken_op: dt.date | None = None


class NulmetingIn(_In):
    """Step 5: the baseline of one spoor (e.g. "overlastmeldingen per maand": 14)."""

    spoor: Spoor
    indicator: ShortText
    waarde: ShortText
    gemeten_op: dt.date | None = None
    bron: ShortText | None = None


class VoortgangIn(_In):
    """Step 6: what was done and how the group responds (monitoring)."""

    tekst: LongText
    spoor: Spoor | None = None
    datum: dt.date | None = None


class EvaluatieIn(_In):
    """Step 7: the conclusion, and the nameting for every spoor of the nulmeting."""

    conclusie: LongText
    nameting: dict[Spoor, ShortText] = Field(default_factory=dict)
    vervolg: LongText | None = None


class InterventieIn(_In):
    """Step 5: one intervention in the group plan, per spoor (added to the plan van aanpak)."""

    spoor: Spoor
    omschrijving: LongText
    organisatie: Annotated[str, Field(max_length=64)] | None = None


class ConceptdoelIn(_In):
    """Step 3: a goal of the concept plan (a new plan version through the plan service)."""

    leefgebied: Annotated[str, Field(min_length=1, max_length=64)]
    probleem: LongText
    doel: LongText
    eindcriterium: LongText | None = None


#: Part code (as in the URL, with a hyphen) -> (part name, request model).
PARTS: dict[str, tuple[str, type[_In]]] = {
    "integraal-beeld": ("integraal_beeld", IntegraalBeeldIn),
    "voorlegging": ("voorlegging", VoorleggingIn),
    "advies": ("advies", AdviesIn),
    "nulmeting": ("nulmeting", NulmetingIn),
    "voortgang": ("voortgang", VoortgangIn),
    "evaluatie": ("evaluatie", EvaluatieIn),
}


# ---------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------


class GroepsonderdeelOut(BaseModel):
    """One recorded part of a step. Who wrote it only in the full view; its texts (``tekst``,
    ``advies``, ``indicator``, ``waarde``, ``conclusie``, ``nameting``, ...) only when the
    casus's text categories are not masked for the reader: they are then present as keys."""

    model_config = ConfigDict(extra="allow")

    op: str | None = None
    stap: int | None = None
    door: str | None = None
    tekst: str | None = None
    prioriteit: str | None = None
    prioriteit_label: str | None = None
    spoor: str | None = None
    spoor_label: str | None = None


class GroepsplanFeitenOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    aanwezig: bool
    sporen: list[str]


class GroepsstappenOut(BaseModel):
    """The content of steps 3-7 of a group casus as the reader may see it, and what is
    still missing before the next step."""

    model_config = ConfigDict(extra="forbid")

    casus_id: str
    stap: int | None
    stap_naam: str | None
    weergave: str | None
    tekst_afgeschermd: bool
    integraal_beeld: GroepsonderdeelOut | None
    voorlegging: GroepsonderdeelOut | None
    advies: GroepsonderdeelOut | None
    nulmeting: dict[str, GroepsonderdeelOut]
    voortgang: list[GroepsonderdeelOut]
    evaluatie: GroepsonderdeelOut | None
    plan: GroepsplanFeitenOut
    ontbreekt_voor_volgende_stap: list[str]
    onderdelen_nu: list[str]


class DriehoekAdviesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    advies: str | None = None
    prioriteit: str | None = None
    prioriteit_label: str | None = None
    besproken_op: str | None = None


class DriehoekOut(BaseModel):
    """What the driehoek sees of a group: always anonymised."""

    model_config = ConfigDict(extra="forbid")

    casus_id: str
    referentie: str
    stap: int | None
    weergave: str
    plan: PlanOut | None
    voorlegging: str | None
    advies: DriehoekAdviesOut | None
