"""The developer page (``/ontwikkelaar``): the API token of this login (embedded mode only),
the OpenAPI documents and the health endpoints — material for developers, kept off the pages
every professional uses."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session, sessionmaker

from services.platform.db.models import Organisation, Tenant
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.authn import COOKIE, PUBLIC
from services.platform.identity.directory import AccessRefused
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import TokenError

Req = Request[Any, Any, Any]


class DeveloperController(Controller):
    path = "/ontwikkelaar"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def developer(
        self,
        request: Req,
        identity: NamedDependency[Identity],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[Any]:
        token = request.cookies.get(COOKIE)
        try:
            principal = identity.directory.resolve(identity.verifier.verify(token or ""))
        except (TokenError, AccessRefused):
            return Redirect("/inloggen", status_code=303)
        with tenant_transaction(sessions, principal.tenant) as session:
            org = session.get(Organisation, (principal.tenant, principal.organisation))
            tenant = session.get(Tenant, principal.tenant)
        return Template(
            "ontwikkelaar.html",
            context={
                "principal": principal,
                "organisation_name": org.name if org else principal.organisation,
                "tenant_name": tenant.name if tenant else principal.tenant,
                # Only the development issuer's tokens are shown; production shows none.
                "token": token if identity.dev_issuer is not None else None,
            },
        )
