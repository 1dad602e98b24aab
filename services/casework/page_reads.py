"""The read phase of a page (issue 14): the casus page builds a dozen sections, each under
its own policy decision, and several of them read the same reference rows (the tenant's
organisations, the person's consents, the names of colleagues).

Inside :func:`page_reads` such reads are remembered (:func:`remembered`): a read of the same
rows for the same key returns what the first one found. (The sections' audit rows are
written together anyway: the enforcer writes a transaction's rows in one INSERT before
COMMIT, services/platform/authz/enforce.py.)

The memo is only sound while the page only reads. So it is used only while the session
holds no change; a pending change, a flush or a statement that changes anything but the
enforcer's audit INSERT (a form's service function, run in a page's read phase by mistake)
empties the memo and switches it off until the scope ends. Outside a scope every read goes
to the database.

Beyond one page, the tenant's organisations' names, its users' display names and its
manifest come from the app's per-process cache of reference data (:func:`reference_cache`,
ADR 0027 amendment ``casuspagina``), dropped on the principal signal like the principals.
It is used only for the caller's own tenant and only while the transaction has written
nothing (no pending row, no flush, no statement but the enforcer's audit INSERT): a value
read after the transaction's own uncommitted change is never served to another request.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from services.platform.db.models import AuditEntry, Organisation, User
from services.platform.identity.principal_cache import PrincipalCache

T = TypeVar("T")


@dataclass
class _Memo:
    session: Session
    values: dict[Hashable, Any] = field(default_factory=dict)
    #: Off after a change other than an audit row (until the scope ends).
    off: bool = False


_current: ContextVar[_Memo | None] = ContextVar("page_reads", default=None)
#: ``session.info``: the current transaction has written (or may have): no app cache of
#: reference data (:func:`reference_cache`) until it ends.
_WROTE: Final = "regietafel.wrote"


@contextmanager
def page_reads(session: Session) -> Iterator[None]:
    """The read phase of a page: reads remembered while the page only reads."""
    token = _current.set(_Memo(session))
    try:
        yield
    finally:
        _current.reset(token)


def _unchanged(session: Session) -> bool:
    """No new, changed or deleted rows in the session (an ``AuditEntry`` too: the enforcer's
    rows are not in the session, see services.casework.workspace._pending_changes)."""
    return not (session.new or session.dirty or session.deleted)


def _memo_for(session: Session) -> _Memo | None:
    memo = _current.get()
    if memo is None or memo.session is not session or memo.off:
        return None
    if not _unchanged(session):
        _switch_off(memo)
        return None
    return memo


def _switch_off(memo: _Memo) -> None:
    memo.values.clear()
    memo.off = True


def remembered(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """``load()``, or inside :func:`page_reads` what it returned for ``key`` before."""
    memo = _memo_for(session)
    if memo is None:
        return load()
    if key not in memo.values:
        memo.values[key] = load()
    return cast(T, memo.values[key])


def remembered_rows(
    session: Session,
    key: Hashable,
    wanted: set[str],
    load: Callable[[set[str]], dict[str, T]],
) -> dict[str, T]:
    """Rows by id: ``load(ids)`` for the ids not read before under ``key`` (ids it does not
    find are remembered as absent); outside :func:`page_reads` simply ``load(wanted)``."""
    memo = _memo_for(session)
    if memo is None:
        return load(wanted)
    known: dict[str, T | None] = memo.values.setdefault(key, {})
    missing = wanted - known.keys()
    if missing:
        found = load(missing)
        known.update({i: found.get(i) for i in missing})
    return {i: row for i in wanted if (row := known[i]) is not None}


def _writes(state: ORMExecuteState) -> bool:
    """A statement that may change rows, other than the enforcer's audit INSERT."""
    if state.is_select:
        return False
    table = getattr(state.statement, "table", None)
    return not (state.is_insert and getattr(table, "name", None) == AuditEntry.__tablename__)


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    session.info[_WROTE] = True  # no app cache until the transaction ends
    memo = _current.get()
    if memo is not None and memo.session is session and not _unchanged(session):
        _switch_off(memo)


