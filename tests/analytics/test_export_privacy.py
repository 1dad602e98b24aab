"""Defect 1 of issue 13, through the real casework export: a person known in two gemeenten
carries ONE pseudonym, so deduplication leaves one row and the release's contribution bound
of 1 holds (before the fix the pseudonym included the tenant code and the person counted
twice: OpenDP's own privacy map then gives 4x the planned rho)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import VEENENDAAL, VEENENDAAL_WIJKAGENT, ZOETERMEER, ZOETERMEER_PGA_EXPERT

from analytics.facts import load_facts, store_batch
from analytics.indicators import prepare
from services.casework.domain.bsn import is_valid_bsn
from services.casework.domain.local_time import local_today
from services.exports.facts import export_all
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]

#: A valid BSN (elfproef) used by no other test.
MOVER_BSN = "246813581"


def _period(today: dt.date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


#: Each gemeente configures its own leefgebieden.
PROBLEM_DOMAIN = {VEENENDAAL: "financien", ZOETERMEER: "financien-hulpverlening"}
USERS = {VEENENDAAL: VEENENDAAL_WIJKAGENT, ZOETERMEER: ZOETERMEER_PGA_EXPERT}


def _aanmelden(
    client: TestClient[Litestar], token_for: Headers, tenant: str, surname: str, bsn: str | None
) -> None:
    person: dict[str, str] = {
        "voornamen": "Iris",
        "achternaam": surname,
        "geboortedatum": "1999-04-05",
    }
    if bsn:
        person["bsn"] = bsn
    response = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Verhuisd: problemen op meerdere leefgebieden tegelijk.",
            "problemen": {PROBLEM_DOMAIN[tenant]: "Schulden."},
            "geinformeerd": True,
            "persoon": person,
        },
        headers=token_for(tenant, USERS[tenant]),
    )
    assert response.status_code == 201, response.text


def _export(runtime: Runtime, engine: sa.Engine, period: str) -> tuple[pl.DataFrame, int]:
    key = runtime.settings.pseudonym_key
    assert key
    results = export_all(runtime.sessions, period, key)
    for result in results:
        store_batch(engine, result.batch)
    with engine.connect() as conn:
        facts = load_facts(conn, period)
    return facts, sum(getattr(r, "skipped_without_bsn", 0) for r in results)


def test_a_person_in_two_gemeenten_has_one_pseudonym(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    analytics_engine: sa.Engine,
) -> None:
    assert is_valid_bsn(MOVER_BSN)
    period = _period(local_today())
    _aanmelden(client, token_for, VEENENDAAL, "Verhuizer", MOVER_BSN)
    before, _ = _export(runtime, analytics_engine, period)
    persons_before = prepare(before, period).collect().height

    # The same person (same BSN) is now also aangemeld in Zoetermeer.
    _aanmelden(client, token_for, ZOETERMEER, "Verhuizer", MOVER_BSN)
    after, _ = _export(runtime, analytics_engine, period)
    in_a = set(after.filter(pl.col("gemeentecode") == VEENENDAAL)["pseudonym"])
    in_b = set(after.filter(pl.col("gemeentecode") == ZOETERMEER)["pseudonym"])
    shared_before = set(before.filter(pl.col("gemeentecode") == VEENENDAAL)["pseudonym"]) & set(
        before.filter(pl.col("gemeentecode") == ZOETERMEER)["pseudonym"]
    )
    assert len(in_a & in_b) == len(shared_before) + 1, "the mover must keep one pseudonym"
    # After deduplication the mover is still ONE row: the contribution bound 1 holds.
    assert prepare(after, period).collect().height == persons_before


def test_persons_without_bsn_are_not_exported(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers, analytics_engine: sa.Engine
) -> None:
    period = _period(local_today())
    _, skipped_before = _export(runtime, analytics_engine, period)
    _aanmelden(client, token_for, VEENENDAAL, "Zonderbsn", None)
    _, skipped_after = _export(runtime, analytics_engine, period)
    assert skipped_after == skipped_before + 1
