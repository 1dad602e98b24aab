"""Generated-input differential test of the policies (issue 9, "Must show").

At least 5,000 typed random inputs per run (fixed seed; ``REGIETAFEL_DIFFERENTIAL_N`` for a
larger run, ``REGIETAFEL_DIFFERENTIAL_SEED`` for another seed), drawn from the schema's own
code lists (``policy_inputs.py``), are evaluated on the production engine (regopy) and on the
independent reference engine (regorus); the full decision objects must be equal. Every
decision must also keep the invariants of ``policy_invariants.py``, and two rewrites of each
input check that identifiers of another tenant never grant anything:

* flipping every reference of the subject's tenant (participant, regisseur, coordinator,
  chair, source, urgent-access user) to another tenant, same ids, never gains access;
* renaming every reference of another tenant to an id nobody has changes nothing at all.

The batch rule (``batch.rego``) runs on regorus over pages of generated resources and must
give, resource by resource, the single decisions of both engines. A failure names the input
index (regenerate it with ``policy_inputs.Generator``) and a shrunk, minimal input.

Also here: an unknown purpose is refused by the schema (and denied by the Rego when the
schema is bypassed); the generator draws every code of the schema and reaches every basis and
reason code of the Rego; the decision-table cases keep the invariants; a few hypothesis-driven
inputs each run beyond the fixed seed. The variants of the invariant test are evaluated on
regorus (fast); their base inputs are proven equal on both engines by the first test.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_inputs import (
    UNKNOWN_PURPOSES,
    UNKNOWN_TENANTS,
    Generator,
    World,
    refs,
    with_unknown_purpose,
)
from policy_invariants import blind_foreign_refs, flip_own_refs, gained, violations
from policy_tables import load_cases
from rego_query import RegoQuery

from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import (
    PHASES,
    RESOURCE_TYPES,
    CanonicalInput,
    PolicyInputInvalid,
    build_inputs,
    canonical,
)
from services.platform.policy.model import ACTIONS, Decision, PolicyEngineUnavailable
from services.platform.policy.source import PolicySource, canonical_json
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
    ROLES,
)

if TYPE_CHECKING:  # opa-eval is only installed where it has a wheel (see conftest)
    from regorus_reference import RegorusReference

SEED = os.environ.get("REGIETAFEL_DIFFERENTIAL_SEED", "regietafel-issue-9")
N = max(5000, int(os.environ.get("REGIETAFEL_DIFFERENTIAL_N", "5000")))
CHUNK = 250  # inputs per test, so that pytest-xdist spreads the run over the workers
CHUNKS = [(start, min(CHUNK, N - start)) for start in range(0, N, CHUNK)]
PAGES = max(30, N // 170)  # batch pages of 20-50 resources (30 pages, ~1,000 resources)
SHOWN = 3  # failures shown in full (each shrunk) per test


#: Decisions (on regorus) of the inputs this worker has already checked, by input index: the
#: coverage test reuses them instead of evaluating the inputs again.
_SEEN: dict[int, Decision] = {}


def raw_decision(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The decision object with its lists (sets in Rego) in one order: compared as a whole."""
    return {k: sorted(v, key=canonical_json) if isinstance(v, list) else v for k, v in raw.items()}


@pytest.fixture(scope="module")
def world(policy_data: dict[str, Any]) -> World:
    return World.from_policy_data(policy_data)


def generated(world: World, start: int, count: int) -> Iterator[tuple[int, CanonicalInput]]:
    for index in range(start, start + count):
        raw = Generator(world, random.Random(f"{SEED}:{index}")).input()
        yield index, canonical(raw)  # the generator only makes well-typed inputs


def foreign_tenant(world: World, index: int, own: str) -> str:
    others = [t for t in world.tenants if t != own]
    return others[index % len(others)]


class Engines:
    """Both engines on one input, with readable outcomes for the failure report."""

    def __init__(self, embedded: EmbeddedRegoEngine, reference: RegorusReference) -> None:
        self.embedded = embedded
        self.reference = reference

    def regopy(self, input: CanonicalInput) -> dict[str, Any] | str:
        try:
            return raw_decision(self.embedded.evaluate_raw(input))
        except PolicyEngineUnavailable as exc:
            return f"regopy failed: {exc}"

    def regorus(self, input: CanonicalInput) -> dict[str, Any]:
        return raw_decision(self.reference.evaluate_raw(input))

    def disagreement(self, input: CanonicalInput) -> str | None:
        ours, theirs = self.regopy(input), self.regorus(input)
        if ours == theirs:
            return None
        return f"regopy: {ours}\n    regorus: {theirs}"


