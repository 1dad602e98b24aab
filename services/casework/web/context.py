"""What every web page and form handler needs, injected as one dependency (``web``)."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

import sqlalchemy as sa
from litestar.response import Template
from sqlalchemy.orm import Session, sessionmaker

from services.casework.unit_of_work import CaseworkDeps, LazyWorkspace
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.http.csrf import CsrfSigner
from services.platform.identity.principal import Principal
from services.platform.identity.setup import Identity
from services.platform.policy import PolicyEngineUnavailable

_READING: Final = "regietafel.reading-part"
#: What a statement of a reading part may not hold: a write (also in a WITH), a row lock.
_WRITES: Final = re.compile(
    r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|CALL|LOCK|NOTIFY|FOR\s+(NO\s+KEY\s+)?UPDATE|"
    r"FOR\s+(KEY\s+)?SHARE|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|SET|SELECT\s+set_config)\b",
    re.IGNORECASE,
)


class WriteInReadingPart(RuntimeError):
    """A part of a page declared reading (:meth:`Viewer.reading`) tried to send a statement
    that may change something; it was not sent."""


@contextmanager
def reading_only(session: Session) -> Iterator[None]:
    """While the block runs, the session's connection sends only plain reads (``SELECT``
    or ``WITH`` ... ``SELECT`` without a write or a row lock); anything else raises
    :class:`WriteInReadingPart` before it is sent, leaving the transaction as it was."""
    info = session.connection().info
    if info.get(_READING):  # nested: the outer part guards already
        yield
        return
    info[_READING] = True
    try:
        yield
    finally:
        info.pop(_READING, None)


@functools.lru_cache(maxsize=2048)  # a page's statements are the compiled cache's strings
def plain_read(statement: str) -> bool:
    """Whether a statement only reads: ``SELECT`` or ``WITH`` without a write, a row lock,
    a transaction command or a setting (the words are SQL's: values are sent apart)."""
    return (
        statement.lstrip()[:6].upper().startswith(("SELECT", "WITH"))
        and _WRITES.search(statement) is None
    )


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _guard_reading_part(
    conn: sa.Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    if conn.info.get(_READING) and not plain_read(statement):
        raise WriteInReadingPart(" ".join(statement.split())[:80])


if TYPE_CHECKING:
    from services.casework.web.formstate import FormState


#: How many unread meldingen a user has (services.casework.meldingen.service.unread_count).
BadgeCount = Callable[[Session, Principal], int]


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
    #: The header's badge: the viewer's unread meldingen (injected by the composition root,
    #: so that the page shell does not import a feature).
    unread_count: BadgeCount


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
    def reading(self) -> Iterator[Workspace]:
        """:meth:`attempt` for a part of a page that only reads: the same guarantee without
        the savepoint and its release (issue 14). The part cannot write: any statement but
        a plain read is refused before it is sent (:func:`reading_only`); so when it fails
        there is nothing in the database to roll back, and its audit rows are dropped and
        its refusals kept on record exactly as the rollback to a savepoint does."""
        ws = self.ws
        ws.session.flush()  # what is pending is not the part's (as begin_nested flushes it)
        enforcer = ws.enforcer
        mark, refused_before = enforcer.mark(), len(enforcer.denied)
        try:
            with reading_only(ws.session):
                yield ws
        except BaseException as error:
            enforcer.forget_since(mark)
            refused = enforcer.denied[refused_before:]
            if isinstance(error, (AccessDenied, PolicyEngineUnavailable)) and refused:
                enforcer.rewrite(refused)
            raise

    @contextmanager
    def attempt(self) -> Iterator[Workspace]:
        """A part of the page that may fail without failing the request: its writes roll back
        to a savepoint and its refusals stay on record (:meth:`Workspace.attempt`)."""
        with self.ws.attempt() as ws:
            yield ws
