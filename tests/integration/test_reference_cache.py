"""A tenant's reference data in the app's per-process cache (issue 14, ADR 0027 amendment
``casuspagina``): the casus page reads the tenant's organisations' names, its users' display
names and its manifest from the cache that keeps the principals, dropped on the same
PostgreSQL signal.

* the page sends three statements fewer once they are cached, and renders byte for byte what
  the page renders without the cache, for several users and casussen;
* a rename of an organisation or a user, or a manifest changed, by *another* connection is on
  the next page once the signal has arrived (the tests wait for the signal, never a fixed
  time); while the signal is not listening everything is read from the database;
* one tenant's entries are never another tenant's answer, and a transaction that has written
  neither uses nor fills the cache.
"""

from __future__ import annotations

import copy
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    HILVERSUM,
    HILVERSUM_PGA_EXPERT,
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from workspaces import is_background, principal_of

from services.app import create_app
from services.casework.page_reads import colleagues, organisation_names, reference_cache
from services.casework.unit_of_work import UnitOfWork
from services.platform.db.models import Organisation
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal_cache import PrincipalCache
from services.platform.identity.principal_signal import (
    CachedPrincipals,
    PrincipalListener,
    listener_connect,
)
from services.platform.identity.setup import Identity
from services.platform.identity.tokens import Claims
from services.runtime import Runtime
from tenants.manifest import Manifest

COOKIE = "regietafel_token"
SIGNAL_WAIT = 30.0
#: The statements whose rows the cache keeps (the organisations' names, users' names by id,
#: the tenants row with the manifest).
REFERENCE_READS = (
    "SELECT organisations.id, organisations.name FROM organisations WHERE"
    " organisations.tenant_id = %(tenant)s::VARCHAR",
    "SELECT users.id, users.display_name, users.organisation_id FROM users WHERE",
    "FROM tenants WHERE tenants.code = %(pk_1)s::VARCHAR",
)


def wait_until(what: str, condition: Callable[[], bool], timeout: float = SIGNAL_WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.005)


@contextmanager
def sent() -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not is_background(statement):
            seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)


def reference_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if any(r in s for r in REFERENCE_READS)]


@pytest.fixture(scope="module")
def casussen(app: Litestar, token_for: Callable[[str, str], dict[str, str]]) -> list[uuid.UUID]:
    with TestClient(app) as client:
        agent = token_for(ZEIST, ZEIST_WIJKAGENT)
        return [uuid.UUID(aanmelden(client, agent, name)) for name in ("Referentie", "Naslag")]


@pytest.fixture
def served(
    runtime: Runtime, identity: Identity, test_tenants: list[Manifest]
) -> Iterator[tuple[TestClient[Litestar], CachedPrincipals]]:
    """An app of its own, listening."""
    app = create_app(runtime, identity=identity, start_worker=False)
    principals = app.state.principals
    assert isinstance(principals, CachedPrincipals)
    with TestClient(app) as client:
        wait_until("the signal listens", lambda: principals.cache.listening)
        yield client, principals


def cookie(identity: Identity, tenant: str, user: str) -> str:
    issuer = identity.dev_issuer
    assert issuer is not None
    return issuer.issue(tenant=tenant, user_id=user)


def page(client: TestClient[Litestar], token: str, casus: uuid.UUID) -> tuple[Any, list[str]]:
    client.cookies.set(COOKIE, token)
    with sent() as statements:
        response = client.get(f"/casussen/{casus}")
    return response, statements


# ---------------------------------------------------------------------------------------------
# Fewer statements, the same page
# ---------------------------------------------------------------------------------------------


