"""The letters on the casus page: "Notificatiebrief maken (PDF)" (phase informeren and on)
and "Afsluitbrief maken (PDF)" (after the afsluiting). A form with the login's CSRF token;
the answer is the PDF, or the casus page with the reason when the policy or the phase says no.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, post

from services.casework.brieven import service as letters
from services.casework.web.context import Viewer
from services.casework.web.kit import CasusId, Form, casus_action, submit
from services.casework.web.shell import Page, Req, Web
from services.casework.workspace import Workspace
from services.platform.identity.authn import PUBLIC


async def _letter(
    request: Req, web: Web, viewer: Viewer | None, casus_id: uuid.UUID, kind: str
) -> Response[Any]:
    def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
        made: list[letters.Letter] = []

        def perform(ws: Workspace) -> str:
            made.append(letters.make_letter(ws, casus_id, kind))
            return "brief-gemaakt"

        answer = casus_action(viewer, web, casus_id, token, f"brief:{kind}", form, perform)
        if not made:
            return answer
        letter = made[0]
        return Response(
            letter.pdf,
            media_type="application/pdf",
            status_code=200,
            headers={
                "Content-Disposition": f'attachment; filename="{letter.filename}"',
                "Cache-Control": "no-store",
            },
        )

    return await submit(request, web, viewer, work)


class BrievenPagesController(Controller):
    """Brieven maken vanaf de casuspagina."""

    path = "/"
    include_in_schema = False

    @post("/casussen/{casus_id:uuid}/brieven/notificatiebrief", opt=PUBLIC, status_code=200)
    async def notificatiebrief(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _letter(request, web, viewer, casus_id, "notificatiebrief")

    @post("/casussen/{casus_id:uuid}/brieven/afsluitbrief", opt=PUBLIC, status_code=200)
    async def afsluitbrief(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _letter(request, web, viewer, casus_id, "afsluitbrief")


def letter_buttons(
    ws: Workspace, casus_state: str, kind_of_casus: str, detail: dict[str, Any]
) -> list[dict[str, str]]:
    """The letter buttons the casus page shows: to the regie (the casusregisseur informs the
    person), in the states the letter belongs to, when the casus is seen in full. The policy
    decides again when the button is pressed."""
    if kind_of_casus != "persoon" or detail.get("weergave") != "full":
        return []
    me = ws.principal.user_id
    regie = any(r.get("gebruiker") == me for r in detail.get("regie", []))
    if not (regie or "casusregisseur" in ws.principal.roles):
        return []
    return [
        {
            "soort": kind,
            "label": f"{letters.TITLES[kind]} maken (PDF)",
            "actie": f"/casussen/{detail['id']}/brieven/{kind}",
        }
        for kind in letters.PURPOSES
        if casus_state in letters.STATES[kind]
    ]
