"""Request bodies of the plan van aanpak, zelfredzaamheid and werkvoorraad endpoints
(Dutch field names, unknown fields refused). Domain rules (leefgebied of the tenant's
instrument, known organisations, scores per domain) are checked by the service layer."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    # Values are checked per domain by the service (1-5, every domain of the instrument),
    # so that the error names the domain.
    scores: Annotated[dict[Code, Any], Field(min_length=1, max_length=50)]


class BeoordelingIn(_In):
    oordeel: Literal["terecht", "onterecht"]
    toelichting: Text