def test_the_casus_page_reads_the_reference_data_once_per_process(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    identity: Identity,
    casussen: list[uuid.UUID],
) -> None:
    client, principals = served
    token = cookie(identity, ZEIST, ZEIST_WIJKAGENT)
    principals.cache.resolve(Claims(ZEIST_WIJKAGENT, ZEIST, {}))  # only the principal cached
    first, cold = page(client, token, casussen[0])
    assert first.status_code == 200
    assert len(reference_reads(cold)) == 3, "the first page reads them"
    assert principals.cache.holds_fact(ZEIST, "organisation-names")
    assert principals.cache.holds_fact(ZEIST, "manifest")
    second, warm = page(client, token, casussen[0])
    assert second.status_code == 200
    assert reference_reads(warm) == []
    assert len(warm) == len(cold) - 3, "\n".join(warm)
    # Another casus, another user of the tenant: the same entries.
    expert = cookie(identity, ZEIST, ZEIST_PGA_EXPERT)
    third, other = page(client, expert, casussen[1])
    assert third.status_code == 200
    assert reference_reads(other) == []
    # The expert's page offers the regie and participation forms: the tenant's active users
    # and organisations, read once, then kept too.
    assert principals.cache.holds_fact(ZEIST, "active-users")
    assert principals.cache.holds_fact(ZEIST, "active-organisations")
    fourth, again = page(client, expert, casussen[1])
    assert fourth.status_code == 200
    for table in ("organisations", "users", "tenants"):
        assert not any(f" FROM {table} " in s for s in again), table


def test_the_page_is_byte_for_byte_the_page_without_the_cache(
    runtime: Runtime,
    identity: Identity,
    test_tenants: list[Manifest],
    served: tuple[TestClient[Litestar], CachedPrincipals],
    casussen: list[uuid.UUID],
) -> None:
    """Differential: the same cookie, the same casus, once through an app without the cache
    (``REGIETAFEL_PRINCIPAL_CACHE_SECONDS=0``: every request reads the database, as before
    this change) and twice through one with it (cold, then warm)."""
    client, _ = served
    off = copy.copy(runtime)
    off.settings = runtime.settings.model_copy(update={"principal_cache_seconds": 0})
    plain = create_app(off, identity=identity, start_worker=False)
    assert plain.state.principals is None
    viewers = (ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_CASUSREGISSEUR)
    compared = 0
    with TestClient(plain) as reference:
        for user in viewers:
            token = cookie(identity, ZEIST, user)
            for casus in casussen:
                expected, without = page(reference, token, casus)
                if expected.status_code == 200:
                    assert reference_reads(without), "without the cache they are read"
                for _ in range(2):  # cold, then from the cache
                    got, _statements = page(client, token, casus)
                    assert got.status_code == expected.status_code, (user, casus)
                    assert got.content == expected.content, (user, casus)
                compared += expected.status_code == 200
    assert compared >= 4, "most views are the page itself, not a refusal"


# ---------------------------------------------------------------------------------------------
# Changes made elsewhere: on the next page once the signal arrives
# ---------------------------------------------------------------------------------------------


def test_an_organisation_renamed_elsewhere_is_on_the_next_page(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    runtime: Runtime,
    identity: Identity,
    elsewhere: Callable[..., None],
    casussen: list[uuid.UUID],
) -> None:
    client, principals = served
    cache = principals.cache
    token = cookie(identity, ZEIST, ZEIST_PGA_EXPERT)
    organisation = principal_of(runtime, ZEIST_WIJKAGENT, ZEIST).organisation
    before, _ = page(client, token, casussen[0])
    old = organisation_names_of(runtime)[organisation]
    assert old in before.text
    _, warm = page(client, token, casussen[0])
    assert reference_reads(warm) == []
    rename = "UPDATE organisations SET name = :n WHERE tenant_id = :t AND id = :o"
    seen = cache.invalidations
    try:
        elsewhere(ZEIST, rename, n="Politie Hernoemd", t=ZEIST, o=organisation)
        wait_until("the signal of the rename", lambda: cache.invalidations > seen)
        after, statements = page(client, token, casussen[0])
        assert "Politie Hernoemd" in after.text
        assert any(REFERENCE_READS[0] in s for s in statements)
    finally:
        seen = cache.invalidations
        elsewhere(ZEIST, rename, n=old, t=ZEIST, o=organisation)
    wait_until("the signal of the rename back", lambda: cache.invalidations > seen)
    back, _ = page(client, token, casussen[0])
    assert "Politie Hernoemd" not in back.text and old in back.text


def organisation_names_of(runtime: Runtime) -> dict[str, str]:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(Organisation.id, Organisation.name).where(Organisation.tenant_id == ZEIST)
            )
            return {row.id: row.name for row in rows}
    finally:
        engine.dispose()


