"""The decision fast path (issue 14, ADR 0020) proven equal to the full evaluation.

The service asks the policy through ``CachingPolicyEngine``, whose key is the decision
projection of the typed input (``services/policy/projection.py``): a cached decision is served
for every input with the same projection. Here, on the differential test's generated inputs
(same generator, same seed, same count):

* each input is decided through the cache, then a *sibling* that differs in one field the
  projection keeps (taken from the previous input: it must not get the first one's cached
  answer), then a *variant* of it that changes only what the
  projection leaves out (another casus id, another moment when doorbreekglas is not in play,
  other reference lists with the same relation to the subject, other tenants in the share
  list): the variant must hit the cache, and the cached answer must equal the full evaluation
  (regopy, no cache) of the variant - the whole decision object;
* pages of generated resources go through the cache's batch path twice (the second time as
  variants) and each answer must equal the full evaluation of its resource;
* the Rego reads the projected fields nowhere but in the places the projection was written
  for: a changed rule fails here until the projection has been reviewed.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from policy_inputs import Generator, World
from test_policy_differential import CHUNKS, SEED, N, raw_decision

from services.platform.policy.cache import CachingPolicyEngine, DecisionCache
from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import (
    CanonicalInput,
    PolicyInputInvalid,
    build_inputs,
    canonical,
)
from services.platform.policy.model import Decision
from services.platform.policy.projection import decision_key
from services.platform.policy.source import DEFAULT_POLICY_DIR

OTHER_TENANT = "GM0000"  # valid syntax, in no manifest


@pytest.fixture(scope="module")
def world(policy_data: dict[str, Any]) -> World:
    return World.from_policy_data(policy_data)


def generated(world: World, start: int, count: int) -> Iterator[tuple[int, CanonicalInput]]:
    for index in range(start, start + count):
        yield index, canonical(Generator(world, random.Random(f"{SEED}:{index}")).input())


def _other_ref(tenant: str, rng: random.Random) -> dict[str, str]:
    return {"tenant": tenant, "id": rng.choice(["iemand-anders", "andere-organisatie", "x9"])}


def variant(input: Mapping[str, Any], rng: random.Random) -> dict[str, Any]:
    """The same input changed only where the projection says the decision cannot depend."""
    subject = input["subject"]
    tenant = subject["tenant"]
    me = {"tenant": tenant, "id": subject["user_id"]}
    my_org = {"tenant": tenant, "id": subject.get("organisation", "-")}
    context = dict(input["context"])
    out: dict[str, Any] = {**input, "context": context}
    resource = dict(input.get("resource") or {})
    urgent = "urgent_access" in resource or "urgency_reason" in context
    if not urgent:
        shifted = dt.datetime.fromisoformat(context["now"].replace("Z", "+00:00"))
        shifted += dt.timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86_399))
        context["now"] = shifted.isoformat().replace("+00:00", "Z")
    if "resource" not in input:
        return out
    if "casus_id" in resource:
        resource["casus_id"] = f"andere-casus-{rng.randint(0, 10**6)}"
    for name, mine in (("participants", my_org), ("regisseurs", me)):
        if name in resource:
            refs = [r for r in resource[name] if r != mine]
            refs = [_other_ref(r["tenant"], rng) for r in refs] + [
                _other_ref(OTHER_TENANT, rng) for _ in range(rng.randint(0, 2))
            ]
            if mine in resource[name]:
                refs.insert(rng.randint(0, len(refs)), mine)
            resource[name] = refs
    for name, mine in (
        ("uitvoeringscoordinator", me),
        ("chair", me),
        ("source_organisation", my_org),
    ):
        if name in resource and resource[name] != mine:
            resource[name] = _other_ref(rng.choice([tenant, OTHER_TENANT]), rng)
    if "shared_with_tenants" in resource:
        shares = {OTHER_TENANT} | ({tenant} if tenant in resource["shared_with_tenants"] else set())
        resource["shared_with_tenants"] = sorted(shares)
    out["resource"] = resource
    return out


def sibling(
    input: Mapping[str, Any], donor: Mapping[str, Any], rng: random.Random
) -> dict[str, Any] | None:
    """The input with one field of the subject, context or resource taken from another
    generated input: a field the projection keeps must keep the two apart (if it were left out
    of the key, the sibling would get the first input's cached decision)."""
    choices = [
        (part, key)
        for part in ("subject", "context", "resource")
        for key in (donor.get(part) or {})
        if (input.get(part) or {}).get(key) != donor[part][key]
    ]
    if not choices:
        return None
    part, key = rng.choice(choices)
    return {**input, part: {**(input.get(part) or {}), key: donor[part][key]}}


def full(engine: EmbeddedRegoEngine, input: CanonicalInput) -> dict[str, Any]:
    return raw_decision(engine.evaluate_raw(input))


def as_raw(decision: Decision) -> dict[str, Any]:
    return raw_decision(decision.to_dict())


@pytest.mark.parametrize(("start", "count"), CHUNKS, ids=[f"inputs-{s}" for s, _ in CHUNKS])
def test_cached_decisions_equal_full_evaluation(
    start: int, count: int, world: World, embedded_engine: EmbeddedRegoEngine
) -> None:
    engine = CachingPolicyEngine(embedded_engine, DecisionCache(100_000))
    failures: list[str] = []
    hits = 0
    previous: CanonicalInput | None = None
    for index, input in generated(world, start, count):
        rng = random.Random(f"{SEED}:variant:{index}")
        first = engine.decide(input)
        if as_raw(first) != full(embedded_engine, input):
            failures.append(f"input #{index}: cached decision differs from full evaluation")
        near = sibling(input, previous, rng) if previous is not None else None
        previous = input
        if near is not None:
            try:
                near_input = canonical(near)
            except PolicyInputInvalid:
                near_input = None
            if near_input is not None and as_raw(engine.decide(near_input)) != full(
                embedded_engine, near_input
            ):
                failures.append(f"input #{index}: sibling {near} got a wrong cached decision")
        try:
            other = canonical(variant(input, rng))
        except PolicyInputInvalid as error:  # the rewrite must stay well-typed
            failures.append(f"input #{index}: variant is not a valid input: {error}")
            continue
        assert decision_key(other) == decision_key(input), f"input #{index}: key changed"
        before = engine.cache.stats().hits
        cached = engine.decide(other)
        hits += engine.cache.stats().hits - before
        expected = full(embedded_engine, other)
        if as_raw(cached) != expected:
            failures.append(
                f"input #{index}: cached {as_raw(cached)}\n    full evaluation {expected}"
            )
    assert not failures, f"{len(failures)} failures (seed {SEED!r}):\n" + "\n".join(failures[:3])
    assert hits == count, "every variant must be answered from the cache"


def test_cached_pages_equal_full_evaluation(
    world: World, embedded_engine: EmbeddedRegoEngine
) -> None:
    """The batch path: a page, then the page of its variants, through one cache."""
    engine = CachingPolicyEngine(embedded_engine, DecisionCache(100_000))
    checked = 0
    for page in range(max(20, N // 250)):
        rng = random.Random(f"{SEED}:page:{page}")
        subject, action, context, resources = Generator(world, rng).page(rng.randint(10, 40))
        try:
            inputs = build_inputs(subject, action, context, resources)
        except PolicyInputInvalid:
            continue
        for round_inputs in (inputs, [canonical(variant(i, rng)) for i in inputs]):
            decisions = engine.decide_inputs(round_inputs)
            for input, decision in zip(round_inputs, decisions, strict=True):
                assert as_raw(decision) == full(embedded_engine, input), (
                    f"page {page}: {dict(input)}"
                )
                checked += 1
    assert checked >= 400


#: Every line of Rego that reads a field the projection changes (or the input as a whole).
#: A rule that reads them anywhere else may depend on what the projection leaves out: review
#: services/policy/projection.py, then update this list.
EXPECTED_READS = {
    ("authz.rego", "subject := input.subject"),
    ("authz.rego", 'resource := object.get(input, "resource", {})'),
    ("authz.rego", "action := input.action"),
    ("authz.rego", 'ctx := object.get(input, "context", {})'),
    (
        "batch.rego",
        'page_input(r) := object.union(object.remove(input, ["resources"]), {"resource": r})',
    ),
    ("batch.rego", "some r in input.resources"),
    ("batch.rego", "d := decision with input as page_input(r)"),
    ("categories.rego", "own_source if is_subject_org(resource.source_organisation)"),
    ("groups.rego", "coordinator_appointed if is_object(resource.uitvoeringscoordinator)"),
    ("groups.rego", "is_subject_user(resource.uitvoeringscoordinator)"),
    ("need_to_know.rego", 'some ref in object.get(resource, "participants", [])'),
    ("need_to_know.rego", 'some ref in object.get(resource, "regisseurs", [])'),
    ("need_to_know.rego", "is_subject_user(resource.chair)"),
    ("tenancy.rego", 'subject.tenant in object.get(resource, "shared_with_tenants", [])'),
    ("sharing.rego", 'value := object.get(ctx, field, "")'),
    ("urgent_access.rego", "now_ns := rfc3339_ns(ctx.now)"),
}
_READS = re.compile(
    r"\binput\b|\bcasus_id\b|\bctx\.now\b|\bnow\b\"|"
    r"resource\.(participants|regisseurs|uitvoeringscoordinator|chair|source_organisation|"
    r"shared_with_tenants|casus_id)\b|"
    r"object\.get\(resource, \"(participants|regisseurs|uitvoeringscoordinator|chair|"
    r"source_organisation|shared_with_tenants|casus_id)\"|"
    r"object\.get\(ctx, (field|\"now\")|\bresource\[|\bctx\[|walk\(|json\.marshal|object\.keys"
)


def test_rego_reads_projected_fields_only_where_the_projection_expects() -> None:
    found = set()
    for path in sorted(Path(DEFAULT_POLICY_DIR).glob("*.rego")):
        for line in path.read_text(encoding="utf-8").splitlines():
            code = line.split("#", 1)[0].strip()
            if code and _READS.search(code):
                found.add((path.name, code))
    assert found == EXPECTED_READS, (
        "the Rego reads fields the decision projection changes in new places; review "
        f"services/policy/projection.py. New: {sorted(found - EXPECTED_READS)}; "
        f"gone: {sorted(EXPECTED_READS - found)}"
    )
