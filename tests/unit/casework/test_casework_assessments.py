"""Assessments: validation, history and change per domain."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.domain.assessments import (
    Moment,
    history_change,
    improved_domains,
    make_assessment,
    mean_change,
    validate_scores,
)
from services.casework.domain.errors import DomainValidationError
from tenants import reference

ZRM = list(reference.ZRM_DOMAINS)
LB8 = list(reference.LEEFGEBIEDEN_8)


def scores(value: int, domains: list[str] = ZRM, **overrides: int) -> dict[str, object]:
    result: dict[str, object] = dict.fromkeys(domains, value)
    result.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return result


def test_valid_scores_in_instrument_order() -> None:
    raw = dict(reversed(list(scores(3).items())))
    assert list(validate_scores("zrm", raw)) == ZRM
    assert len(validate_scores("leefgebieden-8", scores(2, LB8))) == 8


def test_missing_domain_named_in_dutch() -> None:
    raw = scores(3)
    del raw["huisvesting"]
    with pytest.raises(DomainValidationError) as info:
        validate_scores("zrm", raw)
    assert info.value.field == "scores.huisvesting"
    assert info.value.message == "Score ontbreekt voor domein 'Huisvesting'."


def test_out_of_range_wrong_type_and_unknown_domain() -> None:
    raw = scores(3, financien=6, justitie=0)
    raw["middelengebruik"] = "3"
    raw["delictgedrag"] = 2
    raw["basale-adl"] = True
    with pytest.raises(DomainValidationError) as info:
        validate_scores("zrm", raw)
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "scores.financien",
        "scores.justitie",
        "scores.middelengebruik",
        "scores.delictgedrag",
        "scores.basale-adl",
    }
    messages = " ".join(p.message for p in info.value.problems)
    assert "tussen 1 en 5" in messages
    assert "Financiën" in messages


def test_unknown_instrument_and_moment() -> None:
    with pytest.raises(DomainValidationError) as info:
        validate_scores("vragenlijst", {})
    assert info.value.field == "instrument"
    with pytest.raises(DomainValidationError) as info:
        make_assessment("zrm", "eind", date(2025, 1, 1), scores(3))
    assert info.value.field == "moment"
    assert {m.value for m in Moment} == {"intake", "tussentijds", "afsluiting"}


def test_history_change_and_improvement() -> None:
    intake = make_assessment("zrm", "intake", date(2025, 1, 1), scores(2, financien=1))
    review = make_assessment("zrm", "tussentijds", date(2025, 6, 1), scores(3))
    closing = make_assessment(
        "zrm", "afsluiting", date(2025, 12, 1), scores(2, financien=4, huisvesting=5, justitie=1)
    )
    history = history_change([closing, intake, review])
    assert [c.domain for c in history] == ZRM
    by_domain = {c.domain: c for c in history}
    assert (by_domain["financien"].first, by_domain["financien"].latest) == (1, 4)
    assert by_domain["financien"].change == 3 and by_domain["financien"].improved
    assert by_domain["justitie"].change == -1
    assert by_domain["werk-opleiding"].change == 0
    assert by_domain["financien"].first_on == date(2025, 1, 1)
    assert by_domain["financien"].latest_on == date(2025, 12, 1)
    assert improved_domains(intake, closing) == ["financien", "huisvesting"]
    assert mean_change(intake, closing) == pytest.approx((3 + 3 - 1) / 13)
    assert history_change([]) == []
    assert intake.mean == pytest.approx((1 + 12 * 2) / 13)


def test_mixed_instruments_refused() -> None:
    zrm = make_assessment("zrm", "intake", date(2025, 1, 1), scores(2))
    lb8 = make_assessment("leefgebieden-8", "intake", date(2025, 2, 1), scores(2, LB8))
    with pytest.raises(ValueError, match="verschillende instrumenten"):
        history_change([zrm, lb8])
    with pytest.raises(ValueError, match="verschillende instrumenten"):
        mean_change(zrm, lb8)
