"""Group approach steps 3-7 in the browser: a section on the group casus page with the
content of each step and its forms, and the page "wat ziet de driehoek".

Every form validates with the API's pydantic model (``schema_forms.parse_form``) and calls
the same service function as the API; moving on stays the ordinary transition form, which
the service refuses with the Dutch list of what is missing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

from litestar import Controller, Response, get, post
from litestar.response import Template
from pydantic import BaseModel

from services.casework.domain import group_steps
from services.casework.domain.assessments import instrument_domains
from services.casework.domain.plan import TRACK_LABELS
from services.casework.groepsstappen import schemas
from services.casework.groepsstappen import service as svc
from services.casework.plan import service as plans
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.kit import Builder, CasusId, Form, casus_form
from services.casework.web.schema_forms import parse_form
from services.casework.web.shell import (
    Page,
    Req,
    Web,
    guarded,
    org_names,
    reasons,
    render,
    to_login,
    user_names,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import Casus
from services.platform.identity.authn import PUBLIC

FORM: Final = "groepsstap"

#: Every field of the step forms (problems about other fields go above the form).
FORM_FIELDS: Final = frozenset(
    {
        "tekst",
        "advies",
        "prioriteit",
        "besproken_op",
        "spoor",
        "indicator",
        "waarde",
        "gemeten_op",
        "bron",
        "datum",
        "conclusie",
        "vervolg",
        "omschrijving",
        "organisatie",
        "leefgebied",
        "probleem",
        "doel",
        "eindcriterium",
        *(f"nameting.{s}" for s in TRACK_LABELS),
    }
)

PURPOSE: Final = "plan-van-aanpak"


def _data(form: Form, model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields from the form; empty fields are left out (the model's defaults)."""
    data: dict[str, Any] = {}
    for name in model.model_fields:
        if name == "nameting":
            nameting = {s: form.get(f"nameting.{s}") for s in TRACK_LABELS}
            data[name] = {s: v for s, v in nameting.items() if v}
            continue
        value = form.get(name)
        if value:
            data[name] = value
    return data


def _part(code: str) -> Builder:
    part, model = schemas.PARTS[code]

    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
        def perform(ws: Workspace) -> str:
            parsed = parse_form(model, _data(form, model))
            svc.record(
                ws,
                casus_id,
                svc.PartInput(part, parsed.model_dump(mode="python", exclude_none=True)),
            )
            return f"groepsstap-{code}"

        return perform

    return build


def _plan_version(form: Form) -> int | None:
    value = form.get("planversie")
    return int(value) if value.isdigit() else None


