"""The per-process principal cache and its PostgreSQL signal (issue 14, ADR 0027).

A request whose principal is cached sends no SQL statement to build it; a tenant suspended,
a user deactivated or given other roles by *another* connection (another process, a tool) is
refused or changed on the next request once the signal has arrived - the tests wait for the
signal, never for a fixed time; while the signal is not listening every principal is read
from the database; an entry of one tenant is never served for another.

Changes made "elsewhere" go through an engine of their own (not the app's session factory),
so only the NOTIFY of migration 0044 can tell the app; the rows are put back afterwards.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    HILVERSUM,
    HILVERSUM_ADVISEUR,
    HILVERSUM_ONDERZOEKER,
    HILVERSUM_WIJKAGENT,
    ZEIST,
    ZEIST_PGA_EXPERT,
    ZOETERMEER,
)

from services.app import create_app
from services.platform.db.models import TenantStatus, User
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal_cache import PrincipalCache
from services.platform.identity.principal_signal import (
    CHANNEL,
    CachedPrincipals,
    PrincipalListener,
    listener_connect,
)
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import Claims
from services.runtime import Runtime
from tenants.manifest import Manifest
from tenants.provision import set_status

ME = "/api/v1/mij"
Headers = Callable[[str, str], dict[str, str]]
#: The longest a test waits for the signal (generous: a busy machine); it polls meanwhile.
SIGNAL_WAIT = 30.0


def wait_until(what: str, condition: Callable[[], bool], timeout: float = SIGNAL_WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.005)


@contextmanager
def counted_statements(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def listener_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == CHANNEL]


@pytest.fixture
def served(
    runtime: Runtime, identity: Identity, test_tenants: list[Manifest]
) -> Iterator[tuple[TestClient[Litestar], CachedPrincipals]]:
    """An app of its own, listening; afterwards its listener thread is gone."""
    before = set(listener_threads())
    app = create_app(runtime, identity=identity, start_worker=False)
    principals = app.state.principals
    assert isinstance(principals, CachedPrincipals)
    with TestClient(app) as client:
        wait_until("the signal listens", lambda: principals.cache.listening)
        ours = set(listener_threads()) - before
        assert len(ours) == 1
        yield client, principals
    assert not any(t.is_alive() for t in ours), "the listener thread outlived the app"
    assert not principals.cache.listening


def test_a_cached_principal_is_served_without_a_statement(
    served: tuple[TestClient[Litestar], CachedPrincipals], runtime: Runtime, token_for: Headers
) -> None:
    client, principals = served
    headers = token_for(ZEIST, ZEIST_PGA_EXPERT)
    with counted_statements(runtime.engine) as first:
        assert client.get(ME, headers=headers).status_code == 200
    assert first, "the first request reads its principal from the database"
    assert principals.cache.holds(ZEIST, ZEIST_PGA_EXPERT)
    with counted_statements(runtime.engine) as second:
        response = client.get(ME, headers=headers)
    assert response.status_code == 200
    assert response.json()["gebruiker"] == ZEIST_PGA_EXPERT
    assert second == []


def test_an_entry_of_one_tenant_is_never_served_for_another(
    served: tuple[TestClient[Litestar], CachedPrincipals], identity: Identity
) -> None:
    """The same subject with another tenant's token: that tenant's answer (here: unknown)."""
    client, principals = served
    issuer = identity.dev_issuer
    assert issuer is not None
    own = {"Authorization": "Bearer " + issuer.issue(tenant=ZEIST, user_id=ZEIST_PGA_EXPERT)}
    assert client.get(ME, headers=own).json()["tenant"] == ZEIST
    assert principals.cache.holds(ZEIST, ZEIST_PGA_EXPERT)
    other = {"Authorization": "Bearer " + issuer.issue(tenant=ZOETERMEER, user_id=ZEIST_PGA_EXPERT)}
    for _ in range(2):  # read, then from the cache: the refusal of ZOETERMEER
        refused = client.get(ME, headers=other)
        assert refused.status_code == 401
        assert refused.json()["code"] == "gebruiker-onbekend"
    assert client.get(ME, headers=own).json()["tenant"] == ZEIST


def test_a_user_deactivated_elsewhere_is_refused_once_the_signal_arrives(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    token_for: Headers,
    elsewhere: Callable[..., None],
) -> None:
    client, principals = served
    cache = principals.cache
    headers = token_for(HILVERSUM, HILVERSUM_ONDERZOEKER)
    assert client.get(ME, headers=headers).status_code == 200
    assert cache.holds(HILVERSUM, HILVERSUM_ONDERZOEKER)
    update = "UPDATE users SET active = :active WHERE tenant_id = :t AND id = :u"
    seen = cache.invalidations
    try:
        elsewhere(HILVERSUM, update, active=False, t=HILVERSUM, u=HILVERSUM_ONDERZOEKER)
        wait_until("the signal of the deactivation", lambda: cache.invalidations > seen)
        assert not cache.holds(HILVERSUM, HILVERSUM_ONDERZOEKER)
        for _ in range(2):  # read, then the cached refusal
            refused = client.get(ME, headers=headers)
            assert refused.status_code == 401
            assert refused.json()["code"] == "gebruiker-onbekend"
    finally:
        seen = cache.invalidations
        elsewhere(HILVERSUM, update, active=True, t=HILVERSUM, u=HILVERSUM_ONDERZOEKER)
    wait_until("the signal of the reactivation", lambda: cache.invalidations > seen)
    assert client.get(ME, headers=headers).status_code == 200


def test_a_tenant_suspended_elsewhere_is_refused_once_the_signal_arrives(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    token_for: Headers,
    elsewhere: Callable[..., None],
) -> None:
    client, principals = served
    cache = principals.cache
    users = [token_for(HILVERSUM, u) for u in (HILVERSUM_ONDERZOEKER, HILVERSUM_WIJKAGENT)]
    for headers in users:
        assert client.get(ME, headers=headers).status_code == 200
    update = "UPDATE tenants SET status = CAST(:s AS tenant_status) WHERE code = :t"
    seen = cache.invalidations
    try:
        elsewhere(HILVERSUM, update, s=TenantStatus.SUSPENDED.value, t=HILVERSUM)
        wait_until("the signal of the suspension", lambda: cache.invalidations > seen)
        for headers in users:
            refused = client.get(ME, headers=headers)
            assert refused.status_code == 403
            assert refused.json()["code"] == "tenant-opgeschort"
    finally:
        seen = cache.invalidations
        elsewhere(HILVERSUM, update, s=TenantStatus.ACTIVE.value, t=HILVERSUM)
    wait_until("the signal of the resumption", lambda: cache.invalidations > seen)
    for headers in users:
        assert client.get(ME, headers=headers).status_code == 200


def test_roles_changed_elsewhere_are_seen_once_the_signal_arrives(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    token_for: Headers,
    elsewhere: Callable[..., None],
) -> None:
    client, principals = served
    cache = principals.cache
    headers = token_for(HILVERSUM, HILVERSUM_ADVISEUR)
    roles = client.get(ME, headers=headers).json()["rollen"]
    assert cache.holds(HILVERSUM, HILVERSUM_ADVISEUR)
    update = "UPDATE users SET roles = :roles WHERE tenant_id = :t AND id = :u"
    seen = cache.invalidations
    try:
        elsewhere(
            HILVERSUM, update, roles=[*roles, "onderzoeker"], t=HILVERSUM, u=HILVERSUM_ADVISEUR
        )
        wait_until("the signal of the role change", lambda: cache.invalidations > seen)
        assert client.get(ME, headers=headers).json()["rollen"] == sorted([*roles, "onderzoeker"])
    finally:
        seen = cache.invalidations
        elsewhere(HILVERSUM, update, roles=roles, t=HILVERSUM, u=HILVERSUM_ADVISEUR)
    wait_until("the signal of the role change back", lambda: cache.invalidations > seen)
    assert client.get(ME, headers=headers).json()["rollen"] == roles


def test_a_change_made_in_this_process_counts_before_its_commit_returns(
    served: tuple[TestClient[Litestar], CachedPrincipals], runtime: Runtime, token_for: Headers
) -> None:
    """Through the app's own session factory the entries are gone when the commit returns:
    no waiting for the signal (a tenant's status; a user's row)."""
    client, principals = served
    cache = principals.cache
    headers = token_for(HILVERSUM, HILVERSUM_WIJKAGENT)
    assert client.get(ME, headers=headers).status_code == 200
    assert cache.holds(HILVERSUM, HILVERSUM_WIJKAGENT)
    try:
        set_status(runtime.sessions, HILVERSUM, TenantStatus.SUSPENDED, "test")
        assert not cache.holds(HILVERSUM, HILVERSUM_WIJKAGENT)
        assert client.get(ME, headers=headers).status_code == 403
    finally:
        set_status(runtime.sessions, HILVERSUM, TenantStatus.ACTIVE, None)
    assert not cache.holds(HILVERSUM, HILVERSUM_WIJKAGENT)
    assert client.get(ME, headers=headers).status_code == 200

    def set_active(active: bool) -> None:
        with tenant_transaction(runtime.sessions, HILVERSUM) as session:
            user = session.get(User, (HILVERSUM, HILVERSUM_WIJKAGENT))
            assert user is not None
            user.active = active

    try:
        set_active(False)
        assert not cache.holds(HILVERSUM, HILVERSUM_WIJKAGENT)
        assert client.get(ME, headers=headers).json()["code"] == "gebruiker-onbekend"
    finally:
        set_active(True)
    assert client.get(ME, headers=headers).status_code == 200


def test_the_web_pages_use_the_cache(
    served: tuple[TestClient[Litestar], CachedPrincipals],
) -> None:
    client, principals = served
    assert login_as(client, ZEIST, ZEIST_PGA_EXPERT).status_code in (200, 303)
    assert client.get("/").status_code == 200
    assert principals.cache.holds(ZEIST, ZEIST_PGA_EXPERT)


class Gate:
    """A connection factory that fails while closed (the database out of reach)."""

    def __init__(self, connect: Callable[[], psycopg.Connection[Any]]) -> None:
        self.connect = connect
        self.open = False

    def __call__(self) -> psycopg.Connection[Any]:
        if not self.open:
            raise psycopg.OperationalError("gate closed (test)")
        return self.connect()


def test_while_the_signal_is_down_every_principal_is_read_from_the_database(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    cache = PrincipalCache(PrincipalDirectory(runtime.sessions), max_age_seconds=30)
    gate = Gate(listener_connect(runtime.engine))
    listener = PrincipalListener(gate, cache, retry_seconds=0.02)
    me = Claims(subject=ZEIST_PGA_EXPERT, tenant=ZEIST, raw={})
    listener.start()
    try:
        # Not connected yet: every resolve reads, nothing is kept.
        for _ in range(2):
            with counted_statements(runtime.engine) as statements:
                assert cache.resolve(me).user_id == ZEIST_PGA_EXPERT
            assert statements
        assert len(cache) == 0
        gate.open = True
        wait_until("the signal listens", lambda: cache.listening)
        cache.resolve(me)
        with counted_statements(runtime.engine) as statements:
            cache.resolve(me)
        assert statements == []
        # The connection is lost: the cache is bypassed until it listens again.
        gate.open = False
        admin = sa.create_engine(runtime.urls.admin or runtime.urls.owner)
        try:
            with admin.begin() as conn:
                conn.execute(
                    sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": listener.backend_pid}
                )
        finally:
            admin.dispose()
        wait_until("the loss is noticed", lambda: not cache.listening)
        assert len(cache) == 0
        with counted_statements(runtime.engine) as statements:
            cache.resolve(me)
        assert statements and len(cache) == 0
        # Back: it starts from an empty cache.
        gate.open = True
        wait_until("the signal listens again", lambda: listener.connections == 2)
        wait_until("the cache is in use again", lambda: cache.listening)
        assert len(cache) == 0
        with counted_statements(runtime.engine) as statements:
            cache.resolve(me)
        assert statements and cache.holds(ZEIST, ZEIST_PGA_EXPERT)
        with counted_statements(runtime.engine) as statements:
            cache.resolve(me)
        assert statements == []
    finally:
        listener.stop()
    assert not cache.listening and len(cache) == 0


def test_a_maximum_age_of_zero_switches_the_cache_off(
    runtime: Runtime, identity: Identity, token_for: Headers, test_tenants: list[Manifest]
) -> None:
    off = copy.copy(runtime)  # the same engine, gateway and casework; other settings
    off.settings = runtime.settings.model_copy(update={"principal_cache_seconds": 0})
    app = create_app(off, identity=identity, start_worker=False)
    assert app.state.principals is None
    before = set(listener_threads())
    with TestClient(app) as client:
        assert set(listener_threads()) == before
        for _ in range(2):
            with counted_statements(runtime.engine) as statements:
                assert client.get(ME, headers=token_for(ZEIST, ZEIST_PGA_EXPERT)).status_code == 200
            assert statements
