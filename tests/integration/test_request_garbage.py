"""A request leaves no reference cycles of the app's own objects (issue 14; ADR 0020,
amendment ``cycles``): its session, unit of work, workspace, enforcer and the rows they hold
are freed by reference counting when the request ends, not left for CPython's cyclic garbage
collector, whose pauses (tens of milliseconds with a few thousand objects to free) set the
casus page's tail latency under load.

The session's ``info`` held the enforcer and the workspace (their events reach them through
class-level listeners), and they held the session: every request left that cycle, with all
the workspace held (the casus, its person, its relations), ~120 objects on the casus page
and ~700 on the API list of 50. The unit of work now detaches them when it closes the
session. The werkvoorraad page defined a Jinja2 macro in its template, made per render with
the render's context in a cycle (the page's data with it); it is imported now.

Measured as the garbage collector sees it: automatic collections off, ``DEBUG_SAVEALL`` (a
collection keeps what it would free in ``gc.garbage``), a few requests, one collection. Only
objects of the app's own classes are counted (the test client's httpx objects form cycles of
their own); the old code left several of them per request, so a bound of less than one per
request holds a margin either way and cannot pass with the cycle back."""

from __future__ import annotations

import gc
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of

from services.casework.unit_of_work import UnitOfWork, workspace
from services.casework.workspace import _WORKSPACES
from services.platform.authz.enforce import _ENFORCERS, AccessDenied, Target
from services.platform.db.models import AuditEntry
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
#: Requests measured per page.
N = 8
#: Classes of the request's unit of work: none of them may be left in a cycle.
UNIT_TYPES = ("Session", "SessionTransaction", "UnitOfWork", "Workspace", "Enforcer")


def _ours(obj: object) -> str | None:
    """The class name of an object of the app (``services``) or a SQLAlchemy session."""
    kind = type(obj)
    module = kind.__module__ or ""
    if module.startswith("services.") or kind.__qualname__ in UNIT_TYPES:
        return f"{module}.{kind.__qualname__}"
    return None


@pytest.fixture
def saved_garbage() -> Iterator[Callable[[Callable[[], None]], Counter[str]]]:
    """``measure(requests)``: the app's objects that the cyclic garbage collector would
    have freed after ``requests()`` ran, by class."""
    enabled = gc.isenabled()

    def measure(requests: Callable[[], None]) -> Counter[str]:
        gc.collect()
        gc.garbage.clear()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            requests()
            gc.collect()
            return Counter(name for obj in gc.garbage if (name := _ours(obj)) is not None)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            if enabled:
                gc.enable()

    yield measure
    gc.set_debug(0)
    gc.garbage.clear()
    if enabled:
        gc.enable()


def _audited(runtime: Runtime, casus_id: uuid.UUID) -> int:
    """The audit rows about ``casus_id`` (a read, or its row of a list page)."""
    with tenant_transaction(runtime.sessions, T) as session:
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.casus_id == casus_id)
        )
        return int(count or 0)


def _assert_no_cycles(garbage: Counter[str], what: str) -> None:
    units = {name: n for name, n in garbage.items() if name.rsplit(".", 1)[-1] in UNIT_TYPES}
    assert not units, f"{what}: units of work left in reference cycles: {units}"
    # Less than one of the app's objects per request (the old code left 10-100 per request).
    assert sum(garbage.values()) < N, f"{what}: cyclic garbage of the app: {garbage}"


def test_casus_reads_leave_no_cyclic_garbage(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    saved_garbage: Callable[[Callable[[], None]], Counter[str]],
) -> None:
    casus_id = uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Cycli"))
    headers = {**token_for(T, ZEIST_PGA_EXPERT), "Accept": "application/json"}
    api, page, listing = (
        f"/api/v1/casussen/{casus_id}",
        f"/casussen/{casus_id}",
        ("/api/v1/casussen?limiet=50"),
    )
    cookie = headers["Authorization"][len("Bearer ") :]

    def read(path: str, *, html: bool = False) -> None:
        if html:
            client.cookies.set("regietafel_token", cookie)
            response = client.get(path)
            client.cookies.clear()
        else:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text

    pages = ((api, False, True), (page, True, True), (listing, False, True))
    # The werkvoorraad page: its template's macro was made per render (a Jinja2 cycle).
    pages += (("/werkvoorraad", True, False),)
    for path, html, audits_casus in pages:
        read(path, html=html)  # warm: caches filled, first-use objects made
        read(path, html=html)
        before = _audited(runtime, casus_id)

        def requests(path: str = path, html: bool = html) -> None:
            for _ in range(N):
                read(path, html=html)

        garbage = saved_garbage(requests)
        _assert_no_cycles(garbage, path)
        # The reads were decided and audited as ever: a row per request at least.
        assert not audits_casus or _audited(runtime, casus_id) >= before + N


def test_a_closed_unit_of_work_forgets_its_enforcer_and_workspace(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    """The teardown itself, committed and aborted: the session's ``info`` keeps neither, and
    the refusal of an aborted unit is on record all the same (written again before the
    close)."""
    principal = principal_of(runtime, ZEIST_PGA_EXPERT)
    casus_id = uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Cycli"))

    unit = UnitOfWork(runtime.casework, principal)
    ws = unit.open()
    session = ws.session
    assert session.info[_ENFORCERS] == [ws.enforcer]
    assert session.info[_WORKSPACES] == [ws]
    ws.load_casus(casus_id)
    unit.commit()
    assert _ENFORCERS not in session.info and _WORKSPACES not in session.info

    marker = uuid.uuid4()
    with pytest.raises(AccessDenied), workspace(runtime.casework, principal) as refused:  # noqa: PT012
        session = refused.session
        refused.enforcer.decide(
            "read",
            {
                "type": "casus",
                "tenant": "GM0000",  # another gemeente: the policy refuses
                "casus_kind": "persoon",
                "contains_person_identifiers": True,
            },
            refused.context("uitvoering"),
            Target("casus", str(marker), marker),
        )
    assert _ENFORCERS not in session.info and _WORKSPACES not in session.info
    with tenant_transaction(runtime.sessions, T) as check:
        rows = check.scalars(sa.select(AuditEntry).where(AuditEntry.casus_id == marker)).all()
        assert [row.allowed for row in rows] == [False]
