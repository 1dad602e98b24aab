"""The OPA-server engine against OpaDataApiTestDouble (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from policy_opa_double import OpaDataApiTestDouble

from services.platform.policy import PolicyEngineUnavailable, build_input
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.opa_server import OpaServerEngine
from services.platform.policy.source import PolicySource

SUBJECT = {
    "kind": "user",
    "tenant": "GM0355",
    "user_id": "u-wijkagent",
    "organisation": "politie-utrecht",
    "roles": ["professional"],
}
CONTEXT = {"purpose": "casusoverleg", "now": "2026-11-20T10:00:00Z"}


def casus(n: int, participants: list[str]) -> dict[str, Any]:
    return {
        "type": "casus",
        "tenant": "GM0355",
        "casus_id": f"zeist-{n:03d}",
        "casus_kind": "persoon",
        "phase": "uitvoering",
        "participants": [{"tenant": "GM0355", "id": p} for p in participants],
        "contains_person_identifiers": True,
    }


@pytest.fixture
def engine(policy_source: PolicySource, opa_double: OpaDataApiTestDouble) -> OpaServerEngine:
    return OpaServerEngine(policy_source, opa_double.url, timeout=0.3)


def test_decide_posts_the_input_envelope_to_the_decision_path(
    engine: OpaServerEngine, opa_double: OpaDataApiTestDouble
) -> None:
    decision = engine.decide(build_input(SUBJECT, "read", CONTEXT, casus(1, ["politie-utrecht"])))
    assert decision.allow is True
    assert decision.view == "full"
    assert "deelnemer" in decision.codes
    [request] = opa_double.requests
    assert request.method == "POST"
    assert request.path == "/v1/data/regietafel/authz/decision"
    assert set(request.body) == {"input"}
    assert request.body["input"]["subject"] == SUBJECT
    assert request.body["input"]["resource"]["casus_id"] == "zeist-001"


def test_decide_many_is_one_request_with_resources_in_order(
    engine: OpaServerEngine,
    opa_double: OpaDataApiTestDouble,
    embedded_engine: EmbeddedRegoEngine,
) -> None:
    page = [casus(n, ["politie-utrecht"] if n % 2 else ["gm0355-leerplicht"]) for n in range(10)]
    decisions = engine.decide_many(SUBJECT, "list", CONTEXT, page)
    assert [d.allow for d in decisions] == [bool(n % 2) for n in range(10)]
    assert decisions == embedded_engine.decide_many(SUBJECT, "list", CONTEXT, page)
    [request] = opa_double.requests
    assert request.path == "/v1/data/regietafel/authz/decisions"
    envelope = request.body["input"]
    assert envelope["action"] == "list"
    assert envelope["context"] == CONTEXT
    assert [r["casus_id"] for r in envelope["resources"]] == [r["casus_id"] for r in page]
    assert "resource" not in envelope


def test_empty_page_needs_no_request(
    engine: OpaServerEngine, opa_double: OpaDataApiTestDouble
) -> None:
    assert engine.decide_many(SUBJECT, "list", CONTEXT, []) == []
    assert opa_double.requests == []


def test_slow_server_times_out_and_fails_closed(
    engine: OpaServerEngine, opa_double: OpaDataApiTestDouble
) -> None:
    opa_double.mode = "slow"
    started = time.monotonic()
    with pytest.raises(PolicyEngineUnavailable, match=r"timed out|timeout"):
        engine.decide(build_input(SUBJECT, "read", CONTEXT, casus(1, ["politie-utrecht"])))
    assert time.monotonic() - started < 0.6


@pytest.mark.parametrize("mode", ["error", "garbage", "undefined"])
def test_bad_answers_fail_closed(
    mode: str, engine: OpaServerEngine, opa_double: OpaDataApiTestDouble
) -> None:
    opa_double.mode = mode  # type: ignore[assignment]
    with pytest.raises(PolicyEngineUnavailable):
        engine.decide(build_input(SUBJECT, "read", CONTEXT, casus(1, ["politie-utrecht"])))
    with pytest.raises(PolicyEngineUnavailable):
        engine.decide_many(SUBJECT, "list", CONTEXT, [casus(1, ["politie-utrecht"])])


def test_server_down_fails_closed(policy_source: PolicySource) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = OpaServerEngine(policy_source, f"http://127.0.0.1:{port}", timeout=0.3)
    with pytest.raises(PolicyEngineUnavailable, match="failed"):
        engine.decide(build_input(SUBJECT, "read", CONTEXT, casus(1, ["politie-utrecht"])))


def test_malformed_decision_fails_closed(
    engine: OpaServerEngine,
    opa_double: OpaDataApiTestDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(opa_double, "evaluate", lambda path, input: (True, {"allow": "yes"}))
    with pytest.raises(PolicyEngineUnavailable, match="malformed"):
        engine.decide(build_input(SUBJECT, "read", CONTEXT, casus(1, ["politie-utrecht"])))


def test_batch_of_wrong_length_fails_closed(
    engine: OpaServerEngine,
    opa_double: OpaDataApiTestDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(opa_double, "evaluate", lambda path, input: (True, []))
    with pytest.raises(PolicyEngineUnavailable, match="wrong shape"):
        engine.decide_many(SUBJECT, "list", CONTEXT, [casus(1, ["politie-utrecht"])])


def test_same_revisions_as_the_embedded_engine(
    engine: OpaServerEngine, embedded_engine: EmbeddedRegoEngine
) -> None:
    assert engine.revision == embedded_engine.revision
    assert len(engine.policy_revision) == 64


def test_invalid_url_is_refused(policy_source: PolicySource) -> None:
    with pytest.raises(ValueError, match="invalid OPA url"):
        OpaServerEngine(policy_source, "opa:8181")
