"""The meldingen API: the caller's own in-app notifications, and marking them read."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery

from services.casework.commands import Ws
from services.casework.meldingen import service as meldingen
from services.casework.meldingen.schemas import GelezenOut, MeldingenOut, MeldingOut
from services.platform.http.openapi import BY_ID, problem_responses


class MeldingenController(Controller):
    path = "/api/v1/meldingen"
    tags = ["meldingen"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Uw meldingen (nieuwste eerst) en hoeveel er ongelezen zijn",
        responses=problem_responses(),
    )
    def index(self, ws: Ws, ongelezen: FromQuery[bool] = False) -> MeldingenOut:
        return MeldingenOut.model_validate(meldingen.list_own(ws, only_unread=ongelezen))

    @post(
        "/{melding_id:uuid}/gelezen",
        sync_to_thread=True,
        status_code=200,
        summary="Een melding als gelezen markeren",
        responses=problem_responses(*BY_ID),
    )
    def mark_read(self, ws: Ws, melding_id: FromPath[uuid.UUID]) -> MeldingOut:
        return MeldingOut.model_validate(meldingen.view(meldingen.mark_read(ws, melding_id)))

    @post(
        "/gelezen",
        sync_to_thread=True,
        status_code=200,
        summary="Al uw meldingen als gelezen markeren",
        responses=problem_responses(),
    )
    def mark_all_read(self, ws: Ws) -> GelezenOut:
        return GelezenOut(gemarkeerd=meldingen.mark_all_read(ws))
