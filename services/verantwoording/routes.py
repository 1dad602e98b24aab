"""The register of processing activities (art. 30 AVG) of the caller's gemeente.

``GET /api/v1/verwerkingsregister`` (JSON) and the Dutch page ``/verwerkingsregister`` (login
cookie) show the register generated from the tenant's manifest
(services/platform/authz/register.py):
for the burgemeester's contact person, the pga-expert (procesregisseur) and the
tenantbeheerder. It holds no person data; reading it is audited all the same.
"""

from __future__ import annotations

from typing import Any, Final

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session, sessionmaker

from services.casework.web.context import WebDeps
from services.casework.web.shell import render, to_login, viewer_of
from services.platform.authz.audit import AuditRecord, append_audit
from services.platform.authz.register import Register, build_register
from services.platform.db.models import Tenant
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.http.openapi import problem_responses
from services.platform.identity.authn import PUBLIC
from services.platform.identity.guards import principal_of, require_roles
from services.platform.identity.principal import Principal
from tenants.manifest import Manifest

#: The roles that may read the register.
READERS: Final = ("burgemeester-contactpersoon", "pga-expert", "tenantbeheerder")

Req = Request[Any, Any, Any]


def read_register(sessions: sessionmaker[Session], principal: Principal) -> Register:
    """The caller's register, its reading audited (activity ``verantwoording``)."""
    with tenant_transaction(sessions, principal.tenant) as session:
        tenant = session.get(Tenant, principal.tenant)
        assert tenant is not None, "an authenticated principal has a tenant"
        register = build_register(Manifest.model_validate(tenant.manifest))
        append_audit(
            session,
            AuditRecord.by(
                principal, "read", "verwerkingsregister", principal.tenant, purpose="verantwoording"
            ),
        )
        return register


class ActiviteitOut(BaseModel):
    """One processing activity (art. 30 lid 1 AVG)."""

    model_config = ConfigDict(extra="forbid")

    code: str
    uri: str
    name: str
    purpose: str
    legal_basis: str
    legal_basis_label: str
    statutory_ground: str
    data_categories: list[str]
    person_categories: list[str]
    recipients: list[str]
    retention: str


class RegisterOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant: str
    verwerkingsverantwoordelijke: str
    activiteiten: list[ActiviteitOut]


class VerwerkingsregisterController(Controller):
    path = "/api/v1/verwerkingsregister"
    tags = ["verantwoording"]  # noqa: RUF012

    @get(
        "/",
        guards=[require_roles(*READERS)],
        sync_to_thread=True,
        summary="Register van verwerkingsactiviteiten (art. 30 AVG) van de eigen gemeente",
        responses=problem_responses(),
    )
    def register(
        self, request: Req, sessions: NamedDependency[sessionmaker[Session]]
    ) -> RegisterOut:
        return RegisterOut.model_validate(read_register(sessions, principal_of(request)).as_dict())


class VerwerkingsregisterPageController(Controller):
    path = "/verwerkingsregister"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def page(self, request: Req, web: NamedDependency[WebDeps]) -> Response[Any]:
        viewer = viewer_of(request, web.identity)
        if viewer is None:
            return to_login()
        if not viewer.principal.has_role(*READERS):
            reason = {
                "code": "rol-vereist",
                "message": "Het verwerkingsregister is er voor de contactpersoon van de "
                "burgemeester, de PGA-expert en de beheerder van de gemeente.",
            }
            return render(viewer, "geweigerd.html", {"redenen": [reason]}, doel=None, status=403)
        register = read_register(web.sessions, viewer.principal)
        return render(
            viewer,
            "verwerkingsregister.html",
            {"register": register},
            doel=None,
            active="verwerkingsregister",
        )
