"""Fixtures for the policy tests: the fixture policy data and one embedded engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from policy_opa_double import OpaDataApiTestDouble

from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.source import PolicySource

if TYPE_CHECKING:
    from regorus_reference import RegorusReference

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "policy_data.json"


@pytest.fixture(scope="session")
def policy_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE_DATA.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def policy_source(policy_data: dict[str, Any]) -> PolicySource:
    return PolicySource.load(policy_data)


@pytest.fixture(scope="session")
def embedded_engine(policy_source: PolicySource) -> EmbeddedRegoEngine:
    return EmbeddedRegoEngine(policy_source)


@pytest.fixture(scope="session")
def regorus(policy_source: PolicySource) -> RegorusReference:
    pytest.importorskip(
        "opa_eval",
        reason="opa-eval (regorus) is installed on linux/x86_64 only, where it has a wheel",
    )
    from regorus_reference import RegorusReference

    return RegorusReference(policy_source)


@pytest.fixture
def opa_double(embedded_engine: EmbeddedRegoEngine) -> Iterator[OpaDataApiTestDouble]:
    with OpaDataApiTestDouble(embedded_engine, slow_seconds=0.6) as double:
        yield double
