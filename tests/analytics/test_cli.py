"""The release command (``regietafel analytics release --period ...``) and the demo facts."""

from __future__ import annotations

import sqlalchemy as sa

from analytics.cli import release_command, seed_demo_facts
from analytics.settings import AnalyticsSettings


def test_release_command_prints_progress_and_is_idempotent(clean_db: sa.Engine) -> None:
    assert seed_demo_facts(clean_db, "2026-Q3", n=300) == 300
    lines: list[str] = []
    assert release_command("2026-Q3", clean_db, echo=lines.append) == 0
    assert any("budget gereserveerd" in line for line in lines)
    assert "nieuw gepubliceerd" in lines[-1]
    lines.clear()
    assert release_command("2026-Q3", clean_db, echo=lines.append) == 0
    assert "bestaande release" in lines[-1]
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one() == 1


def test_release_command_refuses_without_budget(clean_db: sa.Engine) -> None:
    seed_demo_facts(clean_db, "2026-Q2", n=100)
    tight = AnalyticsSettings(year_rho=0.3, research_rho=0.0, quarter_release_rho=0.5)
    lines: list[str] = []
    assert release_command("2026-Q2", clean_db, settings=tight, echo=lines.append) == 2
    assert "geweigerd" in lines[-1]
    with clean_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM releases")).scalar_one() == 0
    assert release_command("2026-X1", clean_db, echo=lines.append) == 1
    assert release_command("2025-Q1", clean_db, echo=lines.append) == 1  # no facts
    assert "niets te publiceren" in lines[-1]


def test_demo_release_is_idempotent(clean_db: sa.Engine) -> None:
    from analytics.cli import demo_release

    lines: list[str] = []
    assert demo_release(clean_db, "2026-Q3", echo=lines.append) == 0
    assert demo_release(clean_db, "2026-Q3", echo=lines.append) == 0
    assert "bestaande release" in lines[-1]


def test_load_facts_round_trips(clean_db: sa.Engine) -> None:
    import polars as pl

    from analytics.contract import DEMO_GEOGRAPHY, FactBatchV1
    from analytics.facts import load_facts, store_batch
    from analytics.synthetic import fact_frame, generate, to_records

    frame = generate(80, DEMO_GEOGRAPHY, "2026-Q3", seed=4)
    records = to_records(frame)
    for code in DEMO_GEOGRAPHY.codes:
        store_batch(
            clean_db,
            FactBatchV1(
                gemeentecode=code,
                period="2026-Q3",
                records=[r for r in records if r.gemeentecode == code],
            ),
        )
    with clean_db.connect() as conn:
        loaded = load_facts(conn, "2026-Q3")
    expected = fact_frame(frame)
    assert loaded.schema == expected.schema
    assert loaded.sort("pseudonym").equals(expected.sort("pseudonym"))
    assert pl.DataFrame(schema=expected.schema).height == 0
