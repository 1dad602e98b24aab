"""The casus read (``GET /api/v1/casussen/{id}``) reads its casus as a plain row, not an ORM
object (issue 14; ADR 0024, amendment ``casus3``): :meth:`Workspace.load_casus_record` on
the session's connection instead of ``load_casus(subject=True)`` through the ORM. Proven
equal to the ORM way — the same bytes, ETag and audit rows (the data subject included) for
readers with a full, a reduced and no view, for a restricted person, and for the tenant a
casus was shared with — with the same statements, and no ORM object loaded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from decided_reads import decided_reads
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PGA_EXPERT,
    ZEIST,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from test_restriction_shared_casus import (  # noqa: F401 - its fixtures
    _person_etag,
    _restrict,
    module_client,
    shared,
)
from workspaces import is_background

from services.casework.casus_relations import CasusRecord, PersonRecord
from services.casework.casussen import weergave
from services.casework.workspace import Workspace
from services.platform.db.models import Casus, Person
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


def _the_orm_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The route as it was: the casus and its subject loaded as ORM objects."""

    def read(ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None) -> Any:
        return weergave.read_casus(ws, casus_id, purpose, subject=True)

    monkeypatch.setattr(weergave, "read_casus_record", read)


class _Seen:
    """The statements sent and the ORM objects loaded while ``active``."""

    def __init__(self) -> None:
        self.active = False
        self.statements: list[str] = []
        self.loaded: list[str] = []

    def statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # Not the app's background work (the outbox relay, the policy data's check), which
        # may run on the same engine during a request.
        if self.active and not is_background(statement):
            self.statements.append(statement.split("(")[0].split(" FROM ")[0][:40])

    def load(self, target: Any, _context: Any) -> None:
        if self.active:
            self.loaded.append(type(target).__name__)


@pytest.fixture
def seen(runtime: Runtime) -> Iterator[_Seen]:
    watcher = _Seen()
    engine = runtime.sessions.kw["bind"]
    sa.event.listen(engine, "before_cursor_execute", watcher.statement)
    sa.event.listen(Casus, "load", watcher.load)
    sa.event.listen(Person, "load", watcher.load)
    try:
        yield watcher
    finally:
        sa.event.remove(engine, "before_cursor_execute", watcher.statement)
        sa.event.remove(Casus, "load", watcher.load)
        sa.event.remove(Person, "load", watcher.load)


def _compare(
    client: TestClient[Litestar],
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    seen: _Seen,
    tenant: str,
    owner: str,
    casus_id: uuid.UUID,
    path: str,
    headers: dict[str, str],
) -> dict[str, Any] | None:
    client.get(path, headers=headers)  # the caches of the app's first request
    seen.active, seen.statements, seen.loaded = True, [], []
    fast = client.get(path, headers=headers)
    seen.active = False
    fast_statements, fast_loaded = seen.statements, seen.loaded
    with monkeypatch.context() as patched:
        _the_orm_way(patched)
        seen.active, seen.statements, seen.loaded = True, [], []
        slow = client.get(path, headers=headers)
        seen.active = False
    assert fast.status_code == slow.status_code
    if fast.status_code == 200:
        assert fast.content == slow.content
    else:  # problem+json: the same but for the request's own id
        assert {**fast.json(), "request_id": None} == {**slow.json(), "request_id": None}
    assert fast.headers.get("etag") == slow.headers.get("etag")
    assert fast_statements == seen.statements  # no statement more (the data subject's)
    assert fast_loaded == []  # no ORM object: the casus and its person are plain rows
    if fast.status_code == 200:
        assert seen.loaded  # the ORM way loads the casus (and its person) as objects
    for audit_tenant in {tenant, owner}:
        reads = decided_reads(runtime, audit_tenant, casus_id, with_input=True)
        assert len(reads) >= 2
        assert reads[-2] == reads[-1]
        assert reads[-1]["data_subject_ref"] is not None  # about the casus's person
    return fast.json() if fast.status_code == 200 else None


@pytest.mark.parametrize(
    ("reader", "doel"),
    [
        (ZEIST_PGA_EXPERT, None),
        (ZEIST_PGA_EXPERT, "opschaling"),
        (ZEIST_WIJKAGENT, None),
        (ZEIST_KLANTMANAGER, None),
    ],
    ids=["expert", "expert-opschaling", "aanmelder", "other-org-refused"],
)
def test_the_casus_row_answers_and_audits_as_the_orm_objects(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    monkeypatch: pytest.MonkeyPatch,
    seen: _Seen,
    reader: str,
    doel: str | None,
) -> None:
    casus_id = uuid.UUID(
        aanmelden(
            client,
            token_for(T, ZEIST_WIJKAGENT),
            "Rij",
            waarom_integraal='Schulden — ë ‘x’ "q"',
            problemen={"financien": "Huur 1.5e3 achterstand", "huisvesting": "Dreigt"},
        )
    )
    path = f"/api/v1/casussen/{casus_id}" + (f"?doel={doel}" if doel else "")
    _compare(client, runtime, monkeypatch, seen, T, T, casus_id, path, token_for(T, reader))


@pytest.mark.parametrize("restricted", [False, True], ids=["person", "restricted-person"])
@pytest.mark.parametrize(
    ("tenant", "reader", "query"),
    [(ZEIST, ZEIST_PGA_EXPERT, ""), (REGIO_UTRECHT, REGIO_UTRECHT_PGA_EXPERT, "?doel=opschaling")],
    ids=["owner", "shared-with"],
)
def test_a_shared_or_restricted_subject_reads_as_the_orm_objects(
    runtime: Runtime,
    module_client: TestClient[Litestar],  # noqa: F811
    token_for: Headers,
    monkeypatch: pytest.MonkeyPatch,
    seen: _Seen,
    shared: dict[str, Any],  # noqa: F811
    tenant: str,
    reader: str,
    query: str,
    restricted: bool,
) -> None:
    client = module_client
    person_url = f"/api/v1/personen/{shared['person_id']}"
    etag = ""
    if restricted:
        etag = _restrict(
            client, token_for, person_url, _person_etag(client, token_for, person_url), True
        )
    try:
        body = _compare(
            client,
            runtime,
            monkeypatch,
            seen,
            tenant,
            ZEIST,
            uuid.UUID(shared["id"]),
            shared["url"] + query,
            token_for(tenant, reader),
        )
        assert body is not None
        assert body["persoon"].get("beperkt", False) is restricted
    finally:
        if restricted:
            _restrict(client, token_for, person_url, etag, False)


def test_a_record_shows_no_person_data_in_its_repr() -> None:
    """A plain row may end up in a log line or an error: its repr names its ids only (the
    ORM objects' default repr shows no columns either)."""
    person = PersonRecord(
        T, uuid.uuid4(), "Jan", "Geheim", None, [], None, b"versleuteld", {"straat": "X"}
    )
    casus = CasusRecord(
        *(T, uuid.uuid4(), "ZST-1", "persoon", "aangemeld", person.id, None, None, True, None),
        *("org", {"waarom": "Schulden"}, {}, {}, {}, dt.date(2026, 1, 1)),
        *(None, 1, person, False),
    )
    for text in (repr(person), repr(casus), str(casus)):
        for secret in ("Geheim", "Jan", "versleuteld", "straat", "Schulden"):
            assert secret not in text, text
    assert str(casus.id) in repr(casus)
