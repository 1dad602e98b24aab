"""The persistent privacy-budget ledger (zCDP ρ) per person-year, owned by the owner role.

The runtime role cannot write budget tables. It spends through the database functions of
migration a0002, which enforce the rules in one place:

* ``analytics_open_year`` creates a year's accounts once: ``jaar`` (the cap per person-year),
  ``officieel`` (reserved for the official releases) and ``onderzoek`` (the pool researchers'
  grants come from); an existing year keeps its totals;
* ``analytics_grant`` gives a researcher a personal budget from the research pool; the grants
  of a year never add up to more than the pool;
* ``analytics_reserve`` locks the accounts (fixed order, so concurrent spenders queue and
  never deadlock), checks every balance and appends the charge — or reuses the open
  reservation of the same request key (a retry);
* ``analytics_release`` releases an unpublished reservation with negative ledger entries (a
  reservation whose result was stored is completed instead).

Storing a release or a query result needs a covering reservation (trigger) and completes it.
A reservation's holder keeps a session advisory lock on its request key while it computes; a
reservation without a live holder is an orphan: :func:`recover_orphans` completes or releases
it, always with a ledger entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from analytics.db.schema import REAL_DATASET, budget_accounts, budget_ledger, budget_reservations
from analytics.db.schema import reservation_outcomes as outcomes
from analytics.periods import year_of

DATASET: Final = REAL_DATASET


class BudgetExhausted(Exception):
    """The remaining budget of an account is smaller than the requested spend."""

    def __init__(self, account_id: str, remaining: float, requested: float) -> None:
        super().__init__(
            f"budget of {account_id} exhausted: remaining ρ={remaining:.6g}, "
            f"requested {requested:.6g}"
        )
        self.account_id = account_id
        self.remaining = remaining
        self.requested = requested


class PoolExceeded(BudgetExhausted):
    """The grants would add up to more than the year's research pool."""


class UnknownAccount(Exception):
    """No budget has been opened or granted for this account."""


class ReservationRefused(Exception):
    """A publication without a valid reservation, or a released reservation reused."""


def year_account(year: str, dataset: str = DATASET) -> str:
    return f"jaar:{dataset}:{year}"


def official_account(year: str, dataset: str = DATASET) -> str:
    return f"officieel:{dataset}:{year}"


def research_account(year: str, dataset: str = DATASET) -> str:
    return f"onderzoek:{dataset}:{year}"


def researcher_account(principal: str, year: str, dataset: str = DATASET) -> str:
    return f"onderzoeker:{principal}:{dataset}:{year}"


@dataclass(frozen=True)
class YearBudget:
    """ρ per person-year (the cap) and the research pool's share of it."""

    total: float = 2.0
    research: float = 0.5

    @property
    def official(self) -> float:
        return self.total - self.research


def _translate(error: sa.exc.DBAPIError) -> Exception:
    orig: Any = error.orig
    state = getattr(orig, "sqlstate", None)
    diag = getattr(orig, "diag", None)
    detail = (getattr(diag, "message_detail", None) or "") if diag is not None else ""
    if state in ("RT001", "RT003"):
        account, remaining, requested = ([*detail.split("|"), "", "0", "0"])[:3]
        cls = PoolExceeded if state == "RT003" else BudgetExhausted
        return cls(account, float(remaining or 0), float(requested or 0))
    if state == "RT002":
        return UnknownAccount(detail or str(orig))
    if state == "RT004":
        return ReservationRefused(str(orig).splitlines()[0])
    if state == "22023":
        return ValueError(str(orig).splitlines()[0])
    return error


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sa.exc.DBAPIError as error:
        translated = _translate(error)
        if translated is error:
            raise
        raise translated from None


def _call(conn: sa.Connection, sql: str, params: dict[str, Any]) -> Any:
    with _translated():
        return conn.execute(sa.text(sql), params)


def open_year(conn: sa.Connection, year: str, budget: YearBudget, dataset: str = DATASET) -> str:
    """Create the year's accounts if missing (idempotent; existing totals are kept)."""
    _call(
        conn,
        "SELECT analytics_open_year(:d, :y, :t, :r)",
        {"d": dataset, "y": year, "t": budget.total, "r": budget.research},
    )
    return year_account(year, dataset)


def grant_researcher(
    conn: sa.Connection,
    principal: str,
    year: str,
    total_rho: float,
    *,
    granted_by: str,
    dataset: str = DATASET,
) -> str:
    """A personal budget from the year's research pool (idempotent per principal+year).

    Raises :class:`PoolExceeded` when the grants would exceed the pool."""
    result = _call(
        conn,
        "SELECT analytics_grant(:d, :y, :p, :r, :g)",
        {"d": dataset, "y": year, "p": principal, "r": total_rho, "g": granted_by},
    )
    return str(result.scalar_one())


@dataclass(frozen=True)
class Balance:
    account_id: str
    total: float
    spent: float

    @property
    def remaining(self) -> float:
        return max(0.0, self.total - self.spent)


