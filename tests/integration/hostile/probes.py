"""Generating the probes: route x subject x target ids, reads and writes, API and web.

Three layers, all from one seeded random generator:

1. coverage: every route x every role x every id class (own participated casus, own
   non-participated casus, a casus shared with the own tenant, another gemeente of the
   region, another region) at least once, where such a subject and casus exist;
2. focus: every item, group-member and plan-version route on the rich casus of every
   gemeente x every user of that gemeente x every item/person/version;
3. fill: random route x subject x target draws up to the budget.

Path ids come from the world (own or another casus's items, persons, consents, meetings,
grants, users, tenant codes); bodies are the routes' examples (``opt["voorbeeld"]``) turned
hostile: placeholder users and organisations become the caller's own (self-appointment,
self-invitation), placeholder casus ids become the target. Web forms get a generic form
with a valid CSRF token for the caller's login, plus per-form values where one field name
means different things (``reden`` is a code for afsluiting, text elsewhere).
"""

from __future__ import annotations

import copy
import random
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from services.casework.domain import lifecycle
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
)

from .model import CasusRecord, Subject
from .oracle import Oracle
from .routes import Route
from .world import World

UNKNOWN_PURPOSES = ("marketing", "onbekend-doel")
#: Transitions that go through their own form (triage, afsluiting, heropenen).
SPECIAL_TARGETS = {
    "opgenomen",
    "doorverwezen",
    "niet_opgenomen",
    "afgeschaald",
    "opgeschaald",
    "gestopt",
}
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PLACEHOLDERS = {"onbekend", "onbekend-voorbeeld"}


@dataclass
class Probe:
    route: Route
    subject: Subject
    url: str
    targets: tuple[str, ...]  # casus keys named in the path or body
    id_class: str
    layer: str
    purposes: tuple[str, ...] | None = None  # the explicit doel; None: the route's default
    json: Any = None
    form: dict[str, Any] | None = None
    raw: str | None = None
    if_match: str | None = None
    detail: str = ""

    @property
    def primary(self) -> str | None:
        return self.targets[0] if self.targets else None

    def describe(self) -> str:
        return (
            f"{self.route} as {self.subject.key} [{self.id_class}] {self.url} {self.detail}".strip()
        )


@dataclass
class Versions:
    casus: dict[str, int]
    items: dict[str, int]
    plans: dict[str, int]
    meetings: dict[str, int]
    users: dict[tuple[str, str], int]


@dataclass
class ParamChoice:
    value: str
    targets: tuple[str, ...] = ()
    detail: str = ""
    version: str | None = None
    #: Probed for every subject in the layer without a casus (not one of a random sample).
    always: bool = False


