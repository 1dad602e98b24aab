"""The werkvoorraad page: filter (soort, te laat, casus) and sort, and act on an item: an
action of the plan or a partner toezegging is done, or postponed with a reason.

The forms post to ``/werkvoorraad/gereed`` and ``/werkvoorraad/uitstellen``, validated with
the API's request schemas (:mod:`.schemas` through ``parse_form``) and handled by the same
service functions as ``POST /api/v1/werkvoorraad/gereed`` and ``/uitstellen``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final
from urllib.parse import urlencode

from litestar import Controller, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from pydantic import BaseModel

from services.casework.domain.errors import DomainValidationError
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.casework.plan.form import iso_date
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import Form, submit
from services.casework.web.schema_forms import parse_form
from services.casework.web.shell import (
    Page,
    Req,
    Web,
    form_token,
    guarded,
    not_found,
    reasons,
    render,
    to_login,
)
from services.casework.werkvoorraad import afhandelen
from services.casework.werkvoorraad import service as werkvoorraad
from services.casework.werkvoorraad.schemas import UitstelIn, WerkitemIn
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from services.platform.policy import PolicyEngineUnavailable

DUE_KIND_LABELS: Final = werkvoorraad.DUE_KIND_LABELS

SORTS: Final[Mapping[str, str]] = {
    "datum": "Datum (oudste eerst)",
    "casus": "Casus",
    "soort": "Soort",
}

STALE_ITEM: Final = (
    "Iemand anders heeft het plan van aanpak van deze casus intussen gewijzigd; er is niets "
    "opgeslagen. Bekijk het item hieronder opnieuw."
)

ITEM_FIELDS: Final = frozenset({"nieuwe_datum", "reden"})


def form_key(kind: str, casus_id: str, subject: str) -> str:
    """The key of an item's forms (``uitstellen:<casus>:<onderwerp>``)."""
    return f"{kind}:{casus_id}:{subject}"


def _page_links(selection: werkvoorraad.Selection, queue: Mapping[str, Any]) -> dict[str, str]:
    """The links to the previous and the next page, with the same filter and order."""
    query: dict[str, str] = {}
    if selection.soort:
        query["soort"] = selection.soort
    if selection.te_laat:
        query["te_laat"] = "ja"
    if selection.casus:
        query["casus"] = selection.casus
    if selection.sorteer != "datum":
        query["sorteer"] = selection.sorteer
    links = {}
    for name in ("vorige", "volgende"):
        number = queue.get(name)
        if number is not None:
            params = query | ({"pagina": str(number)} if number > 1 else {})
            links[name] = "/werkvoorraad" + (f"?{urlencode(params)}" if params else "")
    return links


