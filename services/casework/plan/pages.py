"""The plan van aanpak in the browser: the editor (``/casussen/{id}/plan``) and two versions
side by side (``/casussen/{id}/plan/vergelijken``).

The editor posts a plain HTML form; it is validated with the API's request schema
(:class:`~.schemas.PlanIn` through ``parse_form``) and stored by the same service function as
``PUT /api/v1/casussen/{id}/plan`` (:func:`.service.save_plan`), with the plan version the
form was made for as its If-Match. A form that comes back keeps everything that was typed,
with a Dutch message beside each field; a newer version by someone else says so and keeps
the input too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Final

import sqlalchemy as sa
from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from services.casework.domain.assessments import instrument_domains
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.plan import (
    ACTION_STATUS_LABELS,
    COMMITMENT_STATUS_LABELS,
    GOAL_STATUS_LABELS,
    TRACK_LABELS,
)
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.casework.plan import compare, form
from services.casework.plan import service as plans
from services.casework.plan.schemas import PlanIn
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
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import Organisation, User
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from services.platform.policy import PolicyEngineUnavailable

CasusId = FromPath[uuid.UUID]
PURPOSE: Final = plans.PLAN_PURPOSE

STALE_PLAN: Final = (
    "Iemand anders heeft het plan van aanpak intussen gewijzigd (nu versie {versie}). "
    "Uw invoer is niet opgeslagen maar staat hieronder nog; bekijk de wijzigingen en sla "
    "opnieuw op als u uw versie wilt vaststellen."
)

#: Messages about a whole section (pydantic's are about list lengths).
SECTION_MESSAGES: Final[Mapping[str, str]] = {
    "doelen": "Vul ten minste één doel in: leefgebied, probleem en doel.",
}


def _organisations(ws: Workspace) -> dict[str, str]:
    rows = ws.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.tenant_id == ws.principal.tenant, Organisation.active)
        .order_by(Organisation.name)
    ).all()
    return {r.id: r.name for r in rows}


def _users(ws: Workspace, organisations: Mapping[str, str]) -> list[dict[str, Any]]:
    """Active users per organisation (for the owner of an action)."""
    rows = ws.session.execute(
        sa.select(User.id, User.display_name, User.organisation_id)
        .where(User.tenant_id == ws.principal.tenant, User.active)
        .order_by(User.display_name)
    ).all()
    groups: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        groups.setdefault(r.organisation_id, []).append({"id": r.id, "naam": r.display_name})
    return [
        {"organisatie": name, "gebruikers": groups[org]}
        for org, name in organisations.items()
        if org in groups
    ]


def _kept(form_data: Form) -> dict[str, str]:
    """The posted text fields, one value each (every field of this form is single)."""
    return {name: form_data.get(name) for name in form_data.fields if name != CSRF_FIELD}


def plan_page(
    viewer: Viewer,
    casus_id: uuid.UUID,
    token: str,
    *,
    state: formstate.FormState | None = None,
    status: int = 200,
    melding: str | None = None,
    extra_rows: int = form.EXTRA_ROWS,
    posted_version: int | None = None,
    stale: bool = False,
) -> Template:
    """The editor with the current plan (or the form that came back)."""
    with viewer.attempt() as ws:
        versions, anon = plans.list_versions(ws, casus_id, None)
        casus = ws.load_casus(casus_id)
        current = plans.plan_view(ws, plans.read_plan(ws, casus_id, None)) if versions else None
        organisations = _organisations(ws)
        users = _users(ws, organisations)
        domains = instrument_domains(ws.manifest_of(casus.tenant_id).assessment_instrument)
        reference, may_change = casus.reference, plans.may_change(casus)
        phase = casus.state
    editable = may_change and (
        current is None or (current["weergave"] == "full" and not current["tekst_afgeschermd"])
    )
    current_version = int(current["versie"]) if current else 0
    if state is None:
        state = formstate.FormState(form.FORM, form.values_from_view(current))
    shown_version = current_version if (stale or posted_version is None) else posted_version
    newer = [v for v in versions if v["versie"] > (posted_version or 0)] if stale else []
    return render(
        viewer,
        "plan.html",
        {
            "f": formstate.FormView(state),
            "F": form.FORM,
            "casus_id": str(casus_id),
            "referentie": reference,
            "fase": phase,
            "plan": current,
            "versies": versions,
            "anoniem": anon,
            "bewerkbaar": editable,
            "fase_staat_toe": may_change,
            "versie": shown_version,
            "nieuwere": newer,
            "rijen": form.rows_to_show(state.values, extra_rows),
            "leefgebieden": domains,
            "organisaties": organisations,
            "gebruikers": users,
            "doel_statussen": GOAL_STATUS_LABELS,
            "actie_statussen": ACTION_STATUS_LABELS,
            "toezegging_statussen": COMMITMENT_STATUS_LABELS,
            "sporen": TRACK_LABELS,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": formstate.melding(melding),
        },
        doel=PURPOSE,
        active="casussen",
        status=status,
    )


def _expected(value: str) -> int | None:
    """The plan version the form was made for; 0 (no plan yet) needs no If-Match."""
    if not value.isdigit():
        return None
    number = int(value)
    return number if number > 0 else None


def save(viewer: Viewer, casus_id: uuid.UUID, posted: Form, token: str) -> Response[Any]:
    """Store the posted plan; every other outcome is the editor again, with the input."""
    values = _kept(posted)
    version_field = values.pop("versie", "")
    expected = _expected(version_field)
    posted_version = int(version_field) if version_field.isdigit() else None

    def again(
        status: int,
        errors: Mapping[str, list[str]] | None = None,
        general: tuple[str, ...] = (),
        *,
        denied: bool = False,
        stale: bool = False,
        extra: int = form.EXTRA_ROWS,
    ) -> Template:
        state = formstate.FormState(form.FORM, values, errors or {}, general, denied=denied)
        return guarded(
            viewer,
            PURPOSE,
            lambda: plan_page(
                viewer,
                casus_id,
                token,
                state=state,
                status=status,
                extra_rows=extra,
                posted_version=posted_version,
                stale=stale,
            ),
        )

    if posted.get("actie") == "regels":  # more empty rows; nothing is stored
        return again(200, extra=form.MORE_ROWS)
    parsed = form.body_from(values)
    known = form.known_fields(values, form.EXTRA_ROWS)
    try:
        data = parse_form(PlanIn, parsed.body)
        with viewer.attempt() as ws:
            _, created = plans.save_plan(ws, casus_id, expected, data.model_dump(mode="json"))
        melding = "plan-opgeslagen" if created else "plan-ongewijzigd"
        return Redirect(f"/casussen/{casus_id}/plan?melding={melding}", status_code=303)
    except DomainValidationError as error:
        problems = [
            FieldProblem(p.field, SECTION_MESSAGES.get(p.field, p.message)) for p in error.problems
        ]
        errors, general = form.problems_by_field(problems, parsed.origin, known)
        return again(422, errors, tuple(general))
    except (VersionMismatch, VersionRequired) as error:
        newest = error.current if isinstance(error, VersionMismatch) else None
        text = STALE_PLAN.format(versie=newest if newest is not None else "nieuwer")
        return again(409, general=(text,), stale=True)
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return not_found(viewer, PURPOSE)
        messages = tuple(r["message"] for r in reasons(error.decision))
        return again(403, general=messages, denied=True)
    except Conflict as error:
        return again(409, general=(error.message,))
    except NotFound:
        return not_found(viewer, PURPOSE)
    except PolicyEngineUnavailable:
        return render(viewer, "storing.html", {}, doel=PURPOSE, status=503)


def compare_page(
    viewer: Viewer,
    casus_id: uuid.UUID,
    left: int | None,
    right: int | None,
) -> Template:
    """Two versions side by side (default: the one before the current, and the current)."""
    with viewer.attempt() as ws:
        versions, _ = plans.list_versions(ws, casus_id, None)
        reference = ws.load_casus(casus_id).reference
        numbers: list[int] = [int(v["versie"]) for v in versions]
        sections: list[compare.Section] = []
        views: dict[str, Any] = {}
        old = new = 0
        if numbers:
            new = right if right is not None and right in numbers else numbers[0]
            older = [n for n in numbers if n < new]
            old = left if left is not None and left in numbers else (older[0] if older else new)
            views = {
                "oud": plans.plan_view(ws, plans.read_plan(ws, casus_id, None, old)),
                "nieuw": plans.plan_view(ws, plans.read_plan(ws, casus_id, None, new)),
            }
            sections = compare.compare(views["oud"], views["nieuw"], _organisations(ws))
    between = [v for v in versions if min(old, new) < v["versie"] <= max(old, new)]
    return render(
        viewer,
        "plan_vergelijken.html",
        {
            "casus_id": str(casus_id),
            "referentie": reference,
            "versies": versions,
            "van": old,
            "naar": new,
            "secties": sections,
            "tussen": between,
            "views": views,
        },
        doel=PURPOSE,
        active="casussen",
    )


class PlanPagesController(Controller):
    """Plan van aanpak: bewerken en versies vergelijken."""

    path = "/casussen/{casus_id:uuid}/plan"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def editor(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        melding: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = form_token(request, web.csrf)
        return guarded(
            viewer,
            PURPOSE,
            lambda: plan_page(viewer, casus_id, token, melding=melding),
        )

    @post("/", opt=PUBLIC, status_code=303)
    async def store(self, request: Req, web: Web, viewer: Page, casus_id: CasusId) -> Response[Any]:
        def work(viewer: Viewer, posted: Form, token: str) -> Response[Any]:
            return save(viewer, casus_id, posted, token)

        return await submit(request, web, viewer, work)

    @get("/vergelijken", opt=PUBLIC, sync_to_thread=True)
    def versions(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        van: FromQuery[int | None] = None,
        naar: FromQuery[int | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        return guarded(viewer, PURPOSE, lambda: compare_page(viewer, casus_id, van, naar))
