"""The per-process principal cache (ADR 0027) on its own: keys, refusals, invalidation, the
bypass while the signal is not listening, the maximum age, and a read that races with a
change. The database side (the signal, real principals) is in
tests/integration/test_principal_cache.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.platform.identity.directory import AccessRefused
from services.platform.identity.principal import Principal
from services.platform.identity.principal_cache import EVERY_TENANT, PrincipalCache
from services.platform.identity.tokens import Claims


def principal(tenant: str, user: str, roles: tuple[str, ...] = ("pga-expert",)) -> Principal:
    return Principal(
        user_id=user,
        tenant=tenant,
        tenant_kind="gemeente",
        region="regio",
        organisation=f"org-{tenant}",
        domain="gemeente-oov",
        roles=frozenset(roles),
        display_name=user,
    )


class Directory:
    """A directory double: answers from ``known``; counts its reads; ``during`` runs inside
    a read (a change that races with it)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], Principal] = {}
        self.reads = 0
        self.during: Callable[[], None] | None = None

    def resolve(self, claims: Claims) -> Principal:
        self.reads += 1
        if self.during is not None:
            self.during()
        found = self.known.get((claims.tenant, claims.subject))
        if found is None:
            raise AccessRefused(401, "gebruiker-onbekend", "onbekend", "unknown")
        return found


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def claims(tenant: str, user: str) -> Claims:
    return Claims(subject=user, tenant=tenant, raw={})


@pytest.fixture
def directory() -> Directory:
    d = Directory()
    d.known[("GM0001", "anna")] = principal("GM0001", "anna")
    d.known[("GM0002", "anna")] = principal("GM0002", "anna", ("casusregisseur",))
    d.known[("GM0002", "bram")] = principal("GM0002", "bram")
    return d


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(directory: Directory, clock: Clock) -> PrincipalCache:
    c = PrincipalCache(directory, max_age_seconds=30, clock=clock)
    c.resume()
    return c


def test_a_second_resolve_is_served_from_the_cache(
    cache: PrincipalCache, directory: Directory
) -> None:
    first = cache.resolve(claims("GM0001", "anna"))
    assert cache.resolve(claims("GM0001", "anna")) == first
    assert cache.lookup(claims("GM0001", "anna")) == first
    assert directory.reads == 1


def test_the_key_includes_the_tenant(cache: PrincipalCache, directory: Directory) -> None:
    """The same subject in another tenant is another principal (or none): never the entry
    of the first tenant."""
    in_one = cache.resolve(claims("GM0001", "anna"))
    assert cache.lookup(claims("GM0002", "anna")) is None
    in_two = cache.resolve(claims("GM0002", "anna"))
    assert in_two.tenant == "GM0002" and in_two.roles == {"casusregisseur"}
    assert in_one.tenant == "GM0001"
    with pytest.raises(AccessRefused):
        cache.resolve(claims("GM0003", "anna"))
    assert cache.lookup(claims("GM0001", "anna")) == in_one
    assert cache.lookup(claims("GM0002", "anna")) == in_two


def test_a_refusal_is_cached_and_raised_afresh(cache: PrincipalCache, directory: Directory) -> None:
    for _ in range(3):
        with pytest.raises(AccessRefused) as refused:
            cache.resolve(claims("GM0001", "niemand"))
        assert refused.value.code == "gebruiker-onbekend"
        assert refused.value.status == 401
    assert directory.reads == 1


def test_invalidating_a_tenant_drops_only_its_entries(
    cache: PrincipalCache, directory: Directory
) -> None:
    for tenant, user in [("GM0001", "anna"), ("GM0002", "anna"), ("GM0002", "bram")]:
        cache.resolve(claims(tenant, user))
    cache.invalidate("GM0002")
    assert cache.invalidations == 1
    assert cache.holds("GM0001", "anna")
    assert not cache.holds("GM0002", "anna") and not cache.holds("GM0002", "bram")
    assert len(cache) == 1
    cache.invalidate(EVERY_TENANT)
    assert len(cache) == 0


def test_a_changed_principal_is_read_again_after_invalidation(
    cache: PrincipalCache, directory: Directory
) -> None:
    cache.resolve(claims("GM0001", "anna"))
    directory.known[("GM0001", "anna")] = principal("GM0001", "anna", ("beheerder",))
    cache.invalidate("GM0001")
    assert cache.resolve(claims("GM0001", "anna")).roles == {"beheerder"}


def test_nothing_is_served_or_stored_while_the_signal_is_not_listening(
    directory: Directory, clock: Clock
) -> None:
    cache = PrincipalCache(directory, max_age_seconds=30, clock=clock)
    for _ in range(3):
        cache.resolve(claims("GM0001", "anna"))
    assert directory.reads == 3 and len(cache) == 0
    cache.resume()
    cache.resolve(claims("GM0001", "anna"))
    assert len(cache) == 1
    cache.suspend()  # the connection was lost
    assert len(cache) == 0
    assert cache.lookup(claims("GM0001", "anna")) is None
    cache.resolve(claims("GM0001", "anna"))
    assert directory.reads == 5 and len(cache) == 0


def test_an_entry_is_not_served_after_the_maximum_age(
    cache: PrincipalCache, directory: Directory, clock: Clock
) -> None:
    cache.resolve(claims("GM0001", "anna"))
    clock.now += 29.9
    cache.resolve(claims("GM0001", "anna"))
    assert directory.reads == 1
    clock.now += 0.2
    assert cache.lookup(claims("GM0001", "anna")) is None
    cache.resolve(claims("GM0001", "anna"))
    assert directory.reads == 2


