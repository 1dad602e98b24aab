"""The shell every Dutch page pays (issue 14): who is looking, the header's names and the
unread-meldingen badge, without a transaction of their own.

* The header's organisation and gemeente names come with the (cached) principal: a page
  runs one transaction, and a rename made elsewhere shows on the next page once the
  principal signal has arrived (ADR 0027), as a revocation does.
* A page that cannot write (GET) counts the badge as its workspace opens, in its own
  transaction; the count equals the one the header made while rendering before, and a
  count that fails leaves the page whole (no badge; the page's reads still audited).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import sqlalchemy as sa
from browser_login import login_as
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from sqlalchemy.orm import Session
from workspaces import is_background, principal_of, statements_in_this_thread

import services.app
from services.app import create_app
from services.casework.meldingen.service import unread_count
from services.casework.overzicht.pages import home_counts
from services.casework.unit_of_work import LazyWorkspace
from services.casework.web import shell
from services.casework.web.context import Viewer, WriteInReadingPart, plain_read
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import Organisation, Tenant, UserNotification
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from services.platform.identity.principal_signal import CachedPrincipals
from services.platform.identity.setup import Identity
from services.runtime import Runtime
from tenants.manifest import Manifest

T = ZEIST
USER = ZEIST_PGA_EXPERT
BADGE = 'id="meldingen-teller">('


def wait_until(what: str, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.005)


class Sent:
    """The SQL statements the app sends while active (background work left out)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not is_background(statement):
            self.statements.append(" ".join(statement.split())[:160])


def get(client: TestClient[Litestar], url: str) -> tuple[Any, list[str]]:
    sent = Sent()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", sent)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", sent)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    return response, sent.statements


@pytest.fixture
def served(
    runtime: Runtime, identity: Identity, test_tenants: list[Manifest]
) -> Iterator[tuple[TestClient[Litestar], CachedPrincipals]]:
    """An app of its own whose principal signal listens, logged in as the pga-expert."""
    app = create_app(runtime, identity=identity, start_worker=False)
    principals = app.state.principals
    assert isinstance(principals, CachedPrincipals)
    with TestClient(app) as client:
        wait_until("the signal listens", lambda: principals.cache.listening)
        assert login_as(client, T, USER).status_code == 200
        yield client, principals


def _names(runtime: Runtime, organisation: str) -> tuple[str, str]:
    """The header's names as the page read them itself before (its own transaction)."""
    with tenant_transaction(runtime.sessions, T) as session:
        org = session.get(Organisation, (T, organisation))
        tenant = session.get(Tenant, T)
        assert org is not None and tenant is not None
        return org.name, tenant.name


def _principal(client: TestClient[Litestar], identity: Identity) -> Principal:
    claims = identity.verifier.verify(client.cookies["regietafel_token"])
    return identity.directory.resolve(claims)


def test_the_header_names_come_with_the_principal_and_follow_a_rename(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    runtime: Runtime,
    identity: Identity,
    elsewhere: Callable[..., None],
) -> None:
    client, principals = served
    principal = _principal(client, identity)
    org_name, tenant_name = _names(runtime, principal.organisation)
    viewer = shell.viewer_from(principal)
    assert (viewer.organisation_name, viewer.tenant_name) == (org_name, tenant_name)
    get(client, "/casussen")  # the principal is cached now
    assert principals.cache.holds(T, USER)
    response, statements = get(client, "/casussen")
    assert f'<span class="who-org">{org_name}</span>' in response.text
    assert f"Gemeente/regio: {tenant_name}</span>" in response.text
    # One transaction: the page's own (the tenant set once), nothing read for the header.
    assert sum("set_config('pga.tenant_id'" in s for s in statements) == 1, statements
    assert not any(s.startswith("SELECT tenants.code, tenants.name") for s in statements[:2])
    assert not any("SAVEPOINT sa_savepoint" in s and "count" in s for s in statements)

    renamed = f"{org_name} (hernoemd {uuid.uuid4().hex[:6]})"
    before = principals.cache.invalidations
    update = "UPDATE organisations SET name = :n WHERE tenant_id = :t AND id = :o"
    elsewhere(T, update, n=renamed, t=T, o=principal.organisation)
    try:
        wait_until("the rename's signal", lambda: principals.cache.invalidations > before)
        response, _ = get(client, "/casussen")
        assert f'<span class="who-org">{renamed}</span>' in response.text
    finally:
        elsewhere(T, update, n=org_name, t=T, o=principal.organisation)


def _notify(runtime: Runtime, count: int, user: str = USER) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    with tenant_transaction(runtime.sessions, T) as session:
        for note_id in ids:
            session.add(
                UserNotification(
                    tenant_id=T,
                    id=note_id,
                    user_id=user,
                    kind="probe",
                    text="Proefmelding.",
                    link="/meldingen",
                )
            )
    return ids


def _unread(runtime: Runtime, user: str = USER) -> int:
    with tenant_transaction(runtime.sessions, T) as session:
        return unread_count(session, _someone(user))


