"""An LRU decision cache keyed by (policy revision, data revision, decision-relevant projection).

The projection (services/policy/projection.py) leaves out what no rule reads (the casus id;
``now`` unless doorbreekglas applies) and reduces the reference lists to the subject's relation
to them, so the casussen of a page to which a subject has the same relation share one entry:
the fast path of issue 14 (ADR 0020). ``tests/policy/test_policy_fast_path.py`` proves on the
differential test's generated inputs that a cached answer equals the full evaluation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from services.platform.policy.input import CanonicalInput, build_inputs, canonical
from services.platform.policy.model import Decision, JSONObject, PolicyEngine
from services.platform.policy.projection import decision_key

CacheKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    size: int
    maxsize: int


class DecisionCache:
    """A thread-safe LRU map from cache key to decision."""

    def __init__(self, maxsize: int = 10_000) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._entries: OrderedDict[CacheKey, Decision] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    @staticmethod
    def key(policy_revision: str, data_revision: str, input: JSONObject) -> CacheKey:
        """The key of a *canonical* input: the revisions and its decision projection."""
        return (policy_revision, data_revision, decision_key(input))

    def get(self, key: CacheKey) -> Decision | None:
        with self._lock:
            decision = self._entries.get(key)
            if decision is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return decision

    def put(self, key: CacheKey, decision: Decision) -> None:
        with self._lock:
            self._entries[key] = decision
            self._entries.move_to_end(key)
            while len(self._entries) > self._maxsize:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._maxsize)


class CachingPolicyEngine:
    """Wraps an engine with a DecisionCache.

    A page is looked up resource by resource; only the misses go to the engine, in one
    batch. Failures are never cached (PolicyEngineUnavailable propagates). Because the key
    holds both revisions, a new policy or new data never serves an old decision.
    Entries are keyed by the decision projection, so hits span requests, casussen and
    moments (``now`` only counts where a time-bound grant is in play).
    """

    def __init__(self, inner: PolicyEngine, cache: DecisionCache | None = None) -> None:
        self.inner = inner
        self.cache = cache if cache is not None else DecisionCache()

    @property
    def policy_revision(self) -> str:
        return self.inner.policy_revision

    @property
    def data_revision(self) -> str:
        return self.inner.data_revision

    @property
    def revision(self) -> str:
        return self.inner.revision

    def _key(self, input: JSONObject) -> CacheKey:
        return DecisionCache.key(self.inner.policy_revision, self.inner.data_revision, input)

    def decide(self, input: JSONObject) -> Decision:
        input = canonical(input)
        key = self._key(input)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        decision = self.inner.decide(input)
        self.cache.put(key, decision)
        return decision

    def decide_many(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        return self.decide_inputs(build_inputs(subject, action, context, resources))

    def decide_inputs(self, inputs: Sequence[CanonicalInput]) -> list[Decision]:
        """A page of validated inputs: cached answers first, the misses in one batch (inputs
        of the page with the same key are evaluated once)."""
        keys = [self._key(i) for i in inputs]
        found: list[Decision | None] = [self.cache.get(k) for k in keys]
        first: dict[CacheKey, int] = {}
        for i, decision in enumerate(found):
            if decision is None:
                first.setdefault(keys[i], i)
        if first:
            fresh = decide_inputs(self.inner, [inputs[i] for i in first.values()])
            for key, decision in zip(first, fresh, strict=True):
                self.cache.put(key, decision)
            answers = dict(zip(first, fresh, strict=True))
            found = [d if d is not None else answers[keys[i]] for i, d in enumerate(found)]
        return [d for d in found if d is not None]


def decide_inputs(engine: PolicyEngine, inputs: Sequence[CanonicalInput]) -> list[Decision]:
    """Decide validated inputs of one page (same subject, action and context) without
    validating them again where the engine allows it (the cache, the embedded engine)."""
    if not inputs:
        return []
    direct = getattr(engine, "decide_inputs", None)
    if direct is not None:
        result: list[Decision] = direct(inputs)
        return result
    head = inputs[0]
    return engine.decide_many(
        head["subject"], head["action"], head["context"], [i["resource"] for i in inputs]
    )