def test_a_read_that_raced_with_a_change_is_not_stored(
    cache: PrincipalCache, directory: Directory
) -> None:
    """The directory read the old row; the change's signal arrived before the answer was
    stored: the answer is returned but not kept."""
    directory.during = lambda: cache.invalidate("GM0001")
    cache.resolve(claims("GM0001", "anna"))
    assert not cache.holds("GM0001", "anna")
    directory.during = lambda: cache.invalidate("GM0002")  # any tenant: kept out too
    cache.resolve(claims("GM0001", "anna"))
    assert not cache.holds("GM0001", "anna")
    directory.during = None
    cache.resolve(claims("GM0001", "anna"))
    assert cache.holds("GM0001", "anna")


def test_a_token_without_a_tenant_is_never_cached(
    cache: PrincipalCache, directory: Directory
) -> None:
    with pytest.raises(AccessRefused):
        cache.resolve(claims("", "anna"))
    assert len(cache) == 0


def test_the_cache_is_bounded(directory: Directory, clock: Clock) -> None:
    cache = PrincipalCache(directory, max_age_seconds=30, max_entries=2, clock=clock)
    cache.resume()
    for tenant, user in [("GM0001", "anna"), ("GM0002", "anna"), ("GM0002", "bram")]:
        cache.resolve(claims(tenant, user))
    assert len(cache) <= 2
    assert cache.holds("GM0002", "bram")


# ---------------------------------------------------------------------------------------------
# A tenant's reference data (ADR 0027, amendment casuspagina): the same rules
# ---------------------------------------------------------------------------------------------


class Loads:
    """A loader double: counts its calls; ``during`` runs inside one (a racing change)."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.calls = 0
        self.during: Callable[[], None] | None = None

    def __call__(self) -> object:
        self.calls += 1
        if self.during is not None:
            self.during()
        return self.value


def test_reference_data_is_kept_per_tenant(cache: PrincipalCache) -> None:
    first, other = Loads("een"), Loads("twee")
    assert cache.remember("GM0001", "names", first) == "een"
    assert cache.remember("GM0001", "names", first) == "een"
    assert first.calls == 1
    # The same key of another tenant is never the first tenant's value.
    assert cache.remember("GM0002", "names", other) == "twee"
    assert other.calls == 1
    assert cache.holds_fact("GM0001", "names") and cache.holds_fact("GM0002", "names")


def test_reference_data_is_dropped_with_its_tenant_only(cache: PrincipalCache) -> None:
    one, two = Loads(1), Loads(2)
    cache.remember("GM0001", "k", one)
    cache.remember("GM0002", "k", two)
    cache.invalidate("GM0001")
    assert not cache.holds_fact("GM0001", "k") and cache.holds_fact("GM0002", "k")
    cache.remember("GM0001", "k", one)
    assert one.calls == 2
    cache.invalidate(EVERY_TENANT)
    assert not cache.holds_fact("GM0002", "k") and len(cache) == 0


def test_reference_data_is_not_kept_while_the_signal_is_not_listening(
    cache: PrincipalCache,
) -> None:
    cache.remember("GM0001", "k", Loads(1))
    cache.suspend()
    assert not cache.holds_fact("GM0001", "k")
    loads = Loads(2)
    for _ in range(2):
        assert cache.remember("GM0001", "k", loads) == 2
    assert loads.calls == 2 and len(cache) == 0
    cache.resume()
    assert cache.remember("GM0001", "k", loads) == 2 and cache.holds_fact("GM0001", "k")


def test_reference_data_is_not_served_after_the_maximum_age(
    cache: PrincipalCache, clock: Clock
) -> None:
    loads = Loads(1)
    cache.remember("GM0001", "k", loads)
    clock.now += 29.9
    cache.remember("GM0001", "k", loads)
    assert loads.calls == 1
    clock.now += 0.2
    cache.remember("GM0001", "k", loads)
    assert loads.calls == 2


def test_reference_data_read_while_a_change_raced_is_not_stored(cache: PrincipalCache) -> None:
    loads = Loads("oud")
    loads.during = lambda: cache.invalidate("GM0001")
    assert cache.remember("GM0001", "k", loads) == "oud"
    assert not cache.holds_fact("GM0001", "k")


def test_rows_are_kept_per_id_and_absent_ids_as_absent(cache: PrincipalCache) -> None:
    reads: list[set[str]] = []
    table = {"anna": ("Anna", "org"), "bram": ("Bram", "org")}

    def load(ids: set[str]) -> dict[str, tuple[str, str]]:
        reads.append(set(ids))
        return {i: table[i] for i in ids if i in table}

    assert cache.remember_rows("GM0001", "user", {"anna", "niemand"}, load) == {
        "anna": ("Anna", "org")
    }
    assert cache.remember_rows("GM0001", "user", {"anna", "bram", "niemand"}, load) == {
        "anna": ("Anna", "org"),
        "bram": ("Bram", "org"),
    }
    assert reads == [{"anna", "niemand"}, {"bram"}]
    # Another tenant's ids are its own.
    assert cache.remember_rows("GM0002", "user", {"anna"}, lambda ids: {}) == {}
    cache.invalidate("GM0001")
    cache.remember_rows("GM0001", "user", {"anna"}, load)
    assert reads[-1] == {"anna"}