def _intervention(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        parsed = parse_form(schemas.InterventieIn, _data(form, schemas.InterventieIn))
        svc.add_intervention(
            ws,
            casus_id,
            _plan_version(form),
            parsed.spoor,
            parsed.omschrijving,
            parsed.organisatie,
        )
        return "groepsstap-interventie"

    return perform


def _concept_goal(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        parsed = parse_form(schemas.ConceptdoelIn, _data(form, schemas.ConceptdoelIn))
        svc.add_concept_goal(
            ws,
            casus_id,
            _plan_version(form),
            parsed.leefgebied,
            parsed.probleem,
            parsed.doel,
            parsed.eindcriterium,
        )
        return "groepsstap-conceptdoel"

    return perform


def steps_context(ws: Workspace, casus: Casus) -> dict[str, Any]:
    """The casus page's group steps section: the content (or why it is not shown) and the
    choices of the forms. Called once from the casus page's context."""
    try:
        data = svc.read_steps(ws, casus.id)
    except AccessDenied as error:
        return {"data": None, "geweigerd": reasons(error.decision)}
    authors = {
        str(entry["door"])
        for key in ("integraal_beeld", "voorlegging", "advies", "evaluatie")
        if (entry := data.get(key)) and entry.get("door")
    }
    authors |= {str(e["door"]) for e in data["voortgang"] if e.get("door")}
    authors |= {str(e["door"]) for e in data["nulmeting"].values() if e.get("door")}
    current = plans.current_version(ws, casus)
    return {
        "data": data,
        "geweigerd": None,
        "gebruikers": user_names(ws, authors),
        "sporen": dict(TRACK_LABELS),
        "prioriteiten": dict(group_steps.PRIORITEITEN),
        "leefgebieden": dict(
            instrument_domains(ws.manifest_of(casus.tenant_id).assessment_instrument)
        ),
        "planversie": current.version if current is not None else None,
    }


async def _submit(
    request: Req,
    web: WebDeps,
    viewer: Viewer | None,
    casus_id: uuid.UUID,
    code: str,
    build: Builder,
) -> Response[Any]:
    return await casus_form(request, web, viewer, casus_id, lambda form: f"{FORM}:{code}", build)


class GroepsstappenPagesController(Controller):
    """Groepsaanpak stap 3-7: de inhoud per stap en wat de driehoek ziet."""

    path = "/"
    include_in_schema = False

    @post("/casussen/{casus_id:uuid}/groep/integraal-beeld", opt=PUBLIC, status_code=303)
    async def integraal_beeld(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(
            request, web, viewer, casus_id, "integraal-beeld", _part("integraal-beeld")
        )

    @post("/casussen/{casus_id:uuid}/groep/voorlegging", opt=PUBLIC, status_code=303)
    async def voorlegging(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "voorlegging", _part("voorlegging"))

    @post("/casussen/{casus_id:uuid}/groep/advies", opt=PUBLIC, status_code=303)
    async def advies(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "advies", _part("advies"))

    @post("/casussen/{casus_id:uuid}/groep/nulmeting", opt=PUBLIC, status_code=303)
    async def nulmeting(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "nulmeting", _part("nulmeting"))

    @post("/casussen/{casus_id:uuid}/groep/voortgang", opt=PUBLIC, status_code=303)
    async def voortgang(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "voortgang", _part("voortgang"))

    @post("/casussen/{casus_id:uuid}/groep/evaluatie", opt=PUBLIC, status_code=303)
    async def evaluatie(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "evaluatie", _part("evaluatie"))

    @post("/casussen/{casus_id:uuid}/groep/interventie", opt=PUBLIC, status_code=303)
    async def interventie(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "interventie", _intervention)

    @post("/casussen/{casus_id:uuid}/groep/conceptdoel", opt=PUBLIC, status_code=303)
    async def conceptdoel(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await _submit(request, web, viewer, casus_id, "conceptdoel", _concept_goal)

    @get("/driehoek", opt=PUBLIC, sync_to_thread=True)
    def driehoek_index(self, request: Req, web: Web, viewer: Page) -> Response[Any]:
        if viewer is None:
            return to_login()

        def build() -> Template:
            with viewer.attempt() as ws:
                groups = svc.driehoek_list(ws)
            return render(
                viewer,
                "groep_driehoek_lijst.html",
                {"groepen": groups},
                doel=PURPOSE,
                active="casussen",
            )

        return guarded(viewer, PURPOSE, build)

    @get("/casussen/{casus_id:uuid}/driehoek", opt=PUBLIC, sync_to_thread=True)
    def driehoek(self, request: Req, web: Web, viewer: Page, casus_id: CasusId) -> Response[Any]:
        if viewer is None:
            return to_login()

        def build() -> Template:
            with viewer.attempt() as ws:
                view = svc.driehoek_view(ws, casus_id)
                organisations = org_names(ws)
            return _driehoek_page(viewer, view, organisations)

        return guarded(viewer, PURPOSE, build)


def _driehoek_page(viewer: Viewer, view: dict[str, Any], organisations: dict[str, str]) -> Template:
    return render(
        viewer,
        "groep_driehoek.html",
        {"d": view, "organisaties": organisations},
        doel=PURPOSE,
        active="casussen",
    )
