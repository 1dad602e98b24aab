"""The meldingen API: the caller's own in-app notifications, and marking them read."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from services.casework.meldingen import service as meldingen
from services.casework.meldingen.schemas import GelezenOut, MeldingenOut, MeldingOut
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.platform.http.openapi import BY_ID, problem_responses
from services.platform.identity.guards import principal_of

Req = Request[Any, Any, Any]
Deps = NamedDependency[CaseworkDeps]


class MeldingenController(Controller):
    path = "/api/v1/meldingen"
    tags = ["meldingen"]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Uw meldingen (nieuwste eerst) en hoeveel er ongelezen zijn",
        responses=problem_responses(),
    )
    def index(
        self, request: Req, casework: Deps, ongelezen: FromQuery[bool] = False
    ) -> MeldingenOut:
        with workspace(casework, principal_of(request)) as ws:
            return MeldingenOut.model_validate(meldingen.list_own(ws, only_unread=ongelezen))

    @post(
        "/{melding_id:uuid}/gelezen",
        sync_to_thread=True,
        status_code=200,
        summary="Een melding als gelezen markeren",
        responses=problem_responses(*BY_ID),
    )
    def mark_read(
        self, request: Req, casework: Deps, melding_id: FromPath[uuid.UUID]
    ) -> MeldingOut:
        with workspace(casework, principal_of(request)) as ws:
            return MeldingOut.model_validate(meldingen.view(meldingen.mark_read(ws, melding_id)))

    @post(
        "/gelezen",
        sync_to_thread=True,
        status_code=200,
        summary="Al uw meldingen als gelezen markeren",
        responses=problem_responses(),
    )
    def mark_all_read(self, request: Req, casework: Deps) -> GelezenOut:
        with workspace(casework, principal_of(request)) as ws:
            return GelezenOut(gemarkeerd=meldingen.mark_all_read(ws))
