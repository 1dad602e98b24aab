"""Embedded engine, result parsing, revisions, explain, configuration and the v1 linter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.platform.policy.cache import CachingPolicyEngine
from services.platform.policy.config import create_engine
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.explain import explain
from services.platform.policy.input import PolicyInputInvalid
from services.platform.policy.lint import lint_dir, lint_text
from services.platform.policy.model import Decision, PolicyEngine, PolicyEngineUnavailable
from services.platform.policy.source import PolicySource

WIJKTEAM_ORG = {"tenant": "GM0355", "id": "gm0355-sociaal-wijkteam"}
WIJKTEAM = {
    "kind": "user",
    "tenant": "GM0355",
    "user_id": "u-wijkteam",
    "organisation": "gm0355-sociaal-wijkteam",
    "roles": ["professional"],
}
ITEM = {
    "type": "informatie_item",
    "tenant": "GM0355",
    "casus_id": "zeist-001",
    "casus_kind": "persoon",
    "phase": "plan",
    "participants": [WIJKTEAM_ORG],
    "category": "bijzonder",
    "source_organisation": WIJKTEAM_ORG,
    "contains_person_identifiers": True,
}
NOW = "2026-11-20T10:00:00Z"


def test_engines_satisfy_the_protocol(embedded_engine: EmbeddedRegoEngine) -> None:
    assert isinstance(embedded_engine, PolicyEngine)
    assert isinstance(CachingPolicyEngine(embedded_engine), PolicyEngine)


def test_policy_revision_is_sha256_over_the_rego_files(
    policy_data: dict[str, Any], tmp_path: Path
) -> None:
    source = PolicySource.load(policy_data)
    assert len(source.policy_revision) == 64
    assert source.data_revision == policy_data["revision"]
    for m in source.modules:
        (tmp_path / m.name).write_text(m.text, encoding="utf-8")
    assert PolicySource.load(policy_data, tmp_path).policy_revision == source.policy_revision
    (tmp_path / "authz.rego").write_text(source.modules[0].text + "\n# changed\n")
    assert PolicySource.load(policy_data, tmp_path).policy_revision != source.policy_revision


def test_data_revision_is_computed_when_absent(policy_data: dict[str, Any]) -> None:
    without = {k: v for k, v in policy_data.items() if k != "revision"}
    rev = PolicySource.load(without).data_revision
    assert len(rev) == 64
    assert rev == PolicySource.load(dict(reversed(list(without.items())))).data_revision


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        {"allow": "true", "view": "full", "reasons": []},
        {"allow": True, "view": None, "reasons": []},
        {"allow": True, "view": "alles", "reasons": []},
        {"allow": False, "view": None, "reasons": []},
        {"allow": True, "view": "full", "reasons": [{"code": "x", "effect": "maybe"}]},
        {"allow": True, "view": "full", "reasons": [], "mask": "bsn"},
        {"allow": True, "view": "full", "reasons": [], "obligations": [{"x": 1}]},
    ],
)
def test_malformed_results_are_refused(raw: object) -> None:
    with pytest.raises(ValueError, match=r"decision|reason|mask|obligation"):
        Decision.from_result(raw)


def test_input_without_subject_is_refused_before_evaluation(
    embedded_engine: EmbeddedRegoEngine,
) -> None:
    with pytest.raises(PolicyInputInvalid, match="subject"):
        embedded_engine.decide({"action": "read", "context": {"now": NOW}, "resource": ITEM})


def test_undefined_decision_fails_closed_without_crashing(
    policy_data: dict[str, Any], tmp_path: Path
) -> None:
    # The engine must raise, never touch the undefined result (rego-cpp aborts on that).
    (tmp_path / "authz.rego").write_text(
        'package regietafel.authz\n\ndecision := {"allow": true} if input.never\n'
    )
    engine = EmbeddedRegoEngine(PolicySource.load(policy_data, tmp_path))
    with pytest.raises(PolicyEngineUnavailable, match=r"undefined|no result"):
        engine.decide({"subject": WIJKTEAM, "action": "read", "context": {"now": NOW}})


def test_a_broken_policy_does_not_build(policy_data: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "broken.rego").write_text("package regietafel.authz\n\ndecision := {\n")
    with pytest.raises(PolicyEngineUnavailable, match="does not build"):
        EmbeddedRegoEngine(PolicySource.load(policy_data, tmp_path))


def test_explain_lists_what_is_missing_for_a_share(embedded_engine: EmbeddedRegoEngine) -> None:
    context = {"purpose": "plan-van-aanpak", "legal_basis": "publieke-taak", "now": NOW}
    answer = explain(embedded_engine, WIJKTEAM, "share", ITEM, context)
    assert answer.allowed is False
    codes = {r.code for r in answer.denied_by}
    assert codes == {
        "deling-art9-ontbreekt",
        "deling-noodzaak-ontbreekt",
        "deling-transparantie-ontbreekt",
    }
    assert "een uitzonderingsgrond uit art. 9 AVG" in answer.missing
    assert answer.summary.startswith("Niet toegestaan:")
    assert "Nog nodig:" in answer.summary
    assert answer.to_dict()["policy_revision"] == embedded_engine.policy_revision


def test_explain_an_allowed_share(embedded_engine: EmbeddedRegoEngine) -> None:
    context = {
        "purpose": "plan-van-aanpak",
        "legal_basis": "publieke-taak",
        "art9_exception": "zorg-en-sociale-stelsels",
        "necessity": "Nodig om de zorg in het plan af te stemmen.",
        "person_informed": True,
        "now": NOW,
    }
    answer = explain(embedded_engine, WIJKTEAM, "share", ITEM, context)
    assert answer.allowed is True
    assert answer.missing == ()
    assert {r.code for r in answer.allowed_by} >= {"eigen-bron", "checklist-compleet"}
    assert answer.summary.startswith("Toegestaan:")


def test_engine_is_chosen_by_configuration(policy_data: dict[str, Any]) -> None:
    """REGIETAFEL_POLICY_ENGINE / REGIETAFEL_OPA_URL (services.platform.config) pick the engine."""
    from services.platform.authz.gateway import policy_settings
    from services.platform.config import ConfigurationError, load_settings

    embedded = create_engine(policy_settings(load_settings()), policy_data)
    assert isinstance(embedded, CachingPolicyEngine)
    assert isinstance(embedded.inner, EmbeddedRegoEngine)
    opa_settings = load_settings(policy_engine="opa", opa_url="http://127.0.0.1:8181")
    opa = create_engine(policy_settings(opa_settings), policy_data)
    assert type(getattr(opa, "inner", None)).__name__ == "OpaServerEngine"
    with pytest.raises(ConfigurationError, match="REGIETAFEL_OPA_URL"):
        load_settings(policy_engine="opa")
    with pytest.raises(ConfigurationError, match="REGIETAFEL_POLICY_ENGINE"):
        load_settings(policy_engine="wasm")


def test_shipped_policies_are_rego_v1() -> None:
    assert lint_dir() == []


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("package p\nimport rego.v1\n", "not needed"),
        ("package p\nimport future.keywords.if\n", "not needed"),
        ("package p\nallow {\n\ttrue\n}\n", "needs 'if'"),
        ("package p\ndeny[msg] {\n\tmsg := 1\n}\n", "partial rule"),
        ("package p\ndeny[msg] if {\n\tmsg := 1\n}\n", "partial rule"),
        ("package p\nf(x) := y {\n\ty := x\n}\n", "needs 'if'"),
        ("allow if true\n", "package"),
    ],
)
def test_linter_refuses_v0(snippet: str, message: str) -> None:
    errors = lint_text(snippet)
    assert errors
    assert any(message in e.message for e in errors)


def test_linter_accepts_v1() -> None:
    v1 = (
        "package p\n\ndefault allow := false\n\nallow if {\n\tinput.x\n}\n\n"
        'deny contains "x" if input.y\n\nobj := {\n\t"a": 1,\n}\n\n'
        "f(x) := y if {\n\ty := x\n} else := 0\n"
    )
    assert lint_text(v1) == []