def shrink(input: Mapping[str, Any], fails: Callable[[CanonicalInput], bool]) -> dict[str, Any]:
    """A smaller input that still fails: drop optional fields, list items and roles one at a
    time while the schema accepts the result and ``fails`` still holds."""
    current: dict[str, Any] = json.loads(json.dumps(input))

    def candidates(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for part in ("resource", "context"):
            for key in list(doc.get(part, {})):
                if key in {"type", "now"}:
                    continue
                smaller = json.loads(json.dumps(doc))
                value = smaller[part][key]
                if isinstance(value, dict):
                    for sub in value:
                        one = json.loads(json.dumps(doc))
                        del one[part][key][sub]
                        yield one
                if isinstance(value, list) and len(value) > 1:
                    for i in range(len(value)):
                        one = json.loads(json.dumps(doc))
                        del one[part][key][i]
                        yield one
                del smaller[part][key]
                yield smaller
        for i in range(len(doc["subject"].get("roles", []))):
            fewer = json.loads(json.dumps(doc))
            del fewer["subject"]["roles"][i]
            yield fewer

    progress = True
    while progress:
        progress = False
        for candidate in candidates(current):
            try:
                typed = canonical(candidate)
            except PolicyInputInvalid:
                continue
            if typed != current and fails(typed):  # (the schema may restore a default)
                current = dict(typed)
                progress = True
                break
    return current


def report(title: str, failures: list[tuple[int, str, dict[str, Any] | None]]) -> str:
    lines = [f"{len(failures)} {title} (seed {SEED!r}); the first {min(SHOWN, len(failures))}:"]
    for index, what, minimal in failures[:SHOWN]:
        lines.append(f"  input #{index}: {what}")
        if minimal is not None:
            lines.append(f"    minimal input: {json.dumps(minimal, ensure_ascii=False)}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def engines(embedded_engine: EmbeddedRegoEngine, regorus: RegorusReference) -> Engines:
    return Engines(embedded_engine, regorus)


@pytest.mark.parametrize(("start", "count"), CHUNKS, ids=[f"inputs-{s}" for s, _ in CHUNKS])
def test_engines_agree_on_generated_inputs(
    start: int, count: int, world: World, engines: Engines
) -> None:
    """regopy and regorus give the same full decision object (allow, view, reasons with
    their messages, mask, obligations) on every generated input."""
    failures: list[tuple[int, str, dict[str, Any] | None]] = []
    for index, input in generated(world, start, count):
        what = engines.disagreement(input)
        if what is not None:
            minimal = None
            if len(failures) < SHOWN:
                minimal = shrink(input, lambda i: engines.disagreement(i) is not None)
            failures.append((index, what, minimal))
    assert not failures, report("inputs on which the engines disagree", failures)


@pytest.mark.parametrize(("start", "count"), CHUNKS, ids=[f"inputs-{s}" for s, _ in CHUNKS])
def test_generated_decisions_keep_the_invariants(
    start: int,
    count: int,
    world: World,
    engines: Engines,
    policy_data: dict[str, Any],
) -> None:
    """The invariants hold on every decision (on the reference engine, which the test above
    proves equal to regopy on the same inputs), and identifiers of another tenant never
    grant anything: neither after flipping the own references to another tenant nor by an
    id of another tenant that equals the subject's."""
    memo: dict[str, dict[str, Any]] = {}  # decisions of the current input and its variants

    def evaluate(input: Mapping[str, Any]) -> dict[str, Any]:
        key = canonical_json(input)
        if key not in memo:
            memo[key] = engines.regorus(canonical(input))
        return memo[key]

    def decide(input: Mapping[str, Any]) -> Decision:
        return Decision.from_result(evaluate(input))

    failures: list[tuple[int, str, dict[str, Any] | None]] = []
    for index, input in generated(world, start, count):
        memo.clear()
        decision = decide(input)
        _SEEN[index] = decision
        found = violations(input, decision, policy_data)
        if found:
            failures.append(
                (
                    index,
                    "; ".join(found),
                    shrink(input, lambda i: bool(violations(i, decide(i), policy_data)))
                    if len(failures) < SHOWN
                    else None,
                )
            )
            continue
        if not refs(input):
            continue
        foreign = foreign_tenant(world, index, input["subject"]["tenant"])

        def flip_gains(i: Mapping[str, Any], foreign: str = foreign) -> str | None:
            return gained(decide(i), decide(flip_own_refs(i, foreign)))

        def blinding_changes(i: Mapping[str, Any]) -> bool:
            return evaluate(blind_foreign_refs(i)) != evaluate(i)

        def flipped_blinding_changes(i: Mapping[str, Any], foreign: str = foreign) -> bool:
            return blinding_changes(flip_own_refs(i, foreign))

        gain = flip_gains(input)
        if gain is not None:
            minimal = shrink(input, lambda i: flip_gains(i) is not None)
            failures.append((index, f"flipping own refs to {foreign}: {gain}", minimal))
        elif flipped_blinding_changes(input):
            minimal = shrink(input, flipped_blinding_changes)
            what = f"the subject's own ids, qualified with {foreign}, changed the decision"
            failures.append((index, what, minimal))
        elif blinding_changes(input):
            minimal = shrink(input, blinding_changes)
            failures.append((index, "an id of another tenant changed the decision", minimal))
    assert not failures, report("invariant violations", failures)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False))
