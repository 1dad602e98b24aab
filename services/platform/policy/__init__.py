"""The policy layer: who may see what, decided by the Rego policies in ``policies/``.

Usage::

    from services.platform.policy import PolicySettings, create_engine, build_input

    engine = create_engine(PolicySettings(...), policy_data)   # cached; built from
    # services.platform.config.Settings by services.platform.authz.gateway.policy_settings
    decision = engine.decide(build_input(subject, "read", context, resource))
    page = engine.decide_many(subject, "list", context, resources)

Every engine raises PolicyEngineUnavailable when it cannot decide: answer 503, return nothing.
"""

from services.platform.policy.cache import CachingPolicyEngine, DecisionCache
from services.platform.policy.config import PolicySettings, create_engine
from services.platform.policy.decision_log import (
    DecisionRecord,
    make_decision_record,
    make_decision_records,
    mask_for_log,
)
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.explain import Explanation, explain
from services.platform.policy.input import PolicyInputInvalid, build_input
from services.platform.policy.model import (
    Decision,
    Obligation,
    PolicyEngine,
    PolicyEngineUnavailable,
    Reason,
)
from services.platform.policy.opa_server import OpaServerEngine
from services.platform.policy.source import PolicySource

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
    "make_decision_records",
    "mask_for_log",
]
