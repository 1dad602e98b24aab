"""``make run``'s synthetic national demo: 342 gemeenten, four quarters and a year, labelled
as fictitious, idempotent, with its own budget accounts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from analytics.app import create_app
from analytics.demo import SYNTHETIC_DATASET, national_demo
from analytics.ledger import balance, year_account
from services.platform.config import Settings


def test_national_demo_publishes_quarters_and_a_year(
    clean_db: sa.Engine, settings: Settings
) -> None:
    lines: list[str] = []
    assert national_demo(clean_db, "2025", echo=lines.append) == 0
    assert any("fictief" in line for line in lines)
    assert national_demo(clean_db, "2025", echo=lines.append) == 0  # idempotent
    with clean_db.connect() as conn:
        kinds = conn.execute(
            sa.text("SELECT kind, count(*) FROM releases WHERE dataset = :d GROUP BY kind"),
            {"d": SYNTHETIC_DATASET},
        ).all()
        assert dict(kinds) == {"kwartaal": 4, "jaar": 1}
        spent = balance(conn, year_account("2025", SYNTHETIC_DATASET)).spent
        assert spent == pytest.approx(4 * 0.1 + 0.9)
        gemeenten = conn.execute(
            sa.text("SELECT count(DISTINCT gemeentecode) FROM facts WHERE dataset = :d"),
            {"d": SYNTHETIC_DATASET},
        ).scalar_one()
        assert gemeenten == 342
        annual = conn.execute(
            sa.text("SELECT id FROM releases WHERE dataset = :d AND kind = 'jaar'"),
            {"d": SYNTHETIC_DATASET},
        ).scalar_one()
    with TestClient(create_app(settings, clean_db)) as client:
        home = client.get("/").text
        assert "synthetische landelijke gegevens" in home and "Fictief" in home
        page = client.get(f"/releases/{annual}?regio=Regio%2003").text
        assert "Fictief" in page and "Gemeente 3" in page
        quarter = client.get("/").text.split('href="/releases/')[1].split('"')[0]
        assert "<polyline" in client.get(f"/releases/{quarter}").text  # trend over quarters
