"""A request's workspace opens without I/O when the policy engine is current (issue 14): the
handler's first statement takes the connection and sets the tenant before it runs. That path
answers and audits exactly as the one that opens in a worker thread (the tenant set at once),
and the tenant is on the connection before any statement of the request."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from decided_reads import decided_reads
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from services.casework.unit_of_work import UnitOfWork
from services.platform.authz.enforce import _INSERT
from services.platform.authz.gateway import PolicyGateway
from services.platform.db.unit_of_work import SET_TENANT
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
#: Marks a connection taken from the pool in the statements seen.
CHECKOUT = "-- checkout"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Per opened unit of work: whether it took its connection at once."""
    seen: list[bool] = []
    real = UnitOfWork.open

    def open_(self: UnitOfWork, **kw: Any) -> Any:
        seen.append(kw.get("connect", True))
        return real(self, **kw)

    monkeypatch.setattr(UnitOfWork, "open", open_)
    return seen


@pytest.mark.parametrize("doel", [None, "opschaling"], ids=["own-purpose", "other-purpose"])
def test_opened_without_io_answers_and_audits_as_opened_in_a_thread(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    opened: list[bool],
    monkeypatch: pytest.MonkeyPatch,
    doel: str | None,
) -> None:
    casus_id = uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Opening"))
    path = f"/api/v1/casussen/{casus_id}" + (f"?doel={doel}" if doel else "")
    headers = token_for(T, ZEIST_PGA_EXPERT)
    runtime.casework.gateway.engine()  # current: the next request opens without I/O
    opened.clear()
    fast = client.get(path, headers=headers)
    assert opened == [False]
    monkeypatch.setattr(PolicyGateway, "current_engine", lambda self: None)
    slow = client.get(path, headers=headers)
    assert opened == [False, True]
    assert fast.status_code == slow.status_code
    assert fast.json() == slow.json()
    assert fast.headers.get("etag") == slow.headers.get("etag")
    reads = decided_reads(runtime, T, casus_id)
    assert len(reads) >= 2
    assert reads[-2] == reads[-1]


#: The names of the threads a request runs in besides the event loop.
REQUEST_THREADS = ("asyncio_", "AnyIO worker thread")


def test_the_tenant_is_set_before_the_first_statement_of_the_request(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers, opened: list[bool]
) -> None:
    casus_id = uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Tenant eerst"))
    headers = token_for(T, ZEIST_PGA_EXPERT)
    runtime.casework.gateway.engine()
    seen: list[tuple[int, int, str, Any]] = []

    def record(conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        # Only what the request sends: from the event loop or its worker threads (the
        # loop's executor for sync handlers, AnyIO's for the commit). The runtime's background
        # threads (the scheduler, the outbox relay) may use the same pooled connection just
        # before or after the request (seen in CI).
        on_loop = asyncio._get_running_loop() is not None
        if on_loop or threading.current_thread().name.startswith(REQUEST_THREADS):
            seen.append(
                (threading.get_ident(), id(conn.connection.dbapi_connection), statement, parameters)
            )

    def checkout(dbapi_connection: Any, *_: Any) -> None:
        seen.append((threading.get_ident(), id(dbapi_connection), CHECKOUT, None))

    opened.clear()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    sa.event.listen(sa.pool.Pool, "checkout", checkout)
    try:
        response = client.get(f"/api/v1/casussen/{casus_id}", headers=headers)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
        sa.event.remove(sa.pool.Pool, "checkout", checkout)
    assert response.status_code == 200, response.text
    assert opened == [False]
    # The request's connection: the one that read the casus; all its statements since the
    # request took it from the pool, in order (a background job, such as the outbox relay
    # after the aanmelding, may have used the same pooled connection just before).
    read = next(i for i, (_, _, s, _) in enumerate(seen) if "FROM casussen" in s)
    thread, connection = seen[read][0], seen[read][1]
    taken = max(
        i for i, (_, c, s, _) in enumerate(seen[:read]) if c == connection and s == CHECKOUT
    )
    mine = [(s, p) for _, c, s, p in seen[taken + 1 :] if c == connection and s != CHECKOUT]
    assert "set_config('pga.tenant_id'" in mine[0][0], mine
    assert mine[0][1] == {"tenant": T}
    assert sum("set_config" in s for s, _ in mine) == 1
    assert any(t == thread for t, c, s, _ in seen if "set_config" in s and c == connection)


def test_the_fixed_statements_go_as_driver_sql_and_read_as_before(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    """The two statements every audited request sends besides its reads — the tenant's
    ``set_config`` that begins the transaction and the audit INSERT that ends it — are sent
    as the driver's SQL (``exec_driver_sql``: no ``text()`` compiled and bound per request,
    no ORM execute; issue 14), and the server gets exactly the statements and parameters the
    compiled ``text()`` constructs gave it before."""
    casus_id = uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Driver SQL"))
    headers = token_for(T, ZEIST_PGA_EXPERT)
    runtime.casework.gateway.engine()
    # (the SQL sent, its parameters, whether SQLAlchemy compiled it from a construct)
    sent: list[tuple[str, Any, bool]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, *_: Any
    ) -> None:
        if threading.current_thread().name.startswith(REQUEST_THREADS):
            params = tuple(parameters.items()) if "set_config" in statement else parameters
            sent.append((statement, params, context.compiled is not None))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        response = client.get(f"/api/v1/casussen/{casus_id}", headers=headers)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    dialect = runtime.engine.dialect
    tenant = [s for s in sent if "set_config('pga.tenant_id'" in s[0]]
    audit = [s for s in sent if s[0].startswith("INSERT INTO audit_log")]
    # (A principal read, when the request's principal was not cached, sets it as well.)
    assert tenant and len(audit) == 1, sent
    assert set(tenant) == {(str(SET_TENANT.compile(dialect=dialect)), (("tenant", T),), False)}
    statement, parameters, compiled = audit[0]
    assert statement == str(_INSERT.compile(dialect=dialect))
    assert sorted(parameters) == ["common", "head", "rows"]
    assert isinstance(parameters["rows"], str) and isinstance(parameters["common"], str)
    assert not compiled
    # Still audited (tests/integration/test_casus_json_path.py compares the rows themselves).
    assert decided_reads(runtime, T, casus_id)
