"""The policy layer: who may see what, decided by the Rego policies in ``policies/``.

Usage::

    from services.policy import PolicySettings, create_engine, build_input

    engine = create_engine(PolicySettings(...), policy_data)   # cached; built from
    # services.config.Settings by services.authz.gateway.policy_settings
    decision = engine.decide(build_input(subject, "read", context, resource))
    page = engine.decide_many(subject, "list", context, resources)

Every engine raises PolicyEngineUnavailable when it cannot decide: answer 503, return nothing.
"""

from services.policy.cache import CachingPolicyEngine, DecisionCache
from services.policy.config import PolicySettings, create_engine
from services.policy.decision_log import DecisionRecord, make_decision_record, mask_for_log
from services.policy.embedded import EmbeddedRegoEngine
from services.policy.explain import Explanation, explain
from services.policy.input import PolicyInputInvalid, build_input
from services.policy.model import (
    Decision,
    Obligation,
    PolicyEngine,
    PolicyEngineUnavailable,
    Reason,
)
from services.policy.opa_server import OpaServerEngine
from services.policy.source import PolicySource

__all__ = [
    "CachingPolicyEngine",
    "Decision",
    "DecisionCache",
    "DecisionRecord",
    "EmbeddedRegoEngine",
    "Explanation",
    "Obligation",
    "OpaServerEngine",
    "PolicyEngine",
    "PolicyEngineUnavailable",
    "PolicyInputInvalid",
    "PolicySettings",
    "PolicySource",
    "Reason",
    "build_input",
    "create_engine",
    "explain",
    "make_decision_record",
    "mask_for_log",
]
