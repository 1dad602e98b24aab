"""Random well-typed (and ill-typed) inputs for every route with a body or form.

Each input starts from the route's example (``opt["voorbeeld"]``; for web forms the generic
form of probes.py) and gets one to three mutations from one seeded generator: ids of other
tenants and other casussen (casus, item, person, meeting, user and organisation ids),
unknown codes, missing fields, unknown fields, wrong types, empty and oversized values,
impossible dates, extreme numbers, and odd query parameters. The answers are judged by the
same runner as the hostile probes (leaks, writes, and any 5xx), and an API error must be a
problem+json.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Subject
from .oracle import Oracle
from .probes import Generator, Probe
from .routes import Route
from .world import World

Mutation = Callable[[Any, random.Random], Any]


@dataclass
class Pools:
    """Values from the world that a hostile input may borrow."""

    casus_ids: list[str]
    item_ids: list[str]
    person_ids: list[str]
    meeting_ids: list[str]
    user_ids: list[str]
    organisations: list[str]

    @classmethod
    def of(cls, world: World) -> Pools:
        casussen = list(world.casussen.values())
        return cls(
            casus_ids=[c.id for c in casussen],
            item_ids=[i.id for c in casussen for i in c.items],
            person_ids=[p for c in casussen for p in c.person_ids],
            meeting_ids=[m.id for m in world.meetings.values()],
            user_ids=sorted({s.user_id for s in world.subjects}),
            organisations=sorted({o.id for m in world.manifests.values() for o in m.organisations}),
        )


ODD_STRINGS = (
    "",
    " ",
    "bestaat-niet",
    "x" * 70,
    "y" * 25_000,
    "Ünïcødé ✓ 😀",
    "'; DROP TABLE casussen; --",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\u0000",
    "2026-02-30",
    "9999-12-31T23:59:59+14:00",
    "00000000-0000-0000-0000-000000000000",
    "NaN",
)
ODD_VALUES: tuple[Any, ...] = (None, True, 0, -1, 2**63, 1.5e308, [], {}, [None], {"x": 1})


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*prefix, i))
    return found


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    parent = _get(doc, path[:-1])
    parent[path[-1]] = value


def _delete(doc: Any, path: tuple[Any, ...]) -> None:
    parent = _get(doc, path[:-1])
    del parent[path[-1]]


class Mutator:
    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.pools = pools
        self.rng = rng

    def borrowed(self, current: Any) -> Any:
        """An id or code from somewhere else in the world (other tenant, other casus)."""
        p, r = self.pools, self.rng
        if isinstance(current, str) and len(current) == 36 and current.count("-") == 4:
            pool = r.choice([p.casus_ids, p.item_ids, p.person_ids, p.meeting_ids])
            return r.choice(pool) if pool else str(uuid.uuid4())
        return r.choice(r.choice([p.organisations, p.user_ids]))

    def mutate(self, body: Any) -> tuple[Any, str]:
        doc = copy.deepcopy(body)
        r = self.rng
        paths = _paths(doc)
        choice = r.random()
        if not paths or choice < 0.04:
            whole = r.choice([[], "tekst", None, 42, [doc], {"": doc}])
            return whole, f"hele body: {type(whole).__name__}"
        path = r.choice(paths)
        current = _get(doc, path)
        where = ".".join(str(p) for p in path)
        if choice < 0.30:
            value = self.borrowed(current)
            _set(doc, path, value)
            return doc, f"{where} := ander id {value}"
        if choice < 0.45:
            _delete(doc, path)
            return doc, f"{where} weggelaten"
        if choice < 0.60:
            value = r.choice(ODD_STRINGS)
            _set(doc, path, value)
            return doc, f"{where} := {value[:20]!r}"
        if choice < 0.75:
            value = r.choice(ODD_VALUES)
            _set(doc, path, value)
            return doc, f"{where} := {value!r:.20}"
        if choice < 0.85 and isinstance(current, list):
            value = [copy.deepcopy(current[0]) if current else None] * r.choice([0, 60, 300])
            _set(doc, path, value)
            return doc, f"{where} := lijst van {len(value)}"
        target = _get(doc, path[:-1]) if len(path) > 1 else doc
        if isinstance(target, dict):
            target["onbekend_" + str(r.randint(0, 99))] = r.choice(ODD_VALUES)
            return doc, f"{where}: onbekend veld"
        value = self.borrowed(current)
        _set(doc, path, value)
        return doc, f"{where} := ander id {value}"


ODD_QUERY: dict[str, tuple[str, ...]] = {
    "doel": ("marketing", "", "CASUSOVERLEG", "x" * 300),
    "limiet": ("-1", "0", "100000", "abc"),
    "cursor": ("garbage", "2026-01-01T00:00:00_nietuuid", "_"),
    "sinds": ("gisteren", "9999-99-99"),
    "criteria": (",,,", "bestaat-niet", "x" * 500),
    "fase": ("bestaat-niet", ""),
    "soort": ("alien",),
    "horizon_dagen": ("-5", "999999999"),
    "actie": ("delete", ""),
    "categorie": ("geheim",),
    "over_persoon_id": ("niet-een-uuid", str(uuid.UUID(int=0))),
    "wanneer": ("ooit",),
    "na": ("garbage",),
}


@dataclass
class FuzzSource:
    gen: Generator
    world: World
    oracle: Oracle
    mutator: Mutator
    rng: random.Random

    def subject_for(self, route: Route, casus_key: str | None) -> Subject:
        """Mostly someone who may act on the casus (to get past the policy to the body)."""
        people = self.world.subjects
        if casus_key is not None and self.rng.random() < 0.7:
            casus = self.world.casussen[casus_key]
            writers = [s for s in people if self.oracle.access(s, casus).write]
            if writers:
                return self.rng.choice(writers)
        if route.path.startswith("/api/v1/beheer") and self.rng.random() < 0.7:
            return self.rng.choice([s for s in people if "platformbeheerder" in s.roles])
        if route.path.startswith("/api/v1/gebruikers") and self.rng.random() < 0.7:
            return self.rng.choice([s for s in people if "tenantbeheerder" in s.roles])
        return self.rng.choice(people)

    def probe(self, route: Route) -> Probe:
        casus = self.rng.choice(list(self.world.casussen.values())) if route.casus_scoped else None
        s = self.subject_for(route, casus.key if casus else None)
        probe = self.gen.make(route, s, casus, "invoer")
        steps = []
        for _ in range(self.rng.randint(1, 3)):
            if probe.form is not None:
                form, how = self.mutator.mutate(probe.form)
                if isinstance(form, dict):
                    form.setdefault("csrf_token", probe.form.get("csrf_token"))
                    probe.form = {
                        k: [str(x) for x in v] if isinstance(v, list) else str(v)
                        for k, v in form.items()
                    }
                steps.append(how)
            elif probe.json is not None or route.has_body:
                probe.json, how = self.mutator.mutate(probe.json if probe.json is not None else {})
                steps.append(how)
        # The web pages ignore an unknown purpose by design (they fall back to the phase).
        odd = [q for q in route.query if q in ODD_QUERY and not (route.web and q == "doel")]
        if odd and self.rng.random() < 0.5:
            name = self.rng.choice(odd)
            value = self.rng.choice(ODD_QUERY[name])
            sep = "&" if "?" in probe.url else "?"
            probe.url += f"{sep}{name}={value}"
            probe.purposes = (value,) if name == "doel" else probe.purposes
            steps.append(f"?{name}={value[:20]}")
        probe.detail = "; ".join(steps)
        return probe

    def probes(self, routes: list[Route], per_route: int) -> list[Probe]:
        return [self.probe(route) for route in routes for _ in range(per_route)]