def _someone(user: str) -> Principal:
    return Principal(
        user_id=user,
        tenant=T,
        tenant_kind="gemeente",
        region="",
        organisation="",
        domain="",
        roles=frozenset(),
        display_name="",
    )


def _badge(html: str) -> int | None:
    if BADGE not in html:
        return None
    start = html.index(BADGE) + len(BADGE)
    return int(html[start : html.index(")", start)])


def _audit(runtime: Runtime, response: Any) -> list[tuple[str, str, bool]]:
    """The audit rows of a response's request (action, resource type, decision)."""
    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with admin.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT action, resource_type, allowed FROM audit_log WHERE request_id = :r"
                    " ORDER BY action, resource_type, allowed"
                ),
                {"r": response.headers["x-request-id"]},
            ).all()
    finally:
        admin.dispose()
    return [(r.action, r.resource_type, r.allowed) for r in rows]


def _delete(runtime: Runtime, ids: list[uuid.UUID]) -> None:
    with tenant_transaction(runtime.sessions, T) as session:
        session.execute(sa.delete(UserNotification).where(UserNotification.id.in_(ids)))


@pytest.mark.parametrize(
    ("url", "own_counts"),
    [("/casussen", 0), ("/werkvoorraad", 0), ("/overzicht", 0), ("/meldingen", 1)],
)
def test_the_badge_of_a_get_page_is_counted_in_its_transaction_in_one_statement(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    runtime: Runtime,
    url: str,
    own_counts: int,
) -> None:
    """``own_counts``: the meldingen page counts for its own heading as well."""
    client, _ = served
    ids = _notify(runtime, 2)
    try:
        expected = _unread(runtime)
        assert expected >= 2
        response, statements = get(client, url)
        assert _badge(response.text) == expected
        counts = [s for s in statements if "FROM user_notifications" in s and "count(" in s]
        assert len(counts) == 1 + own_counts, statements
        assert statements.index(counts[0]) == 1, statements  # right after the tenant is set
        assert not any(s.startswith("RELEASE SAVEPOINT") for s in statements[:3]), statements
    finally:
        _delete(runtime, ids)


def test_a_page_that_opens_no_workspace_still_counts_the_badge(
    served: tuple[TestClient[Litestar], CachedPrincipals], runtime: Runtime
) -> None:
    """Whether or not a page uses its workspace, the badge is the user's unread count."""
    client, _ = served
    ids = _notify(runtime, 1)
    try:
        response, _ = get(client, "/aanmelden")
        assert _badge(response.text) == _unread(runtime)
    finally:
        _delete(runtime, ids)


