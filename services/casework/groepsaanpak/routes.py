"""Group approach (jeugdgroepen, 7 steps): namenlijst (leden) and signals on group level.

The group casus itself is made with ``POST /api/v1/casussen`` (soort ``groep``) and moved
with ``POST /api/v1/casussen/{casus_id}/overgang``; the uitvoeringscoördinator is appointed
with ``PUT /api/v1/casussen/{casus_id}/regie``; the concept plan and the integral plan are
the plan van aanpak (``PUT /api/v1/casussen/{casus_id}/plan``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from services.casework.casussen.schemas import Code, PersoonIn, ShortText, to_person_input
from services.casework.commands import Ws
from services.casework.groepsaanpak import service as svc
from services.casework.groepsaanpak.schemas import (
    GroepslidOut,
    GroepslidVerwijderdOut,
    NamenlijstOut,
    SignaalAangemaaktOut,
    SignaalOut,
)
from services.platform.http.openapi import BY_ID, WITH_BODY, problem_responses

CasusId = FromPath[uuid.UUID]

ETAG = {"etag": True}
READ = problem_responses(*BY_ID, 409)
WRITE = problem_responses(*BY_ID, 409, *WITH_BODY)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LidIn(_In):
    rol: Code
    persoon: PersoonIn | None = None
    persoon_id: uuid.UUID | None = None
    persoon_casus_id: uuid.UUID | None = None


class VerwijderIn(_In):
    reden: Annotated[str, Field(min_length=3, max_length=2_000)]


class SignaalIn(_In):
    tekst: Annotated[str, Field(min_length=5, max_length=2_000)]
    waargenomen_op: dt.date | None = None
    locatie: ShortText | None = None


class GroepenController(Controller):
    path = "/api/v1/casussen"
    tags = ["groepsaanpak"]  # noqa: RUF012

    @post(
        "/{casus_id:uuid}/leden",
        sync_to_thread=True,
        status_code=201,
        summary="Groepslid op de namenlijst (vanaf stap 2, met uitvoeringscoördinator)",
        opt={
            "voorbeeld": {
                "rol": "kern",
                "persoon": {"voornamen": "Voorbeeld", "achternaam": "Groepslid"},
            }
        },
        responses=WRITE,
    )
    def add_member(self, ws: Ws, casus_id: CasusId, data: JSONBody[LidIn]) -> GroepslidOut:
        person = to_person_input(data.persoon) if data.persoon is not None else None
        view = svc.add_member(
            ws,
            casus_id,
            svc.MemberInput(
                role=data.rol,
                person=person,
                person_id=data.persoon_id,
                person_casus_id=data.persoon_casus_id,
            ),
        )
        return GroepslidOut.model_validate(view)

    @get(
        "/{casus_id:uuid}/leden",
        sync_to_thread=True,
        summary="Namenlijst van de groep",
        responses=READ,
    )
    def members(
        self,
        ws: Ws,
        casus_id: CasusId,
        ook_verwijderd: FromQuery[bool] = False,
    ) -> NamenlijstOut:
        return NamenlijstOut.model_validate(
            svc.list_members(ws, casus_id, include_ended=ook_verwijderd)
        )

    @post(
        "/{casus_id:uuid}/leden/{persoon_id:uuid}/verwijderen",
        sync_to_thread=True,
        status_code=200,
        summary="Groepslid van de namenlijst halen (blijft vastgelegd met reden)",
        opt={"voorbeeld": {"reden": "Hoort niet (meer) bij de groep."}},
        responses=WRITE,
    )
    def remove_member(
        self,
        ws: Ws,
        casus_id: CasusId,
        persoon_id: FromPath[uuid.UUID],
        data: JSONBody[VerwijderIn],
    ) -> GroepslidVerwijderdOut:
        svc.remove_member(ws, casus_id, persoon_id, data.reden)
        return GroepslidVerwijderdOut(persoon_id=str(persoon_id), verwijderd=True)

    @post(
        "/{casus_id:uuid}/signalen",
        sync_to_thread=True,
        status_code=201,
        summary="Signaal over groepsgedrag (alleen groepsniveau, geen persoonsgegevens)",
        opt={
            "voorbeeld": {
                "tekst": "Groep van ongeveer tien jongeren veroorzaakt 's avonds overlast.",
                "locatie": "Winkelcentrum",
            }
        },
        responses=WRITE,
    )
    def add_signal(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[SignaalIn]
    ) -> SignaalAangemaaktOut:
        view = svc.add_signal(
            ws,
            casus_id,
            svc.SignalInput(
                text=data.tekst,
                observed_on=data.waargenomen_op,
                location=data.locatie,
            ),
        )
        return SignaalAangemaaktOut.model_validate(view)

    @get(
        "/{casus_id:uuid}/signalen",
        sync_to_thread=True,
        summary="Signalen over de groep",
        responses=READ,
    )
    def signals(self, ws: Ws, casus_id: CasusId) -> list[SignaalOut]:
        return [SignaalOut.model_validate(s) for s in svc.list_signals(ws, casus_id)]
