"""The casus page: every section the policy lets the viewer see, and the forms that fit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from services.casework.brieven.pages import letter_buttons
from services.casework.casuspagina import acties
from services.casework.casussen import doelbinding, spoedtoegang, tijdlijn, weergave
from services.casework.casussen.huishouden import household_section
from services.casework.documenten import service as documents
from services.casework.documenten.pages import upload_form
from services.casework.domain import lifecycle
from services.casework.domain.assessments import instrument_domains
from services.casework.errors import NotFound
from services.casework.groepsaanpak import service as groups
from services.casework.groepsstappen.pages import steps_context
from services.casework.informatie.items import list_items
from services.casework.page_reads import page_reads
from services.casework.plan import service as plans
from services.casework.toestemming.pages import consent_section
from services.casework.web import formstate
from services.casework.web.context import Viewer
from services.casework.web.shell import (
    PARTICIPATION_LABELS,
    PHASE_PURPOSE,
    ROLE_LABELS,
    VIEW_LABELS,
    Page,
    Req,
    Web,
    form_token,
    guarded,
    org_names,
    person_label,
    reasons,
    render,
    to_login,
    user_names,
)
from services.casework.workspace import Workspace
from services.casework.zelfredzaamheid import service as assessment_service
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from tenants.reference import PURPOSES


@dataclass
class Section:
    """A part of the casus page: its data, or why the policy did not show it."""

    data: Any = None
    geweigerd: list[dict[str, str]] | None = None
    ontbreekt: bool = False


def _section(load: Callable[[], Any]) -> Section:
    """One section under the policy. A refusal hides only this section (and is audited by
    the enforcer in the same transaction as the rest of the page)."""
    try:
        return Section(data=load())
    except AccessDenied as error:
        return Section(geweigerd=reasons(error.decision))
    except NotFound:
        return Section(ontbreekt=True)


def _casus_context(
    ws: Workspace,
    casus_id: uuid.UUID,
    doel: str | None,
    state: formstate.FormState | None = None,
) -> dict[str, Any]:
    recommended = doelbinding.default_purpose(ws, ws.load_casus(casus_id, subject=True))
    casus, decision = weergave.read_casus(ws, casus_id, doel or recommended)
    purpose = doel or recommended
    detail = weergave.detail_view(ws, casus, decision)
    organisations = org_names(ws)
    plan = _section(lambda: plans.plan_view(ws, plans.read_plan(ws, casus_id, purpose)))
    named = {r["gebruiker"] for r in detail["regie"] if r["gebruiker"]}
    if plan.data and plan.data.get("aangemaakt_door"):
        named.add(plan.data["aangemaakt_door"])
    if plan.data:
        named |= {
            a["eigenaar_gebruiker"] for a in plan.data["acties"] if a.get("eigenaar_gebruiker")
        }
    zrm = (
        _section(lambda: assessment_service.history(ws, casus_id, purpose))
        if casus.kind == lifecycle.PERSON
        else None
    )
    items = _section(lambda: list_items(ws, casus_id, purpose))
    attachments = _section(lambda: documents.list_documents(ws, casus_id, purpose))
    group = casus.kind == lifecycle.GROUP
    members = _section(lambda: groups.list_members(ws, casus_id)) if group else None
    signals = _section(lambda: groups.list_signals(ws, casus_id)) if group else None
    events = _section(lambda: tijdlijn.timeline_in_words(ws, casus_id))
    # After the tijdlijn, which read the names of its actors: most are named here too.
    users = user_names(ws, named)
    domain_labels = instrument_domains(ws.manifest_of(casus.tenant_id).assessment_instrument)
    forms = formstate.FormView(state)
    return {
        "acties": acties.action_context(ws, casus, detail, organisations, forms),
        "f": forms,
        "casus": detail,
        "naam": person_label(detail),
        "doel": purpose,
        "organisaties": organisations,
        "gebruikers": users,
        "leefgebieden": domain_labels,
        "plan": plan,
        "zrm": zrm,
        "informatie": items,
        "documenten": attachments,
        "documenten_formulier": upload_form(),
        "brieven": letter_buttons(ws, casus.state, casus.kind, detail),
        "leden": members,
        "signalen": signals,
        "tijdlijn": events,
        "weergave_label": VIEW_LABELS.get(detail["weergave"] or "", detail["weergave"]),
        "rol_labels": ROLE_LABELS,
        "deelname_labels": PARTICIPATION_LABELS,
        "doelen": PURPOSES,
        "toestemming": consent_section(ws, casus, detail),
        "huishouden": household_section(ws, casus, detail, purpose),
        "doelbinding": doelbinding.selector(
            purpose, recommended, doelbinding.reminder(ws, casus, purpose)
        ),
        "criteria_teksten": tijdlijn.criteria_texts(ws, casus),
        "groepsstappen": steps_context(ws, casus)
        if group and casus.state not in ("stap-1", "stap-2")
        else None,
    }


def casus_page(
    viewer: Viewer,
    casus_id: uuid.UUID,
    requested: str | None = None,
    *,
    token: str,
    melding: str | None = None,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    """The casus page with its forms; ``state`` is a form that came back with problems."""
    with viewer.reading() as ws, page_reads(ws.session):
        context = _casus_context(ws, casus_id, requested, state)
    context.update(
        {
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "melding": formstate.melding(melding),
        }
    )
    return render(
        viewer, "casus.html", context, doel=context["doel"], active="casussen", status=status
    )


class CasuspaginaController(Controller):
    """De casuspagina."""

    path = "/"
    include_in_schema = False

    @get("/casussen/{casus_id:uuid}", opt=PUBLIC, sync_to_thread=True)
    def casus(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: FromPath[uuid.UUID],
        doel: FromQuery[str | None] = None,
        melding: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        requested = doel if doel in PURPOSES else None

        token = form_token(request, web.csrf)

        def build() -> Template:
            try:
                return casus_page(viewer, casus_id, requested, token=token, melding=melding)
            except AccessDenied as error:
                # Doorbreekglas is offered on the refusal where it applies.
                offer = spoedtoegang.offer_on_refusal(viewer, casus_id, error, token)
                if offer is None:
                    raise
                return offer

        return guarded(viewer, requested or PHASE_PURPOSE, build)
