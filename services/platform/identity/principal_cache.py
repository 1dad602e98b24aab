"""Resolved principals kept per process (issue 14, ADR 0027): a request with a valid token
usually builds its Principal without a database round trip.

Entries are keyed by (tenant, subject) and hold the Principal or the refusal
(:class:`AccessRefused`) the directory gave. They are trusted only while the principal signal
(services/platform/identity/principal_signal.py) is listening: a change of a tenant, user or
organisation drops that tenant's entries; while the signal is not connected every lookup
misses and nothing is stored (the directory answers from the database, as without a cache).
An entry older than ``max_age_seconds`` is never served (a backstop for a lost
notification).

An answer read from the database is stored only if no invalidation happened since the read
began (the ``epoch``): a read that raced with a change and its signal never outlives it.

The same cache keeps a tenant's rarely changing reference data (issue 14, ADR 0027
amendment ``casuspagina``): its parsed manifest, its organisations' names, its users'
display names (:meth:`PrincipalCache.remember`, :meth:`PrincipalCache.remember_rows`). They
live in the rows whose triggers send the principal signal (``tenants``, ``organisations``,
``users``), so they are kept, served and dropped under exactly the rules above: per tenant,
only while listening, never older than ``max_age_seconds``, not stored after a raced read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from services.platform.identity.directory import AccessRefused, PrincipalResolver
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims

T = TypeVar("T")

#: The payload of a signal that concerns every tenant (a TRUNCATE, say).
EVERY_TENANT = "*"


@dataclass(frozen=True, slots=True)
class _Entry:
    at: float
    principal: Principal | None
    refusal: tuple[int, str, str, str] | None  # AccessRefused's arguments: raised afresh


@dataclass(frozen=True, slots=True)
class _Fact:
    at: float
    value: Any  # immutable, or copied by its reader: shared by every request of the tenant


class PrincipalCache:
    """A :class:`PrincipalResolver` in front of the directory (thread-safe)."""

    def __init__(
        self,
        directory: PrincipalResolver,
        *,
        max_age_seconds: float,
        max_entries: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self._max_age = max_age_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._tenants: dict[str, dict[str, _Entry]] = {}
        #: A tenant's reference data by key (counted in ``_size`` with the principals).
        self._facts: dict[str, dict[Hashable, _Fact]] = {}
        self._size = 0
        self._listening = False
        self._epoch = 0
        #: Invalidations applied (a tenant's or all entries); tests wait on it.
        self.invalidations = 0

    # -- reading ----------------------------------------------------------------------------

    def lookup(self, claims: Claims) -> Principal | None:
        """The cached principal (None on a miss); raises the cached refusal. No I/O: cheap
        enough for the event loop."""
        if not self._listening:
            return None
        with self._lock:
            entry = self._tenants.get(claims.tenant, {}).get(claims.subject)
        if entry is None or self._clock() - entry.at >= self._max_age:
            return None
        if entry.refusal is not None:
            raise AccessRefused(*entry.refusal)
        return entry.principal

    def resolve(self, claims: Claims) -> Principal:
        if not claims.tenant:
            return self.directory.resolve(claims)  # refused without a database read
        cached = self.lookup(claims)
        if cached is not None:
            return cached
        epoch, at = self._epoch, self._clock()
        try:
            principal = self.directory.resolve(claims)
        except AccessRefused as refusal:
            args = (refusal.status, refusal.code, refusal.message_nl, refusal.message_en)
            self._store(claims, epoch, _Entry(at, None, args))
            raise
        self._store(claims, epoch, _Entry(at, principal, None))
        return principal

    def _store(self, claims: Claims, epoch: int, entry: _Entry) -> None:
        with self._lock:
            if not self._listening or self._epoch != epoch:
                return  # read while not listening, or a change may have raced with it
            if self._size >= self._max_entries:
                self._clear()
            subjects = self._tenants.setdefault(claims.tenant, {})
            self._size += claims.subject not in subjects
            subjects[claims.subject] = entry

    # -- a tenant's reference data --------------------------------------------------------

    def remember(self, tenant: str, key: Hashable, load: Callable[[], T]) -> T:
        """What ``load()`` gave for ``key`` of ``tenant`` (immutable, or copied by the
        caller), or ``load()`` now - stored under the rules of the principals. ``load`` must
        read only rows of ``tenant`` whose change signals ``tenant``."""
        if not tenant or not self._listening:
            return load()
        with self._lock:
            fact = self._facts.get(tenant, {}).get(key)
        if fact is not None and self._clock() - fact.at < self._max_age:
            return cast(T, fact.value)
        epoch, at = self._epoch, self._clock()
        value = load()
        self._store_fact(tenant, key, epoch, _Fact(at, value))
        return value

    def remember_rows(
        self,
        tenant: str,
        key: Hashable,
        wanted: set[str],
        load: Callable[[set[str]], dict[str, T]],
    ) -> dict[str, T]:
        """Rows of ``tenant`` by id: the ids stored under ``key`` (found or absent) from the
        cache, ``load(ids)`` for the others (stored, absent ones as absent)."""
        if not tenant or not self._listening:
            return load(wanted)
        now = self._clock()
        known: dict[str, T | None] = {}
        with self._lock:
            facts = self._facts.get(tenant, {})
            for i in wanted:
                fact = facts.get((key, i))
                if fact is not None and now - fact.at < self._max_age:
                    known[i] = fact.value
        missing = wanted - known.keys()
        if missing:
            epoch, at = self._epoch, self._clock()
            found = load(missing)
            for i in missing:
                known[i] = found.get(i)
                self._store_fact(tenant, (key, i), epoch, _Fact(at, known[i]))
        return {i: row for i in wanted if (row := known[i]) is not None}

    def _store_fact(self, tenant: str, key: Hashable, epoch: int, fact: _Fact) -> None:
        with self._lock:
            if not self._listening or self._epoch != epoch:
                return
            if self._size >= self._max_entries:
                self._clear()
            facts = self._facts.setdefault(tenant, {})
            self._size += key not in facts
            facts[key] = fact

    def holds_fact(self, tenant: str, key: Hashable) -> bool:
        with self._lock:
            return key in self._facts.get(tenant, {})

    # -- invalidation -----------------------------------------------------------------------

    def invalidate(self, tenant: str) -> None:
        """Drop the tenant's entries (``EVERY_TENANT``: all entries)."""
        with self._lock:
            self._epoch += 1
            self.invalidations += 1
            if tenant == EVERY_TENANT:
                self._clear()
            else:
                self._size -= len(self._tenants.pop(tenant, {}))
                self._size -= len(self._facts.pop(tenant, {}))

    def resume(self) -> None:
        """The signal listens (again): start from an empty cache."""
        with self._lock:
            self._epoch += 1
            self._clear()
            self._listening = True

    def suspend(self) -> None:
        """The signal is not connected: serve nothing from the cache, store nothing."""
        with self._lock:
            self._epoch += 1
            self._listening = False
            self._clear()

    def _clear(self) -> None:
        self._tenants.clear()
        self._facts.clear()
        self._size = 0

    # -- state (operators, tests) -----------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self._listening

    def __len__(self) -> int:
        return self._size

    def holds(self, tenant: str, subject: str) -> bool:
        with self._lock:
            return subject in self._tenants.get(tenant, {})
