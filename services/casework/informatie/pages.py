"""The forms for information on the casus page: adding an item, informeren, achterhouden and
vrijgeven (delen, through the checklist gegevensdeling in steps: delen_wizard.py). Each calls
the same service function as the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

from litestar import Controller, Response, post
from litestar.params import FromPath

from services.casework.casussen import informeren
from services.casework.casussen.schemas import InformerenIn, to_informeren
from services.casework.domain.errors import FieldProblem
from services.casework.informatie.delen import release_item, withhold_item
from services.casework.informatie.routes import InformatieIn
from services.casework.informatie.toevoegen import ItemInput, create_item
from services.casework.web.context import Viewer
from services.casework.web.kit import CasusId, Form, casus_form
from services.casework.web.schema_forms import Messages, filled, iso_date, parse_form
from services.casework.web.shell import Page, Req, Web
from services.casework.workspace import Workspace
from services.platform.identity.authn import PUBLIC
from tenants.reference import PURPOSES

ItemId = FromPath[uuid.UUID]


DATE_MESSAGE: Final = "Vul een geldige datum in (dd-mm-jjjj)."

#: The form "Informatie toevoegen": its own words for the problems the API's schema finds.
ITEM_MESSAGES: Final[Messages] = {
    "categorie": {"*": "Kies een categorie."},
    "titel": {"missing": "Geef de informatie een titel."},
    "inhoud": {"missing": "Vul de inhoud in."},
    "doel": {"*": "Kies het doel (doelbinding)."},
}

#: Field paths of InformerenIn -> the informeren form's field names.
INFORM_FIELDS: Final = {
    "notificatiebrief.ondertekend_door": "brief_ondertekend_door",
    "notificatiebrief.overhandigd_door": "brief_overhandigd_door",
    "notificatiebrief.datum": "brief_datum",
    "startgesprek.datum": "startgesprek_datum",
    "startgesprek.notities": "startgesprek_notities",
}
INFORM_MESSAGES: Final[Messages] = {
    "brief_datum": {"*": DATE_MESSAGE},
    "startgesprek_datum": {"*": DATE_MESSAGE},
}


def _add_item(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        purpose = form.get("doel")
        own = (
            [FieldProblem("doel", "Kies het doel (doelbinding).")]
            if purpose and purpose not in PURPOSES
            else []
        )
        data = parse_form(
            InformatieIn,
            filled(
                {
                    "categorie": form.get("categorie"),
                    "titel": form.get("titel"),
                    "inhoud": form.get("inhoud"),
                    "doel": purpose,
                    "grondslag": form.get("grondslag"),
                    "art9_uitzondering": form.get("art9_uitzondering"),
                    "beroepsgeheim_grond": form.get("beroepsgeheim_grond"),
                }
            ),
            messages=ITEM_MESSAGES,
            problems=own,
        )
        create_item(
            ws,
            casus_id,
            ItemInput(
                category=data.categorie,
                title=data.titel,
                body=data.inhoud,
                checklist=data.checklist(),
                about_person_id=data.over_persoon_id,
            ),
        )
        return "informatie-toegevoegd"

    return perform


def _inform(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        brief = filled(
            {
                "ondertekend_door": form.get("brief_ondertekend_door"),
                "overhandigd_door": form.get("brief_overhandigd_door"),
                "datum": iso_date(form.get("brief_datum")),
            }
        )
        gesprek = filled(
            {
                "datum": iso_date(form.get("startgesprek_datum")),
                "notities": form.get("startgesprek_notities"),
            }
        )
        no_reply = form.get("geen_reactie") == "ja"
        own = (
            []
            if brief or gesprek or no_reply
            else [
                FieldProblem(
                    "informeren",
                    "Vul de notificatiebrief of het startgesprek in, of kies 'geen reactie'.",
                )
            ]
        )
        data = parse_form(
            InformerenIn,
            filled(
                {
                    "notificatiebrief": brief or None,
                    "startgesprek": gesprek or None,
                    "geen_reactie": no_reply,
                    "toelichting": form.get("toelichting"),
                }
            ),
            names=INFORM_FIELDS,
            messages=INFORM_MESSAGES,
            problems=own,
        )
        informeren.informeren(ws, casus_id, form.version(), to_informeren(data))
        return "geinformeerd"

    return perform


async def _source_action(
    request: Req,
    web: Web,
    viewer: Viewer | None,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    withhold: bool,
) -> Response[Any]:
    """Achterhouden or vrijgeven by the source (the same form, the other action)."""
    key = f"{'achterhouden' if withhold else 'vrijgeven'}:{item_id}"

    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
        def perform(ws: Workspace) -> str:
            if withhold:
                withhold_item(ws, casus_id, item_id, form.version())
                return "achtergehouden"
            release_item(ws, casus_id, item_id, form.version())
            return "vrijgegeven"

        return perform

    return await casus_form(request, web, viewer, casus_id, lambda form: key, build)


class InformatiePagesController(Controller):
    """Informatie toevoegen, informeren, achterhouden en vrijgeven (delen: delen_wizard)."""

    path = "/"
    include_in_schema = False

    @post("/casussen/{casus_id:uuid}/informatie", opt=PUBLIC, status_code=303)
    async def add_information(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: "informatie",
            _add_item,
        )

    @post("/casussen/{casus_id:uuid}/informeren", opt=PUBLIC, status_code=303)
    async def inform(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: "informeren",
            _inform,
        )

    @post(
        "/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/achterhouden",
        opt=PUBLIC,
        status_code=303,
    )
    async def withhold(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        item_id: ItemId,
    ) -> Response[Any]:
        return await _source_action(request, web, viewer, casus_id, item_id, withhold=True)

    @post(
        "/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/vrijgeven",
        opt=PUBLIC,
        status_code=303,
    )
    async def release(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        item_id: ItemId,
    ) -> Response[Any]:
        return await _source_action(request, web, viewer, casus_id, item_id, withhold=False)
