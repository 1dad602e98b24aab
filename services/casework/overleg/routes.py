"""Casusoverleg: meetings, agenda with a briefing per casus, the per-participant view and
the minutes (BOB, decisions, actions)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from services.casework.casussen.schemas import Code, ShortText, Text
from services.casework.commands import Ws, command, created, tagged
from services.casework.overleg import service as svc
from services.casework.overleg.schemas import (
    AgendapuntToegevoegdOut,
    OverleggenOut,
    OverlegOut,
    OverlegStatusOut,
)
from services.platform.db.models import Meeting
from services.platform.http.openapi import BY_ID, VERSIONED, WITH_BODY, problem_responses
from services.platform.identity.guards import require_roles

Req = Request[Any, Any, Any]
OverlegId = FromPath[uuid.UUID]

ETAG = {"etag": True}
CHAIR_ROLES = ("pga-expert", "procesregisseur")
chair_only = require_roles(*CHAIR_ROLES)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AgendapuntIn(_In):
    casus_id: uuid.UUID
    briefing: Text | None = None


class OverlegIn(_In):
    type: Code
    datum_tijd: dt.datetime
    voorzitter: Code | None = None
    plaats: ShortText | None = None
    agenda: list[AgendapuntIn] = Field(default_factory=list, max_length=50)


class ActieIn(_In):
    omschrijving: Text
    eigenaar_organisatie: Code
    eigenaar_gebruiker: Code | None = None
    deadline: dt.date


class VerslagpuntIn(_In):
    casus_id: uuid.UUID
    beeldvorming: Text | None = None
    oordeelsvorming: Text | None = None
    besluitvorming: Text
    besluiten: list[ShortText] = Field(default_factory=list, max_length=20)
    acties: list[ActieIn] = Field(default_factory=list, max_length=30)


class VerslagIn(_In):
    agendapunten: Annotated[list[VerslagpuntIn], Field(min_length=1, max_length=50)]
    aanwezig: list[Code] = Field(default_factory=list, max_length=50)


def to_minutes(data: VerslagIn) -> svc.Minutes:
    """The verslag as the service takes it (the API and the verslag form)."""
    return svc.Minutes(
        items=[
            svc.MinutesItem(
                casus_id=p.casus_id,
                besluitvorming=p.besluitvorming,
                beeldvorming=p.beeldvorming,
                oordeelsvorming=p.oordeelsvorming,
                decisions=list(p.besluiten),
                actions=[
                    svc.ActionInput(
                        description=a.omschrijving,
                        owner_organisation=a.eigenaar_organisatie,
                        owner_user=a.eigenaar_gebruiker,
                        deadline=a.deadline,
                    )
                    for a in p.acties
                ],
            )
            for p in data.agendapunten
        ],
        present=list(data.aanwezig),
    )


EXAMPLE_CASUS = "00000000-0000-4000-8000-000000000000"


def _meeting(meeting: Meeting) -> OverlegStatusOut:
    return OverlegStatusOut(
        id=str(meeting.id),
        type=meeting.meeting_type_id,
        datum_tijd=meeting.scheduled_for.isoformat(),
        plaats=meeting.minutes.get("plaats"),
        voorzitter=meeting.chair_user_id,
        status=meeting.status,
        versie=meeting.version,
    )


class OverleggenController(Controller):
    path = "/api/v1/overleggen"
    tags = ["overleggen"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Komende en gehouden overleggen",
        responses=problem_responses(),
    )
    def index(
        self,
        ws: Ws,
        wanneer: FromQuery[str | None] = None,
        type: FromQuery[str | None] = None,
    ) -> OverleggenOut:
        return OverleggenOut.model_validate(
            {"items": svc.list_meetings(ws, wanneer=wanneer, type_id=type)}
        )

    @post(
        "/",
        sync_to_thread=True,
        guards=[chair_only],
        summary="Overleg plannen (voorzitter: PGA-expert / procesregisseur)",
        opt={
            "voorbeeld": {
                "type": "pga-kernteam",
                "datum_tijd": "2026-12-01T09:30:00+01:00",
                "plaats": "Gemeentehuis, kamer 2.14",
                "agenda": [{"casus_id": EXAMPLE_CASUS, "briefing": "Stand van zaken."}],
            }
        },
        responses=problem_responses(*BY_ID, 409, *WITH_BODY),
    )
    def create(self, ws: Ws, data: JSONBody[OverlegIn]) -> Response[OverlegStatusOut]:
        meeting = svc.create_meeting(
            ws,
            data.type,
            data.datum_tijd,
            data.voorzitter,
            [svc.AgendaInput(a.casus_id, a.briefing) for a in data.agenda],
            place=data.plaats,
        )
        return created(ws, meeting, _meeting(meeting), f"{self.path}/{meeting.id}")

    @get(
        "/{overleg_id:uuid}",
        sync_to_thread=True,
        summary="Overleg met de agendapunten waaraan uw organisatie deelneemt",
        responses=problem_responses(*BY_ID),
    )
    def show(self, ws: Ws, overleg_id: OverlegId) -> Response[OverlegOut]:
        meeting, body = svc.meeting_view(ws, overleg_id)
        return tagged(OverlegOut.model_validate(body), meeting.version)

    @post(
        "/{overleg_id:uuid}/agenda",
        sync_to_thread=True,
        guards=[chair_only],
        status_code=201,
        summary="Casus agenderen met een briefing",
        opt={"voorbeeld": {"casus_id": EXAMPLE_CASUS, "briefing": "Nieuwe meldingen."}},
        responses=problem_responses(*BY_ID, 409, *WITH_BODY),
    )
    def add_item(
        self, ws: Ws, overleg_id: OverlegId, data: JSONBody[AgendapuntIn]
    ) -> Response[AgendapuntToegevoegdOut]:
        meeting, item = svc.add_to_agenda(
            ws, overleg_id, svc.AgendaInput(data.casus_id, data.briefing)
        )
        ws.session.flush()
        return tagged(
            AgendapuntToegevoegdOut(
                overleg_id=str(overleg_id),
                casus_id=str(item.casus_id),
                positie=item.position,
                versie=meeting.version,
            ),
            meeting.version,
            status=201,
        )

    @put(
        "/{overleg_id:uuid}/verslag",
        sync_to_thread=True,
        guards=[chair_only],
        summary="Verslag vastleggen (BOB, besluiten, acties); het overleg is dan gehouden",
        opt={
            **ETAG,
            "voorbeeld": {
                "agendapunten": [
                    {
                        "casus_id": EXAMPLE_CASUS,
                        "beeldvorming": "Beeld compleet.",
                        "oordeelsvorming": "Integrale aanpak nodig.",
                        "besluitvorming": "Integrale aanpak zorg en veiligheid.",
                        "besluiten": ["Integrale aanpak."],
                        "acties": [],
                    }
                ],
                "aanwezig": [],
            },
        },
        responses=problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
    )
    def minutes(
        self, request: Req, ws: Ws, overleg_id: OverlegId, data: JSONBody[VerslagIn]
    ) -> Response[OverlegStatusOut]:
        return command(
            request,
            ws,
            lambda expected: svc.record_minutes(ws, overleg_id, expected, to_minutes(data)),
            _meeting,
        )
