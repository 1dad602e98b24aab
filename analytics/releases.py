"""Published releases: computed once, immutable, versioned, idempotent, crash-safe.

``publish_release`` is the plain function behind the dramatiq job and the CLI. A release
period is a quarter (``kwartaal``: few counts) or a calendar year (``jaar``: all indicators,
from the union of the year's quarters). Every release is charged to its year's accounts (the
privacy unit is a person-year); the same request (dataset, period, catalogue, plan, keys and
the very same ingested data) returns the stored release without spending budget.

Crash and retry safety: the reservation is made under the request key while this process
holds that key (session advisory lock). A retry of the same request reuses the open
reservation; a reservation left by a process that died is completed (if its release was
stored) or released with a ledger entry (:func:`analytics.ledger.recover_orphans`).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from analytics import dp as dpmod
from analytics.contract import AGE_BAND_CODES, CONTRACT_VERSION, DEMO_GEOGRAPHY, Geography
from analytics.db.schema import releases
from analytics.facts import data_fingerprint, load_facts
from analytics.indicators.catalogue import BREAKDOWNS, CATALOGUE_VERSION, MEASURES, SOURCE_KEYS
from analytics.ledger import (
    DATASET,
    YearBudget,
    holding,
    open_year,
    recover_orphans,
    reserve,
    year_summary,
)
from analytics.periods import check_release_period, kind_of, quarters_of, year_of

Progress = Callable[[str], None]

#: Defaults of the release plan (settings override them): ρ of a quarterly and an annual
#: release. Four quarters and one year: 0.4 + 0.9 = 1.3 of the official 1.5 per person-year.
QUARTER_RELEASE_RHO = 0.1
YEAR_RELEASE_RHO = 0.9


class NoFacts(ValueError):
    """No facts were delivered for the period: nothing to publish."""


@dataclass(frozen=True)
class Release:
    id: str
    dataset: str
    period: str
    version: int
    rho: float
    kind: str
    methodology: dict[str, Any]
    cells: list[dict[str, Any]]
    created_at: str
    reused: bool = False

    @property
    def year(self) -> str:
        return self.period[:4]

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "period": self.period,
            "kind": self.kind,
            "version": self.version,
            "rho": self.rho,
            "epsilon_equivalent": self.methodology["epsilon_equivalent"],
            "created_at": self.created_at,
            "cells": len(self.cells),
        }


def methodology(
    plan: dpmod.BudgetPlan, geography: Geography, budget: YearBudget, dataset: str
) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "synthetic": dataset != DATASET,
        "privacy_unit": "één persoon per kalenderjaar (persoon-jaar)",
        "neighbouring": (
            "twee datasets verschillen in alle feiten van één persoon in één kalenderjaar "
            "(toevoegen of weglaten)"
        ),
        "contribution_bound": 1,
        "deduplication": (
            "één feitrecord per pseudoniem per releaseperiode (laatste kwartaal, dan laatste "
            "afsluiting); het pseudoniem komt uit de BSN-sleutel en is in elke gemeente gelijk"
        ),
        "mechanism": (
            "eerst per sleutel optellen, dan OpenDP make_gaussian op de vector "
            "(discrete Gaussische ruis, zero-concentrated DP)"
        ),
        "privacy_measure": "zCDP (ρ)",
        "kind": plan.kind,
        "rho": plan.rho,
        "epsilon_equivalent": dpmod.epsilon_equivalent(plan.rho),
        "epsilon_delta": 1e-6,
        "year_budget": {
            "cap_rho": budget.total,
            "official_rho": budget.official,
            "research_rho": budget.research,
            "cap_epsilon_equivalent": dpmod.epsilon_equivalent(budget.total),
        },
        "plan": plan.as_dict(),
        "clipping": {
            m.id: {"bounds": list(m.bounds), "center": m.center}
            for m in MEASURES.values()
            if m.expr is not None
        },
        "keys": {
            "gemeenten": [[g.code, g.name, g.region] for g in geography.gemeenten],
            "region": list(geography.regions),
            "age_band": list(AGE_BAND_CODES),
            "bron": list(SOURCE_KEYS),
        },
        "key_policy": "publiek bekende sleutels: geen δ voor sleutels",
        "margins": (
            "95%-marge: de ruis valt met 95% kans binnen de marge. Aantallen: OpenDP "
            "discrete_gaussian_scale_to_accuracy; nabewerkte aantallen (gemeenten kloppend "
            "gemaakt met hun regio): gaussian_scale_to_accuracy met de resterende ruis; "
            "verhoudingen en gemiddelden: Fieller-interval over de ruis van teller én noemer. "
            "De marge dekt alleen de toegevoegde ruis, niet registratiefouten of toeval in "
            "wie er in een jaar in de PGA zat."
        ),
        "flags": {
            "noemer-te-klein": f"geschatte noemer < max({dpmod.MIN_DENOMINATOR:g}, 5 × ruis)",
            "marge-te-groot": f"marge > {dpmod.MAX_PROPORTION_MARGIN:g} (verhouding) of > 1/4 "
            "van het bereik (gemiddelde)",
            "marge-groter-dan-waarde": "marge ≥ waarde",
            "geen-noemer": "geschatte noemer ≤ 0: geen waarde",
        },
        "pooling": "een onzekere gemeentecel wordt getoond als de waarde van haar regio",
        "levels": {
            "gemeente": "directe meting, kloppend gemaakt met de regio",
            "regio-leeftijd": "directe meting, kloppend gemaakt met de regio",
            "regio-bron": "directe meting, kloppend gemaakt met de regio",
            "regio": "beste schatting uit alle metingen (nabewerking)",
            "leeftijd": "som van regio × leeftijd (nabewerking)",
            "landelijk": "som van de regio's (nabewerking)",
        },
        "catalogue_version": CATALOGUE_VERSION,
        "contract_version": CONTRACT_VERSION,
        "indicators": [
            {
                "id": i.id,
                "title": i.title,
                "definition": i.definition,
                "kind": i.kind,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "unit": i.unit,
                "breakdowns": list(i.breakdowns),
                "headline": i.headline,
            }
            for i in plan.indicators
        ],
        "measures": {m.id: m.description for m in MEASURES.values()},
        "breakdowns": {b.id: b.title for b in BREAKDOWNS.values()},
        "advice": "niet om af te rekenen: vergelijk gemeenten niet als ranglijst",
    }


def request_key(
    dataset: str, period: str, plan: dpmod.BudgetPlan, geography: Geography, fingerprint: str
) -> str:
    payload = json.dumps(
        {
            "dataset": dataset,
            "period": period,
            "catalogue": CATALOGUE_VERSION,
            "plan": plan.as_dict(),
            "keys": [list(geography.codes), list(geography.regions)],
            "data": fingerprint,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _row_to_release(row: Any, reused: bool) -> Release:
    return Release(
        id=str(row.id),
        dataset=row.dataset,
        period=row.period,
        version=row.version,
        rho=row.rho,
        kind=row.kind,
        methodology=row.methodology,
        cells=row.cells,
        created_at=row.created_at.isoformat(),
        reused=reused,
    )


def publish_release(
    engine: sa.Engine,
    period: str,
    *,
    geography: Geography = DEMO_GEOGRAPHY,
    budget: YearBudget | None = None,
    quarter_rho: float = QUARTER_RELEASE_RHO,
    year_rho: float = YEAR_RELEASE_RHO,
    dataset: str = DATASET,
    progress: Progress | None = None,
) -> Release:
    """Publish (or return the stored) release of ``period`` (a quarter or a year).

    Order: lock the period (a concurrent duplicate waits), read the data fingerprint and
    the facts in one snapshot, return an existing release for the same request key;
    otherwise, holding the request key, reserve ρ (committed) BEFORE drawing any noise, then
    store the release, which completes the reservation in the same transaction.
    """
    check_release_period(period)
    budget = budget or YearBudget()
    say = progress or (lambda _m: None)
    plan = dpmod.release_plan(period, quarter_rho, year_rho)
    year = year_of(period)
    lock_key = f"release:{dataset}:{period}"
    with engine.connect() as conn:
        with conn.begin():
            conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": lock_key})
        try:
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            fingerprint = data_fingerprint(conn, quarters_of(period), dataset)
            key = request_key(dataset, period, plan, geography, fingerprint)
            existing = conn.execute(
                sa.select(releases).where(releases.c.request_key == key)
            ).first()
            if existing is not None:
                conn.rollback()
                say(
                    f"release {period} v{existing.version} bestaat al: "
                    "opgeslagen versie teruggegeven"
                )
                return _row_to_release(existing, reused=True)
            started = time.perf_counter()
            facts = load_facts(conn, quarters_of(period), dataset)
            conn.commit()
            conn.execution_options(isolation_level="READ COMMITTED")
            if facts.height == 0:
                raise NoFacts(f"geen feiten voor {period} ({dataset})")
            say(f"{facts.height} feitrecords geladen ({time.perf_counter() - started:.2f} s)")
            with conn.begin():
                open_year(conn, year, budget, dataset)
            for reservation_id, outcome in recover_orphans(
                engine, "release", keep=key, dataset=dataset
            ):
                say(f"verweesde reservering {reservation_id}: {outcome}")
            # The key is held on this connection, like the period lock: once a retry holds
            # the period lock, a crashed predecessor's session (and its key) is gone.
            with holding(conn, key):
                reservation = reserve(
                    conn,
                    request_key=key,
                    purpose="release",
                    period=period,
                    rho=plan.rho,
                    dataset=dataset,
                )
                say(
                    f"budget {'hergebruikt' if reservation.reused else 'gereserveerd'}: "
                    f"ρ={plan.rho:.4g} op persoon-jaar {year} ({plan.kind})"
                )
                started = time.perf_counter()
                cells = dpmod.compute(facts, period, geography, plan)
                published = dpmod.pool_small_gemeenten(cells, geography)
                say(f"{len(published)} cellen berekend ({time.perf_counter() - started:.2f} s)")
                with conn.begin():
                    version = conn.execute(
                        sa.select(sa.func.coalesce(sa.func.max(releases.c.version), 0) + 1).where(
                            releases.c.dataset == dataset, releases.c.period == period
                        )
                    ).scalar_one()
                    row = conn.execute(
                        releases.insert()
                        .values(
                            id=str(uuid.uuid4()),
                            dataset=dataset,
                            period=period,
                            version=version,
                            request_key=key,
                            rho=plan.rho,
                            kind=plan.kind,
                            reservation_id=reservation.id,
                            methodology=methodology(plan, geography, budget, dataset),
                            cells=published,
                        )
                        .returning(*releases.c)
                    ).one()
            say(f"release {period} v{version} gepubliceerd ({row.id})")
            return _row_to_release(row, reused=False)
        finally:
            if conn.in_transaction():
                conn.rollback()
            with conn.begin():
                conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": lock_key})


def list_releases(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(
            releases.c.id,
            releases.c.dataset,
            releases.c.period,
            releases.c.kind,
            releases.c.version,
            releases.c.rho,
            releases.c.created_at,
        ).order_by(releases.c.dataset, releases.c.period.desc(), releases.c.version.desc())
    ).all()
    return [
        {
            "id": str(r.id),
            "dataset": r.dataset,
            "synthetic": r.dataset != DATASET,
            "period": r.period,
            "kind": r.kind,
            "version": r.version,
            "rho": r.rho,
            "epsilon_equivalent": dpmod.epsilon_equivalent(r.rho),
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
    ]


def get_release(conn: sa.Connection, release_id: str) -> Release | None:
    try:
        uuid.UUID(release_id)
    except ValueError:
        return None
    row = conn.execute(sa.select(releases).where(releases.c.id == release_id)).first()
    return _row_to_release(row, reused=True) if row is not None else None


def privacy_account(conn: sa.Connection, release: Release) -> dict[str, Any] | None:
    """The cumulative budget of the release's person-year as it stands now (public)."""
    summary = year_summary(conn, release.year, release.dataset)
    if summary is None:
        return None
    spent = max(summary["spent_rho"], 0.0)
    return {
        **summary,
        "spent_epsilon_equivalent": dpmod.epsilon_equivalent(spent) if spent > 0 else 0.0,
        "cap_epsilon_equivalent": dpmod.epsilon_equivalent(summary["cap_rho"]),
    }


__all__ = ["NoFacts", "Release", "kind_of", "publish_release"]
