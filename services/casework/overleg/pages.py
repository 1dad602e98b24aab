"""The overleg pages: upcoming and held meetings, and one meeting with its agenda."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get
from litestar.params import FromPath
from litestar.response import Template

from services.casework.overleg import service as meetings
from services.casework.unit_of_work import workspace
from services.casework.web.shell import (
    Req,
    Web,
    guarded,
    org_names,
    person_label,
    render,
    to_login,
    user_names,
    viewer_of,
)
from services.platform.identity.authn import PUBLIC


class OverlegPagesController(Controller):
    """Overleggen: komend en gehouden, en een overleg met de agenda."""

    path = "/"
    include_in_schema = False

    @get("/overleggen", opt=PUBLIC, sync_to_thread=True)
    def meetings_index(self, request: Req, web: Web) -> Response[Any]:
        viewer = viewer_of(request, web.identity, web.sessions)
        if viewer is None:
            return to_login()

        def build() -> Template:
            with workspace(web.casework, viewer.principal) as ws:
                upcoming = meetings.list_meetings(ws, wanneer="komend")
                held = meetings.list_meetings(ws, wanneer="gehouden", limit=10)
                chairs = user_names(ws, {m["voorzitter"] for m in upcoming + held})
            return render(
                viewer,
                "overleggen.html",
                {"komend": upcoming, "gehouden": held, "voorzitters": chairs},
                doel=meetings.PURPOSE,
                active="overleggen",
            )

        return guarded(viewer, meetings.PURPOSE, build)

    @get("/overleggen/{overleg_id:uuid}", opt=PUBLIC, sync_to_thread=True)
    def meeting(
        self,
        request: Req,
        web: Web,
        overleg_id: FromPath[uuid.UUID],
    ) -> Response[Any]:
        viewer = viewer_of(request, web.identity, web.sessions)
        if viewer is None:
            return to_login()

        def build() -> Template:
            with workspace(web.casework, viewer.principal) as ws:
                _, body = meetings.meeting_view(ws, overleg_id)
                organisations = org_names(ws)
                chair = user_names(ws, {body["voorzitter"]})
            for item in body["agenda"]:
                item["naam"] = person_label(item)
            return render(
                viewer,
                "overleg.html",
                {"overleg": body, "organisaties": organisations, "voorzitters": chair},
                doel=meetings.PURPOSE,
                active="overleggen",
            )

        return guarded(viewer, meetings.PURPOSE, build)