def test_a_user_renamed_elsewhere_is_on_the_next_page(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    runtime: Runtime,
    identity: Identity,
    elsewhere: Callable[..., None],
    casussen: list[uuid.UUID],
) -> None:
    """The wijkagent registered the casus: the tijdlijn names them (for another viewer)."""
    client, principals = served
    cache = principals.cache
    token = cookie(identity, ZEIST, ZEIST_PGA_EXPERT)
    before, _ = page(client, token, casussen[1])
    names = principal_of(runtime, ZEIST_WIJKAGENT, ZEIST).display_name
    assert names in before.text
    page(client, token, casussen[1])
    assert cache.holds_fact(ZEIST, ("colleague", ZEIST_WIJKAGENT))
    rename = "UPDATE users SET display_name = :n WHERE tenant_id = :t AND id = :u"
    seen = cache.invalidations
    try:
        elsewhere(ZEIST, rename, n="Wijkagent Hernoemd", t=ZEIST, u=ZEIST_WIJKAGENT)
        wait_until("the signal of the rename", lambda: cache.invalidations > seen)
        after, _ = page(client, token, casussen[1])
        assert "Wijkagent Hernoemd" in after.text
        assert names not in after.text
    finally:
        seen = cache.invalidations
        elsewhere(ZEIST, rename, n=names, t=ZEIST, u=ZEIST_WIJKAGENT)
    wait_until("the signal of the rename back", lambda: cache.invalidations > seen)
    back, _ = page(client, token, casussen[1])
    assert "Wijkagent Hernoemd" not in back.text and names in back.text


def test_a_manifest_changed_elsewhere_is_read_once_the_signal_arrives(
    served: tuple[TestClient[Litestar], CachedPrincipals],
    runtime: Runtime,
    elsewhere: Callable[..., None],
) -> None:
    _, principals = served
    cache = principals.cache
    deps = dataclasses.replace(runtime.casework, reference=cache)
    expert = principal_of(runtime, ZEIST_PGA_EXPERT, ZEIST)

    def criterion() -> tuple[str, int]:
        unit = UnitOfWork(deps, expert)
        ws = unit.open()
        with sent() as statements:
            text = ws.manifest.inclusion.criteria[0].text
        unit.commit()
        return text, len(reference_reads(statements))

    old, _ = criterion()
    assert criterion() == (old, 0)  # from the cache: no read of the tenants row
    change = (
        "UPDATE tenants SET manifest = jsonb_set(manifest, '{inclusion,criteria,0,text}',"
        " to_jsonb(CAST(:x AS text))) WHERE code = :t"
    )
    seen = cache.invalidations
    try:
        elsewhere(ZEIST, change, x="Een gewijzigd criterium.", t=ZEIST)
        wait_until("the signal of the manifest", lambda: cache.invalidations > seen)
        assert criterion() == ("Een gewijzigd criterium.", 1)
    finally:
        seen = cache.invalidations
        elsewhere(ZEIST, change, x=old, t=ZEIST)
    wait_until("the signal of the manifest back", lambda: cache.invalidations > seen)
    assert criterion() == (old, 1)


# ---------------------------------------------------------------------------------------------
# The failure mode, tenant isolation, the transaction's own writes
# ---------------------------------------------------------------------------------------------


class Gate:
    def __init__(self, connect: Callable[[], Any]) -> None:
        self.connect = connect
        self.open = False

    def __call__(self) -> Any:
        if not self.open:
            raise OSError("gate closed (test)")
        return self.connect()


