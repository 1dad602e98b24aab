"""The first implementation of decision-log masking (before issue 14's faster one), kept as
the oracle the faster masking must equal byte for byte (tests/policy/test_policy_masking.py,
tests/integration/test_audit_rows.py). Do not optimise this copy."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.platform.policy.decision_log import FREE_TEXT_KEYS, MASK, SENSITIVE_KEYS
from services.platform.policy.model import Decision

_BSN_LIKE = re.compile(r"(?<!\d)\d{9}(?!\d)")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def oracle_mask_bsns(text: str) -> str:
    """``mask_bsns`` before issue 14's prefilter: every 9-digit number masked, a UUID kept."""
    if len(text) == 36 and _UUID.fullmatch(text):
        return text
    return _BSN_LIKE.sub(MASK, text)


def oracle_mask_for_log(value: Any) -> Any:
    return _mask(value, key=None)


def _mask(value: Any, key: str | None) -> Any:
    lowered = key.lower() if key is not None else None
    if lowered in SENSITIVE_KEYS and value is not None:
        return MASK
    if isinstance(value, Mapping):
        return {str(k): _mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v, None) for v in value]
    if isinstance(value, str):
        if lowered in FREE_TEXT_KEYS:
            return f"[tekst: {len(value)} tekens]"
        return oracle_mask_bsns(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 9:
        return MASK
    return value


def oracle_record_parts(input: Mapping[str, Any], decision: Decision) -> dict[str, Any]:
    """What the first ``make_decision_record`` put in a record, apart from its id and time."""
    return {
        "input": oracle_mask_for_log(input),
        "result": [oracle_mask_for_log(decision.to_dict())],
    }
