"""Search in the JSON API: ``POST /api/v1/casussen/zoeken`` (a POST, so a BSN or a name
never lands in a URL, a proxy log or the browser history). Same policy as the list; see
:mod:`services.casework.casussen.zoeken`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, post
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from services.casework.casussen import zoeken
from services.casework.commands import Ws
from services.casework.web.shell import person_label
from services.platform.http.openapi import WITH_BODY, problem_responses


class ZoekIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    zoekterm: Annotated[str, Field(min_length=1, max_length=zoeken.MAX_TERM)] | None = None
    """Naam, alias, geboortedatum (dd-mm-jjjj of jjjj-mm-dd), referentie of BSN. Zonder
    zoekterm: de lijst met filters en sortering, per pagina (``cursor``)."""
    fase: Annotated[str, Field(max_length=32)] | None = None
    soort: Literal["persoon", "groep"] | None = None
    regisseur: Annotated[str, Field(max_length=64)] | None = None
    van: dt.date | None = None
    tot: dt.date | None = None
    sortering: Literal["nieuwste", "oudste", "fase", "referentie"] = "nieuwste"
    limiet: Annotated[int, Field(ge=1, le=50)] = 25
    cursor: Annotated[str, Field(max_length=16)] | None = None
    doel: Annotated[str, Field(max_length=32)] | None = None
    """Doelbinding van de zoekvraag (standaard: casusoverleg, als de lijst). Zoeken op BSN
    vraagt een doel waarvoor het BSN nodig is (aanmelding, triage, informeren)."""


class ZoekTreffer(BaseModel):
    id: str
    referentie: str
    soort: Literal["persoon", "groep"]
    fase: str
    fase_label: str
    aangemeld_op: dt.date
    weergave: str | None
    naam: str
    """Naam, pseudoniem of groepsnaam: wat het beleid u laat zien."""
    gevonden_op: list[str]
    """Waarop de casus is gevonden, alleen wat u mag zien (referentie, naam, alias, ...)."""


class ZoekResultaat(BaseModel):
    zoekterm_soort: Literal["bsn", "geboortedatum", "tekst"] | None
    zoekterm_uitleg: str
    treffers: list[ZoekTreffer]
    meer: bool
    """Er zijn meer treffers dan getoond: verfijn de zoekopdracht (of volg ``volgende``)."""
    volgende: str | None = None
    """Zonder zoekterm: de cursor van de volgende pagina."""


def search(ws: Any, data: ZoekIn) -> ZoekResultaat:
    term = zoeken.read_term(ws, data.zoekterm) if data.zoekterm is not None else None
    filters = zoeken.Filters(
        fase=data.fase,
        soort=data.soort,
        regisseur=data.regisseur,
        van=data.van,
        tot=data.tot,
        sortering=data.sortering,
    )
    if term is not None:
        purpose = zoeken.check_purpose(ws, term, data.doel)
        page = zoeken.find(ws, filters, term, limit=data.limiet, purpose=purpose)
        explained = f"Gezocht op {zoeken.ZOEKSOORTEN[term.soort]}."
    else:
        ws.context(data.doel)  # an unknown purpose is bad input (422)
        page = zoeken.find(
            ws, filters, None, limit=data.limiet, cursor=data.cursor, purpose=data.doel
        )
        explained = "Geen zoekterm: de lijst met de gekozen filters en sortering."
    return ZoekResultaat(
        zoekterm_soort=term.soort if term is not None else None,
        zoekterm_uitleg=explained,
        treffers=[
            ZoekTreffer(
                id=item["id"],
                referentie=item["referentie"],
                soort=item["soort"],
                fase=item["fase"],
                fase_label=item["fase_label"],
                aangemeld_op=dt.date.fromisoformat(item["aangemeld_op"]),
                weergave=item["weergave"],
                naam=person_label(item),
                gevonden_op=item.get("gevonden_op", []),
            )
            for item in page.items
        ],
        meer=page.next_cursor is not None,
        volgende=page.next_cursor if term is None else None,
    )


class ZoekenController(Controller):
    path = "/api/v1/casussen/zoeken"
    tags = ["casussen"]  # noqa: RUF012

    @post(
        "/",
        sync_to_thread=True,
        status_code=200,
        summary="Zoeken (naam, alias, geboortedatum, referentie, BSN) en filteren, als de lijst",
        responses=problem_responses(*WITH_BODY),
        opt={"voorbeeld": {"zoekterm": "Voorbeeld"}},
    )
    def search(self, ws: Ws, data: JSONBody[ZoekIn]) -> ZoekResultaat:
        return search(ws, data)
