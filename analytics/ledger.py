"""The persistent privacy-budget ledger (zCDP ρ), append-only, safe under concurrency.

A spend is *reserved* before any noise is drawn: in one transaction the account rows are
locked (``SELECT ... FOR UPDATE``, in a fixed order so two spenders never deadlock), the
sum of the ledger is compared with the account's total, and the spend is appended. Only
after that transaction commits does the caller draw noise. A computation that fails after
reserving keeps its entry: budget may be wasted, never overspent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa

from analytics.db.schema import budget_accounts, budget_ledger

DATASET: Final = "pga-feiten"
#: Float slack for summing many small ρ values.
EPS: Final = 1e-12


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


class UnknownAccount(Exception):
    """No budget has been granted for this account."""


def dataset_account(period: str, dataset: str = DATASET) -> str:
    return f"dataset:{dataset}:{period}"


def researcher_account(principal: str, period: str, dataset: str = DATASET) -> str:
    return f"onderzoeker:{principal}:{dataset}:{period}"


def ensure_dataset_account(
    conn: sa.Connection, period: str, total_rho: float, dataset: str = DATASET
) -> str:
    """Create the period's budget if missing (idempotent; an existing total is kept)."""
    account_id = dataset_account(period, dataset)
    conn.execute(
        sa.dialects.postgresql.insert(budget_accounts)
        .values(
            account_id=account_id,
            kind="dataset",
            dataset=dataset,
            period=period,
            total_rho=total_rho,
        )
        .on_conflict_do_nothing(index_elements=["account_id"])
    )
    return account_id


def grant_researcher(
    conn: sa.Connection,
    principal: str,
    period: str,
    total_rho: float,
    *,
    granted_by: str,
    dataset: str = DATASET,
) -> str:
    """A personal budget granted by the regional bureau (idempotent per principal+period)."""
    account_id = researcher_account(principal, period, dataset)
    conn.execute(
        sa.dialects.postgresql.insert(budget_accounts)
        .values(
            account_id=account_id,
            kind="onderzoeker",
            dataset=dataset,
            period=period,
            principal=principal,
            total_rho=total_rho,
            granted_by=granted_by,
        )
        .on_conflict_do_nothing(index_elements=["account_id"])
    )
    return account_id


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


def reserve(
    engine: sa.Engine | sa.Connection,
    account_ids: Sequence[str],
    rho: float,
    *,
    purpose: str,
    request_key: str,
    principal: str | None = None,
) -> None:
    """Append a spend of ``rho`` to every account in one transaction, or refuse.

    Passing a Connection runs in its own ``begin()`` block on it (it must not be inside a
    transaction); the reservation is committed when this returns.
    """
    if rho <= 0:
        raise ValueError("rho must be positive")
    ordered = sorted(set(account_ids))

    def _run(conn: sa.Connection) -> None:
        locked = (
            conn.execute(
                sa.select(budget_accounts.c.account_id)
                .where(budget_accounts.c.account_id.in_(ordered))
                .order_by(budget_accounts.c.account_id)
                .with_for_update()
            )
            .scalars()
            .all()
        )
        missing = set(ordered) - set(locked)
        if missing:
            raise UnknownAccount(", ".join(sorted(missing)))
        for account_id in ordered:
            current = balance(conn, account_id)
            if current.spent + rho > current.total + EPS:
                raise BudgetExhausted(account_id, current.remaining, rho)
        conn.execute(
            budget_ledger.insert(),
            [
                {
                    "account_id": a,
                    "rho": rho,
                    "purpose": purpose,
                    "request_key": request_key,
                    "principal": principal,
                }
                for a in ordered
            ],
        )

    if isinstance(engine, sa.Connection):
        with engine.begin():
            _run(engine)
    else:
        with engine.begin() as conn:
            _run(conn)
