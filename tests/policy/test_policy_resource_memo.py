"""The memo of ``resource_doc`` (issue 14, ADR 0024 amendment `invoer`): the model's own answer
kept per exact raw resource. Differential: the model without the memo is the oracle, on
generated resources (the policy tests' generator, list-like resources as
``Workspace.resources`` builds them) and on each of them broken in odd ways; a refusal is the
model's refusal every time, never an answer from the memo; nothing downstream shares a
document."""

from __future__ import annotations

import array
import collections
import copy
import datetime as dt
import enum
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from policy_inputs import Generator, World

from services.platform.policy import input as policy_input
from services.platform.policy.input import (
    PolicyInputInvalid,
    Resource,
    _dump,
    _memoized_doc,
    _validate,
    build_inputs,
    input_doc,
    resource_doc,
)

SEED = "resource-memo"


def oracle(raw: Any) -> dict[str, Any]:
    """The model, as ``resource_doc`` was before the memo."""
    return _dump(_validate(Resource, raw, "resource"))


def outcome(call: Any, raw: Any) -> tuple[str, Any]:
    try:
        doc = call(raw)
    except PolicyInputInvalid as error:
        return "refused", str(error)
    return "doc", (_typed(doc), json.dumps(doc))  # types of every node; key order counts


def _typed(value: Any) -> Any:
    if type(value) is dict:
        return ("dict", [(type(k).__name__, k, _typed(v)) for k, v in value.items()])
    if type(value) is list:
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, value)


@pytest.fixture(scope="module")
def world(policy_data: dict[str, Any]) -> World:
    return World.from_policy_data(policy_data)


@pytest.fixture(autouse=True)
def empty_memo() -> Iterator[None]:
    _memoized_doc.cache_clear()
    yield
    _memoized_doc.cache_clear()


class Code(enum.StrEnum):
    GM0355 = "GM0355"
    CASUS = "casus"


class Text(str):
    pass


class Number(int):
    pass


class Doc(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


def list_like(rng: random.Random) -> dict[str, Any]:
    """A resource as ``services.casework.workspace._policy_resource`` builds it."""
    tenant = rng.choice(["GM0355", "GM0344", "RGUTRECHT"])
    kind = rng.choice(["persoon", "groep"])
    res: dict[str, Any] = {
        "type": rng.choice(["casus", "casus", "informatie_item", "plan"]),
        "tenant": tenant,
        "casus_id": f"{rng.getrandbits(128):032x}",
        "casus_kind": kind,
        "phase": rng.choice(sorted(policy_input.PHASES)),
        "participants": [
            {"tenant": tenant, "id": o}
            for o in sorted(rng.sample(["politie-zeist", "ggd", "wijkteam", "jeugd"], 2))
        ],
        "regisseurs": [{"tenant": tenant, "id": "u-regisseur"}] if rng.random() < 0.5 else [],
        "shared_with_tenants": sorted(rng.sample(["GM0344", "GM0307"], rng.randint(0, 2))),
    }
    if rng.random() < 0.5:
        res["uitvoeringscoordinator"] = {"tenant": tenant, "id": "u-coordinator"}
    if kind == "groep":
        res["group_step"] = rng.randint(1, 7)
        res["contains_person_identifiers"] = rng.random() < 0.5
    else:
        res["contains_person_identifiers"] = True
    return res


#: Odd values: each replaces a field (or a member of a list, or a reference's value).
ODD: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    8,
    1.0,
    -0.0,
    "",
    "GM0355\n",
    "x" * 201,
    "onbekend",
    Text("GM0355"),
    Code.GM0355,
    Code.CASUS,
    Number(1),
    b"GM0355",
    bytearray(b"GM0355"),
    memoryview(b"casus"),
    array.array("b", [1]),
    (),
    ("GM0355",),
    [],
    ["GM0355"],
    [{"tenant": "GM0355", "id": "ggd"}],
    ({"tenant": "GM0355", "id": "ggd"},),
    Items([{"tenant": "GM0355", "id": "ggd"}]),
    {},
    {"tenant": "GM0355", "id": "ggd"},
    {"tenant": "GM0355", "id": "ggd", "extra": "x"},
    {"tenant": "GM0355"},
    {"id": "ggd", "tenant": "GM0355"},
    Doc(tenant="GM0355", id="ggd"),
    collections.OrderedDict(tenant="GM0355", id="ggd"),
    {"recorded": True},
    {"recorded": 1},
    {"tenant": b"GM0355", "id": "ggd"},
    {"user": {"tenant": "GM0355", "id": "u"}, "reason": "r", "expires_at": "2026-11-20T10:00:00Z"},
    dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    {1, 2},
    frozenset(),
)