def work_page(
    viewer: Viewer,
    token: str,
    *,
    soort: str | None = None,
    te_laat: bool = False,
    casus: str | None = None,
    sorteer: str = "datum",
    pagina: int = 1,
    melding: str | None = None,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    selection = werkvoorraad.Selection(soort, te_laat, casus, sorteer, pagina)
    with viewer.reading() as ws:
        queue = werkvoorraad.work_queue(ws, selection=selection)
    shown: list[dict[str, Any]] = queue["items"]
    return render(
        viewer,
        "werkvoorraad.html",
        {
            "werk": queue,
            "getoond": shown,
            "soorten": DUE_KIND_LABELS,
            "filter_soorten": {k: DUE_KIND_LABELS.get(k, k) for k in queue["soorten"]},
            "bladeren": _page_links(selection, queue),
            "sorteringen": SORTS,
            "filter": {
                "soort": soort or "",
                "te_laat": te_laat,
                "casus": casus or "",
                "sorteer": sorteer,
            },
            "afhandelbaar": afhandelen.ACTIONABLE,
            "f": formstate.FormView(state),
            "sleutel": form_key,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": formstate.melding(melding),
        },
        doel=werkvoorraad.PURPOSE,
        active="werkvoorraad",
        status=status,
    )


def _act(
    viewer: Viewer,
    posted: Form,
    token: str,
    *,
    form_kind: str,
    model: type[BaseModel],
    perform: Callable[[Workspace, Any], afhandelen.Outcome],
    melding: str,
) -> Response[Any]:
    values = posted.values()
    key = form_key(form_kind, posted.get("casus_id"), posted.get("onderwerp"))

    def again(status: int, state: formstate.FormState) -> Template:
        return guarded(
            viewer,
            werkvoorraad.PURPOSE,
            lambda: work_page(viewer, token, state=state, status=status),
        )

    body = {
        name: iso_date(posted.get(name)) if name == "nieuwe_datum" else posted.get(name)
        for name in model.model_fields
        if posted.get(name)
    }
    try:
        data = parse_form(model, body)
        with viewer.attempt() as ws:
            perform(ws, data)
        return Redirect(f"/werkvoorraad?melding={melding}", status_code=303)
    except DomainValidationError as error:
        state = formstate.state_from_problems(key, values, error.problems, fields=ITEM_FIELDS)
        return again(422, state)
    except (VersionMismatch, VersionRequired):
        return again(409, formstate.FormState(key, values, general=(STALE_ITEM,)))
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return not_found(viewer, werkvoorraad.PURPOSE)
        messages = tuple(r["message"] for r in reasons(error.decision))
        return again(403, formstate.FormState(key, values, general=messages, denied=True))
    except Conflict as error:
        return again(409, formstate.FormState(key, values, general=(error.message,)))
    except NotFound:
        return not_found(viewer, werkvoorraad.PURPOSE)
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=werkvoorraad.PURPOSE, status=503)


def _complete(ws: Workspace, data: WerkitemIn) -> afhandelen.Outcome:
    return afhandelen.complete(ws, data.casus_id, data.soort, data.onderwerp, data.plan_versie)


def _postpone(ws: Workspace, data: UitstelIn) -> afhandelen.Outcome:
    return afhandelen.postpone(
        ws,
        data.casus_id,
        data.soort,
        data.onderwerp,
        data.plan_versie,
        data.nieuwe_datum,
        data.reden,
    )


class WerkvoorraadPagesController(Controller):
    """De werkvoorraad van de ingelogde professional."""

    path = "/"
    include_in_schema = False

    @get("/werkvoorraad", opt=PUBLIC, sync_to_thread=True)
    def work(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        soort: FromQuery[str | None] = None,
        te_laat: FromQuery[str | None] = None,
        casus: FromQuery[str | None] = None,
        sorteer: FromQuery[str | None] = None,
        melding: FromQuery[str | None] = None,
        pagina: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = form_token(request, web.csrf)
        return guarded(
            viewer,
            werkvoorraad.PURPOSE,
            lambda: work_page(
                viewer,
                token,
                soort=soort or None,
                te_laat=te_laat == "ja",
                casus=casus or None,
                sorteer=sorteer if sorteer is not None and sorteer in SORTS else "datum",
                pagina=int(pagina) if pagina and pagina.isdigit() and int(pagina) >= 1 else 1,
                melding=melding,
            ),
        )

    @post("/werkvoorraad/gereed", opt=PUBLIC, status_code=303)
    async def done(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, posted: Form, token: str) -> Response[Any]:
            return _act(
                viewer,
                posted,
                token,
                form_kind="gereed",
                model=WerkitemIn,
                perform=_complete,
                melding="werk-gereed",
            )

        return await submit(request, web, viewer, work)

    @post("/werkvoorraad/uitstellen", opt=PUBLIC, status_code=303)
    async def postpone(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, posted: Form, token: str) -> Response[Any]:
            return _act(
                viewer,
                posted,
                token,
                form_kind="uitstellen",
                model=UitstelIn,
                perform=_postpone,
                melding="werk-uitgesteld",
            )

        return await submit(request, web, viewer, work)
