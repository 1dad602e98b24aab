"""The request-scoped workspace (docs/adr/0024-request-scoped-workspace.md): handlers receive
``ws`` from a dependency; the transaction, audit and error behaviour are those of the unit of
work they used to open themselves.

A small app with the real dependency, the real database and policy engine, and the casework
exception handlers; the handlers do what a service does (write, ask the policy, flush)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.testing import TestClient
from people import REGION_UTRECHT, ZEIST, ZEIST_PGA_EXPERT, ZEIST_PGA_EXPERT_NAME, ZEIST_WIJKAGENT

from services.casework.commands import Ws, command
from services.casework.errors import VersionMismatch, VersionRequired
from services.casework.problems import CASEWORK_EXCEPTION_HANDLERS
from services.casework.routes import DEPENDENCIES
from services.casework.unit_of_work import workspace
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import AuditEntry, CasusEvent
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
PRINCIPAL = Principal(
    user_id=ZEIST_PGA_EXPERT,
    tenant=T,
    tenant_kind="gemeente",
    region=REGION_UTRECHT,
    organisation="gemeente-zeist-oov",
    domain="gemeente-oov",
    roles=frozenset({"pga-expert"}),
    display_name=ZEIST_PGA_EXPERT_NAME,
)
#: A casus of another gemeente: the policy refuses (``tenant-anders``, answered as 404).
OTHER_TENANT = "GM0000"


def _refuse(ws: Workspace, marker: uuid.UUID) -> None:
    resource = {
        "type": "casus",
        "tenant": OTHER_TENANT,
        "casus_kind": "persoon",
        "contains_person_identifiers": True,
    }
    ws.enforcer.decide(
        "read", resource, ws.context("uitvoering"), Target("casus", str(marker), marker)
    )


@post("/probe/{casus_id:uuid}/weigering/{marker:uuid}", sync_to_thread=True)
def refused_after_a_write(
    ws: Ws, casus_id: FromPath[uuid.UUID], marker: FromPath[uuid.UUID]
) -> None:
    ws.event(ws.load_casus(casus_id), "probe", "Geschreven vóór de weigering.")
    ws.session.flush()
    _refuse(ws, marker)


@post("/probe/{casus_id:uuid}/verouderd", sync_to_thread=True)
def stale(runtime_casework: NamedDependency[Any], ws: Ws, casus_id: FromPath[uuid.UUID]) -> None:
    casus = ws.load_casus(casus_id)  # read without a lock
    with workspace(runtime_casework, PRINCIPAL) as other:  # another request commits meanwhile
        other.touch(other.load_casus(casus_id))
    ws.touch(casus)
    ws.session.flush()  # StaleDataError in the handler


@post("/probe/{casus_id:uuid}/wijziging", sync_to_thread=True, status_code=200)
def change(
    request: Request[Any, Any, Any], ws: Ws, casus_id: FromPath[uuid.UUID]
) -> Response[dict[str, int]]:
    def touch(expected: int | None) -> Any:
        casus = ws.load_casus(casus_id, for_update=True)
        if expected is not None and expected != casus.version:
            raise VersionMismatch(casus.version)
        ws.touch(casus)
        return casus

    return command(request, ws, touch, lambda casus: {"versie": casus.version})


@pytest.fixture
def probe(runtime: Runtime, test_tenants: object) -> Iterator[TestClient[Litestar]]:
    def as_principal(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            scope["user"] = PRINCIPAL
            await app(scope, receive, send)

        return middleware

    app = Litestar(
        route_handlers=[refused_after_a_write, stale, change],
        dependencies={
            "casework": Provide(lambda: runtime.casework, sync_to_thread=False),
            "runtime_casework": Provide(lambda: runtime.casework, sync_to_thread=False),
            **DEPENDENCIES,
        },
        exception_handlers=CASEWORK_EXCEPTION_HANDLERS,
        middleware=[as_principal],
    )
    with TestClient(app) as client:
        yield client


def _casus(client: TestClient[Litestar], token_for: Headers) -> uuid.UUID:
    return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Werkruimte"))


def _version(runtime: Runtime, casus_id: uuid.UUID) -> int:
    with workspace(runtime.casework, PRINCIPAL) as ws:
        return ws.load_casus(casus_id).version


def _events(runtime: Runtime, casus_id: uuid.UUID, kind: str) -> int:
    with tenant_transaction(runtime.sessions, T) as session:
        return len(
            session.scalars(
                sa.select(CasusEvent).where(
                    CasusEvent.casus_id == casus_id, CasusEvent.kind == kind
                )
            ).all()
        )


def _refusals(runtime: Runtime, marker: uuid.UUID) -> list[AuditEntry]:
    with tenant_transaction(runtime.sessions, T) as session:
        return list(
            session.scalars(sa.select(AuditEntry).where(AuditEntry.casus_id == marker)).all()
        )


def test_a_refused_request_writes_nothing_but_its_refusal(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers, probe: TestClient[Litestar]
) -> None:
    casus_id, marker = _casus(client, token_for), uuid.uuid4()
    response = probe.post(f"/probe/{casus_id}/weigering/{marker}")
    assert response.status_code == 404, response.text  # a refusal (tenant-anders)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _events(runtime, casus_id, "probe") == 0  # the write before the refusal: rolled back
    refusals = _refusals(runtime, marker)
    assert [(r.action, r.allowed) for r in refusals] == [("read", False)]


def test_a_row_changed_meanwhile_is_a_412(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers, probe: TestClient[Litestar]
) -> None:
    casus_id = _casus(client, token_for)
    before = _version(runtime, casus_id)
    response = probe.post(f"/probe/{casus_id}/verouderd")
    assert response.status_code == 412, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _version(runtime, casus_id) == before + 1  # only the other request's change


def test_a_command_answers_the_committed_version_as_its_etag(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers, probe: TestClient[Litestar]
) -> None:
    casus_id = _casus(client, token_for)
    before = _version(runtime, casus_id)
    response = probe.post(f"/probe/{casus_id}/wijziging", headers={"If-Match": f'"v{before}"'})
    assert response.status_code == 200, response.text
    assert response.json() == {"versie": before + 1}
    assert response.headers["etag"] == f'"v{before + 1}"'
    assert _version(runtime, casus_id) == before + 1
    again = probe.post(f"/probe/{casus_id}/wijziging", headers={"If-Match": f'"v{before}"'})
    assert again.status_code == 412
    assert _version(runtime, casus_id) == before + 1


def test_a_failed_part_of_a_page_rolls_back_to_its_savepoint_and_keeps_its_refusal(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    """Viewer.attempt / Workspace.attempt: what a page shows after a failed part (a form with
    problems, a refusal page) is committed with the request; the failed part is not, except
    the record of its refusal (once)."""
    casus_id, marker = _casus(client, token_for), uuid.uuid4()
    with workspace(runtime.casework, PRINCIPAL) as ws:
        casus = ws.load_casus(casus_id)
        with pytest.raises(AccessDenied), ws.attempt():  # noqa: PT012 - the part that fails
            ws.event(casus, "probe-deel", "Geschreven in het mislukte deel.")
            ws.session.flush()
            _refuse(ws, marker)
        ws.event(casus, "probe-pagina", "Geschreven na het mislukte deel.")
    assert _events(runtime, casus_id, "probe-deel") == 0
    assert _events(runtime, casus_id, "probe-pagina") == 1
    assert [r.allowed for r in _refusals(runtime, marker)] == [False]


def test_a_stale_row_in_a_part_of_a_page_is_a_version_mismatch(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    casus_id = _casus(client, token_for)
    before = _version(runtime, casus_id)
    with workspace(runtime.casework, PRINCIPAL) as ws:
        casus = ws.load_casus(casus_id)
        with workspace(runtime.casework, PRINCIPAL) as other:
            other.touch(other.load_casus(casus_id))
        with pytest.raises(VersionMismatch), ws.attempt():
            ws.touch(casus)
        ws.event(ws.load_casus(casus_id), "probe-na-412", "De pagina gaat door.")
    assert _version(runtime, casus_id) == before + 1
    assert _events(runtime, casus_id, "probe-na-412") == 1


def test_changing_checks_the_version_then_touches_and_flushes(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    """Workspace.changing: 428 without If-Match (unless ``required=False``), 412 when stale
    (also when not required), and the row's version moves on once after the change."""
    casus_id = _casus(client, token_for)
    before = _version(runtime, casus_id)
    with workspace(runtime.casework, PRINCIPAL) as ws:
        casus = ws.load_casus(casus_id, for_update=True)
        with pytest.raises(VersionRequired), ws.changing(casus, None):
            pytest.fail("the change runs only after the version check")
        with pytest.raises(VersionMismatch), ws.changing(casus, before + 5, required=False):
            pytest.fail("the change runs only after the version check")
        with ws.changing(casus, None, required=False):
            ws.event(casus, "probe-wijziging", "Zonder If-Match, waar die niet verplicht is.")
        assert casus.version == before + 1  # flushed: the answer can name the new version
    with workspace(runtime.casework, PRINCIPAL) as ws:  # the next request
        casus = ws.load_casus(casus_id, for_update=True)
        with ws.changing(casus, before + 1):
            ws.event(casus, "probe-wijziging", "Met de huidige versie.")
        assert casus.version == before + 2
    assert _version(runtime, casus_id) == before + 2
    assert _events(runtime, casus_id, "probe-wijziging") == 2
