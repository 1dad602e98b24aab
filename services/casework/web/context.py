"""What every web page and form handler needs, injected as one dependency (``web``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from litestar.response import Template
from sqlalchemy.orm import Session, sessionmaker

from services.casework.unit_of_work import CaseworkDeps, LazyWorkspace
from services.casework.workspace import Workspace
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
    """Who is looking at a page, and the workspace of the request (one transaction; see
    :func:`services.casework.web.shell.page_viewer` and docs/adr/0024)."""

    principal: Principal
    organisation_name: str
    tenant_name: str
    #: None for a viewer made outside a casework page (the beheer pages).
    request_workspace: LazyWorkspace | None = field(default=None, compare=False, repr=False)

    @property
    def ws(self) -> Workspace:
        """The request's workspace (opened on first use)."""
        if self.request_workspace is None:
            raise RuntimeError("this viewer has no workspace: not a casework page")
        return self.request_workspace.get()

    @contextmanager
    def attempt(self) -> Iterator[Workspace]:
        """A part of the page that may fail without failing the request: its writes roll back
        to a savepoint and its refusals stay on record (:meth:`Workspace.attempt`)."""
        with self.ws.attempt() as ws:
            yield ws
