"""Service-layer workspaces for tests that read or write, look, and undo (the rollback
leaves the shared test database as it was)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from people import ZEIST

from services.casework.unit_of_work import workspace
from services.casework.workspace import Workspace
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.runtime import Runtime


class Undo(Exception):
    """Raised to end a test's workspace with a rollback."""


@contextlib.contextmanager
def rolled_back(runtime: Runtime, principal: Principal) -> Iterator[Workspace]:
    """A workspace whose transaction is rolled back at the end (or by ``raise Undo``)."""
    with contextlib.suppress(Undo), workspace(runtime.casework, principal) as ws:
        yield ws
        raise Undo


def principal_of(runtime: Runtime, user: str, tenant: str = ZEIST) -> Principal:
    """The principal of a test user, as the directory builds it for a request."""
    return PrincipalDirectory(runtime.sessions).resolve(Claims(user, tenant, {}))


#: Statements of the app's background work, not of a page: the policy data's periodic check
#: (``PolicyGateway.engine`` runs it in whichever thread passes its refresh interval, a
#: request's included) and the outbox relay (its own thread).
BACKGROUND = ("FROM policy_data_activations", "outbox_relay", "outbox_events")


def is_background(statement: str) -> bool:
    """Whether ``statement`` is the app's background work (:data:`BACKGROUND`)."""
    return any(other in statement for other in BACKGROUND)


@contextlib.contextmanager
def statements_in_this_thread() -> Iterator[list[str]]:
    """The SQL statements this thread sends while the block runs (whitespace collapsed),
    without the app's background work (:func:`is_background`). Only this thread's: the
    runtime's outbox relay and scheduler send theirs on other threads meanwhile, which made
    exact counts fail now and then; the policy data's check may run in this thread when its
    interval has passed (it failed a count of the werkvoorraad's statements in CI, session
    26)."""
    seen: list[str] = []
    me = threading.get_ident()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() == me and not is_background(statement):
            seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
