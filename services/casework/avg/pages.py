"""The AVG pages for the regie (casusregisseur, procesregisseur / pga-expert).

- ``/casussen/{id}/toegangslog`` and ``/personen/{id}/toegangslog``: wie heeft ingezien;
- ``/personen/{id}/avg``: the person's correction and restriction forms, their history, and
  the inzage request (HTML to read, PDF to hand over).

The pages call the same services as the API: the policy decides (a refusal is the friendly
403 page with its reasons) and every view and change is audited. Forms carry the CSRF token
of the login and the version they were made for (If-Match in the API).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.casework.avg import correctie, document, toegangslog
from services.casework.avg import inzage as inzage_service
from services.casework.domain.errors import DomainValidationError
from services.casework.errors import VersionMismatch, VersionRequired
from services.casework.subjects import load_person
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.shell import Page, guarded, nl_datetime, render, to_login
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import COOKIE, PUBLIC

Req = Request[Any, Any, Any]
Web = NamedDependency[WebDeps]
PURPOSE = toegangslog.PURPOSE


def _token(request: Req, web: WebDeps) -> str:
    cookie = request.cookies.get(COOKIE)
    return web.csrf.token(cookie) if cookie else ""


def _rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**e, "wanneer": nl_datetime(e["tijdstip"])} for e in entries]


class AvgPagesController(Controller):
    path = "/"
    include_in_schema = False

    @get("/casussen/{casus_id:uuid}/toegangslog", opt=PUBLIC, sync_to_thread=True)
    def casus_log(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: FromPath[uuid.UUID],
        na: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()

        def build() -> Template:
            with viewer.attempt() as ws:
                page = toegangslog.casus_log(ws, casus_id, limit=100, cursor=na or None)
                casus = ws.load_casus(casus_id)
                title = f"Casus {casus.reference}"
            return render(
                viewer,
                "avg_toegangslog.html",
                {
                    "titel": title,
                    "terug": f"/casussen/{casus_id}",
                    "rijen": _rows(page.entries),
                    "volgende": page.next_cursor,
                },
                doel=PURPOSE,
                active="casussen",
            )

        return guarded(viewer, PURPOSE, build)

    @get("/personen/{persoon_id:uuid}/toegangslog", opt=PUBLIC, sync_to_thread=True)
    def person_log(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        persoon_id: FromPath[uuid.UUID],
        na: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()

        def build() -> Template:
            with viewer.attempt() as ws:
                page = toegangslog.person_log(ws, persoon_id, limit=100, cursor=na or None)
            return render(
                viewer,
                "avg_toegangslog.html",
                {
                    "titel": "deze persoon",
                    "terug": f"/personen/{persoon_id}/avg",
                    "rijen": _rows(page.entries),
                    "volgende": page.next_cursor,
                },
                doel=PURPOSE,
                active="casussen",
            )

        return guarded(viewer, PURPOSE, build)

    @get("/personen/{persoon_id:uuid}/avg", opt=PUBLIC, sync_to_thread=True)
    def person_page(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        persoon_id: FromPath[uuid.UUID],
        melding: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        return guarded(
            viewer,
            correctie.PURPOSE,
            lambda: _person_page(viewer, web, persoon_id, _token(request, web), melding),
        )

    @post("/personen/{persoon_id:uuid}/avg", opt=PUBLIC, status_code=303)
    async def person_form(
        self, request: Req, web: Web, viewer: Page, persoon_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = await _read(request)

        def run() -> Response[Any]:
            if viewer is None:
                return to_login()
            if not web.csrf.valid(request.cookies.get(COOKIE), form.get(CSRF_FIELD)):
                return render(viewer, "formulier_ongeldig.html", {}, doel=None, status=403)
            return _guarded_response(
                viewer,
                correctie.PURPOSE,
                lambda: _submit_person(viewer, web, persoon_id, form, _token(request, web)),
            )

        return await anyio.to_thread.run_sync(run)

    @post("/personen/{persoon_id:uuid}/inzage", opt=PUBLIC, status_code=200)
    async def inzage(
        self, request: Req, web: Web, viewer: Page, persoon_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        form = await _read(request)

        def run() -> Response[Any]:
            if viewer is None:
                return to_login()
            if not web.csrf.valid(request.cookies.get(COOKIE), form.get(CSRF_FIELD)):
                return render(viewer, "formulier_ongeldig.html", {}, doel=None, status=403)

            def build() -> Response[Any]:
                with viewer.attempt() as ws:
                    doc = inzage_service.inzage(ws, persoon_id)
                if form.get("formaat") == "pdf":
                    return Response(
                        document.render_pdf(doc),
                        media_type="application/pdf",
                        headers={"Content-Disposition": 'attachment; filename="inzage.pdf"'},
                    )
                return Response(document.render_html(doc), media_type="text/html; charset=utf-8")

            return _guarded_response(viewer, inzage_service.PURPOSE, build)

        return await anyio.to_thread.run_sync(run)


def _guarded_response(
    viewer: Viewer, doel: str, build: Callable[[], Response[Any]]
) -> Response[Any]:
    """Like ``_guarded`` for a handler that answers with a download or a redirect."""
    result: list[Response[Any]] = []

    def page() -> Template:
        response = build()
        if isinstance(response, Template):
            return response
        result.append(response)
        return Template("niet_gevonden.html")  # never rendered: the response above is used

    shown = guarded(viewer, doel, page)
    return result[0] if result else shown


async def _read(request: Req) -> dict[str, str]:
    raw = await request.form()
    return {name: value for name, value in raw.items() if isinstance(value, str)}


def _person_page(
    viewer: Viewer,
    web: WebDeps,
    person_id: uuid.UUID,
    token: str,
    melding: str | None,
    problems: list[str] | None = None,
    status: int = 200,
) -> Template:
    with viewer.attempt() as ws:
        version, history = correctie.person_history(ws, person_id)
        person = load_person(ws, person_id)
        # The current values are shown as the reader's view of a casus about the person
        # allows (identifying data masked for this purpose: empty fields, a note).
        shown = correctie.TextMasks(ws).person_data_shown(person.id)
        gegevens = {
            "voornamen": person.given_names if shown else "",
            "achternaam": person.surname if shown else "",
            "roepnaam": (person.roepnaam or "") if shown else "",
            "geboortedatum": person.birth_date.isoformat() if shown and person.birth_date else "",
        }
        restricted = any(r["actief"] and r["soort"] == "persoon" for r in history["beperkingen"])
    return render(
        viewer,
        "avg_persoon.html",
        {
            "persoon_id": str(person_id),
            "gegevens": gegevens,
            "afgeschermd": not shown,
            "versie": version,
            "beperkt": restricted,
            "historie": history,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": melding,
            "problemen": problems or [],
            "pga_expert": "pga-expert" in viewer.principal.roles,
        },
        doel=correctie.PURPOSE,
        active="casussen",
        status=status,
    )


def _submit_person(
    viewer: Viewer, web: WebDeps, person_id: uuid.UUID, form: dict[str, str], token: str
) -> Response[Any]:
    version_text = form.get("versie", "")
    version = int(version_text) if version_text.isdigit() else None
    reason = form.get("reden", "")
    try:
        with viewer.attempt() as ws:
            if form.get("actie") == "beperking":
                correctie.restrict_person(
                    ws, person_id, form.get("beperkt") == "ja", reason, version
                )
                done = "beperking"
            else:
                changes: dict[str, Any] = {}
                for name in ("voornamen", "achternaam"):
                    value = form.get(name, "").strip()
                    if value:
                        changes[name] = value
                roepnaam = form.get("roepnaam", "").strip()
                if roepnaam:
                    changes["roepnaam"] = roepnaam
                birth = form.get("geboortedatum", "").strip()
                if birth:
                    try:
                        changes["geboortedatum"] = dt.date.fromisoformat(birth)
                    except ValueError:
                        return _person_page(
                            viewer,
                            web,
                            person_id,
                            token,
                            None,
                            ["Vul een geldige geboortedatum in (jjjj-mm-dd)."],
                            422,
                        )
                correctie.correct_person(ws, person_id, changes, reason, version)
                done = "gecorrigeerd"
    except DomainValidationError as error:
        messages = [p["message"] for p in error.as_dicts()]
        return _person_page(viewer, web, person_id, token, None, messages, 422)
    except (VersionMismatch, VersionRequired):
        return _person_page(
            viewer,
            web,
            person_id,
            token,
            None,
            ["Iemand anders heeft de gegevens intussen gewijzigd; bekijk ze en probeer opnieuw."],
            412,
        )
    return Redirect(f"/personen/{person_id}/avg?melding={done}", status_code=303)
