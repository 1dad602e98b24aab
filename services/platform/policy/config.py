"""Choosing the engine by configuration (mode is configuration, never a code fork)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from services.platform.policy.cache import CachingPolicyEngine, DecisionCache
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.model import PolicyEngine
from services.platform.policy.opa_server import OpaServerEngine
from services.platform.policy.source import DEFAULT_POLICY_DIR, PolicySource

EngineKind = Literal["embedded", "opa"]


@dataclass(frozen=True, slots=True)
class PolicySettings:
    engine: EngineKind = "embedded"
    opa_url: str | None = None
    timeout_s: float = 0.5
    policy_dir: Path = DEFAULT_POLICY_DIR
    cache_size: int = 10_000
    opa_bundle: bool = False  # OPA is fed by a bundle: verify its data, never upload


def create_engine(settings: PolicySettings, data: Mapping[str, Any] | Path) -> PolicyEngine:
    """The configured engine over the Rego files and ``data``, wrapped in the LRU cache."""
    source = PolicySource.load(data, settings.policy_dir)
    inner: PolicyEngine
    if settings.engine == "opa":
        if not settings.opa_url:
            raise ValueError("the opa engine needs OPA_URL")
        inner = OpaServerEngine(
            source,
            settings.opa_url,
            timeout=settings.timeout_s,
            bundle_managed=settings.opa_bundle,
        )
    else:
        inner = EmbeddedRegoEngine(source)
    if settings.cache_size <= 0:
        return inner
    return CachingPolicyEngine(inner, DecisionCache(settings.cache_size))
