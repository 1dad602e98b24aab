"""One casework request = one transaction in the caller's tenant, with the policy engine.

On success everything commits together (the change and its audit rows). When the policy
denies, or the engine cannot decide (503, fail closed), the transaction is rolled back (no
partial writes) and the audit rows of those attempts are written in a fresh transaction, so
every refused attempt is on record. A row changed by another transaction since it was read
(``version_id_col``) is a 412 (:class:`VersionMismatch`).

HTTP handlers receive their workspace from the request-scoped dependency ``ws``
(:func:`request_workspace`, docs/adr/0024-request-scoped-workspace.md); jobs, the demo seeder
and the CLI open one with the :func:`workspace` context manager. Both run the same
:class:`UnitOfWork`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import QueuePool

from services.casework.domain.bsn import BsnVault
from services.casework.errors import VersionMismatch
from services.casework.page_reads import bind_reference
from services.casework.workspace import Workspace, detach_workspaces
from services.platform.authz.enforce import AccessDenied, Enforcer, detach_enforcers
from services.platform.authz.gateway import PolicyGateway
from services.platform.authz.subjects import SubjectSealer
from services.platform.db.unit_of_work import bind_tenant
from services.platform.identity.guards import principal_of
from services.platform.identity.principal import Principal
from services.platform.identity.principal_cache import PrincipalCache
from services.platform.policy import PolicyEngine, PolicyEngineUnavailable

R = TypeVar("R")


@dataclass(frozen=True)
class CaseworkDeps:
    sessions: sessionmaker[Session]
    gateway: PolicyGateway
    vault: BsnVault
    pseudonym_secret: str
    #: Seals the data subject of every audit row (services/authz/subjects.py).
    subjects: SubjectSealer | None = None
    #: The app's per-process cache (principals and a tenant's reference data, ADR 0027):
    #: the workspace's reads of the manifest, organisation and user names use it.
    reference: PrincipalCache | None = None


def _close(session: Session) -> None:
    """Close the unit's session for good: its transaction ends (a rollback if still open,
    with the enforcer's events), then the session forgets the enforcer and workspace that
    registered on it. They and the session refer to each other (``session.info``); broken
    here, a request's session, workspace, enforcer, casus rows and relations are freed by
    reference counting when the request drops them, not left as cyclic garbage for the
    collector, whose pauses set the casus page's tail latency under load (issue 14, ADR
    0020 amendment ``cycles``)."""
    try:
        session.close()
    finally:
        detach_enforcers(session)
        detach_workspaces(session)


class UnitOfWork:
    """The transaction behind one workspace: :meth:`open`, then :meth:`commit` or
    :meth:`abort` (exactly one of them; both close the session)."""

    def __init__(
        self, deps: CaseworkDeps, principal: Principal, *, now: dt.datetime | None = None
    ) -> None:
        self.deps = deps
        self.principal = principal
        self.now = now
        self._session: Session | None = None
        self._transaction: SessionTransaction | None = None
        self._enforcer: Enforcer | None = None
        #: Whether :meth:`commit` or :meth:`abort` has begun (only the first of them runs);
        #: set under ``_ending``, which :meth:`finish` holds from the handler's first
        #: statement to its commit, so an abort can never run beside them.
        self.ended = False
        self._ending = threading.Lock()

    def open_session(self) -> Session | None:
        """The session while this unit's transaction is open and usable."""
        transaction = self._transaction
        if self._session is None or transaction is None or not transaction.is_active:
            return None
        return self._session

    def open(self, *, engine: PolicyEngine | None = None, connect: bool = True) -> Workspace:
        """Begin the transaction in the caller's tenant. ``connect``: take the connection
        (and with it set the tenant) now; otherwise the first statement takes it, in the
        thread that runs it (:func:`request_workspace`: no I/O here, so no thread hop).
        ``engine``: the policy engine when the caller already has a current one."""
        deps, principal = self.deps, self.principal
        if engine is None:
            engine = deps.gateway.engine()  # PolicyEngineUnavailable -> 503 before anything
        session = deps.sessions()
        try:
            enforcer = Enforcer(
                session,
                principal,
                engine,
                now=self.now or dt.datetime.now(dt.UTC),
                subjects=deps.subjects,
            )
            # Every transaction of the session sets the tenant on its connection before its
            # first statement (services/platform/db/unit_of_work.py, after_begin).
            bind_tenant(session, principal.tenant)
            bind_reference(session, principal.tenant, deps.reference)
            transaction = session.begin()
            if connect:
                session.connection()
        except BaseException:
            _close(session)
            raise
        self._session, self._transaction, self._enforcer = session, transaction, enforcer
        return Workspace(session, principal, enforcer, deps.vault, deps.pseudonym_secret)

    def finish(self, build: Callable[[], R]) -> R:
        """``build()`` (the handler's work, ending in its response, built), then
        :meth:`commit`, in the calling thread (ADR 0024, amendment 2): the commit follows
        the built response without a thread hop of its own. When ``build`` raises, nothing
        is committed and the exception goes on to the request's dependency, which aborts
        (rollback, refusal rows) as for any handler. A commit that fails raises from here,
        as it raised from the dependency (``VersionMismatch``: 412); it is not aborted
        afterwards (nor was it before). Holding ``_ending`` throughout, an abort of a
        cancelled request waits for this to end and then finds the unit ended."""
        with self._ending:
            if self.ended:
                raise RuntimeError("this unit of work has ended")
            result = build()
            self.ended = True
            self._commit()
        return result

    def commit(self) -> None:
        """Commit the change and its audit rows together; a row another transaction changed
        meanwhile fails the whole commit as a 412."""
        with self._ending:
            if self.ended:
                return
            self.ended = True
            self._commit()

    def _commit(self) -> None:
        assert self._session is not None and self._transaction is not None
        assert self._enforcer is not None
        try:
            # The changes first, then the transaction's audit rows in one INSERT right
            # before the COMMIT: the audit chain's lock is held for these two only (ADR 0018).
            self._session.flush()
            self._enforcer.write_audit()
            self._transaction.commit()
        except StaleDataError:
            raise VersionMismatch(None) from None
        finally:
            _close(self._session)

    def abort(self, error: BaseException) -> None:
        """Roll everything back (no partial writes); a refusal, or an attempt the engine
        could not decide (fail closed), is on record all the same. Nothing to do when the
        unit has ended (committed in the handler's thread by :meth:`finish`)."""
        with self._ending:
            if self.ended:
                return
            self.ended = True
            self._abort(error)

    def _abort(self, error: BaseException) -> None:
        assert self._session is not None and self._transaction is not None
        assert self._enforcer is not None
        session = self._session
        try:
            session.rollback()  # and with it the audit rows recorded (Enforcer._on_rollback)
            enforcer = self._enforcer
            if isinstance(error, (AccessDenied, PolicyEngineUnavailable)) and enforcer.denied:
                with session.begin():  # a new transaction: the tenant is set again (bind_tenant)
                    enforcer.rewrite(enforcer.denied)
                    enforcer.write_audit()
        finally:
            _close(session)


