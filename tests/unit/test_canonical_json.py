"""``canonical_json`` with its encoder made once (issue 14) is ``json.dumps`` with the same
settings, text for text and refusal for refusal."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.platform.policy.source import canonical_json


def _dumps(value: Any) -> str:
    """The function before: ``json.dumps`` with the canonical settings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["GM0355", "é", "\u2028", "\x00", '"\\', "💡"]),
)
_values = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=5),
        st.dictionaries(st.integers(), inner, max_size=3),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_values)
def test_canonical_json_is_json_dumps(value: Any) -> None:
    assert canonical_json(value) == _dumps(value)


@pytest.mark.parametrize(
    "value",
    [{"a": 1, 2: "b"}, {1: object()}, {"x": {1, 2}}, b"bytes", [math.nan, {"z": 1, "a": 2}]],
)
def test_canonical_json_refuses_as_json_dumps(value: Any) -> None:
    try:
        expected: Any = _dumps(value)
    except Exception as error:  # noqa: BLE001 - the same exception type, each way
        with pytest.raises(type(error)):
            canonical_json(value)
    else:
        assert canonical_json(value) == expected