def balance(conn: sa.Connection, account_id: str) -> Balance:
    total = conn.execute(
        sa.select(budget_accounts.c.total_rho).where(budget_accounts.c.account_id == account_id)
    ).scalar()
    if total is None:
        raise UnknownAccount(account_id)
    spent = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(budget_ledger.c.rho), 0.0)).where(
            budget_ledger.c.account_id == account_id
        )
    ).scalar_one()
    return Balance(account_id, float(total), float(spent))


def year_summary(conn: sa.Connection, year: str, dataset: str = DATASET) -> dict[str, Any] | None:
    """The year's cap, pools, grants and what has been spent (public; no principals)."""
    try:
        cap = balance(conn, year_account(year, dataset))
        official = balance(conn, official_account(year, dataset))
        research = balance(conn, research_account(year, dataset))
    except UnknownAccount:
        return None
    granted = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(budget_accounts.c.total_rho), 0.0)).where(
            budget_accounts.c.kind == "onderzoeker",
            budget_accounts.c.dataset == dataset,
            budget_accounts.c.period == year,
        )
    ).scalar_one()
    return {
        "year": year,
        "dataset": dataset,
        "cap_rho": cap.total,
        "spent_rho": cap.spent,
        "remaining_rho": cap.remaining,
        "official": {"total_rho": official.total, "spent_rho": official.spent},
        "research": {
            "total_rho": research.total,
            "spent_rho": research.spent,
            "granted_rho": float(granted),
        },
    }


@dataclass(frozen=True)
class Reservation:
    id: str
    reused: bool


def reserve(
    engine: sa.Engine | sa.Connection,
    *,
    request_key: str,
    purpose: str,
    period: str,
    rho: float,
    principal: str | None = None,
    dataset: str = DATASET,
) -> Reservation:
    """Reserve ``rho`` (committed when this returns) or raise BudgetExhausted.

    A release charges ``jaar`` and ``officieel``; a query charges ``jaar``, ``onderzoek`` and
    the researcher's grant. The same request key with an open reservation reuses it.
    A Connection must not be inside a transaction."""
    if rho <= 0:
        raise ValueError("rho must be positive")
    params = {
        "k": request_key,
        "p": purpose,
        "d": dataset,
        "y": year_of(period),
        "r": rho,
        "u": principal,
    }
    sql = "SELECT reservation_id, reused FROM analytics_reserve(:k, :p, :d, :y, :r, :u)"

    def _run(conn: sa.Connection) -> Reservation:
        row = _call(conn, sql, params).one()
        return Reservation(str(row.reservation_id), bool(row.reused))

    if isinstance(engine, sa.Connection):
        with engine.begin():
            return _run(engine)
    with engine.begin() as conn:
        return _run(conn)


def release_reservation(conn: sa.Connection, reservation_id: str, reason: str) -> str:
    """Release an unpublished reservation (negative ledger entries); returns the outcome."""
    result = _call(
        conn, "SELECT analytics_release(CAST(:i AS uuid), :r)", {"i": reservation_id, "r": reason}
    )
    return str(result.scalar_one())


def _holder_key(request_key: str) -> str:
    return f"reservation-holder:{request_key}"


@contextmanager
def holding(bind: sa.Engine | sa.Connection, request_key: str) -> Iterator[None]:
    """Hold the request key for as long as the reservation's result is being made: a session
    advisory lock (on ``bind`` itself when it is a Connection, else on a connection of its
    own). A crash ends the session and frees the key: its reservation becomes an orphan."""
    if isinstance(bind, sa.Engine):
        with bind.connect() as conn, holding(conn, request_key):
            yield
        return
    params = {"k": _holder_key(request_key)}
    with bind.begin():
        bind.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), params)
    try:
        yield
    finally:
        if bind.in_transaction():
            bind.rollback()
        with bind.begin():
            bind.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), params)


def open_reservations(
    conn: sa.Connection, purpose: str, dataset: str = DATASET
) -> list[sa.Row[Any]]:
    return list(
        conn.execute(
            sa.select(budget_reservations)
            .where(
                budget_reservations.c.purpose == purpose,
                budget_reservations.c.dataset == dataset,
                ~sa.exists().where(outcomes.c.reservation_id == budget_reservations.c.id),
            )
            .order_by(budget_reservations.c.created_at)
        ).all()
    )


def recover_orphans(
    engine: sa.Engine, purpose: str, *, keep: str | None = None, dataset: str = DATASET
) -> list[tuple[str, str]]:
    """Complete or release every open reservation whose holder is gone.

    ``keep``: a request key the caller is about to retry (its reservation is reused, not
    released). Returns (reservation id, outcome) per recovered reservation."""
    recovered: list[tuple[str, str]] = []
    with engine.connect() as conn:
        with conn.begin():
            candidates = [
                r for r in open_reservations(conn, purpose, dataset) if r.request_key != keep
            ]
        for row in candidates:
            key = _holder_key(row.request_key)
            with conn.begin():
                free = conn.execute(
                    sa.text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key}
                ).scalar_one()
            if not free:
                continue  # its holder is still working on it
            try:
                with conn.begin():
                    outcome = release_reservation(
                        conn, str(row.id), "verweesd: de aanvrager is gestopt vóór publicatie"
                    )
                recovered.append((str(row.id), outcome))
            finally:
                with conn.begin():
                    conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
    return recovered
