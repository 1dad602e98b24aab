"""Masking person data for decision logging, and the DecisionRecord."""

from __future__ import annotations

import datetime as dt
import enum
import json
import random
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from masking_oracle import oracle_mask_for_log, oracle_record_parts
from policy_inputs import Generator, World

from services.platform.policy.decision_log import (
    FREE_TEXT_KEYS,
    MASK,
    SENSITIVE_KEYS,
    make_decision_record,
    make_decision_records,
    mask_for_log,
)
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import CanonicalInput, build_input, build_inputs
from services.platform.policy.model import Decision

INPUT = {
    "subject": {"user_id": "u-wijkagent", "tenant": "GM0355", "roles": ["professional"]},
    "action": "read",
    "context": {
        "purpose": "triage",
        "necessity": "Bradley (17) is drie keer aangehouden; BSN 123456782.",
        "urgency_reason": "acuut",
        "now": "2026-11-20T10:00:00Z",
    },
    "resource": {
        "type": "person",
        "tenant": "GM0355",
        "casus_id": "zeist-001",
        "bsn": "123456782",
        "naam": "Bradley de Vries",
        "geboortedatum": "2008-03-01",
        "adres": {"straat": "Slotlaan", "huisnummer": 1},
        "body": "Vertrouwelijke notitie over Bradley.",
        "notes": [{"text": "gesprek"}],
        "remark": "tel. bsn 987654321 in het verkeerde veld",
        "number": 111222333,
        "participants": ["politie-utrecht"],
    },
}


def test_person_data_is_masked_and_the_rest_is_kept() -> None:
    masked = mask_for_log(INPUT)
    res = masked["resource"]
    for key in ("bsn", "naam", "geboortedatum", "adres", "body", "notes"):
        assert res[key] == MASK, key
    assert res["remark"] == f"tel. bsn {MASK} in het verkeerde veld"
    assert res["number"] == MASK
    assert res["participants"] == ["politie-utrecht"]
    assert res["casus_id"] == "zeist-001"
    assert masked["context"]["purpose"] == "triage"
    assert masked["context"]["now"] == "2026-11-20T10:00:00Z"
    necessity = INPUT["context"]["necessity"]
    assert masked["context"]["necessity"] == f"[tekst: {len(necessity)} tekens]"
    assert masked["subject"] == INPUT["subject"]


def test_nothing_sensitive_survives_anywhere_in_the_text() -> None:
    text = json.dumps(mask_for_log(INPUT))
    for secret in ("123456782", "987654321", "Bradley", "Slotlaan", "2008-03-01", "notitie"):
        assert secret not in text, secret


def test_the_input_itself_is_not_changed() -> None:
    before = json.dumps(INPUT, sort_keys=True)
    mask_for_log(INPUT)
    assert json.dumps(INPUT, sort_keys=True) == before


def test_decision_record(embedded_engine: EmbeddedRegoEngine) -> None:
    # Person fields cannot reach the engine (the typed input has no place for them); free
    # text in the context can, and is masked in the record.
    input = build_input(
        INPUT["subject"] | {"kind": "user", "organisation": "politie-utrecht"},
        "read",
        INPUT["context"],
        {
            "type": "person",
            "tenant": "GM0355",
            "casus_id": "zeist-001",
            "casus_kind": "persoon",
            "phase": "triage",
            "participants": [{"tenant": "GM0355", "id": "politie-utrecht"}],
            "contains_person_identifiers": True,
        },
    )
    decision = embedded_engine.decide(input)
    record = make_decision_record(embedded_engine, input, decision)
    assert isinstance(record.decision_id, uuid.UUID)
    assert record.policy_revision == embedded_engine.policy_revision
    assert record.data_revision == embedded_engine.data_revision
    assert record.result[0]["allow"] == decision.allow
    assert record.allowed is decision.allow
    stored = json.dumps(record.to_dict())
    assert "123456782" not in stored
    assert "Bradley" not in stored
    other = make_decision_record(embedded_engine, input, decision)
    assert other.decision_id != record.decision_id


# --- The faster masking (issue 14) equals the first implementation byte for byte -----------

_KEYS = sorted(SENSITIVE_KEYS | FREE_TEXT_KEYS)


class _Code(enum.StrEnum):
    A = "a-code"
    BSN = "123456782"


class _Number(enum.IntEnum):
    NINE = 123456789
    SMALL = 7


def _exact(value: Any) -> Any:
    """``value`` with every type spelled out and mapping order kept: equal means identical."""
    if isinstance(value, Mapping):
        return (type(value).__name__, [(_exact(k), _exact(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_exact(v) for v in value])
    return (type(value).__name__, repr(value))


_keys = st.one_of(
    st.sampled_from(_KEYS),
    st.sampled_from(_KEYS).map(str.upper),
    st.sampled_from(_KEYS).map(str.title),
    st.sampled_from(["subject", "context", "resource", "roles", "1", "reason", "tenant"]),
    st.text(max_size=12),
    st.integers(-3, 3),
    st.sampled_from(list(_Code)),
)
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(100_000_000, 999_999_999),
    st.integers(-999_999_999, -100_000_000),
    st.floats(allow_nan=False),
    st.just(123456789.0),
    st.text(max_size=30),
    st.from_regex(r"[a-z .]{0,6}[0-9]{7,11}[a-z .]{0,6}([0-9]{9})?", fullmatch=True),
    st.text(alphabet="0123456789٠١٢٣٤٥٦٧٨٩", min_size=8, max_size=10),
    st.sampled_from([*_Code, *_Number]),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.uuids(),
)
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_keys, inner, max_size=5),
        st.dictionaries(_keys, inner, max_size=4).map(CanonicalInput),
        st.dictionaries(_keys, inner, max_size=3).map(MappingProxyType),
    ),
    max_leaves=30,
)


