"""An LRU decision cache keyed by (policy revision, data revision, canonical input)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from services.platform.policy.input import build_inputs, canonical
from services.platform.policy.model import Decision, JSONObject, PolicyEngine
from services.platform.policy.source import canonical_json

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
        return (policy_revision, data_revision, canonical_json(input))

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
    Pass ``context.now`` truncated (e.g. to the minute) to get hits across requests.
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
        keys = [self._key(i) for i in build_inputs(subject, action, context, resources)]
        found: list[Decision | None] = [self.cache.get(k) for k in keys]
        missing = [i for i, d in enumerate(found) if d is None]
        if missing:
            fresh = self.inner.decide_many(
                subject, action, context, [resources[i] for i in missing]
            )
            for i, decision in zip(missing, fresh, strict=True):
                self.cache.put(keys[i], decision)
                found[i] = decision
        return [d for d in found if d is not None]
