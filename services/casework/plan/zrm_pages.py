"""Zelfredzaamheid in the browser: record a measurement (the instrument of the tenant, a
score 1-5 per domain, the moment and the date) and see each domain over time as a chart
(server-rendered SVG with a text alternative and a table).

(Beside the plan pages because the zelfredzaamheid API and its request schema live in this
package too.) The form is validated with the API's request schema (:class:`~services.casework.plan.
schemas.ZelfredzaamheidIn` through ``parse_form``) and stored by the same service function
as ``POST /api/v1/casussen/{id}/zelfredzaamheid``.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.casework.domain import lifecycle
from services.casework.domain.assessments import MOMENT_LABELS, instrument_domains
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound
from services.casework.plan.form import iso_date
from services.casework.plan.schemas import ZelfredzaamheidIn
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
from services.casework.zelfredzaamheid import chart
from services.casework.zelfredzaamheid import service as assessments
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from services.platform.policy import PolicyEngineUnavailable
from tenants.reference import ASSESSMENT_SCALE

CasusId = FromPath[uuid.UUID]
FORM: Final = "zrm"
PURPOSE: Final = assessments.ASSESSMENT_PURPOSE
SCORE_PREFIX: Final = "scores."


def zrm_page(
    viewer: Viewer,
    casus_id: uuid.UUID,
    token: str,
    *,
    state: formstate.FormState | None = None,
    status: int = 200,
    melding: str | None = None,
    moment: str | None = None,
) -> Template:
    """The charts and the form; ``moment`` preselects the meetmoment (the werkvoorraad's
    herijking links here with ``tussentijds``)."""
    with viewer.attempt() as ws:
        history = assessments.history(ws, casus_id, None)
        casus = ws.load_casus(casus_id)
        reference, person = casus.reference, casus.kind == lifecycle.PERSON
        today = ws.today
    preset = (
        {"moment": moment, "datum": today.isoformat()}
        if moment is not None and moment in MOMENT_LABELS
        else {}
    )
    view = formstate.FormView(state or formstate.FormState(FORM, preset))
    return render(
        viewer,
        "zelfredzaamheid.html",
        {
            "f": view,
            "F": FORM,
            "casus_id": str(casus_id),
            "referentie": reference,
            "persoon": person,
            "z": history,
            "grafieken": chart.charts(
                history["domeinen"], history["metingen"], history["gemaskeerd"]
            ),
            "raster": chart.gridlines(),
            "breedte": chart.WIDTH,
            "hoogte": chart.HEIGHT,
            "links": chart.LEFT,
            "rechts": chart.WIDTH - chart.RIGHT,
            "onder": chart.HEIGHT - chart.BOTTOM,
            "momenten": MOMENT_LABELS,
            "schaal": ASSESSMENT_SCALE,
            "vandaag": today.isoformat(),
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": formstate.melding(melding),
        },
        doel=PURPOSE,
        active="casussen",
        status=status,
    )


def _request(posted: Form, domains: dict[str, str]) -> ZelfredzaamheidIn:
    """The form as the API's request body; every domain needs a score."""
    body: dict[str, Any] = {}
    if posted.get("moment"):
        body["moment"] = posted.get("moment")
    if posted.get("datum"):
        body["datum"] = iso_date(posted.get("datum"))
    if posted.get("toelichting"):
        body["toelichting"] = posted.get("toelichting")
    scores: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for code, label in domains.items():
        raw = posted.get(SCORE_PREFIX + code)
        if not raw:
            problems.append(FieldProblem(SCORE_PREFIX + code, f"Kies een score voor {label}."))
        else:
            scores[code] = int(raw) if raw.isdigit() else raw
    body["scores"] = scores
    try:
        data = parse_form(ZelfredzaamheidIn, body)
    except DomainValidationError as error:
        problems += [p for p in error.problems if not (p.field == "scores" and problems)]
        raise DomainValidationError(problems) from None
    if problems:
        raise DomainValidationError(problems)
    return data


def record(viewer: Viewer, casus_id: uuid.UUID, posted: Form, token: str) -> Response[Any]:
    values = posted.values()
    domains: dict[str, str] = {}

    def again(status: int, state: formstate.FormState) -> Template:
        return guarded(
            viewer,
            PURPOSE,
            lambda: zrm_page(viewer, casus_id, token, state=state, status=status),
        )

    try:
        with viewer.attempt() as ws:
            domains = dict(instrument_domains(ws.manifest.assessment_instrument))
            data = _request(posted, domains)
            assessments.record_assessment(
                ws,
                casus_id,
                assessments.AssessmentInput(data.moment, data.scores, data.datum, data.toelichting),
            )
        return Redirect(
            f"/casussen/{casus_id}/zelfredzaamheid?melding=zrm-vastgelegd", status_code=303
        )
    except DomainValidationError as error:
        fields = frozenset({"moment", "datum", "toelichting", *(SCORE_PREFIX + c for c in domains)})
        state = formstate.state_from_problems(FORM, values, error.problems, fields=fields)
        return again(422, state)
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return not_found(viewer, PURPOSE)
        messages = tuple(r["message"] for r in reasons(error.decision))
        return again(403, formstate.FormState(FORM, values, general=messages, denied=True))
    except Conflict as error:
        return again(409, formstate.FormState(FORM, values, general=(error.message,)))
    except NotFound:
        return not_found(viewer, PURPOSE)
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=PURPOSE, status=503)


class ZelfredzaamheidPagesController(Controller):
    """Zelfredzaamheid: meting vastleggen en ontwikkeling per domein."""

    path = "/casussen/{casus_id:uuid}/zelfredzaamheid"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def overview(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        melding: FromQuery[str | None] = None,
        moment: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = form_token(request, web.csrf)
        return guarded(
            viewer,
            PURPOSE,
            lambda: zrm_page(viewer, casus_id, token, melding=melding, moment=moment),
        )

    @post("/", opt=PUBLIC, status_code=303)
    async def store(self, request: Req, web: Web, viewer: Page, casus_id: CasusId) -> Response[Any]:
        def work(viewer: Viewer, posted: Form, token: str) -> Response[Any]:
            return record(viewer, casus_id, posted, token)

        return await submit(request, web, viewer, work)
