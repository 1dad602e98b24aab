"""Mijn casussen, the casus page and its forms: doing the daily work, not only reading it.

Plain HTML forms (no JavaScript): aanmelden (person and group), phase transitions, the
triage decision, informeren, afsluiten, heropenen, adding and sharing information (checklist
gegevensdeling, achterhouden, vrijgeven), deelnemers and regie, and the group approach
(signals, the namenlijst). Every form calls the same casework service
function as the JSON API, inside the same unit of work, so the policy decides and audits
exactly as it does for the API.

- Success: 303 back to the casus page with a fixed flash message (``?melding=<code>``).
- Invalid input: the page again (422) with the entered values and a Dutch message per field.
- A stale version (someone else changed the casus): 303 back with the message that the casus
  was changed in the meantime; nothing is changed.
- A refusal by the policy: the page again (403) with the policy's Dutch reasons.
- CSRF: besides the SameSite=Strict cookie, every POST must carry the hidden token derived
  from the login cookie (:mod:`services.platform.http.csrf`); otherwise a Dutch 403 page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

from litestar import Controller, Response, get, post
from litestar.params import FromQuery

from services.casework.casussen import afsluiting, deelnemers, fasen, lijst, triage
from services.casework.casussen.schemas import (
    AfsluitingIn,
    DeelnemerIn,
    HeropenenIn,
    OvergangIn,
    RegieIn,
    TriageIn,
    to_afsluiting,
)
from services.casework.domain.errors import FieldProblem
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.kit import (
    CasusId,
    Form,
    casus_action,
    casus_form,
    submit,
)
from services.casework.web.schema_forms import Messages, filled, iso_date, parse_form
from services.casework.web.shell import (
    PHASE_PURPOSE,
    Page,
    Req,
    Web,
    form_token,
    guarded,
    to_login,
)
from services.casework.workspace import Workspace
from services.platform.identity.authn import PUBLIC

PAGE_SIZE: Final = lijst.PAGE_SIZE

#: Moving here asks for a reason and a confirmation in the form (nobody works on it after).
ARCHIVE_STATES: Final = frozenset({"gearchiveerd"})


LIST_PURPOSE: Final = lijst.LIST_PURPOSE  # the default of list_casussen
phase_options = lijst.phase_options


def _transition(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        target = form.get("naar")
        reason = form.get("reden")
        own: list[FieldProblem] = []
        if target in ARCHIVE_STATES:
            if not reason:
                own.append(FieldProblem("reden", "Geef een reden op voor het archiveren."))
            if form.get("bevestigd") != "ja":
                own.append(
                    FieldProblem(
                        "bevestigd",
                        "Bevestig dat u de casus wilt archiveren: daarna kan niemand er meer "
                        "aan werken.",
                    )
                )
        data = parse_form(OvergangIn, filled({"naar": target, "reden": reason}), problems=own)
        fasen.transition(ws, casus_id, data.naar, form.version(), reason=data.reden)
        return "fase-gewijzigd"

    return perform


DATE_MESSAGE: Final = "Vul een geldige datum in (dd-mm-jjjj)."

#: The triage form's own words for the problems the API's schema finds.
TRIAGE_MESSAGES: Final[Messages] = {"besluit": {"*": "Kies een triagebesluit."}}

#: The afsluiten form's own words for the problems the API's schema finds.
CLOSE_MESSAGES: Final[Messages] = {
    "reden": {"*": "Kies een afsluitreden."},
    "eindgesprek_datum": {"*": DATE_MESSAGE},
    "afsluitbrief_datum": {"*": DATE_MESSAGE},
}

#: Field paths of AfsluitingIn -> the afsluiten form's field names.
CLOSE_FIELDS: Final = {
    "eindgesprek.datum": "eindgesprek_datum",
    "eindgesprek.notities": "eindgesprek_notities",
}


def _triage(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        criteria = form.getall("criteria")
        data = parse_form(
            TriageIn,
            filled(
                {
                    "criteria": criteria,
                    "besluit": form.get("besluit"),
                    "reden": form.get("reden"),
                    "afwijking_reden": form.get("afwijking_reden"),
                }
            ),
            names={f"criteria.{i}": "criteria" for i in range(len(criteria))},
            messages=TRIAGE_MESSAGES,
        )
        triage.triage_decide(
            ws,
            casus_id,
            form.version(),
            criteria_met=set(data.criteria),
            decision=data.besluit,
            reason=data.reden,
            override_reason=data.afwijking_reden,
        )
        return "triage-besloten"

    return perform


def _close(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        talk = filled(
            {
                "datum": iso_date(form.get("eindgesprek_datum")),
                "notities": form.get("eindgesprek_notities"),
            }
        )
        data = parse_form(
            AfsluitingIn,
            filled(
                {
                    "reden": form.get("reden"),
                    "toelichting": form.get("toelichting"),
                    "ontvangende_organisatie": form.get("ontvangende_organisatie"),
                    "eindgesprek": talk or None,
                    "afsluitbrief_datum": iso_date(form.get("afsluitbrief_datum")),
                }
            ),
            names=CLOSE_FIELDS,
            messages=CLOSE_MESSAGES,
        )
        afsluiting.afsluiten(ws, casus_id, form.version(), to_afsluiting(data))
        return "afgesloten"

    return perform


def _reopen(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        data = parse_form(
            HeropenenIn,
            filled({"reden": form.get("reden")}),
            messages={"reden": {"missing": "Geef een reden op voor het heropenen."}},
        )
        afsluiting.heropenen(ws, casus_id, form.version(), data.reden)
        return "heropend"

    return perform


#: The deelnemer form's own words for the problems the API's schema finds.
INVITE_MESSAGES: Final[Messages] = {
    "organisatie": {"*": "Kies een organisatie."},
    "deelname": {"*": "Kies 'kern' of 'op-afroep'."},
}

#: The regie form's own words for the problems the API's schema finds.
REGIE_MESSAGES: Final[Messages] = {
    "rol": {
        "missing": "Kies de rol.",
        "*": "Kies casusregisseur, procesregisseur of uitvoeringscoordinator.",
    },
    "gebruiker": {"*": "Kies wie de regie krijgt."},
}


def _invite(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        data = parse_form(
            DeelnemerIn,
            filled(
                {
                    "organisatie": form.get("organisatie"),
                    "deelname": form.get("deelname"),
                    "rol": form.get("rol"),
                }
            ),
            messages=INVITE_MESSAGES,
        )
        deelnemers.invite(ws, casus_id, data.organisatie, data.deelname, data.rol)
        return "deelnemer-uitgenodigd"

    return perform


def _set_regie(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        data = parse_form(
            RegieIn,
            filled(
                {
                    "rol": form.get("rol"),
                    "gebruiker": form.get("gebruiker"),
                    "reden": form.get("reden"),
                }
            ),
            messages=REGIE_MESSAGES,
        )
        deelnemers.set_regie(ws, casus_id, data.rol, data.gebruiker, data.reden)
        return "regie-vastgelegd"

    return perform


class CasussenPagesController(Controller):
    """Mijn casussen, de casuspagina, aanmelden en de formulieren van de casus (fasen,
    triage, deelnemers, regie, afsluiten, heropenen)."""

    path = "/"
    include_in_schema = False

    @get("/casussen", opt=PUBLIC, sync_to_thread=True)
    def casussen(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        fase: FromQuery[str | None] = None,
        soort: FromQuery[str | None] = None,
        regisseur: FromQuery[str | None] = None,
        van: FromQuery[str | None] = None,
        tot: FromQuery[str | None] = None,
        sortering: FromQuery[str | None] = None,
        na: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        chosen = {
            "fase": fase or "",
            "soort": soort or "",
            "regisseur": regisseur or "",
            "van": van or "",
            "tot": tot or "",
            "sortering": sortering or "",
        }
        token = form_token(request, web.csrf)
        return guarded(
            viewer, LIST_PURPOSE, lambda: lijst.list_page(viewer, web, token, chosen, cursor=na)
        )

    @post("/casussen/zoeken", opt=PUBLIC, status_code=200)
    async def zoeken(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            chosen = {name: form.get(name) for name in (*lijst.FILTER_FIELDS, "doel")}
            return guarded(
                viewer,
                LIST_PURPOSE,
                lambda: lijst.list_page(viewer, web, token, chosen, term=form.get("zoekterm")),
            )

        return await submit(request, web, viewer, work)

    @post("/casussen/{casus_id:uuid}/overgang", opt=PUBLIC, status_code=303)
    async def move(
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
            lambda form: f"overgang:{form.get('naar')}",
            _transition,
        )

    @post("/casussen/{casus_id:uuid}/triage", opt=PUBLIC, status_code=303)
    async def triage(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            if form.get("actie") == "toetsen":
                # Only recount the criteria ("2 van 3"): nothing is decided.
                state = formstate.FormState("triage", form.values(), preview=True)
                return guarded(
                    viewer,
                    PHASE_PURPOSE,
                    lambda: web.casus_page(viewer, casus_id, token=token, state=state),
                )
            return casus_action(
                viewer, web, casus_id, token, "triage", form, _triage(form, casus_id)
            )

        def again(viewer: Viewer, form: Form, token: str, message: str) -> Response[Any]:
            state = formstate.FormState("triage", form.values(), general=(message,))
            return guarded(
                viewer,
                PHASE_PURPOSE,
                lambda: web.casus_page(viewer, casus_id, token=token, state=state, status=403),
            )

        return await submit(request, web, viewer, work, again)

    @post("/casussen/{casus_id:uuid}/afsluiting", opt=PUBLIC, status_code=303)
    async def close(
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
            lambda form: "afsluiten",
            _close,
        )

    @post("/casussen/{casus_id:uuid}/heropenen", opt=PUBLIC, status_code=303)
    async def reopen(
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
            lambda form: "heropenen",
            _reopen,
        )

    @post("/casussen/{casus_id:uuid}/deelnemers", opt=PUBLIC, status_code=303)
    async def invite(
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
            lambda form: "deelnemer",
            _invite,
        )

    @post("/casussen/{casus_id:uuid}/regie", opt=PUBLIC, status_code=303)
    async def regie(
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
            lambda form: "regie",
            _set_regie,
        )