def test_engines_agree_on_hypothesis_inputs(
    rng: random.Random, world: World, engines: Engines, policy_data: dict[str, Any]
) -> None:
    """Beyond the fixed seed: inputs from hypothesis-chosen random streams (new ones each
    run; a failure is kept in hypothesis' example database and replayed)."""
    input = canonical(Generator(world, rng).input())
    assert engines.disagreement(input) is None, json.dumps(input, ensure_ascii=False)
    decision = Decision.from_result(engines.reference.evaluate_raw(input))
    assert violations(input, decision, policy_data) == [], json.dumps(input, ensure_ascii=False)


def test_table_cases_keep_the_invariants(engines: Engines, policy_data: dict[str, Any]) -> None:
    """The hand-written cases of policies/tests/*.yaml keep the same invariants."""
    broken = []
    for case in load_cases():
        if case.expect.get("input_refused"):
            continue
        input = canonical(case.input())
        found = violations(
            input, Decision.from_result(engines.reference.evaluate_raw(input)), policy_data
        )
        broken.extend(f"{case.id}: {v}" for v in found)
    assert not broken, "\n".join(broken)


def test_unknown_purposes_never_allow(world: World, engines: Engines) -> None:
    """The schema refuses every purpose that is not a code, before any engine sees it; and
    even an input that bypasses the schema is denied by the Rego (doel-onbekend)."""
    rng = random.Random(f"{SEED}:purpose")
    refused = 0
    for index, input in generated(world, 0, 1000):
        hostile = with_unknown_purpose(input, rng)
        with pytest.raises(PolicyInputInvalid):
            canonical(hostile)
        refused += 1
        # Bypassing the schema: an empty purpose is no purpose (doel-ontbreekt, checked by
        # the tables); every other one must be denied as unknown by both engines.
        if index % 5 == 0 and hostile["context"]["purpose"] != "":
            bypassed = CanonicalInput(hostile)  # as if a caller skipped the schema
            for name, outcome in (
                ("regopy", engines.regopy(bypassed)),
                ("regorus", engines.regorus(bypassed)),
            ):
                assert isinstance(outcome, dict), f"{name} on #{index}: {outcome}"
                decision = Decision.from_result(outcome)
                assert not decision.allow, f"{name} allowed an unknown purpose: {hostile}"
                assert "doel-onbekend" in decision.codes, f"{name}: {decision.to_dict()}"
    assert refused == 1000
    assert len(set(UNKNOWN_PURPOSES)) >= 5


def test_generated_inputs_reach_every_rule(
    world: World, engines: Engines, policy_source: PolicySource
) -> None:
    """The generator is only worth its inputs if they exercise the policy: every basis is
    granted, and every reason code of the Rego is given, on some generated input."""
    given: Counter[str] = Counter()
    granted: Counter[str] = Counter()
    allowed = 0
    for index in range(N):
        decision = _SEEN.get(index) or Decision.from_result(
            engines.reference.evaluate_raw(next(generated(world, index, 1))[1])
        )
        allowed += decision.allow
        given.update(decision.codes)
        if decision.allow:
            granted.update(r.code for r in decision.allowed_by)
    rego_text = "\n".join(m.text for m in policy_source.modules)
    codes = set(re.findall(r'(?:deny|allow)_reason\(\s*"([a-z0-9-]+)"', rego_text))
    bases = RegoQuery(policy_source, ["basis_messages"]).codes("basis_messages")
    # Refused by the schema before evaluation (checked on raw inputs above and in the tables).
    schema_only = {
        "doel-onbekend",  # purposes are codes
        "actie-onbekend",  # actions are codes
        "deling-grondslag-ongeldig",  # legal bases are codes
        "groep-persoonsgegevens-onbekend",  # contains_person_identifiers is required
    }
    assert bases - set(granted) == set(), f"bases never granted: {bases - set(granted)}"
    assert codes - schema_only - set(given) == set(), "reason codes never given"
    assert allowed >= N // 10, f"only {allowed} of {N} inputs allowed: too few to test"