@dataclass
class Generator:
    world: World
    routes: Sequence[Route]
    oracle: Oracle
    versions: Versions
    csrf_token: Callable[[Subject], str]
    manifest_text: Callable[[str, Subject], str]
    rng: random.Random
    probes: list[Probe] = field(default_factory=list)

    # -- ids ------------------------------------------------------------------------------

    def _casussen(self) -> list[CasusRecord]:
        return list(self.world.casussen.values())

    def _targets_for(self, s: Subject) -> dict[str, list[CasusRecord]]:
        classes: dict[str, list[CasusRecord]] = {}
        for casus in self._casussen():
            classes.setdefault(self.oracle.id_class(s, casus), []).append(casus)
        return classes

    def _other_casus(self, casus: CasusRecord) -> CasusRecord:
        others = [c for c in self._casussen() if c.key != casus.key]
        return self.rng.choice(others)

    def _param_choices(self, name: str, s: Subject, casus: CasusRecord | None) -> list[ParamChoice]:
        """Values for a path parameter other than casus_id."""
        w = self.world
        if name == "item_id":
            own = [
                ParamChoice(i.id, (), i.label, f'"v{self.versions.items.get(i.id, 1)}"')
                for i in (casus.items if casus else [])
            ]
            if casus is not None:
                other = self._other_casus(casus)
                own += [
                    ParamChoice(i.id, (other.key,), f"item van {other.key} ({i.label})")
                    for i in other.items[:1]
                ]
            return own or [ParamChoice(str(uuid.uuid4()), (), "onbekend item")]
        if name == "persoon_id" and casus is None:
            return self._person_choices(s)
        if name == "persoon_id":
            own = [
                ParamChoice(p, (), "persoon van de casus")
                for p in (casus.person_ids if casus else [])
            ]
            if casus is not None:
                other = self._other_casus(casus)
                own += [
                    ParamChoice(p, (other.key,), f"persoon van {other.key}")
                    for p in other.person_ids[:1]
                ]
            return own or [ParamChoice(str(uuid.uuid4()), (), "onbekende persoon")]
        if name == "consent_id":
            own = [
                ParamChoice(c, (), "toestemming van de casus")
                for c in (casus.consents if casus else [])
            ]
            foreign = [
                ParamChoice(c, (k.key,), f"toestemming van {k.key}")
                for k in self._casussen()
                for c in k.consents
                if casus is None or k.key != casus.key
            ]
            return own + self.rng.sample(foreign, min(1, len(foreign)))
        if name == "versie":
            versions = casus.plan_versions if casus else []
            return [ParamChoice(str(v), (), f"planversie {v}") for v in versions] + [
                ParamChoice("99", (), "planversie 99")
            ]
        if name == "overleg_id":
            return [
                ParamChoice(
                    m.id,
                    tuple(m.agenda),
                    f"overleg {m.key}",
                    f'"v{self.versions.meetings.get(m.id, 1)}"',
                )
                for m in w.meetings.values()
            ]
        if name == "grant_id":
            return [
                ParamChoice(g.id, (g.casus_key,), f"doorbreekglas {g.casus_key}") for g in w.grants
            ]
        if name == "user_id":
            colleagues = [x for x in w.subjects if x.tenant == s.tenant and x.user_id != s.user_id]
            strangers = [
                x
                for x in w.subjects
                if x.tenant != s.tenant
                and not any(y.tenant == s.tenant and y.user_id == x.user_id for y in w.subjects)
            ]
            picks = [
                ParamChoice(
                    s.user_id, (), "eigen gebruiker", self._user_version(s.tenant, s.user_id)
                )
            ]
            if colleagues:
                o = self.rng.choice(colleagues)
                picks.append(
                    ParamChoice(o.user_id, (), "collega", self._user_version(s.tenant, o.user_id))
                )
            if strangers:
                picks.append(
                    ParamChoice(
                        self.rng.choice(strangers).user_id,
                        (),
                        "gebruiker van andere tenant",
                        '"v1"',
                    )
                )
            return picks
        if name == "code":
            codes = sorted(w.manifests)
            same_region = [c for c in codes if c != s.tenant and w.manifests[c].region == s.region]
            other_region = [c for c in codes if w.manifests[c].region != s.region]
            picks = [ParamChoice(s.tenant, (), "eigen tenant")]
            if same_region:
                picks.append(ParamChoice(self.rng.choice(same_region), (), "tenant zelfde regio"))
            if other_region:
                picks.append(ParamChoice(self.rng.choice(other_region), (), "tenant andere regio"))
            return picks
        # A parameter this suite does not know yet (a new route): ids from the whole world.
        pool = [c.id for c in self._casussen()] + [i.id for c in self._casussen() for i in c.items]
        return [ParamChoice(self.rng.choice(pool), (), f"{name}: willekeurig id uit de wereld")]

    def _person_choices(self, s: Subject) -> list[ParamChoice]:
        """Persons for a route about a person (/personen/{id}: the AVG requests): the
        restricted subjects of the world (always), a subject of the own tenant, of another
        tenant and an unknown id."""
        restricted = [
            ParamChoice(c.subject_person, (c.key,), f"beperkte persoon van {c.key}", always=True)
            for c in self._casussen()
            if c.subject_person and c.subject_restricted
        ]
        others = [c for c in self._casussen() if c.subject_person and not c.subject_restricted]
        own = [c for c in others if c.tenant == s.tenant]
        foreign = [c for c in others if c.tenant != s.tenant]
        picks = [
            ParamChoice(str(c.subject_person), (c.key,), f"persoon van {c.key}")
            for c in (self.rng.choice(own) if own else None, self.rng.choice(foreign))
            if c is not None
        ]
        return [*restricted, *picks, ParamChoice(str(uuid.uuid4()), (), "onbekende persoon")]

    def _user_version(self, tenant: str, user: str) -> str:
        return f'"v{self.versions.users.get((tenant, user), 1)}"'

    # -- bodies ---------------------------------------------------------------------------

    def _next_state(self, casus: CasusRecord | None) -> str | None:
        if casus is None:
            return None
        allowed = [
            t for t in lifecycle.allowed_next(casus.kind, casus.state) if t not in SPECIAL_TARGETS
        ]
        return allowed[0] if allowed else None

    def hostile_json(self, route: Route, s: Subject, casus: CasusRecord | None) -> Any:
        if not route.has_body:
            return None
        body = copy.deepcopy(route.example) if route.example is not None else {}

        def mutate(value: Any, key: str = "") -> Any:
            if isinstance(value, dict):
                return {k: mutate(v, k) for k, v in value.items()}
            if isinstance(value, list):
                return [mutate(v, key) for v in value]
            if isinstance(value, str):
                if value in PLACEHOLDERS:
                    return s.user_id if "gebruiker" in key else s.organisation
                if UUID_TEXT.match(value) and casus is not None:
                    return casus.id
                if key == "naar":
                    return self._next_state(casus) or value
            return value

        body = mutate(body)
        if isinstance(body, dict) and route.method == "PATCH" and "/gebruikers/" in route.path:
            # Self-elevation (issue 9, defect 10): keep one's roles and add pga-expert.
            body = {**body, "rollen": sorted(s.roles | {"pga-expert"})}
        return body

    def web_form(
        self, route: Route, s: Subject, casus: CasusRecord | None, version: str | None
    ) -> dict[str, Any]:
        last = route.path.rstrip("/").rsplit("/", 1)[-1]
        form: dict[str, Any] = {
            "csrf_token": self.csrf_token(s),
            "naar": self._next_state(casus) or "in_triage",
            "reden": "Probe: reden van ten minste twintig tekens.",
            "besluit": "niet-opnemen",
            "criteria": [],
            "categorie": "algemeen",
            "titel": "Probe-titel",
            "inhoud": "Probe-inhoud.",
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "noodzaak": "Probe: noodzakelijk voor het overleg.",
            "persoon_geinformeerd": "ja",
            "organisatie": s.organisation,
            "deelname": "kern",
            "rol": "casusregisseur",
            "gebruiker": s.user_id,
            "tekst": "Probe: signaal over de groep.",
            "locatie": "Probeplein",
            "voornamen": "Probe",
            "achternaam": "Persoon",
            "waarom_integraal": "Probe: overlast en schulden tegelijk.",
            "geinformeerd": "ja",
            "groepsnaam": "Probegroep",
            "geen_reactie": "ja",
            "toelichting": "Probe: toelichting.",
        }
        overrides: Mapping[str, Mapping[str, Any]] = {
            "afsluiting": {"reden": "gestopt-overig"},
            "leden": {"rol": "kern"},
            "regie": {"rol": "casusregisseur"},
        }
        form.update(overrides.get(last, {}))
        if version is not None:
            form["versie"] = version.strip('"').removeprefix("v")
        return form

    # -- one probe ------------------------------------------------------------------------

    def make(
        self,
        route: Route,
        s: Subject,
        casus: CasusRecord | None,
        layer: str,
        fixed: Mapping[str, ParamChoice] | None = None,
    ) -> Probe:
        values: dict[str, str] = {}
        targets: list[str] = [casus.key] if casus else []
        details: list[str] = []
        version: str | None = f'"v{self.versions.casus.get(casus.id, 1)}"' if casus else None
        for name in route.params:
            if name == "casus_id":
                assert casus is not None
                values[name] = casus.id
                continue
            choice = (fixed or {}).get(name) or self.rng.choice(self._param_choices(name, s, casus))
            values[name] = choice.value
            targets += [t for t in choice.targets if t not in targets]
            if choice.detail:
                details.append(choice.detail)
            if choice.version:
                version = choice.version
        if casus is not None and route.path.endswith("/plan"):
            plans = casus.plan_versions
            version = f'"v{plans[-1]}"' if plans else "*"
        path = route.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        query: dict[str, str] = {}
        purposes: tuple[str, ...] | None = None
        checklist = "grondslag" in route.query  # uitleg: the checklist in the query string
        consent_without_purpose = checklist and self.rng.random() < 0.15
        if consent_without_purpose:  # the consent rules without a purpose to check against
            query.update({"actie": "share", "grondslag": "toestemming"})
        elif checklist:
            for name, pool in CHECKLIST_QUERY.items():
                if name in route.query and self.rng.random() < 0.4:
                    query[name] = self.rng.choice(pool)
        if "doel" in route.query and not consent_without_purpose:
            roll = self.rng.random()
            phase = PHASE_PURPOSE.get(casus.phase, "uitvoering") if casus else "casusoverleg"
            if roll < 0.5:
                doel = phase
            elif roll < 0.85 or route.web:
                doel = self.rng.choice(sorted(PURPOSES))
            else:
                doel = self.rng.choice(UNKNOWN_PURPOSES)
            query["doel"] = doel
            purposes = (doel,)
            details.append(f"doel={doel}")
        if "limiet" in route.query:
            query["limiet"] = "100"
        if (
            "over_persoon_id" in route.query
            and casus
            and casus.household_persons
            and self.rng.random() < 0.5
        ):
            query["over_persoon_id"] = casus.household_persons[0]
            details.append("over gezinslid")
        if "ook_verwijderd" in route.query and self.rng.random() < 0.5:
            query["ook_verwijderd"] = "true"
        if "actie" in route.query and "actie" not in query:
            query["actie"] = self.rng.choice(("read", "share", "withhold", "release", "update"))
        url = path + ("?" + urlencode(query) if query else "")
        probe = Probe(
            route=route,
            subject=s,
            url=url,
            targets=tuple(targets),
            id_class=self._id_class(s, casus, targets),
            layer=layer,
            purposes=purposes,
            detail=" ".join(details),
        )
        if route.write:
            probe.if_match = version
            if route.web:
                probe.form = self.web_form(route, s, casus, version)
            elif route.method == "POST" and route.path == "/api/v1/beheer/tenants":
                target = values.get("code") or self.rng.choice(sorted(self.world.manifests))
                probe.raw = self.manifest_text(target, s)
                probe.url += ("&" if "?" in probe.url else "?") + "proefdraai=false"
                probe.detail += f" manifest {target}"
            else:
                probe.json = self.hostile_json(route, s, casus)
            self._body_targets(probe)
        return probe

    def _id_class(self, s: Subject, casus: CasusRecord | None, targets: list[str]) -> str:
        """The class of the casus in the path, else of the first casus an id leads to (the
        agenda of an overleg, the casus of a grant), else ``geen-casus``."""
        first = casus or (self.world.casussen[targets[0]] if targets else None)
        return self.oracle.id_class(s, first) if first else "geen-casus"

    def _body_targets(self, probe: Probe) -> None:
        """Casussen named in the body (e.g. an agenda item) are targets too."""
        text = repr(probe.json) if probe.json is not None else ""
        for casus in self._casussen():
            if casus.id in text and casus.key not in probe.targets:
                probe.targets = (*probe.targets, casus.key)

    # -- the layers -----------------------------------------------------------------------

    def coverage(self) -> Iterator[Probe]:
        subjects_by_role: dict[str, list[Subject]] = {}
        for s in self.world.subjects:
            for role in s.roles:
                subjects_by_role.setdefault(role, []).append(s)
        for route in self.routes:
            for role in sorted(subjects_by_role):
                people = subjects_by_role[role]
                if not route.casus_scoped:
                    s = self.rng.choice(people)
                    yield self.make(route, s, None, "dekking")
                    continue
                seen: set[str] = set()
                for s in self.rng.sample(people, len(people)):
                    for cls, casussen in sorted(self._targets_for(s).items()):
                        if cls in seen:
                            continue
                        seen.add(cls)
                        yield self.make(route, s, self.rng.choice(casussen), "dekking")

    def focus(self) -> Iterator[Probe]:
        for casus in self._casussen():
            restricted_ids = {i.id for i in casus.items if i.restricted}
            if casus.subject_restricted and casus.subject_person:
                restricted_ids.add(casus.subject_person)
            restricted = bool(restricted_ids)
            if casus.label not in ("A", "G") and not restricted:
                continue
            # A casus with a beperking (art. 18 AVG) also for the tenants it was shared with.
            people = [
                s
                for s in self.world.subjects
                if s.tenant == casus.tenant or (restricted and s.tenant in casus.shared_with)
            ]
            for route in self.routes:
                names = [p for p in route.params if p in ("item_id", "persoon_id", "versie")]
                if not route.casus_scoped or not names:
                    continue
                for s in people:
                    for choice in self._param_choices(names[0], s, casus):
                        if choice.targets:  # ids of other casussen: the fill layer has those
                            continue
                        if casus.label not in ("A", "G") and choice.value not in restricted_ids:
                            continue  # only the restricted person and item of such a casus
                        # Refused web forms render the whole casus page again (slow): a
                        # fifth of them here, the other layers add more.
                        if route.web and self.rng.random() > 1 / 5:
                            continue
                        yield self.make(route, s, casus, "focus", {names[0]: choice})

    def fill(self, count: int) -> Iterator[Probe]:
        casussen = self._casussen()
        for _ in range(count):
            route = self.rng.choice(self.routes)
            s = self.rng.choice(self.world.subjects)
            casus = self.rng.choice(casussen) if route.casus_scoped else None
            yield self.make(route, s, casus, "willekeurig")

    def non_casus(self) -> Iterator[Probe]:
        """Routes without a casus: every subject, every value of their parameters."""
        for route in self.routes:
            if route.casus_scoped:
                continue
            for s in self.world.subjects:
                names = list(route.params)
                if not names:
                    yield self.make(route, s, None, "zonder-casus")
                    continue
                choices = self._param_choices(names[0], s, None)
                # The restricted persons always; otherwise two values (one next to those).
                always = [c for c in choices if c.always]
                rest = [c for c in choices if not c.always]
                count = min(1 if always else 2, len(rest))
                for choice in always + self.rng.sample(rest, count):
                    yield self.make(route, s, None, "zonder-casus", {names[0]: choice})