@settings(max_examples=1500, deadline=None)
@given(value=_values)
def test_masking_equals_the_first_implementation(value: Any) -> None:
    assert _exact(mask_for_log(value)) == _exact(oracle_mask_for_log(value))
    assert json.dumps(mask_for_log(value), default=str) == json.dumps(
        oracle_mask_for_log(value), default=str
    )


def test_masking_equals_the_first_implementation_on_the_fixed_input() -> None:
    assert _exact(mask_for_log(INPUT)) == _exact(oracle_mask_for_log(INPUT))


def _record_parts(record: Any) -> dict[str, Any]:
    return {"input": record.masked_input, "result": record.result}


def test_page_records_equal_single_records_on_generated_pages(
    embedded_engine: EmbeddedRegoEngine, policy_data: dict[str, Any]
) -> None:
    """``make_decision_records`` (a page's shared subject and context masked once) gives
    each resource the record the first ``make_decision_record`` gave it, byte for byte; also
    when decisions repeat (one object for several resources, as the decision cache gives)."""
    world = World.from_policy_data(policy_data)
    for page in range(8):
        gen = Generator(world, random.Random(f"masking:page:{page}"))
        subject, action, context, resources = gen.page(gen.rng.randint(5, 30))
        if page % 2:  # free text with a BSN in the shared context
            context = context | {
                "necessity": "BSN 123456782, Bradley",
                "urgency_reason": "x 987654321",
            }
        inputs = build_inputs(subject, action, context, resources)
        decisions = embedded_engine.decide_inputs(inputs)
        if page % 3 == 0:
            decisions = [decisions[0]] * len(decisions)
        records = make_decision_records(embedded_engine, inputs, decisions)
        assert len(records) == len(inputs)
        for input, decision, record in zip(inputs, decisions, records, strict=True):
            expected = oracle_record_parts(input, decision)
            assert _exact(_record_parts(record)) == _exact(expected)
            assert json.dumps(record.to_dict()["input"]) == json.dumps(expected["input"])
            single = make_decision_record(embedded_engine, input, decision)
            assert _exact(_record_parts(single)) == _exact(expected)
            assert record.policy_revision == single.policy_revision
            assert record.data_revision == single.data_revision
            assert record.engine == single.engine
            assert "123456782" not in json.dumps(record.to_dict())
            assert "987654321" not in json.dumps(record.to_dict())
        assert len({r.decision_id for r in records}) == len(records)
        for record in records:  # as uuid.uuid4() makes them
            assert type(record.decision_id) is uuid.UUID
            assert record.decision_id.version == 4
            assert record.decision_id.variant == uuid.RFC_4122


class _Engine:
    policy_revision = "p"
    data_revision = "d"


_ref_texts = st.sampled_from(["GM0355", "123456789", "12345678", "dennis-koster", "x 987654321"])
_ref_values = st.one_of(
    _ref_texts,
    st.sampled_from([True, 1, 1.0, 123456789, 123456789.0, None]),
    _ref_texts.map(lambda text: _Code.A),
)
#: Small references from few keys and values, so the rows of a page repeat them, also in
#: forms that compare equal but mask differently (``True == 1 == 1.0``, a 9-digit int and
#: float, a ``str`` enum member and its text) and with a sensitive key.
_refs = st.dictionaries(st.sampled_from(["tenant", "id", "naam", "Id"]), _ref_values, max_size=3)
_resources = st.fixed_dictionaries(
    {
        "participants": st.lists(_refs, max_size=4),
        "chair": _refs,
        "naam": _refs,
        "tags": st.lists(st.one_of(_refs, _ref_texts), max_size=3),
    },
    optional={"extra": _values},
)


@settings(max_examples=300, deadline=None)
@given(resources=st.lists(_resources, min_size=1, max_size=8))
def test_page_records_equal_the_oracle_when_references_repeat(
    resources: list[dict[str, Any]],
) -> None:
    """Issue 14: a page masks each flat reference of texts once by its content and shares it
    between rows; every record must still be the oracle's, byte for byte and type for type."""
    subject = {"kind": "user", "user_id": "u-123456789", "tenant": "GM0355"}
    inputs = [{"subject": subject, "action": "read", "resource": r} for r in resources]
    decision = Decision(allow=True, view="full", reasons=(), mask=(), obligations=())
    records = make_decision_records(_Engine(), inputs, [decision] * len(inputs))  # type: ignore[arg-type]
    for input, record in zip(inputs, records, strict=True):
        expected = oracle_record_parts(input, decision)
        assert _exact(_record_parts(record)) == _exact(expected)
