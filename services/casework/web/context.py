"""What every web page and form handler needs, injected as one dependency (``web``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from litestar.response import Template
from sqlalchemy.orm import Session, sessionmaker

from services.casework.unit_of_work import CaseworkDeps
from services.platform.http.csrf import CsrfSigner
from services.platform.identity.principal import Principal
from services.platform.identity.setup import Identity

if TYPE_CHECKING:
    from services.casework.web.formstate import FormState


class CasusPage(Protocol):
    """Renders the casus page (:func:`services.casework.casuspagina.pages.casus_page`); a form
    that comes back with problems shows it again. Injected so that no feature imports the
    page that composes them all."""

    def __call__(
        self,
        viewer: Viewer,
        casework: CaseworkDeps,
        casus_id: uuid.UUID,
        requested: str | None = None,
        *,
        token: str,
        melding: str | None = None,
        state: FormState | None = None,
        status: int = 200,
    ) -> Template: ...


@dataclass(frozen=True)
class WebDeps:
    identity: Identity
    sessions: sessionmaker[Session]
    casework: CaseworkDeps
    csrf: CsrfSigner
    casus_page: CasusPage


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    organisation_name: str
    tenant_name: str