#: Values for the checklist gegevensdeling in a query string (uitleg).
CHECKLIST_QUERY: Mapping[str, tuple[str, ...]] = {
    "grondslag": (*LEGAL_BASES_ART6, "convenant"),
    "art9_uitzondering": tuple(LEGAL_BASES_ART9),
    "beroepsgeheim_grond": tuple(BEROEPSGEHEIM_GROUNDS),
    "categorie": tuple(DATA_CATEGORIES),
    "persoon_geinformeerd": ("true", "false"),
    "noodzaak": ("Nodig om de aanpak te kiezen.",),
}

#: The purpose that fits a phase when the caller names none (docs: casus lifecycle).
PHASE_PURPOSE: Mapping[str, str] = {
    "aanmelding": "aanmelding",
    "triage": "triage",
    "informeren": "informeren",
    "plan": "plan-van-aanpak",
    "uitvoering": "uitvoering",
    "monitoring": "monitoring",
    "afsluiting": "afsluiting",
    "nazorg": "nazorg",
    "archief": "afsluiting",
}


def generate(gen: Generator, budget: int) -> list[Probe]:
    """Coverage and focus first (deduplicated), then random fill up to the budget."""
    probes: list[Probe] = []
    seen: set[tuple[str, str, str, str]] = set()

    def add(p: Probe) -> None:
        key = (str(p.route), p.subject.key, p.url, repr(p.json))
        if key not in seen:
            seen.add(key)
            probes.append(p)

    for layer in (gen.coverage(), gen.non_casus(), gen.focus()):
        for p in layer:
            add(p)
    attempts = 0
    while len(probes) < budget and attempts < budget * 3:
        for p in gen.fill(min(500, budget - len(probes))):
            add(p)
        attempts += 500
    return probes
