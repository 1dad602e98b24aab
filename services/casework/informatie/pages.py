"""The forms for information on the casus page: adding an item, informeren, achterhouden and
vrijgeven (delen, through the checklist gegevensdeling in steps: delen_wizard.py). Each calls
the same service function as the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from litestar import Controller, Response, post
from litestar.params import FromPath

from services.casework.casussen import informeren
from services.casework.domain.errors import FieldProblem
from services.casework.informatie.checklist import Checklist
from services.casework.informatie.delen import release_item, withhold_item
from services.casework.informatie.toevoegen import ItemInput, create_item
from services.casework.web.kit import (
    ITEM_BODY,
    SHORT,
    Builder,
    CasusId,
    Checks,
    Form,
    casus_form,
)
from services.casework.web.shell import Page, Req, Web
from services.casework.workspace import Workspace
from services.platform.identity.authn import PUBLIC
from tenants.reference import PURPOSES

ItemId = FromPath[uuid.UUID]


def _add_item(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        category = form.get("categorie")
        if not category:
            checks.problems.append(FieldProblem("categorie", "Kies een categorie."))
        title = checks.text("titel", required="Geef de informatie een titel.", max_length=SHORT)
        body = checks.text("inhoud", required="Vul de inhoud in.", max_length=ITEM_BODY)
        purpose = form.get("doel")
        if purpose not in PURPOSES:
            checks.problems.append(FieldProblem("doel", "Kies het doel (doelbinding)."))
        checks.done()
        assert title and body
        create_item(
            ws,
            casus_id,
            ItemInput(
                category=category,
                title=title,
                body=body,
                checklist=Checklist(
                    purpose=purpose,
                    legal_basis=form.get("grondslag") or None,
                    art9_exception=form.get("art9_uitzondering") or None,
                    beroepsgeheim_ground=form.get("beroepsgeheim_grond") or None,
                ),
            ),
        )
        return "informatie-toegevoegd"

    return perform


def _inform(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        signed_by = checks.text("brief_ondertekend_door", max_length=SHORT)
        handed_by = checks.text("brief_overhandigd_door", max_length=SHORT)
        letter_on = checks.date("brief_datum")
        talk_on = checks.date("startgesprek_datum")
        notes = checks.text("startgesprek_notities")
        no_reply = form.get("geen_reactie") == "ja"
        explanation = checks.text("toelichting")
        if not (signed_by or handed_by or letter_on or talk_on or notes or no_reply):
            checks.problems.append(
                FieldProblem(
                    "informeren",
                    "Vul de notificatiebrief of het startgesprek in, of kies 'geen reactie'.",
                )
            )
        checks.done()
        informeren.informeren(
            ws,
            casus_id,
            checks.version(),
            informeren.Informeren(
                brief_ondertekend_door=signed_by,
                brief_overhandigd_door=handed_by,
                brief_datum=letter_on,
                startgesprek_datum=talk_on,
                startgesprek_notities=notes,
                geen_reactie=no_reply,
                toelichting=explanation,
            ),
        )
        return "geinformeerd"

    return perform


def _withhold(item_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
        def perform(ws: Workspace, checks: Checks) -> str:
            withhold_item(ws, casus_id, item_id, checks.version())
            return "achtergehouden"

        return perform

    return build


def _release(item_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
        def perform(ws: Workspace, checks: Checks) -> str:
            release_item(ws, casus_id, item_id, checks.version())
            return "vrijgegeven"

        return perform

    return build


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
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: f"achterhouden:{item_id}",
            _withhold(item_id),
        )

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
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: f"vrijgeven:{item_id}",
            _release(item_id),
        )
