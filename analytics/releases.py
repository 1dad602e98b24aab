"""Published releases: computed once, immutable, versioned, idempotent.

``publish_release`` is the plain function behind the dramatiq job and the CLI. The same
request (dataset, period, catalogue, budget plan, keys and the very same ingested data)
returns the stored release without spending budget; new data for a period gives a new
version, which spends budget again.
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
from analytics.contract import AGE_BAND_CODES, CONTRACT_VERSION, parse_period
from analytics.db.schema import releases
from analytics.facts import data_fingerprint, load_facts
from analytics.geography import DEMO_GEOGRAPHY, Geography
from analytics.indicators.catalogue import (
    BREAKDOWNS,
    CATALOGUE_VERSION,
    INDICATORS,
    MEASURES,
    SOURCE_KEYS,
)
from analytics.ledger import DATASET, ensure_dataset_account, reserve

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Release:
    id: str
    dataset: str
    period: str
    version: int
    rho: float
    methodology: dict[str, Any]
    cells: list[dict[str, Any]]
    created_at: str
    reused: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "period": self.period,
            "version": self.version,
            "rho": self.rho,
            "epsilon_equivalent": self.methodology["epsilon_equivalent"],
            "created_at": self.created_at,
            "cells": len(self.cells),
        }


def methodology(plan: dpmod.BudgetPlan, geography: Geography) -> dict[str, Any]:
    return {
        "privacy_unit": "één gepseudonimiseerde persoon per releaseperiode",
        "contribution_bound": 1,
        "deduplication": "één feitrecord per pseudoniem per periode (laatste afsluiting)",
        "mechanism": "discrete Gaussische ruis (OpenDP, zero-concentrated DP)",
        "privacy_measure": "zCDP (ρ)",
        "rho": plan.rho,
        "epsilon_equivalent": dpmod.epsilon_equivalent(plan.rho),
        "epsilon_delta": 1e-6,
        "plan": plan.as_dict(),
        "keys": {
            "gemeentecode": list(geography.codes),
            "region": list(geography.regions),
            "age_band": list(AGE_BAND_CODES),
            "bron": list(SOURCE_KEYS),
        },
        "key_policy": "publiek bekende sleutels (with_keys): geen δ voor sleutels",
        "margins": (
            "95%-marge per cel. Aantallen: OpenDP discrete_gaussian_scale_to_accuracy "
            "(P[|fout| ≥ marge] ≤ 5%); opgetelde cellen (regio, landelijk) en verhoudingen: "
            "normale benadering met OpenDP gaussian_scale_to_accuracy; verhoudingen en "
            "gemiddelden met de deltamethode over de ruis van teller én noemer."
        ),
        "flags": {
            "noemer-te-klein": f"geschatte noemer < max({dpmod.MIN_DENOMINATOR:g}, 5 × ruisschaal)",
            "marge-te-groot": f"marge > {dpmod.MAX_PROPORTION_MARGIN:g} (verhouding) of > 1/4 "
            "van het bereik (gemiddelde)",
            "marge-groter-dan-waarde": "marge ≥ |waarde| (aantal)",
            "geen-noemer": "geschatte noemer ≤ 0: geen waarde",
        },
        "pooling": "onbetrouwbare gemeentecellen verwijzen naar de regiocel (pooled)",
        "levels": {
            "gemeente": "directe meting",
            "regio-leeftijd": "directe meting",
            "regio-bron": "directe meting",
            "regio": "som van regio-leeftijd (nabewerking, geen extra budget)",
            "leeftijd": "som van regio-leeftijd (nabewerking)",
            "landelijk": "som van regio-leeftijd (nabewerking)",
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
            }
            for i in INDICATORS
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
    release_rho: float = dpmod.DEFAULT_RELEASE_RHO,
    period_rho: float = 2.0,
    dataset: str = DATASET,
    progress: Progress | None = None,
) -> Release:
    """Publish (or return the stored) release of ``period``.

    Order: lock the period (session advisory lock, so a concurrent duplicate waits), read
    the data fingerprint and the facts in one snapshot, return an existing release for the
    same request key; otherwise reserve ρ in the ledger (committed) BEFORE drawing any
    noise; then store the release.
    """
    parse_period(period)
    say = progress or (lambda _m: None)
    plan = dpmod.plan_for(release_rho)
    lock_key = f"release:{dataset}:{period}"
    with engine.connect() as conn:
        # Releases of one period are serialised by a session advisory lock, taken BEFORE
        # the snapshot below, so a waiting duplicate sees the release its twin stored.
        with conn.begin():
            conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": lock_key})
        try:
            # One snapshot for the data fingerprint and the facts: the request key always
            # describes exactly the data that is measured.
            conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            fingerprint = data_fingerprint(conn, period)
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
            facts = load_facts(conn, period)
            conn.commit()
            say(f"{facts.height} feitrecords geladen ({time.perf_counter() - started:.2f} s)")
            conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                account = ensure_dataset_account(conn, period, period_rho, dataset)
            say(f"budget reserveren: ρ={plan.rho:.4g} op {account}")
            reserve(conn, [account], plan.rho, purpose="release", request_key=key)
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
                        methodology=methodology(plan, geography),
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
            releases.c.version,
            releases.c.rho,
            releases.c.created_at,
        ).order_by(releases.c.period.desc(), releases.c.version.desc())
    ).all()
    return [
        {
            "id": str(r.id),
            "dataset": r.dataset,
            "period": r.period,
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
