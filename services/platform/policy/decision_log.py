"""Decision logging: person data masked, and the record the audit layer stores."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.platform.policy.model import Decision, JSONObject, PolicyEngine

MASK = "***"

#: Keys whose values are person data or free text and never enter a log.
SENSITIVE_KEYS: frozenset[str] = frozenset(
    {
        "bsn", "burgerservicenummer",
        "name", "naam", "voornaam", "voornamen", "achternaam", "tussenvoegsel",
        "first_name", "last_name", "full_name", "display_name",
        "birth_date", "date_of_birth", "geboortedatum", "dob",
        "address", "adres", "straat", "huisnummer", "postcode", "woonplaats",
        "phone", "telefoon", "email", "e_mail",
        "body", "text", "tekst", "content", "inhoud", "notes", "notitie", "toelichting",
        "description", "omschrijving", "summary", "samenvatting",
    }
)  # fmt: skip

#: Free-text context fields: kept out of logs, only their length is recorded.
FREE_TEXT_KEYS: frozenset[str] = frozenset(
    {"necessity", "not_informed_reason", "urgency_reason", "reason"}
)

_BSN_LIKE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def mask_for_log(value: Any) -> Any:
    """A deep copy of a policy input (or result) with person data masked.

    - values of SENSITIVE_KEYS are replaced by ``***``;
    - free-text fields become ``[tekst: N tekens]``;
    - any 9-digit number elsewhere (a BSN in the wrong field) is replaced by ``***``.
    """
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
        return _BSN_LIKE.sub(MASK, value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) == 9:
        return MASK
    return value


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """What the audit layer stores with the audit record of the action."""

    decision_id: uuid.UUID
    policy_revision: str
    data_revision: str
    masked_input: Mapping[str, Any]
    result: Sequence[Mapping[str, Any]]
    decided_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    engine: str = ""

    @property
    def allowed(self) -> bool:
        return bool(self.result) and all(bool(r.get("allow")) for r in self.result)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": str(self.decision_id),
            "policy_revision": self.policy_revision,
            "data_revision": self.data_revision,
            "input": dict(self.masked_input),
            "result": [dict(r) for r in self.result],
            "decided_at": self.decided_at.isoformat(),
            "engine": self.engine,
        }


def make_decision_record(
    engine: PolicyEngine,
    input: JSONObject,
    decisions: Decision | Sequence[Decision],
) -> DecisionRecord:
    """A record for one decision (input with ``resource``) or a page (``resources``)."""
    items = [decisions] if isinstance(decisions, Decision) else list(decisions)
    return DecisionRecord(
        decision_id=uuid.uuid4(),
        policy_revision=engine.policy_revision,
        data_revision=engine.data_revision,
        masked_input=mask_for_log(input),
        result=[mask_for_log(d.to_dict()) for d in items],
        engine=type(engine).__name__,
    )
