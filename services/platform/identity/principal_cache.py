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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.platform.identity.directory import AccessRefused, PrincipalResolver
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims

#: The payload of a signal that concerns every tenant (a TRUNCATE, say).
EVERY_TENANT = "*"


@dataclass(frozen=True, slots=True)
class _Entry:
    at: float
    principal: Principal | None
    refusal: tuple[int, str, str, str] | None  # AccessRefused's arguments: raised afresh


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
