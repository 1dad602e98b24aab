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
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from services.platform.db.models import AuditEntry, Organisation, User

T = TypeVar("T")


@dataclass
class _Memo:
    session: Session
    values: dict[Hashable, Any] = field(default_factory=dict)
    #: Off after a change other than an audit row (until the scope ends).
    off: bool = False


_current: ContextVar[_Memo | None] = ContextVar("page_reads", default=None)


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


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    memo = _current.get()
    if memo is not None and memo.session is session and not _unchanged(session):
        _switch_off(memo)


def _on_execute(state: ORMExecuteState) -> None:
    memo = _current.get()
    session = state.session
    if memo is None or memo.session is not session:
        return
    if not _unchanged(session):
        _switch_off(memo)  # a change is pending (autoflush sends it before the statement)
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if not (state.is_insert and getattr(table, "name", None) == AuditEntry.__tablename__):
        _switch_off(memo)


sa.event.listen(Session, "after_flush", _after_flush)
sa.event.listen(Session, "do_orm_execute", _on_execute)


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

    return dict(remembered(session, ("organisations", tenant), load))


def colleagues(session: Session, tenant: str, user_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Users of a tenant by id: (display name, organisation) — names of professionals."""

    def load(ids: set[str]) -> dict[str, tuple[str, str]]:
        rows = session.execute(_COLLEAGUES, {"tenant": tenant, "ids": sorted(ids)})
        return {row.id: (row.display_name, row.organisation_id) for row in rows}

    if not user_ids:
        return {}
    return remembered_rows(session, ("users", tenant), set(user_ids), load)
