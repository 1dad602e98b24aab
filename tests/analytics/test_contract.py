"""The facts contract: pseudonyms, validation, flattening; synthetic data is deterministic."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from analytics.contract import DEMO_GEOGRAPHY, FactBatchV1, FactRecordV1, pseudonymise, zrm_summary
from analytics.synthetic import fact_frame, generate, to_records

KEY = b"k" * 32


def test_pseudonym_is_keyed_and_stable() -> None:
    a = pseudonymise(KEY, "person-1")
    assert a == pseudonymise(KEY, "person-1")
    assert a != pseudonymise(b"x" * 32, "person-1")
    assert len(a) == 64 and "person" not in a
    with pytest.raises(ValueError, match="32 bytes"):
        pseudonymise(b"short", "person-1")


def _record(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "pseudonym": pseudonymise(KEY, "p"),
        "gemeentecode": "GM0355",
        "region": "Midden-Nederland",
        "period": "2026-Q3",
        "age_band": "18-22",
        "doelgroep": "jongeren",
        "voluntary": True,
        "included": True,
    }
    base.update(overrides)
    return base


def test_validation() -> None:
    FactRecordV1.model_validate(_record())
    for bad in (
        {"age_band": "lt18"},
        {"doelgroep": "iedereen"},
        {"closure_month": "2026-08"},  # without a reason
        {"closure_reason": "weg", "closure_month": "2026-08"},
        {"zrm_intake": {"onbekend": 3}},
        {"zrm_intake": {"financien": 6}},
        {"bsn": "123456782"},
        {"period": "2026-07"},
    ):
        with pytest.raises(ValidationError):
            FactRecordV1.model_validate(_record(**bad))
    with pytest.raises(ValidationError):
        FactBatchV1(
            gemeentecode="GM0345",
            period="2026-Q3",
            records=[FactRecordV1.model_validate(_record())],
        )


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["financien", "huisvesting", "justitie"]), st.integers(1, 5), min_size=1
    ),
    st.dictionaries(
        st.sampled_from(["financien", "huisvesting", "justitie"]), st.integers(1, 5), min_size=1
    ),
)
def test_zrm_summary_bounds(intake: dict[str, int], later: dict[str, int]) -> None:
    summary = zrm_summary(intake, later)
    shared = set(intake) & set(later)
    assert summary["zrm_pair"] == bool(shared)
    if shared:
        assert -40 <= summary["zrm_change_tenths"] <= 40
        assert summary["zrm_improved"] == any(later[d] > intake[d] for d in shared)


def test_synthetic_is_deterministic_and_round_trips() -> None:
    a = generate(200, DEMO_GEOGRAPHY, seed=9)
    assert a.equals(generate(200, DEMO_GEOGRAPHY, seed=9))
    assert not a.equals(generate(200, DEMO_GEOGRAPHY, seed=10))
    rows = pl.DataFrame([r.to_row() for r in to_records(a)], schema=fact_frame(a).schema)
    assert rows.equals(fact_frame(a))
