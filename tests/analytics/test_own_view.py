"""The own-gemeente exact view cannot be undone by subtraction (issue 13, defect 6).

The attack from the audit: take a shown total, subtract the shown age bands, and read the
suppressed band; numerators come from a shown proportion times its shown denominator.
Before the fix it recovered suppressed counts and numerators in most gemeenten."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from analytics.app import Principal, create_app
from analytics.contract import FactBatchV1, synthetic_geography
from analytics.facts import store_batch
from analytics.indicators import INDICATORS
from analytics.research import own_view
from analytics.synthetic import generate, to_records
from services.platform.config import Settings

PERIOD = "2026-Q3"
THRESHOLD = 5
BANDS = ("onder-18", "18-22", "23-27", "ouder-dan-27")


def subtraction_attack(cells: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Every suppressed value the attacker recovers exactly: (indicator, part, band)."""
    by = defaultdict(dict)
    for cell in cells:
        by[cell["indicator"]][cell["group"]] = cell
    kinds = {i.id: i.kind for i in INDICATORS}
    recovered: list[tuple[str, str, str]] = []
    for ind, groups in by.items():
        tables: dict[str, dict[str, float | None]] = {"teller": {}, "noemer": {}}
        for group, cell in groups.items():
            if kinds[ind] == "count":
                tables["teller"][group] = cell["value"]
                continue
            den = cell.get("denominator")
            tables["noemer"][group] = den
            value = cell["value"]
            if kinds[ind] == "proportion":
                tables["teller"][group] = value * den if value is not None and den else None
                tables["complement"] = tables.get("complement", {})
                tables["complement"][group] = (
                    den - value * den if value is not None and den else None
                )
        for part, table in tables.items():
            if not table or table.get("totaal") is None:
                continue
            hidden = [b for b in BANDS if table.get(b) is None]
            if len(hidden) == 1:
                recovered.append((ind, part, hidden[0]))
    return recovered


@pytest.fixture
def many_gemeenten(clean_db: sa.Engine) -> list[str]:
    geography = synthetic_geography(60, 6)
    records = to_records(generate(0, geography, PERIOD, seed=31, per_gemeente=(30, 100)))
    for code in geography.codes:
        batch = FactBatchV1(
            gemeentecode=code,
            period=PERIOD,
            records=[r for r in records if r.gemeentecode == code],
        )
        store_batch(clean_db, batch)
    return list(geography.codes)


def test_no_suppressed_value_is_recovered_by_subtraction(
    clean_db: sa.Engine, many_gemeenten: list[str]
) -> None:
    recovered: list[tuple[str, str, str, str]] = []
    suppressed = 0
    for code in many_gemeenten:
        cells = own_view(clean_db, code, PERIOD, THRESHOLD)["cells"]
        suppressed += sum(1 for c in cells if c["suppressed"] and c["group"] != "totaal")
        recovered.extend((code, *r) for r in subtraction_attack(cells))
    assert suppressed > 100, "the fixture must have small bands to protect"
    assert recovered == []


def test_the_endpoint_serves_the_protected_view(
    clean_db: sa.Engine, settings: Settings, many_gemeenten: list[str]
) -> None:
    code = many_gemeenten[0]
    manager = Principal(f"{code}/beheer", code, frozenset({"tenantbeheerder"}))
    app = create_app(
        settings,
        clean_db,
        authenticate=lambda t: manager if t == "t" else None,
        geography=synthetic_geography(60, 6),
    )
    with TestClient(app) as client:
        response = client.get(f"/api/v1/own/{code}/{PERIOD}", headers={"Authorization": "Bearer t"})
    assert response.status_code == 200
    cells = response.json()["cells"]
    assert subtraction_attack(cells) == []
    for cell in cells:
        if cell["value"] is not None and cell["indicator"] == "personen":
            assert cell["value"] >= THRESHOLD
