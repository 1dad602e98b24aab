"""The home page (overzicht) with the counts of casussen and werkvoorraad."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from litestar import Controller, Response, get
from litestar.response import Template

from services.casework.casussen import service as svc
from services.casework.casussen.pages import (
    LIST_PURPOSE,
)
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.casework.web.shell import Req, Web, guarded, render, to_login, viewer_of
from services.casework.werkvoorraad import service as werkvoorraad
from services.platform.identity.authn import PUBLIC
from services.platform.identity.principal import Principal

#: The home page counts the casussen up to this many ("500+" beyond it).
COUNT_CAP: Final = 500


#: The home counts list the casussen and the werkvoorraad, each under its own purpose.
HOME_PURPOSES: Final = (LIST_PURPOSE, werkvoorraad.PURPOSE)


@dataclass(frozen=True)
class Counts:
    casussen: int
    casussen_meer: bool
    werkvoorraad: int
    te_laat: int


def home_counts(casework: CaseworkDeps, principal: Principal) -> Counts:
    """How many casussen the caller may see and how many werkvoorraad items are due. The
    casussen are counted by the policy's list decision per group of casussen with the same
    decision projection, audited in one aggregate row (ADR 0024); the werkvoorraad through
    its service function (decided and audited per item)."""
    with workspace(casework, principal) as ws:
        total, more = svc.count_casussen(ws, cap=COUNT_CAP)
        queue = werkvoorraad.work_queue(ws)
    return Counts(total, more, int(queue["aantal"]), int(queue["te_laat"]))


class OverzichtController(Controller):
    """Het overzicht (de startpagina met aantallen)."""

    path = "/"
    include_in_schema = False

    @get("/overzicht", opt=PUBLIC, sync_to_thread=True)
    def overview(self, request: Req, web: Web) -> Response[Any]:
        """The home page with counts (``/`` itself is served by HomeController)."""
        viewer = viewer_of(request, web.identity, web.sessions)
        if viewer is None:
            return to_login()

        def build() -> Template:
            counts = home_counts(web.casework, viewer.principal)
            return render(
                viewer, "home.html", {"counts": counts}, doel=HOME_PURPOSES, active="home"
            )

        return guarded(viewer, HOME_PURPOSES, build)
