"""The home page (overzicht) with the counts of casussen and werkvoorraad."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from litestar import Controller, Response, get
from litestar.response import Template

from services.casework.casussen import zichtbaar
from services.casework.casussen.pages import (
    LIST_PURPOSE,
)
from services.casework.web.shell import Page, Req, Web, guarded, render, to_login
from services.casework.werkvoorraad import service as werkvoorraad
from services.casework.workspace import Workspace
from services.platform.identity.authn import PUBLIC

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


def home_counts(ws: Workspace) -> Counts:
    """How many casussen the caller may see and how many werkvoorraad items are due. The
    casussen are counted by the policy's list decision per group of casussen with the same
    decision projection, audited in one aggregate row (ADR 0026); the werkvoorraad items the
    same way, from the due dates alone (:func:`werkvoorraad.due_counts`: no casus is read,
    one aggregate audit row)."""
    total, more = zichtbaar.count_casussen(ws, cap=COUNT_CAP)
    due, overdue = werkvoorraad.due_counts(ws)
    return Counts(total, more, due, overdue)


class OverzichtController(Controller):
    """Het overzicht (de startpagina met aantallen)."""

    path = "/"
    include_in_schema = False

    @get("/overzicht", opt=PUBLIC, sync_to_thread=True)
    def overview(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        """The home page with counts (``/`` itself is served by HomeController)."""
        if viewer is None:
            return to_login()

        def build() -> Template:
            with viewer.reading() as ws:
                counts = home_counts(ws)
            return render(
                viewer, "home.html", {"counts": counts}, doel=HOME_PURPOSES, active="home"
            )

        return guarded(viewer, HOME_PURPOSES, build)
