"""The principal signal (issue 14, ADR 0027): what tells a :class:`PrincipalCache` that a
tenant's principals changed.

* :class:`PrincipalListener` - a thread with a PostgreSQL connection of its own that
  ``LISTEN``s on ``regietafel_principals``; the triggers of migration 0044 send the tenant
  code of every changed tenant, user or organisation row at commit, in whichever process
  (or tool) made the change. The cache is used only while this connection listens: it is
  resumed (empty) after each ``LISTEN`` and suspended as soon as the connection fails or
  the thread stops. A quiet connection is probed every ``heartbeat_seconds``.
* :class:`LocalWrites` - session events on this process's session factory: a commit that
  wrote a tenant, user or organisation through the ORM drops the tenant's entries before
  the commit returns, so this process never waits for its own notification.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
from collections.abc import Callable
from itertools import chain
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.orm.attributes import instance_state

from services.platform.db.engine import application_name
from services.platform.db.models import Organisation, Tenant, User
from services.platform.identity.directory import PrincipalResolver
from services.platform.identity.principal_cache import EVERY_TENANT, PrincipalCache

_log = logging.getLogger(__name__)

CHANNEL = "regietafel_principals"

Connect = Callable[[], psycopg.Connection[Any]]


def listener_connect(engine: sa.Engine) -> Connect:
    """A connection as the engine's role to the engine's database, outside its pool."""
    _, params = engine.dialect.create_connect_args(engine.url)
    params.pop("context", None)  # SQLAlchemy's adapters: not needed for LISTEN
    params.update(
        autocommit=True,
        connect_timeout=5,
        application_name=(application_name() + " principals")[:63],
        # Notice a silently broken TCP connection (libpq ignores these on a Unix socket).
        keepalives=1,
        keepalives_idle=10,
        keepalives_interval=5,
        keepalives_count=3,
        tcp_user_timeout=15_000,
        options="-c statement_timeout=5000",
    )
    return lambda: psycopg.connect(**params)


class PrincipalListener:
    def __init__(
        self,
        connect: Connect,
        cache: PrincipalCache,
        *,
        heartbeat_seconds: float = 5.0,
        retry_seconds: float = 1.0,
    ) -> None:
        self._connect = connect
        self._cache = cache
        self._heartbeat = heartbeat_seconds
        self._retry = retry_seconds
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wake: tuple[socket.socket, socket.socket] | None = None
        #: Connections made (LISTEN done) and the server process of the current one.
        self.connections = 0
        self.backend_pid: int | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping = threading.Event()
        self._wake = socket.socketpair()
        self._thread = threading.Thread(
            target=self._run, args=(self._stopping, self._wake[1]), name=CHANNEL, daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        thread, wake, self._thread, self._wake = self._thread, self._wake, None, None
        if wake is not None:
            wake[0].send(b"x")
        if thread is not None:
            thread.join(timeout)
        if wake is not None:
            wake[0].close()
            wake[1].close()
        self._cache.suspend()

    # -- the thread -------------------------------------------------------------------------

    def _run(self, stopping: threading.Event, wake: socket.socket) -> None:
        failing = False
        while not stopping.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connections += 1
                    self.backend_pid = conn.info.backend_pid
                    if stopping.is_set():
                        return
                    self._cache.resume()
                    if failing:
                        _log.info("principal signal listening again")
                    failing = False
                    self._serve(conn, wake)
            except Exception as error:  # noqa: BLE001 - any failure: bypass, then retry
                if not failing and not stopping.is_set():
                    _log.warning(
                        "principal signal lost (%s): principals are read from the database "
                        "until it listens again",
                        type(error).__name__,
                    )
                failing = True
            finally:
                self._cache.suspend()
            stopping.wait(self._retry)

    def _serve(self, conn: psycopg.Connection[Any], wake: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:  # not select(): descriptors > 1023
            selector.register(conn.fileno(), selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while True:
                # Notifications that arrived while the probe ran wait in psycopg's backlog:
                # drained here too, before waiting on the socket again.
                for notification in conn.notifies(timeout=0):
                    self._cache.invalidate(notification.payload)
                ready = selector.select(self._heartbeat)
                if any(key.fileobj is wake for key, _ in ready):
                    return
                if not ready:
                    conn.execute("SELECT 1")  # quiet for a while: does the server answer?


_PRINCIPAL_TABLES = (Tenant, User, Organisation)


class LocalWrites:
    """Drops a tenant's entries when this process commits a change of its tenant, users or
    organisations through the ORM (another process learns it from the signal)."""

    def __init__(self, sessions: sessionmaker[Session], cache: PrincipalCache) -> None:
        self._sessions = sessions
        self._cache = cache
        self._key = f"principal-writes-{id(self)}"
        self._on = False

    def start(self) -> None:
        if not self._on:
            event.listen(self._sessions, "after_flush", self._after_flush)
            event.listen(self._sessions, "do_orm_execute", self._on_execute)
            event.listen(self._sessions, "after_commit", self._after_commit)
            event.listen(self._sessions, "after_rollback", self._after_rollback)
            self._on = True

    def stop(self) -> None:
        if self._on:
            event.remove(self._sessions, "after_flush", self._after_flush)
            event.remove(self._sessions, "do_orm_execute", self._on_execute)
            event.remove(self._sessions, "after_commit", self._after_commit)
            event.remove(self._sessions, "after_rollback", self._after_rollback)
            self._on = False

    def _touched(self, session: Session) -> set[str]:
        touched: set[str] = session.info.setdefault(self._key, set())
        return touched

    def _after_flush(self, session: Session, _: UOWTransaction) -> None:
        for row in chain(session.new, session.dirty, session.deleted):
            if isinstance(row, _PRINCIPAL_TABLES):
                self._touched(session).add(_tenant_of(row))

    def _on_execute(self, state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        if any(m.class_ in _PRINCIPAL_TABLES for m in state.all_mappers):
            self._touched(state.session).add(EVERY_TENANT)  # a bulk statement: which rows?

    def _after_commit(self, session: Session) -> None:
        touched: set[str] | None = session.info.pop(self._key, None)
        if touched:
            for tenant in [EVERY_TENANT] if EVERY_TENANT in touched else sorted(touched):
                self._cache.invalidate(tenant)

    def _after_rollback(self, session: Session) -> None:
        session.info.pop(self._key, None)


def _tenant_of(row: Tenant | User | Organisation) -> str:
    """The tenant code: the first primary key column of all three (from the identity key,
    so an expired or deleted row is not loaded again)."""
    key = instance_state(row).identity
    if key is not None:
        return str(key[0])
    return row.code if isinstance(row, Tenant) else row.tenant_id


class CachedPrincipals:
    """The cache of one app instance with its signal: started and stopped with the app."""

    def __init__(
        self,
        directory: PrincipalResolver,
        engine: sa.Engine,
        sessions: sessionmaker[Session],
        *,
        max_age_seconds: float,
    ) -> None:
        self.cache = PrincipalCache(directory, max_age_seconds=max_age_seconds)
        self.listener = PrincipalListener(listener_connect(engine), self.cache)
        self.local = LocalWrites(sessions, self.cache)

    def start(self) -> None:
        self.local.start()
        self.listener.start()

    def stop(self) -> None:
        self.listener.stop()
        self.local.stop()
