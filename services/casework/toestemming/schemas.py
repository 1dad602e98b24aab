"""Request and response bodies of the toestemming API (the request body also of its web
form)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.platform.http.openapi import Out

Text = Annotated[str, Field(min_length=1, max_length=20_000)]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class ToestemmingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    doel: Code
    reikwijdte: Text | None = None
    ongelijke_verhouding: bool = False
    """Given while the person depends on the asker (e.g. under drang): not a valid basis."""


class ToestemmingOut(Out):
    id: str
    doel: str
    doel_label: str
    reikwijdte: str | None
    vastgelegd_door: str | None
    vastgelegd_op: str
    ingetrokken_op: str | None
    geldig: bool
    ongelijke_verhouding: bool