def broken(raw: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``raw`` changed in one to three places: an odd value in a field, in a list, in a
    reference; a key dropped, an unknown key, the keys shuffled."""
    out = copy.deepcopy(raw)
    for _ in range(rng.randint(1, 3)):
        how = rng.random()
        keys = list(out)
        if how < 0.45 and keys:
            out[rng.choice(keys)] = rng.choice(ODD)
        elif how < 0.6:
            lists = [k for k, v in out.items() if type(v) is list and v]
            if lists:
                members = out[rng.choice(lists)]
                members[rng.randrange(len(members))] = rng.choice(ODD)
        elif how < 0.75:
            refs = [
                v
                for v in out.values()
                if type(v) is dict and "tenant" in v  # a reference, changed in place
            ]
            if refs:
                ref = rng.choice(refs)
                ref[rng.choice(["tenant", "id", "extra"])] = rng.choice(ODD)
        elif how < 0.85 and keys:
            del out[rng.choice(keys)]
        elif how < 0.93:
            out[rng.choice(["unknown", "naam", "bsn", 1, b"type"])] = "x"  # type: ignore[index]
        else:
            items = list(out.items())
            rng.shuffle(items)
            out = dict(items)
    return out


def raws(world: World, count: int) -> Iterator[dict[str, Any]]:
    for index in range(count):
        rng = random.Random(f"{SEED}:{index}")
        generated = Generator(world, rng).input().get("resource")
        valid = generated if generated is not None else list_like(rng)
        yield valid
        yield list_like(rng)
        yield broken(valid, rng)
        yield broken(list_like(rng), rng)


def test_the_memo_answers_what_the_model_answers(world: World) -> None:
    """Each raw resource three times (a memo miss, then hits), interleaved with the others
    (an odd twin after its valid original, the original again after the twin): the same
    document, type for type and key for key, or the same refusal with the same message."""
    seen = {"doc": 0, "refused": 0}
    generated = list(raws(world, 600))
    for round_ in range(3):
        for raw in generated if round_ != 1 else reversed(generated):
            expected = outcome(oracle, raw)
            assert outcome(resource_doc, raw) == expected, raw
            seen[expected[0]] += 1
    assert seen["doc"] > 3 * 1000 and seen["refused"] > 3 * 600, seen
    assert _memoized_doc.cache_info().hits > 2 * 1000  # the memo is used


def test_an_odd_value_in_any_field_is_the_models_answer(world: World) -> None:
    """Every field of list-like and generated resources set to each odd value, and dropped,
    one at a time, each right after the valid resource was memoized."""
    rng = random.Random(f"{SEED}:fields")
    bases = [list_like(rng) for _ in range(3)] + [
        r for r in (Generator(world, rng).input().get("resource") for _ in range(6)) if r
    ]
    for base in bases:
        for key in list(base):
            for value in (*ODD, _DROP):
                resource_doc(base)  # memoized (when valid)
                raw = dict(base)
                if value is _DROP:
                    del raw[key]
                else:
                    raw[key] = value
                assert outcome(resource_doc, raw) == outcome(oracle, raw), (key, value)
                assert outcome(resource_doc, raw) == outcome(oracle, raw), (key, value)


_DROP = object()


def test_a_refused_resource_is_never_memoized() -> None:
    """A valid resource and its twins the model refuses, which equal it in Python (``True ==
    1``, ``(x,) `` for ``[x]``, a ``str`` subclass): each twin refused every time, the memo
    holding only the valid one."""
    rng = random.Random(f"{SEED}:twins")
    base = list_like(rng) | {"casus_kind": "groep", "group_step": 1, "withheld": True}
    twins = [
        base | {"group_step": True},
        base | {"withheld": 1},
        base | {"group_step": 1.0},
        base | {"participants": tuple(base["participants"])},
        base | {"shared_with_tenants": ("GM0344",)},
        base | {"participants": [{"tenant": b"GM0355", "id": "ggd"}]},
        base | {"casus_id": bytearray(b"c-1")},
        base | {"tenant": "GM0355\n"},
    ]
    doc = oracle(base)
    for _ in range(3):
        assert resource_doc(base) == doc
        for twin in twins:
            with pytest.raises(PolicyInputInvalid) as refused:
                resource_doc(twin)
            with pytest.raises(PolicyInputInvalid) as expected:
                oracle(twin)
            assert str(refused.value) == str(expected.value)
    assert _memoized_doc.cache_info().currsize == 1


def test_a_bytes_like_value_is_refused_wherever_it_is() -> None:
    """What the memo's exactness rests on: marshal writes bytes, bytearray, memoryview and
    array alike, and the model refuses each of them in every place of a resource, so no
    accepted resource has a key that a resource with one of them could share."""
    rng = random.Random(f"{SEED}:bytes")
    base = list_like(rng) | {"chair": {"tenant": "GM0355", "id": "u-voorzitter"}}
    base["consent"] = {"recorded": True, "purpose": "aanmelding"}
    places: list[Any] = []
    for key, value in base.items():
        places.append((key,))
        if type(value) is list and value:
            places.append((key, 0))
            if type(value[0]) is dict:
                places += [(key, 0, member) for member in value[0]]
        if type(value) is dict:
            places += [(key, member) for member in value]
    for make in (bytes, bytearray, memoryview, lambda b: array.array("B", b)):
        for place in places:
            raw = copy.deepcopy(base)
            target: Any = raw
            for step in place[:-1]:
                target = target[step]
            old = target[place[-1]]
            target[place[-1]] = make(str(old).encode() if isinstance(old, str) else b"1")
            with pytest.raises(PolicyInputInvalid):
                oracle(raw)
    for key in (b"type", memoryview(b"type")):  # the hashable ones, as a key
        with pytest.raises(PolicyInputInvalid):
            oracle(base | {key: "x"})


def test_every_call_gets_its_own_document() -> None:
    """A document changed by its receiver changes no later answer: no two calls share a
    container."""
    raw = list_like(random.Random(f"{SEED}:own")) | {
        "uitvoeringscoordinator": {"tenant": "GM0355", "id": "u-coordinator"}
    }
    expected = oracle(raw)
    first = resource_doc(raw)
    second = resource_doc(raw)
    assert first == second == expected
    containers = [id(v) for v in _containers(first)]
    assert not set(containers) & {id(v) for v in _containers(second)}
    first["participants"].append({"tenant": "GM0355", "id": "ingevoegd"})
    first["uitvoeringscoordinator"]["id"] = "veranderd"
    first["phase"] = "archief"
    del first["tenant"]
    assert resource_doc(raw) == expected
    assert outcome(resource_doc, raw) == outcome(oracle, raw)


def _containers(value: Any) -> Iterator[Any]:
    if type(value) in (dict, list):
        yield value
        for member in value.values() if type(value) is dict else value:
            yield from _containers(member)


def test_a_raw_changed_after_the_call_is_answered_anew() -> None:
    """The key is taken before validation: the same dict changed afterwards is a new key."""
    raw = list_like(random.Random(f"{SEED}:later")) | {"casus_kind": "persoon"}
    raw.pop("group_step", None)
    assert resource_doc(raw) == oracle(raw)
    raw["phase"] = "onbekend"
    with pytest.raises(PolicyInputInvalid):
        resource_doc(raw)
    raw["phase"] = "archief"
    assert resource_doc(raw) == oracle(raw)


def test_an_urgent_access_is_not_memoized() -> None:
    """Its reason is free text: the memo keeps no text of a request."""
    raw = list_like(random.Random(f"{SEED}:urgent")) | {
        "urgent_access": {
            "user": {"tenant": "GM0355", "id": "u-x"},
            "reason": "acute zorg, zie melding",
            "expires_at": "2026-11-20T10:00:00Z",
        }
    }
    for _ in range(2):
        assert outcome(resource_doc, raw) == outcome(oracle, raw)
    assert _memoized_doc.cache_info().currsize == 0


def test_a_page_is_the_models_page(world: World) -> None:
    """``build_inputs`` with the memo, twice: each input equal (as JSON text) to the one made
    by the model alone."""
    for index in range(40):
        rng = random.Random(f"{SEED}:page:{index}")
        subject, action, context, resources = Generator(world, rng).page(rng.randint(1, 50))
        resources += [list_like(rng) for _ in range(rng.randint(0, 10))]
        head = input_doc({"subject": subject, "action": action, "context": context})
        expected = [json.dumps({**head, "resource": oracle(r)}) for r in resources]
        for _ in range(2):
            got = build_inputs(subject, action, context, resources)
            assert [json.dumps(i) for i in got] == expected


def test_the_same_resource_built_another_way_is_the_same_entry() -> None:
    """The key depends on values and types only, not on which objects are shared or
    interned (as each request builds its resources anew): one entry, then hits."""
    import sys

    def built(shared: bool) -> dict[str, Any]:
        tenant = sys.intern("GM0355") if shared else "".join(["GM03", "55"])
        other = tenant if shared else "".join(["GM", "0355"])
        return {
            "type": "casus",
            "tenant": tenant,
            "casus_id": "".join(["c-", "1"]),
            "casus_kind": "persoon",
            "phase": "plan",
            "participants": [{"tenant": other, "id": "ggd"}, {"tenant": tenant, "id": "wijk"}],
            "regisseurs": [],
            "contains_person_identifiers": True,
        }

    first, second = built(True), built(False)
    assert resource_doc(first) == resource_doc(second) == oracle(first)
    info = _memoized_doc.cache_info()
    assert (info.currsize, info.misses, info.hits) == (1, 1, 1)
