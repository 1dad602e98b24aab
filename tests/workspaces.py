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


@contextlib.contextmanager
def statements_in_this_thread() -> Iterator[list[str]]:
    """The SQL statements this thread sends while the block runs (whitespace collapsed).
    Only this thread's: the runtime's outbox relay and scheduler send theirs on other
    threads meanwhile, which made exact counts fail now and then."""
    seen: list[str] = []
    me = threading.get_ident()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() == me:
            seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
