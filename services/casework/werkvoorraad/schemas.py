"""Request and response bodies of acting on the werkvoorraad (Dutch field names, unknown
fields refused)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Soort = Literal["planactie", "toezegging-controleren", "overlegactie"]


class WerkitemIn(BaseModel):
    """An item of the werkvoorraad, as listed (casus, soort, onderwerp, plan_versie; for an
    action from a casusoverleg ``plan_versie`` is the version of the overleg)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    casus_id: uuid.UUID
    soort: Soort
    onderwerp: Annotated[str, Field(min_length=1, max_length=64)]
    plan_versie: Annotated[int, Field(ge=1)]


class UitstelIn(WerkitemIn):
    """Postpone the item to a date after today, with a reason."""

    nieuwe_datum: dt.date
    reden: Annotated[str, Field(min_length=1, max_length=2_000)]


class WerkitemUit(BaseModel):
    """The item after the change: its status and date, and the plan version it is now in."""

    casus_id: uuid.UUID
    soort: Soort
    onderwerp: str
    status: str
    datum: dt.date
    plan_versie: int
    nieuwe_versie: bool
