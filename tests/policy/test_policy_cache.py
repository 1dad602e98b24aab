"""The LRU decision cache and the caching engine wrapper."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from services.platform.policy.cache import CachingPolicyEngine, DecisionCache
from services.platform.policy.input import build_input
from services.platform.policy.model import Decision, JSONObject, PolicyEngineUnavailable, Reason

ALLOW = Decision(True, "full", (Reason("deelnemer", "allow", "ok"),), (), ())
DENY = Decision(False, None, (Reason("geen-need-to-know", "deny", "nee"),), (), ())


#: The fake engine's answer depends on the phase (a decision-relevant field): even index allows.
PHASE_ORDER = ["aanmelding", "triage", "informeren", "plan", "uitvoering", "monitoring"]


class CountingEngine:
    """A fake engine: allows resources in an even phase of PHASE_ORDER; counts what it was
    asked."""

    def __init__(self) -> None:
        self.policy_revision = "p1"
        self.data_revision = "d1"
        self.single_calls = 0
        self.batches: list[int] = []
        self.fail = False

    @property
    def revision(self) -> str:
        return f"{self.policy_revision}:{self.data_revision}"

    def _one(self, resource: JSONObject) -> Decision:
        if self.fail:
            raise PolicyEngineUnavailable("down")
        return ALLOW if PHASE_ORDER.index(str(resource["phase"])) % 2 == 0 else DENY

    def decide(self, input: JSONObject) -> Decision:
        self.single_calls += 1
        return self._one(input["resource"])

    def decide_many(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        self.batches.append(len(resources))
        return [self._one(r) for r in resources]


SUBJECT = {"kind": "user", "user_id": "u1", "tenant": "GM0355", "organisation": "o1"}
NOW = {"now": "2026-11-20T10:00:00Z"}


def casus(n: int, casus_id: str | None = None) -> dict[str, object]:
    """A typed casus resource whose number (its phase) decides the fake engine's answer."""
    return {
        "type": "casus",
        "tenant": "GM0355",
        "casus_id": casus_id or f"c{n}",
        "casus_kind": "persoon",
        "phase": PHASE_ORDER[n],
        "contains_person_identifiers": True,
    }


def test_key_is_canonical_json_of_the_projection_with_both_revisions() -> None:
    a = DecisionCache.key("p", "d", {"b": 1, "a": [1, 2]})
    b = DecisionCache.key("p", "d", {"a": [1, 2], "b": 1})
    assert a == b == ("p", "d", '{"a":[1,2],"b":1,"context":{}}')
    assert DecisionCache.key("p", "d2", {"a": 1}) != DecisionCache.key("p", "d", {"a": 1})


def test_key_leaves_out_what_no_rule_reads() -> None:
    """Another casus id or another moment, with the same relations: the same key; another
    phase: another key; ``now`` counts as soon as doorbreekglas is in play."""
    one = build_input(SUBJECT, "read", NOW, casus(2, "c-een"))
    other = build_input(SUBJECT, "read", {"now": "2026-11-21T08:00:00Z"}, casus(2, "c-twee"))
    assert DecisionCache.key("p", "d", one) == DecisionCache.key("p", "d", other)
    assert DecisionCache.key("p", "d", one) != DecisionCache.key(
        "p", "d", build_input(SUBJECT, "read", NOW, casus(3, "c-een"))
    )
    urgent = {**NOW, "urgency_reason": "Acuut gevaar voor de persoon, direct ingrijpen."}
    later = {**urgent, "now": "2026-11-21T08:00:00Z"}
    assert DecisionCache.key(
        "p", "d", build_input(SUBJECT, "read", urgent, casus(2))
    ) != DecisionCache.key("p", "d", build_input(SUBJECT, "read", later, casus(2)))


def test_lru_evicts_the_least_recently_used() -> None:
    cache = DecisionCache(maxsize=2)
    k1, k2, k3 = (DecisionCache.key("p", "d", {"n": n}) for n in range(3))
    cache.put(k1, ALLOW)
    cache.put(k2, DENY)
    assert cache.get(k1) is ALLOW  # k1 is now the most recent
    cache.put(k3, ALLOW)
    assert cache.get(k2) is None
    assert cache.get(k1) is ALLOW
    assert cache.get(k3) is ALLOW
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size) == (3, 1, 2)


def test_invalid_size_is_refused() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        DecisionCache(0)


def test_decide_hits_the_cache_the_second_time() -> None:
    inner = CountingEngine()
    engine = CachingPolicyEngine(inner)
    input = build_input(SUBJECT, "read", NOW, casus(2))
    assert engine.decide(input) is ALLOW
    assert engine.decide(dict(reversed(list(input.items())))) is ALLOW
    assert inner.single_calls == 1


def test_new_data_revision_is_never_served_an_old_decision() -> None:
    inner = CountingEngine()
    engine = CachingPolicyEngine(inner)
    input = build_input(SUBJECT, "read", NOW, casus(2))
    engine.decide(input)
    inner.data_revision = "d2"
    engine.decide(input)
    assert inner.single_calls == 2


def test_decide_many_sends_only_misses_in_one_batch_and_keeps_order() -> None:
    inner = CountingEngine()
    engine = CachingPolicyEngine(inner)
    engine.decide_many(SUBJECT, "list", NOW, [casus(0), casus(1)])
    page = [casus(n) for n in range(5)]
    decisions = engine.decide_many(SUBJECT, "list", NOW, page)
    assert decisions == [ALLOW, DENY, ALLOW, DENY, ALLOW]
    assert inner.batches == [2, 3]
    assert engine.decide_many(SUBJECT, "list", NOW, page) == decisions
    assert inner.batches == [2, 3]


def test_failures_are_not_cached() -> None:
    inner = CountingEngine()
    engine = CachingPolicyEngine(inner)
    input = build_input(SUBJECT, "read", NOW, casus(2))
    inner.fail = True
    with pytest.raises(PolicyEngineUnavailable):
        engine.decide(input)
    inner.fail = False
    assert engine.decide(input) is ALLOW
    assert engine.cache.stats().size == 1
