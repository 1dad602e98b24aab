"""The decision tables in policies/tests/*.yaml, against the embedded engine and a real OPA."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from policy_tables import Case, check, load_cases

from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import PolicyInputInvalid, canonical
from services.platform.policy.opa_server import OpaServerEngine
from services.platform.policy.source import PolicySource

if TYPE_CHECKING:  # opa-eval is only installed where it has a wheel (see conftest)
    from regorus_reference import RegorusReference

CASES = load_cases()
IDS = [c.id for c in CASES]


def test_every_rule_has_an_allow_and_a_deny_case() -> None:
    rules = {c.rule for c in CASES}
    assert rules == set(range(1, 11)) | {2}
    for rule in rules:
        outcomes = {c.expect["allow"] for c in CASES if c.rule == rule and "allow" in c.expect}
        assert outcomes == {True, False}, f"rule {rule} needs an allow and a deny case"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_table_embedded(case: Case, embedded_engine: EmbeddedRegoEngine) -> None:
    if case.expect.get("input_refused"):
        with pytest.raises(PolicyInputInvalid):
            embedded_engine.decide(case.input())
        return
    check(case, embedded_engine.decide(case.input()))


def test_tables_as_one_batch_match_single_decisions(embedded_engine: EmbeddedRegoEngine) -> None:
    """decide_many gives, per resource, exactly what decide gives."""
    first = CASES[0]
    same = [
        c
        for c in CASES
        if c.subject == first.subject
        and c.action == first.action
        and c.context == first.context
        and not c.expect.get("input_refused")
    ]
    resources = [c.resource for c in same]
    batch = embedded_engine.decide_many(first.subject, first.action, first.context, resources)
    single = [embedded_engine.decide({**first.input(), "resource": r}) for r in resources]
    assert len(batch) == len(resources) > 1
    assert batch == single


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_table_regorus(case: Case, regorus: RegorusReference) -> None:
    """The same tables on a second, independent Rego engine (regorus), fed the same
    canonical input the production engines get."""
    if case.expect.get("input_refused"):
        with pytest.raises(PolicyInputInvalid):
            canonical(case.input())
        return
    check(case, regorus.decide(canonical(case.input())))


@pytest.fixture(scope="module")
def real_opa(policy_source: PolicySource) -> Iterator[OpaServerEngine]:
    url = os.environ.get("OPA_URL")
    if not url:
        pytest.skip("OPA_URL is not set: the tables run against the embedded engine only")
    engine = OpaServerEngine(policy_source, url, timeout=5.0)
    engine.publish()
    engine.verify()
    yield engine
    engine.close()


@pytest.mark.opa
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_table_opa_server(case: Case, real_opa: OpaServerEngine) -> None:
    if case.expect.get("input_refused"):
        with pytest.raises(PolicyInputInvalid):
            real_opa.decide(case.input())
        return
    check(case, real_opa.decide(case.input()))


@pytest.mark.opa
def test_batch_on_opa_server_matches_embedded(
    real_opa: OpaServerEngine, embedded_engine: EmbeddedRegoEngine
) -> None:
    first = CASES[0]
    resources = [c.resource for c in CASES[:20] if not c.expect.get("input_refused")]
    assert real_opa.decide_many(
        first.subject, first.action, first.context, resources
    ) == embedded_engine.decide_many(first.subject, first.action, first.context, resources)
