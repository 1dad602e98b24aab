"""Toestemming on the casus page: the recorded consents of the person, recording one (purpose,
scope, the power-imbalance question) and revoking it. Validated with the API's request model
and done through the same service functions as the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from litestar import Controller, Response, post
from litestar.params import FromPath

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.toestemming import service as consents
from services.casework.toestemming.schemas import ToestemmingIn
from services.casework.web.kit import Builder, CasusId, Form, casus_form, yes_no
from services.casework.web.schema_forms import parse_form
from services.casework.web.shell import Page, Req, Web, reasons
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import Casus
from services.platform.identity.authn import PUBLIC
from tenants.reference import PURPOSES

ConsentId = FromPath[uuid.UUID]


def consent_section(
    ws: Workspace, casus: Casus, detail: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The toestemming section of a person casus: the consents under the policy, and
    whether the forms are offered (full view only; the policy decides again on sending)."""
    if casus.kind != "persoon":
        return None
    try:
        recorded = consents.list_consents(ws, casus.id)
    except AccessDenied as error:
        return {"geweigerd": reasons(error.decision), "toestemmingen": [], "formulier": False}
    return {
        "geweigerd": None,
        "toestemmingen": recorded,
        "doelen": PURPOSES,
        "formulier": detail.get("weergave") == "full",
    }


def _record_consent(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        problems: list[FieldProblem] = []
        imbalance = yes_no(form.get("ongelijke_verhouding"))
        if imbalance is None:
            problems.append(
                FieldProblem(
                    "ongelijke_verhouding",
                    "Beantwoord deze vraag: toestemming onder een ongelijke verhouding is "
                    "geen geldige grondslag.",
                )
            )
        if not form.get("doel"):
            problems.append(FieldProblem("doel", "Kies het doel waarvoor de toestemming geldt."))
        if problems:
            raise DomainValidationError(problems)
        data = parse_form(
            ToestemmingIn,
            {
                "doel": form.get("doel"),
                "reikwijdte": form.get("reikwijdte") or None,
                "ongelijke_verhouding": imbalance,
            },
        )
        consents.record_consent(ws, casus_id, data.doel, data.reikwijdte, data.ongelijke_verhouding)
        return "toestemming-vastgelegd"

    return perform


def _revoke(consent_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
        def perform(ws: Workspace) -> str:
            consents.revoke_consent(ws, casus_id, consent_id)
            return "toestemming-ingetrokken"

        return perform

    return build


class ToestemmingPagesController(Controller):
    """Toestemming vastleggen en intrekken (casuspagina)."""

    path = "/"
    include_in_schema = False

    @post("/casussen/{casus_id:uuid}/toestemmingen", opt=PUBLIC, status_code=303)
    async def record(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId
    ) -> Response[Any]:
        return await casus_form(
            request, web, viewer, casus_id, lambda form: "toestemming", _record_consent
        )

    @post(
        "/casussen/{casus_id:uuid}/toestemmingen/{consent_id:uuid}/intrekken",
        opt=PUBLIC,
        status_code=303,
    )
    async def revoke(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, consent_id: ConsentId
    ) -> Response[Any]:
        return await casus_form(
            request,
            web,
            viewer,
            casus_id,
            lambda form: f"intrekken:{consent_id}",
            _revoke(consent_id),
        )