def test_a_failing_badge_count_leaves_the_page_whole(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    runtime: Runtime,
    token_for: Callable[[str, str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    identity: Identity,
) -> None:
    """The count fails in the database (its transaction is aborted): the page is shown
    without a badge, its reads are decided and audited in a fresh transaction, as they are
    without the failure."""
    client, _ = served
    aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Badgeproef")
    assert login_as(client, T, ZEIST_WIJKAGENT).status_code == 200
    ids = _notify(runtime, 1, ZEIST_WIJKAGENT)

    def failing(session: Session, principal: Principal) -> int:
        return int(session.scalar(sa.text("SELECT 1 / 0")) or 0)

    normal, expected = get(client, "/casussen")
    # The composition root gives the page shell its count (WebDeps.unread_count): an app of
    # its own with the failing one.
    monkeypatch.setattr(services.app, "unread_count", failing)
    try:
        with TestClient(create_app(runtime, identity=identity, start_worker=False)) as other:
            assert login_as(other, T, ZEIST_WIJKAGENT).status_code == 200
            response, statements = get(other, "/casussen")
        assert _badge(normal.text) == _unread(runtime, ZEIST_WIJKAGENT)
        assert _badge(response.text) is None
        assert 'class="who-name"' in response.text
        # The failed count's transaction is ended; the page then runs as it would have.
        tenant = "SELECT set_config('pga.tenant_id', %(tenant)s, true)"
        failed = statements.index("SELECT 1 / 0")
        assert statements[failed + 1 :] == [tenant, *expected[expected.index(tenant) + 2 :]], (
            "\n".join(statements)
        )
        assert _audit(runtime, response) == _audit(runtime, normal)
        assert ("list", "casus", True) in _audit(runtime, response)
        monkeypatch.undo()
        again, _ = get(client, "/casussen")
        assert _badge(again.text) == _unread(runtime, ZEIST_WIJKAGENT)
    finally:
        monkeypatch.undo()
        _delete(runtime, ids)


# ---------------------------------------------------------------------------------------------
# A part of a page that only reads: no savepoint, the same guarantee (Viewer.reading)
# ---------------------------------------------------------------------------------------------


def _refuse(ws: Workspace, marker: uuid.UUID) -> None:
    """A decision the policy refuses (a casus of another gemeente)."""
    resource = {
        "type": "casus",
        "tenant": "GM0000",
        "casus_kind": "persoon",
        "contains_person_identifiers": True,
    }
    ws.enforcer.decide(
        "read", resource, ws.context("uitvoering"), Target("casus", str(marker), marker)
    )


def _row(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(
        row.get(key)
        for key in ("action", "resource_type", "resource_id", "allowed", "purpose", "casus_id")
    )


def _failed_part(runtime: Runtime, part: str) -> tuple[int, list[tuple[Any, ...]], list[str]]:
    """A page part (``attempt`` or ``reading``) that records the overview's allowed counts,
    then is refused: how many rows it had recorded, the rows the page holds after it, and
    the statements it sent."""
    principal = principal_of(runtime, ZEIST_WIJKAGENT, T)
    scope = LazyWorkspace(runtime.casework, principal)
    viewer = Viewer(principal, "", "", request_workspace=scope)
    viewer.ws.session.execute(sa.text("SELECT 1"))  # opened before the part
    marker = uuid.UUID(int=1)
    recorded = 0
    try:
        with statements_in_this_thread() as statements:
            with pytest.raises(AccessDenied), getattr(viewer, part)() as ws:  # noqa: PT012
                home_counts(ws)
                recorded = len(ws.enforcer.recorded)
                _refuse(ws, marker)
            viewer.ws.session.execute(sa.text("SELECT 2"))  # the page goes on
        return recorded, [_row(r) for r in viewer.ws.enforcer.recorded], statements
    finally:
        scope.abort(RuntimeError("test: nothing written"))


def test_a_failed_reading_part_leaves_the_page_as_a_failed_attempt_does(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    """Differential: the rows the page holds after a refused part (its allowed rows gone,
    its refusal on record once) are those of the savepoint's rollback; the reading part
    sends no SAVEPOINT, RELEASE or ROLLBACK TO."""
    recorded, rows, statements = _failed_part(runtime, "reading")
    recorded_slow, rows_slow, statements_slow = _failed_part(runtime, "attempt")
    assert recorded == recorded_slow >= 1, "the part recorded allowed rows before its refusal"
    assert rows == rows_slow
    assert [r[3] for r in rows] == [False]  # the refusal, once
    assert any(s.startswith("SAVEPOINT") for s in statements_slow)
    assert any(s.startswith("ROLLBACK TO SAVEPOINT") for s in statements_slow)
    assert not any(s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")) for s in statements)
    assert statements == [
        s for s in statements_slow if not s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]


def test_a_reading_part_cannot_write(runtime: Runtime, test_tenants: list[Manifest]) -> None:
    """Anything but a plain read is refused before it is sent; the transaction goes on."""
    principal = principal_of(runtime, ZEIST_WIJKAGENT, T)
    scope = LazyWorkspace(runtime.casework, principal)
    viewer = Viewer(principal, "", "", request_workspace=scope)
    try:
        for write in (
            "UPDATE users SET display_name = display_name WHERE false",
            "WITH x AS (DELETE FROM user_notifications WHERE false RETURNING id) SELECT 1",
            "SELECT 1 FROM users FOR UPDATE",
            "SAVEPOINT probe",
            "SELECT set_config('pga.tenant_id', 'GM0000', true)",
        ):
            with pytest.raises(WriteInReadingPart), viewer.reading() as ws:
                ws.session.execute(sa.text(write))
            assert viewer.ws.session.scalar(sa.text("SELECT 1")) == 1  # not sent: usable
        with pytest.raises(WriteInReadingPart), viewer.reading() as ws:  # noqa: PT012
            ws.session.add(
                UserNotification(
                    tenant_id=T, user_id=ZEIST_WIJKAGENT, kind="probe", text="-", link="/"
                )
            )
            ws.session.flush()
        viewer.ws.session.rollback()
        with viewer.reading() as ws:  # a plain read passes; the guard ends with the part
            assert ws.session.scalar(sa.text("SELECT count(*) FROM users WHERE false")) == 0
        viewer.ws.session.execute(sa.text("SELECT set_config('regietafel.probe', 'x', true)"))
    finally:
        scope.abort(RuntimeError("test: nothing written"))


@pytest.mark.parametrize(
    ("statement", "read"),
    [
        ("SELECT casussen.updated_at, jsonb_set(x, '{a}', y) FROM casussen", True),
        ("WITH chunk AS (SELECT 1) SELECT * FROM chunk OFFSET 5", True),
        ("  select 1", True),
        ("SELECT 1 FROM casussen FOR NO KEY UPDATE", False),
        ("SELECT 1 FROM casussen FOR SHARE", False),
        ("INSERT INTO audit_log (id) VALUES (1)", False),
        ("WITH x AS (UPDATE casussen SET state = 'a' RETURNING id) SELECT 1", False),
        ("RELEASE SAVEPOINT sa_savepoint_1", False),
    ],
)
def test_what_a_reading_part_may_send(statement: str, read: bool) -> None:
    assert plain_read(statement) is read
