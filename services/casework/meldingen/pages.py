"""The meldingen page: the user's own notifications, newest first, each marked read with a
form (POST with the CSRF token; the same service functions as the API)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.casework.errors import NotFound
from services.casework.meldingen import service as meldingen
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import Form, submit
from services.casework.web.shell import (
    Page,
    Req,
    Web,
    form_token,
    guarded,
    not_found,
    render,
    to_login,
)
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from services.platform.policy import PolicyEngineUnavailable


def meldingen_page(viewer: Viewer, token: str, *, melding: str | None = None) -> Template:
    own = meldingen.list_own(viewer.ws)
    return render(
        viewer,
        "meldingen.html",
        {
            "m": own,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": formstate.melding(melding),
        },
        doel=None,
        active="meldingen",
    )


def _marked(viewer: Viewer, melding_id: uuid.UUID | None) -> Response[Any]:
    try:
        with viewer.attempt() as ws:
            if melding_id is None:
                meldingen.mark_all_read(ws)
            else:
                meldingen.mark_read(ws, melding_id)
    except NotFound:
        return not_found(viewer, None)
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=None, status=503)
    code = "meldingen-gelezen" if melding_id is None else "melding-gelezen"
    return Redirect(f"/meldingen?melding={code}", status_code=303)


class MeldingenPagesController(Controller):
    """Meldingen van de ingelogde gebruiker."""

    path = "/"
    include_in_schema = False

    @get("/meldingen", opt=PUBLIC, sync_to_thread=True)
    def index(
        self, request: Req, web: Web, viewer: Page, melding: FromQuery[str | None] = None
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = form_token(request, web.csrf)
        return guarded(viewer, None, lambda: meldingen_page(viewer, token, melding=melding))

    @post("/meldingen/{melding_id:uuid}/gelezen", opt=PUBLIC, status_code=303)
    async def mark_read(
        self, request: Req, web: Web, viewer: Page, melding_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        def work(viewer: Viewer, posted: Form, token: str) -> Response[Any]:
            return _marked(viewer, melding_id)

        return await submit(request, web, viewer, work)

    @post("/meldingen/gelezen", opt=PUBLIC, status_code=303)
    async def mark_all_read(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, posted: Form, token: str) -> Response[Any]:
            return _marked(viewer, None)

        return await submit(request, web, viewer, work)
