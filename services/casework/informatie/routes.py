"""Information items (informatie) on a casus; consent is in
:mod:`services.casework.toestemming.routes`.

Sharing goes through the checklist gegevensdeling; the policy names every missing part.
If-Match is optional on the item actions (delen, achterhouden, vrijgeven): when sent it must
name the item's current version (412 otherwise).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field

from services.casework.commands import Req, Ws, command, created, tagged
from services.casework.informatie import delen, items, toevoegen
from services.casework.informatie.checklist import Checklist
from services.casework.informatie.schemas import (
    InformatieItemOut,
    InformatieLijstOut,
    InformatieStatusOut,
)
from services.platform.db.models import InformationItem
from services.platform.http.openapi import BY_ID, VERSIONED, WITH_BODY, problem_responses

CasusId = FromPath[uuid.UUID]
ItemId = FromPath[uuid.UUID]

Text = Annotated[str, Field(min_length=1, max_length=20_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChecklistIn(_In):
    """De checklist gegevensdeling."""

    doel: Code | None = None
    grondslag: Code | None = None
    art9_uitzondering: Code | None = None
    beroepsgeheim_grond: Code | None = None
    noodzaak: Text | None = None
    persoon_geinformeerd: bool | None = None
    reden_niet_geinformeerd: Text | None = None

    def checklist(self) -> Checklist:
        return Checklist(
            purpose=self.doel,
            legal_basis=self.grondslag,
            art9_exception=self.art9_uitzondering,
            beroepsgeheim_ground=self.beroepsgeheim_grond,
            necessity=self.noodzaak,
            person_informed=self.persoon_geinformeerd,
            not_informed_reason=self.reden_niet_geinformeerd,
        )


class InformatieIn(ChecklistIn):
    categorie: Code
    titel: ShortText
    inhoud: Text
    doel: Code
    over_persoon_id: uuid.UUID | None = None


class DelenIn(ChecklistIn):
    pass


EXAMPLE_ITEM = {
    "categorie": "algemeen",
    "titel": "Afspraak met woningcorporatie",
    "inhoud": "Er is een gesprek gepland over de huurachterstand.",
    "doel": "casusoverleg",
    "grondslag": "publieke-taak",
}

EXAMPLE_SHARE = {
    "doel": "casusoverleg",
    "grondslag": "publieke-taak",
    "noodzaak": "Zonder deze informatie kan het overleg geen passende aanpak kiezen.",
    "persoon_geinformeerd": True,
}


READ = problem_responses(*BY_ID)
WRITE = problem_responses(*BY_ID, 409, *WITH_BODY)
#: Item actions: If-Match is optional, but a stale one is refused (412).
ITEM_ACTION = problem_responses(*BY_ID, *WITH_BODY, *VERSIONED)


def _state(item: InformationItem) -> InformatieStatusOut:
    return InformatieStatusOut(
        id=str(item.id),
        categorie=item.category,
        gedeeld=item.shared,
        gedeeld_op=item.shared_at.isoformat() if item.shared_at else None,
        achtergehouden=item.withheld,
        doel=item.purpose,
        grondslag=item.legal_basis,
        versie=item.version,
    )


def _source_action(
    request: Req, ws: Ws, casus_id: uuid.UUID, item_id: uuid.UUID, *, withhold: bool
) -> Response[InformatieStatusOut]:
    """Achterhouden or vrijgeven by the source."""
    change = delen.withhold_item if withhold else delen.release_item
    return command(request, ws, lambda expected: change(ws, casus_id, item_id, expected), _state)


class InformatieController(Controller):
    path = "/api/v1/casussen/{casus_id:uuid}/informatie"
    tags = ["informatie"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Informatie-items van de casus die u mag zien",
        responses=READ,
    )
    def index(
        self,
        ws: Ws,
        casus_id: CasusId,
        doel: FromQuery[str | None] = None,
        over_persoon_id: FromQuery[uuid.UUID | None] = None,
    ) -> InformatieLijstOut:
        listed = items.list_items(ws, casus_id, doel, over_persoon_id)
        return InformatieLijstOut.model_validate(
            {"items": listed.items, "niet_zichtbaar": listed.hidden, "melding": listed.notice}
        )

    @post(
        "/",
        sync_to_thread=True,
        summary="Informatie toevoegen (uw organisatie is de bron; nog niet gedeeld)",
        opt={"voorbeeld": EXAMPLE_ITEM},
        responses=WRITE,
    )
    def create(
        self, ws: Ws, casus_id: CasusId, data: JSONBody[InformatieIn]
    ) -> Response[InformatieItemOut]:
        item, decision = toevoegen.create_item(
            ws,
            casus_id,
            toevoegen.ItemInput(
                category=data.categorie,
                title=data.titel,
                body=data.inhoud,
                checklist=data.checklist(),
                about_person_id=data.over_persoon_id,
            ),
        )
        return created(
            ws,
            item,
            InformatieItemOut.model_validate(items.item_view(ws, item, decision)),
            f"/api/v1/casussen/{casus_id}/informatie/{item.id}",
        )

    @get(
        "/{item_id:uuid}",
        sync_to_thread=True,
        summary="Informatie-item inzien (met doel)",
        responses=READ,
    )
    def show(
        self,
        ws: Ws,
        casus_id: CasusId,
        item_id: ItemId,
        doel: FromQuery[str | None] = None,
    ) -> Response[InformatieItemOut]:
        item, decision = items.read_item(ws, casus_id, item_id, doel)
        return tagged(
            InformatieItemOut.model_validate(items.item_view(ws, item, decision)),
            item.version,
        )

    @post(
        "/{item_id:uuid}/delen",
        sync_to_thread=True,
        status_code=200,
        summary="Delen met de deelnemers via de checklist gegevensdeling",
        opt={"voorbeeld": EXAMPLE_SHARE},
        responses=ITEM_ACTION,
    )
    def share(
        self,
        request: Req,
        ws: Ws,
        casus_id: CasusId,
        item_id: ItemId,
        data: JSONBody[DelenIn],
    ) -> Response[InformatieStatusOut]:
        return command(
            request,
            ws,
            lambda expected: delen.share_item(ws, casus_id, item_id, data.checklist(), expected),
            _state,
        )

    @post(
        "/{item_id:uuid}/achterhouden",
        sync_to_thread=True,
        status_code=200,
        summary="Achterhouden (alleen de bron, bijv. lopend onderzoek)",
        opt={"voorbeeld": {}},
        responses=ITEM_ACTION,
    )
    def withhold(
        self, request: Req, ws: Ws, casus_id: CasusId, item_id: ItemId
    ) -> Response[InformatieStatusOut]:
        return _source_action(request, ws, casus_id, item_id, withhold=True)

    @post(
        "/{item_id:uuid}/vrijgeven",
        sync_to_thread=True,
        status_code=200,
        summary="Vrijgeven (alleen de bron)",
        opt={"voorbeeld": {}},
        responses=ITEM_ACTION,
    )
    def release(
        self, request: Req, ws: Ws, casus_id: CasusId, item_id: ItemId
    ) -> Response[InformatieStatusOut]:
        return _source_action(request, ws, casus_id, item_id, withhold=False)