class LazyWorkspace:
    """The workspace of a page request, opened when first used (a page that only redirects
    to the login opens none); the page's dependency commits or aborts it at the end."""

    def __init__(self, deps: CaseworkDeps, principal: Principal) -> None:
        self._unit = UnitOfWork(deps, principal)
        self._workspace: Workspace | None = None

    def get(self) -> Workspace:
        if self._workspace is None:
            self._workspace = self._unit.open()
        return self._workspace

    def open_session(self) -> Session | None:
        """The session of the workspace while its transaction is open and usable (a page
        that has not used its workspace, or has ended it, has none)."""
        return self._unit.open_session() if self._workspace is not None else None

    def commit(self) -> None:
        if self._workspace is not None:
            self._unit.commit()

    def abort(self, error: BaseException) -> None:
        if self._workspace is not None:
            self._unit.abort(error)


@contextmanager
def workspace(
    deps: CaseworkDeps, principal: Principal, *, now: dt.datetime | None = None
) -> Iterator[Workspace]:
    """A workspace outside a request (jobs, demo seed, CLI). ``now`` is only set by the demo
    seeder, to replay a casus history on its own dates."""
    unit = UnitOfWork(deps, principal, now=now)
    ws = unit.open()
    try:
        yield ws
    except BaseException as error:
        unit.abort(error)
        if isinstance(error, StaleDataError):
            # Another transaction changed the row since it was read (version_id_col).
            raise VersionMismatch(None) from None
        raise
    unit.commit()


#: Slots when the pool does not say its size (a test's own pool class).
DEFAULT_SLOTS = 5
#: Per event loop: how many requests may hold a database connection at once.
_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def request_slots(deps: CaseworkDeps) -> anyio.CapacityLimiter:
    """The slots of this process's requests for a database connection: as many as the pool
    keeps open (its overflow stays for logins, the header's count and jobs). A request takes
    its slot *before* it takes a connection, waiting without a worker thread; so a request
    that holds a connection never waits for a worker thread that is itself waiting for a
    connection (under overload that starved the pool until its timeout: issue 14)."""
    loop = asyncio.get_running_loop()
    slots = _SLOTS.get(loop)
    if slots is None:
        bind = deps.sessions.kw.get("bind")
        pool = getattr(bind, "pool", None)
        size = pool.size() if isinstance(pool, QueuePool) else DEFAULT_SLOTS
        slots = _SLOTS.setdefault(loop, anyio.CapacityLimiter(max(1, size)))
    return slots


async def request_workspace(
    request: Request[Any, Any, Any], casework: NamedDependency[CaseworkDeps]
) -> AsyncGenerator[Workspace, None]:
    """The dependency ``ws`` of every casework API handler: the caller's workspace, opened
    before the handler runs and committed after its response is built (before it is sent),
    or aborted when the handler raises. The blocking database work runs in a worker thread;
    the end of the transaction is shielded from cancellation (a client that goes away does
    not leave it open).

    An exception the handler raises is re-raised unchanged (Litestar would wrap another one
    in an ExceptionGroup): a ``StaleDataError`` from a flush in the handler is mapped to 412
    by the exception handlers (services/casework/problems.py), as :func:`workspace` maps it.
    """
    unit = UnitOfWork(casework, principal_of(request))
    async with request_slots(casework):
        engine = casework.gateway.current_engine()
        if engine is not None:
            # No I/O to open: the handler's first statement takes the connection (within
            # this request's slot) and sets the tenant before it runs, in the handler's
            # thread; one thread hop fewer per request (issue 14).
            ws = unit.open(engine=engine, connect=False)
        else:  # the policy data is due for its check: that reads the database
            ws = await anyio.to_thread.run_sync(unit.open)
        # A handler may end the unit itself, in its own thread, once its response is built
        # (Workspace.committed -> UnitOfWork.finish; ADR 0024, amendment 2).
        ws.bind_finish(unit.finish)
        try:
            yield ws
        except BaseException as error:
            if not unit.ended:  # else its commit ran (or runs) in the handler's thread
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(unit.abort, error)
            raise
        if unit.ended:  # committed in the handler's thread: no hop
            return
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(unit.commit)
