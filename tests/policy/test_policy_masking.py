"""Masking person data for decision logging, and the DecisionRecord."""

from __future__ import annotations

import json
import uuid

from services.platform.policy.decision_log import MASK, make_decision_record, mask_for_log
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import build_input

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