def test_while_the_signal_is_down_the_reference_data_is_read_from_the_database(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    cache = PrincipalCache(PrincipalDirectory(runtime.sessions), max_age_seconds=30)
    gate = Gate(listener_connect(runtime.engine))
    listener = PrincipalListener(gate, cache, retry_seconds=0.02)
    deps = dataclasses.replace(runtime.casework, reference=cache)
    expert = principal_of(runtime, ZEIST_PGA_EXPERT, ZEIST)

    def reads() -> int:
        unit = UnitOfWork(deps, expert)
        ws = unit.open()
        with sent() as statements:
            organisation_names(ws.session, ZEIST)
            colleagues(ws.session, ZEIST, {ZEIST_WIJKAGENT})
            assert ws.manifest.gemeentecode == ZEIST
        unit.commit()
        return len(reference_reads(statements))

    listener.start()
    try:
        assert reads() == 3 and reads() == 3  # not listening yet: read every time
        assert len(cache) == 0
        gate.open = True
        wait_until("the signal listens", lambda: cache.listening)
        assert reads() == 3 and reads() == 0
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
        assert reads() == 3 and reads() == 3
        gate.open = True
        wait_until("listening again", lambda: listener.connections == 2 and cache.listening)
        assert reads() == 3 and reads() == 0
    finally:
        listener.stop()
    assert not cache.listening and len(cache) == 0


def test_one_tenants_entries_are_never_another_tenants_answer(
    served: tuple[TestClient[Litestar], CachedPrincipals], runtime: Runtime
) -> None:
    _, principals = served
    cache = principals.cache
    deps = dataclasses.replace(runtime.casework, reference=cache)
    zeist = principal_of(runtime, ZEIST_PGA_EXPERT, ZEIST)
    hilversum = principal_of(runtime, HILVERSUM_PGA_EXPERT, HILVERSUM)

    def read(principal: Any) -> tuple[dict[str, str], str, dict[str, Any]]:
        unit = UnitOfWork(deps, principal)
        ws = unit.open()
        found = (
            organisation_names(ws.session, principal.tenant),
            ws.manifest.gemeentecode,
            colleagues(ws.session, principal.tenant, {ZEIST_PGA_EXPERT, HILVERSUM_PGA_EXPERT}),
        )
        # Another tenant's rows (a shared casus's tenant) never go through the cache.
        other = HILVERSUM if principal.tenant == ZEIST else ZEIST
        assert reference_cache(ws.session, other) is None
        unit.commit()
        return found

    z = read(zeist)
    assert cache.holds_fact(ZEIST, "organisation-names")
    assert not cache.holds_fact(HILVERSUM, "organisation-names")
    h = read(hilversum)
    assert z[1] == ZEIST and h[1] == HILVERSUM
    assert set(z[0]).isdisjoint(h[0]) or z[0] != h[0]
    assert set(z[2]) == {ZEIST_PGA_EXPERT} and set(h[2]) == {HILVERSUM_PGA_EXPERT}
    assert read(zeist) == z and read(hilversum) == h  # from the cache: each its own
    cache.invalidate(HILVERSUM)
    assert cache.holds_fact(ZEIST, "organisation-names")
    assert not cache.holds_fact(HILVERSUM, "organisation-names")


def test_a_transaction_that_wrote_neither_uses_nor_fills_the_cache(
    served: tuple[TestClient[Litestar], CachedPrincipals], runtime: Runtime
) -> None:
    """Its own uncommitted change (here: a rename, rolled back) is never another request's
    answer, and it sees its own change rather than the cache."""
    _, principals = served
    cache = principals.cache
    cache.invalidate(ZEIST)
    deps = dataclasses.replace(runtime.casework, reference=cache)
    expert = principal_of(runtime, ZEIST_PGA_EXPERT, ZEIST)
    unit = UnitOfWork(deps, expert)
    ws = unit.open()
    organisation = ws.session.get(Organisation, (ZEIST, expert.organisation))
    assert organisation is not None
    old = organisation.name
    organisation.name = "Nooit vastgelegd"
    assert reference_cache(ws.session, ZEIST) is None  # a pending change
    ws.session.flush()
    assert reference_cache(ws.session, ZEIST) is None  # written (flushed)
    assert organisation_names(ws.session, ZEIST)[expert.organisation] == "Nooit vastgelegd"
    assert not cache.holds_fact(ZEIST, "organisation-names")
    unit.abort(RuntimeError("test"))
    unit = UnitOfWork(deps, expert)
    ws = unit.open()
    assert reference_cache(ws.session, ZEIST) is cache  # a new transaction
    assert organisation_names(ws.session, ZEIST)[expert.organisation] == old
    unit.commit()
    assert cache.holds_fact(ZEIST, "organisation-names")