def test_generator_draws_every_code_of_the_schema(world: World) -> None:
    """Every code of the schema's lists, every tenant and both kinds of subject occur in the
    generated inputs (so a code added to the schema is generated without editing the test)."""
    seen: dict[str, set[Any]] = {name: set() for name in EXPECTED_CODES}
    for _, input in generated(world, 0, N):
        subject, context, resource = input["subject"], input["context"], input["resource"]
        seen["roles"].update(subject["roles"])
        seen["kind"].add(subject["kind"])
        seen["subject tenant"].add(subject["tenant"])
        seen["action"].add(input["action"])
        seen["purpose"].add(context.get("purpose"))
        seen["legal_basis"].add(context.get("legal_basis"))
        seen["art9_exception"].add(context.get("art9_exception"))
        seen["beroepsgeheim_ground"].add(context.get("beroepsgeheim_ground"))
        seen["type"].add(resource["type"])
        seen["casus_kind"].add(resource.get("casus_kind"))
        seen["phase"].add(resource.get("phase"))
        seen["group_step"].add(resource.get("group_step"))
        seen["category"].add(resource.get("category"))
        seen["resource tenant"].add(resource.get("tenant"))
        seen["ref tenant"].update(r["tenant"] for r in refs(input))
    expected = {name: codes(world) for name, codes in EXPECTED_CODES.items()}
    missing = {name: sorted(map(str, expected[name] - seen[name])) for name in expected}
    assert not any(missing.values()), f"never generated: {missing}"


EXPECTED_CODES: dict[str, Callable[[World], set[Any]]] = {
    "roles": lambda w: set(ROLES) | {"analytics"},
    "kind": lambda w: {"user", "service"},
    "subject tenant": lambda w: set(w.tenants) | set(UNKNOWN_TENANTS),
    "action": lambda w: set(ACTIONS),
    "purpose": lambda w: set(PURPOSES) | {None},
    "legal_basis": lambda w: set(LEGAL_BASES_ART6) | {"convenant", None},
    "art9_exception": lambda w: set(LEGAL_BASES_ART9) | {None},
    "beroepsgeheim_ground": lambda w: set(BEROEPSGEHEIM_GROUNDS) | {None},
    "type": lambda w: set(RESOURCE_TYPES),
    "casus_kind": lambda w: {"persoon", "groep", None},
    "phase": lambda w: set(PHASES) | {None},
    "group_step": lambda w: {*range(1, 8), None},
    "category": lambda w: set(DATA_CATEGORIES) | {None},
    "resource tenant": lambda w: set(w.tenants) | set(UNKNOWN_TENANTS) | {None},
    "ref tenant": lambda w: set(w.tenants) | set(UNKNOWN_TENANTS),
}


def pages(world: World) -> Iterator[tuple[int, dict[str, Any], str, dict[str, Any], list[Any]]]:
    for page in range(PAGES):
        gen = Generator(world, random.Random(f"{SEED}:page:{page}"))
        subject, action, context, resources = gen.page(gen.rng.randint(20, 50))
        yield page, subject, action, context, resources


def test_batch_rule_on_regorus_equals_single_decisions(world: World, engines: Engines) -> None:
    """batch.rego (``decisions``, what the OPA server evaluates for a page), run on regorus
    with one engine instance for all pages, gives per resource exactly the single decision
    of regorus and of regopy; and regopy's page evaluation (``decide_many``, which production
    uses) gives its single decisions."""
    failures: list[str] = []
    resources_seen = 0
    for page, subject, action, context, resources in pages(world):
        inputs = build_inputs(subject, action, context, resources)
        head = {k: v for k, v in inputs[0].items() if k != "resource"}
        batch = engines.reference.evaluate_batch_raw(
            {**head, "resources": [i["resource"] for i in inputs]}
        )
        assert isinstance(batch, list) and len(batch) == len(inputs), f"page {page}: {batch}"
        resources_seen += len(inputs)
        for position, (input, b) in enumerate(zip(inputs, batch, strict=True)):
            single, embedded = engines.regorus(input), engines.regopy(input)
            if not raw_decision(b) == single == embedded:
                failures.append(
                    f"page {page} resource {position}: batch {raw_decision(b)}\n"
                    f"    single {single}\n    regopy {embedded}\n"
                    f"    input {json.dumps(input, ensure_ascii=False)}"
                )
        if not failures:
            many = engines.embedded.decide_many(subject, action, context, resources)
            assert many == [engines.embedded.decide(i) for i in inputs], f"page {page}"
    assert resources_seen >= 20 * PAGES
    assert not failures, f"{len(failures)} of {resources_seen} differ:\n" + "\n".join(failures[:2])


def test_batch_of_no_resources_is_empty(engines: Engines) -> None:
    head = canonical(
        {
            "subject": {"kind": "user", "tenant": "GM0355", "user_id": "u", "organisation": "x"},
            "action": "list",
            "context": {"now": "2026-11-20T10:00:00Z", "purpose": "casusoverleg"},
        }
    )
    assert engines.reference.evaluate_batch_raw({**head, "resources": []}) == []
