"""The werkvoorraad page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from litestar import Controller, Response, get
from litestar.response import Template

from services.casework.unit_of_work import workspace
from services.casework.web.shell import Req, Web, guarded, render, to_login, viewer_of
from services.casework.werkvoorraad import service as werkvoorraad
from services.platform.identity.authn import PUBLIC

DUE_KIND_LABELS: Final[Mapping[str, str]] = {
    "herijking": "Herijking",
    "positieve-afsluiting": "Positieve afsluiting",
    "toezegging-controleren": "Toezegging controleren",
    "doorbreekglas-beoordelen": "Doorbreekglas beoordelen",
    "overlegactie": "Actie uit het overleg",
}


class WerkvoorraadPagesController(Controller):
    """De werkvoorraad van de ingelogde professional."""

    path = "/"
    include_in_schema = False

    @get("/werkvoorraad", opt=PUBLIC, sync_to_thread=True)
    def work(self, request: Req, web: Web) -> Response[Any]:
        viewer = viewer_of(request, web.identity, web.sessions)
        if viewer is None:
            return to_login()

        def build() -> Template:
            with workspace(web.casework, viewer.principal) as ws:
                queue = werkvoorraad.work_queue(ws)
            return render(
                viewer,
                "werkvoorraad.html",
                {"werk": queue, "soorten": DUE_KIND_LABELS},
                doel=werkvoorraad.PURPOSE,
                active="werkvoorraad",
            )

        return guarded(viewer, werkvoorraad.PURPOSE, build)
