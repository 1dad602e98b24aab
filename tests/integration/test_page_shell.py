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
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from browser_login import login_as
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from sqlalchemy.orm import Session

from services.app import create_app
from services.casework.meldingen.service import unread_count
from services.casework.web import shell
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
#: Statements of the app's background work, not of the page.
BACKGROUND = ("FROM policy_data_activations", "outbox_relay", "outbox_events")


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
        if not any(other in statement for other in BACKGROUND):
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


@pytest.fixture
def elsewhere(runtime: Runtime) -> Iterator[Callable[..., None]]:
    """A statement in a transaction of another connection (bound to ``tenant``): only the
    principal signal tells the app."""
    engine = sa.create_engine(runtime.urls.app)

    def run(tenant: str, statement: str, **params: Any) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": tenant})
            conn.execute(sa.text(statement), params)

    yield run
    engine.dispose()


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
    monkeypatch.setattr(shell, "unread_count", failing)
    try:
        response, statements = get(client, "/casussen")
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