def _on_execute(state: ORMExecuteState) -> None:
    session = state.session
    writes = _writes(state)
    if writes:
        session.info[_WROTE] = True  # no app cache until the transaction ends
    memo = _current.get()
    if memo is None or memo.session is not session:
        return
    if writes or not _unchanged(session):
        # A write, or a pending change (autoflush sends it before the statement).
        _switch_off(memo)


def _on_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


sa.event.listen(Session, "after_flush", _after_flush)
sa.event.listen(Session, "do_orm_execute", _on_execute)
sa.event.listen(Session, "after_transaction_end", _on_transaction_end)


# ---------------------------------------------------------------------------------------------
# The app's cache of a tenant's reference data (ADR 0027, amendment casuspagina)
# ---------------------------------------------------------------------------------------------

#: ``session.info``: (the caller's tenant, the app's cache), set by the unit of work.
REFERENCE: Final = "regietafel.reference"


def bind_reference(session: Session, tenant: str, cache: PrincipalCache | None) -> None:
    """Let the reads below use ``cache`` for ``tenant`` (the caller's) in this session."""
    if cache is not None:
        session.info[REFERENCE] = (tenant, cache)


def reference_cache(session: Session, tenant: str) -> PrincipalCache | None:
    """The app's cache for ``tenant``'s reference data, when this session may use it: the
    caller's own tenant, and a transaction that has written nothing (nor holds a pending
    row)."""
    bound: tuple[str, PrincipalCache] | None = session.info.get(REFERENCE)
    if bound is None or bound[0] != tenant or session.info.get(_WROTE):
        return None
    if not _unchanged(session):
        return None
    return bound[1]


def tenant_reference(session: Session, tenant: str, key: Hashable, load: Callable[[], T]) -> T:
    """``load()`` (reference rows of ``tenant`` from the tables that send the principal
    signal, as an immutable value), or what the app's cache keeps for ``key`` of ``tenant``
    when :func:`reference_cache` allows."""
    cache = reference_cache(session, tenant)
    return load() if cache is None else cache.remember(tenant, key, load)


# ---------------------------------------------------------------------------------------------
# Reference rows that several sections of a page read
# ---------------------------------------------------------------------------------------------


#: Built once (issue 14). Parameter: ``tenant``.
_ORGANISATION_NAMES = sa.select(Organisation.id, Organisation.name).where(
    Organisation.tenant_id == sa.bindparam("tenant", type_=sa.String)
)
#: Built once (issue 14). Parameters: ``tenant``, ``ids`` (a list).
_COLLEAGUES = sa.select(User.id, User.display_name, User.organisation_id).where(
    User.tenant_id == sa.bindparam("tenant", type_=sa.String),
    User.id.in_(sa.bindparam("ids", expanding=True)),
)


def organisation_names(session: Session, tenant: str) -> dict[str, str]:
    """The names of a tenant's organisations (reference data, no person data)."""

    def load() -> dict[str, str]:
        rows = session.execute(_ORGANISATION_NAMES, {"tenant": tenant})
        return {row.id: row.name for row in rows}

    cache = reference_cache(session, tenant)
    if cache is not None:
        return dict(cache.remember(tenant, "organisation-names", load))
    return dict(remembered(session, ("organisations", tenant), load))


def colleagues(session: Session, tenant: str, user_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Users of a tenant by id: (display name, organisation) — names of professionals."""

    def load(ids: set[str]) -> dict[str, tuple[str, str]]:
        rows = session.execute(_COLLEAGUES, {"tenant": tenant, "ids": sorted(ids)})
        return {row.id: (row.display_name, row.organisation_id) for row in rows}

    if not user_ids:
        return {}
    cache = reference_cache(session, tenant)
    if cache is not None:
        return cache.remember_rows(tenant, "colleague", set(user_ids), load)
    return remembered_rows(session, ("users", tenant), set(user_ids), load)
