"""Doorbreekglas (urgent access) in the browser: offered on the refusal page of a casus to
someone who does casework but has no regular basis; a written reason (at least 20
characters) and a time limit (at most 24 hours). Always audited and reviewed afterwards by
the PGA-expert (werkvoorraad). Same service function and request model as the API."""

from __future__ import annotations

import uuid
from typing import Any, Final

from litestar import Controller, Response, post
from litestar.response import Redirect, Template

from services.casework.casussen import deelnemers, doorbreekglas, weergave
from services.casework.casussen.schemas import DoorbreekglasIn
from services.casework.web import formstate
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.kit import CasusId, Form, submit
from services.casework.web.page_forms import run_form
from services.casework.web.schema_forms import parse_form
from services.casework.web.shell import PHASE_PURPOSE, Page, Req, Web, reasons, render
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC

HOURS: Final = {str(h): f"{h} uur" for h in (1, 2, 4, 8, 12, 24)}
DEFAULT_HOURS: Final = "4"
FORM: Final = "doorbreekglas"
FIELDS: Final = frozenset({"reden", "uren"})


def applies(viewer: Viewer, error: AccessDenied) -> bool:
    """Offer doorbreekglas for a refused read of a casus of the viewer's own gemeente by
    someone who does casework (policies/codes.rego; the policy decides again, and records
    it)."""
    codes = error.decision.codes
    return (
        error.action == "read"
        and "tenant-anders" not in codes
        and "tenant-onbekend" not in codes
        and viewer.principal.has_role(*deelnemers.CASEWORK_ROLES)
    )


def refused_page(
    viewer: Viewer,
    casus_id: uuid.UUID,
    redenen: list[dict[str, str]],
    *,
    token: str,
    state: formstate.FormState | None = None,
    status: int = 403,
) -> Template:
    """The refusal page with the doorbreekglas form."""
    return render(
        viewer,
        "geweigerd.html",
        {
            "redenen": redenen,
            "actie": "read",
            "doorbreekglas": {"casus_id": str(casus_id), "uren": HOURS, "standaard": DEFAULT_HOURS},
            "f": formstate.FormView(state),
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
        },
        doel=PHASE_PURPOSE,
        status=status,
    )


def offer_on_refusal(
    viewer: Viewer, casus_id: uuid.UUID, error: AccessDenied, token: str
) -> Template | None:
    """The refusal page with the doorbreekglas form where it applies (else None)."""
    if not applies(viewer, error):
        return None
    return refused_page(viewer, casus_id, reasons(error.decision), token=token)


def _page_again(viewer: Viewer, web: WebDeps, casus_id: uuid.UUID, token: str) -> Any:
    def page(state: formstate.FormState, status: int) -> Template:
        redenen: list[dict[str, str]] = []
        try:
            with viewer.attempt() as ws:
                weergave.read_casus(ws, casus_id)
        except AccessDenied as error:
            redenen = reasons(error.decision)
        return refused_page(viewer, casus_id, redenen, token=token, state=state, status=status)

    return page


class SpoedtoegangPagesController(Controller):
    """Doorbreekglas (spoedtoegang) vanaf de weigeringspagina van een casus."""

    path = "/"
    include_in_schema = False

    @post(
        "/casussen/{casus_id:uuid}/doorbreekglas",
        # Doorbreekglas exists for people who do not take part: the policy decides.
        opt={**PUBLIC, "open_voor_niet_deelnemers": True},
        status_code=303,
    )
    async def urgent(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            def change() -> Response[Any]:
                data = parse_form(
                    DoorbreekglasIn,
                    {"reden": form.get("reden"), "uren": form.get("uren") or DEFAULT_HOURS},
                )
                with viewer.attempt() as ws:
                    doorbreekglas.doorbreekglas(ws, casus_id, data.reden, data.uren)
                return Redirect(f"/casussen/{casus_id}?melding=doorbreekglas", status_code=303)

            return run_form(
                viewer,
                FORM,
                form,
                change,
                _page_again(viewer, web, casus_id, token),
                doel=PHASE_PURPOSE,
                fields=FIELDS,
            )

        return await submit(request, web, viewer, work)
