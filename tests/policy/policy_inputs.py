"""Typed random policy inputs for the differential and invariant tests (issue 9).

Every value comes from the schema's own code lists (``tenants/reference.py``,
``services/policy/input.py``, ``services/policy/model.py``) and from the tenants and
organisations of the fixture policy data, so the generator follows the schema when a code is
added. The inputs are well-typed (they pass :func:`services.platform.policy.input.canonical`) but
hostile: subjects of every role combination and of every tenant, including unknown and
inactive tenants; user and organisation ids that exist in several tenants (a RGUTRECHT user
with the id of a GM0355 regisseur, ``reclassering-nederland`` in every gemeente); references
to the subject's own ids qualified with another tenant; boundary timestamps around the urgent
access window; whitespace-only and 19/20-character reasons.

Generation is deterministic for a given ``random.Random``: a run is reproducible from its seed
and the index of the input (see :func:`inputs`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.platform.policy.input import AVG_TYPES, CASUS_TYPES, PHASES, RESOURCE_TYPES, rfc3339
from services.platform.policy.model import ACTIONS
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
    ROLES,
)

JSON = dict[str, Any]

#: Roles that do casework (reference-data.md, Roles); used by the invariants, not the Rego.
CASEWORK_ROLES = frozenset(
    {"professional", "casusregisseur", "uitvoeringscoordinator", "pga-expert"}
)
AGGREGATE_TYPES = frozenset(RESOURCE_TYPES - CASUS_TYPES - AVG_TYPES - {"overleg"})

#: Well-typed tenant codes that no tenant in the policy data has.
UNKNOWN_TENANTS = ("GM9999", "RGONBEKEND")
#: User ids shared between tenants on purpose (the demo regisseur's id among them), so that a
#: reference of another tenant often carries the subject's own id.
USER_IDS = (
    "robin-visser",
    "u-regisseur",
    "u-pga-expert",
    "u-coordinator",
    "u-wijkagent",
    "analytics",
    "Robin.Visser@zeist.nl",
    "x" * 200,
)
UNKNOWN_ORGANISATION = "onbekende-organisatie"
#: Purposes that are not codes (or not spelled as one): the schema must refuse them.
UNKNOWN_PURPOSES = (
    "marketing",
    "onderzoek",
    "Triage",
    "triage ",
    " casusoverleg",
    "",
    "verantwoording-intern",
    "plan_van_aanpak",
    "TOESTEMMING",
    "doel-onbekend",
)
BASE_NOW = dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.UTC)
#: Offsets of an urgent access' expiry from ``now``: expired, at the instant, inside the
#: 24-hour window, exactly at its end, one second beyond, days beyond.
EXPIRY_OFFSETS = (
    dt.timedelta(hours=-1),
    dt.timedelta(seconds=-1),
    dt.timedelta(0),
    dt.timedelta(seconds=1),
    dt.timedelta(hours=4),
    dt.timedelta(hours=23, minutes=59, seconds=59),
    dt.timedelta(hours=24),
    dt.timedelta(hours=24, seconds=1),
    dt.timedelta(days=3),
)
#: Expiries at and just beyond the end of the 24-hour window (and just after now).
WINDOW_EDGES = EXPIRY_OFFSETS[3:8]
REASONS = (
    "",
    "   ",
    "spoed",
    "x" * 19,
    "   " + "y" * 19 + "   ",
    "z" * 20,
    "Acuut gevaar: dreiging met geweld tegen de ex-partner vannacht gemeld.",
)
#: The purpose a request in a phase would usually carry (a realistic request; the rules
#: themselves are not copied here: other purposes are drawn as often).
PHASE_PURPOSE = {
    "aanmelding": ("aanmelding",),
    "triage": ("triage", "aanmelding"),
    "informeren": ("informeren",),
    "plan": ("plan-van-aanpak", "casusoverleg"),
    "uitvoering": ("uitvoering", "casusoverleg"),
    "monitoring": ("monitoring",),
    "afsluiting": ("afsluiting",),
    "nazorg": ("nazorg",),
    "archief": ("afsluiting",),
}
TEXTS = (None, "", "  \t ", "noodzakelijk voor het plan van aanpak", "ja")


@dataclass(frozen=True)
class World:
    """The tenants and organisations of the policy data the inputs are drawn from."""

    tenants: tuple[str, ...]  # every tenant of the policy data, sorted
    organisations: Mapping[str, tuple[str, ...]]  # tenant -> its organisation ids, sorted
    all_organisations: tuple[str, ...]  # the union over all tenants, sorted

    @classmethod
    def from_policy_data(cls, data: Mapping[str, Any]) -> World:
        tenants = data["tenants"]
        orgs = {t: tuple(sorted(tenants[t].get("organisations", {}))) for t in sorted(tenants)}
        return cls(
            tenants=tuple(sorted(tenants)),
            organisations=orgs,
            all_organisations=tuple(sorted({o for ids in orgs.values() for o in ids})),
        )

    def is_active(self, tenant: str, data: Mapping[str, Any]) -> bool:
        return bool(data["tenants"].get(tenant, {}).get("active") is True)


def _sorted(codes: Any) -> list[str]:
    return sorted(codes)


ROLE_CODES = _sorted(ROLES)
PURPOSE_CODES = _sorted(PURPOSES)
ACTION_CODES = _sorted(ACTIONS)
TYPE_CODES = _sorted(RESOURCE_TYPES)
PHASE_CODES = _sorted(PHASES)
CATEGORY_CODES = _sorted(DATA_CATEGORIES)
LEGAL_BASIS_CODES = [*_sorted(LEGAL_BASES_ART6), "convenant"]
ART9_CODES = _sorted(LEGAL_BASES_ART9)
GROUND_CODES = _sorted(BEROEPSGEHEIM_GROUNDS)


class Generator:
    """Draws one typed policy input at a time from ``rng``."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng

    # -- small helpers ------------------------------------------------------------------------

    def _maybe(self, p: float, value: Any) -> Any:
        return value if self.rng.random() < p else None

    def tenant(self) -> str:
        """A tenant of the policy data (the first gemeente more often), sometimes unknown."""
        r = self.rng.random()
        if r < 0.05:
            return self.rng.choice(UNKNOWN_TENANTS)
        if r < 0.45:
            return "GM0355"
        return self.rng.choice(self.world.tenants)

    def other_tenant(self, *not_these: str) -> str:
        choices = [t for t in (*self.world.tenants, *UNKNOWN_TENANTS) if t not in not_these]
        return self.rng.choice(choices)

    def organisation_of(self, tenant: str) -> str:
        own = self.world.organisations.get(tenant, ())
        r = self.rng.random()
        if own and r < 0.85:
            return self.rng.choice(own)
        if r < 0.95:
            return self.rng.choice(self.world.all_organisations)  # often also in another tenant
        return UNKNOWN_ORGANISATION

    def roles(self) -> list[str]:
        r = self.rng.random()
        if r < 0.03:
            return []
        if r < 0.06:
            roles = list(ROLE_CODES)
        elif r < 0.36:
            roles = [self.rng.choice(sorted(CASEWORK_ROLES))]
        elif r < 0.66:
            roles = [self.rng.choice(ROLE_CODES)]
        else:
            roles = self.rng.sample(ROLE_CODES, self.rng.randint(2, 3))
        self.rng.shuffle(roles)
        return roles

    # -- the parts of an input ----------------------------------------------------------------

    def subject(self) -> JSON:
        tenant = self.tenant()
        if self.rng.random() < 0.06:
            roles = self.rng.choice(
                [["analytics"], [], ["onderzoeker"], ["analytics", "pga-expert"]]
            )
            service: JSON = {
                "kind": "service",
                "tenant": tenant,
                "user_id": self.rng.choice(["analytics", *USER_IDS[:3]]),
                "roles": roles,
            }
            if self.rng.random() < 0.3:
                service["organisation"] = self.organisation_of(tenant)
            return service
        return {
            "kind": "user",
            "tenant": tenant,
            "user_id": self.rng.choice(USER_IDS),
            "organisation": self.organisation_of(tenant),
            "roles": self.roles(),
        }

    def ref_tenant(self, subject: JSON, resource_tenant: str | None) -> str:
        """Mostly the resource's (or the subject's) tenant; often another one."""
        r = self.rng.random()
        if r < 0.6 and resource_tenant is not None:
            return resource_tenant
        if r < 0.82:
            return str(subject["tenant"])
        return self.other_tenant()

    def user_ref(self, subject: JSON, resource_tenant: str | None) -> JSON:
        own_id = self.rng.random() < 0.5
        return {
            "tenant": self.ref_tenant(subject, resource_tenant),
            "id": str(subject["user_id"]) if own_id else self.rng.choice(USER_IDS),
        }

    def org_ref(self, subject: JSON, resource_tenant: str | None) -> JSON:
        tenant = self.ref_tenant(subject, resource_tenant)
        own = subject.get("organisation")
        if own is not None and self.rng.random() < 0.5:
            return {"tenant": tenant, "id": str(own)}
        return {"tenant": tenant, "id": self.organisation_of(tenant)}

    def resource_tenant(self, subject: JSON) -> str:
        r = self.rng.random()
        if r < 0.72:
            return str(subject["tenant"])
        if r < 0.96:
            return self.rng.choice(self.world.tenants)
        return self.rng.choice(UNKNOWN_TENANTS)

    def resource(self, subject: JSON, now: dt.datetime) -> JSON:
        rng = self.rng
        # Casus resources carry almost every rule: draw them more often than the others.
        rtype = rng.choice(sorted(CASUS_TYPES)) if rng.random() < 0.75 else rng.choice(TYPE_CODES)
        casus = rtype in CASUS_TYPES
        tenant: str | None = self.resource_tenant(subject)
        # Meetings and the AVG resources are tenant-bound (the schema requires the tenant).
        if not casus and rtype != "overleg" and rtype not in AVG_TYPES and rng.random() < 0.5:
            tenant = None
        res: JSON = {"type": rtype}
        if tenant is not None:
            res["tenant"] = tenant
        if casus or rng.random() < 0.1:
            res["casus_kind"] = rng.choice(["persoon", "groep"]) if rng.random() < 0.7 else "groep"
        if casus or rng.random() < 0.1:
            res["contains_person_identifiers"] = rng.random() < 0.5
        kind = res.get("casus_kind")
        new_casus = casus and rtype == "casus" and rng.random() < 0.15
        if not new_casus and (casus or rng.random() < 0.1):
            res["casus_id"] = f"c-{rng.randint(1, 40)}"
            res["phase"] = rng.choice(PHASE_CODES)
        elif rng.random() < 0.3:
            res["phase"] = rng.choice(PHASE_CODES)
        if kind == "groep" and ("casus_id" in res or rng.random() < 0.5):
            res["group_step"] = rng.randint(1, 7)
        res["participants"] = [self.org_ref(subject, tenant) for _ in range(rng.randint(0, 4))]
        res["regisseurs"] = [self.user_ref(subject, tenant) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.6:
            res["uitvoeringscoordinator"] = self.user_ref(subject, tenant)
        if rng.random() < 0.35:
            res["chair"] = self.user_ref(subject, tenant)
        if rng.random() < 0.5:
            res["category"] = rng.choice(CATEGORY_CODES)
        if rng.random() < 0.5:
            res["source_organisation"] = self.org_ref(subject, tenant)
        if rng.random() < 0.2:
            res["withheld"] = True
        elif rng.random() < 0.3:
            res["withheld"] = False
        if rng.random() < 0.3:
            consent: JSON = {"recorded": rng.random() < 0.7}
            if rng.random() < 0.8:
                consent["purpose"] = rng.choice(PURPOSE_CODES)
            for flag in ("revoked", "power_imbalance"):
                if rng.random() < 0.4:
                    consent[flag] = rng.random() < 0.4
            res["consent"] = consent
        shared = rng.random()
        if shared < 0.25:
            res["shared_with_tenants"] = [str(subject["tenant"])]
        elif shared < 0.4:
            res["shared_with_tenants"] = rng.sample(list(self.world.tenants), rng.randint(1, 3))
        if rng.random() < 0.2:
            mine = {"tenant": subject["tenant"], "id": subject["user_id"]}
            res["urgent_access"] = {
                "user": mine if rng.random() < 0.5 else self.user_ref(subject, tenant),
                "reason": rng.choice(REASONS),
                "expires_at": rfc3339(now + rng.choice(EXPIRY_OFFSETS)),
            }
        if rng.random() < 0.05:
            res["restricted"] = True  # beperking (art. 18 AVG, rule 10)
        return res

    def now(self) -> dt.datetime:
        return BASE_NOW + dt.timedelta(
            days=self.rng.randint(-400, 400), microseconds=self.rng.choice([0, 0, 1, 123456])
        )

    def now_text(self, now: dt.datetime) -> str:
        """RFC 3339 in one of the spellings the schema accepts (it canonicalises them)."""
        r = self.rng.random()
        if r < 0.7:
            return rfc3339(now)
        offset = dt.timezone(dt.timedelta(hours=self.rng.choice([-11, 1, 2, 14])))
        return now.astimezone(offset).isoformat()

    def purpose(self) -> str | None:
        r = self.rng.random()
        if r < 0.07:
            return None
        if r < 0.5:  # the operational purposes most casework is done for
            return self.rng.choice(["casusoverleg", "plan-van-aanpak", "uitvoering", "triage"])
        return self.rng.choice(PURPOSE_CODES)

    def context(
        self, now: dt.datetime, resource: JSON | None = None, careful: bool = False
    ) -> JSON:
        """Half of the contexts (when the resource is known) are what a careful caller sends:
        the phase's usual purpose, no reliance on consent; the others are drawn freely."""
        rng = self.rng
        ctx: JSON = {"now": self.now_text(now)}
        if resource is not None and (careful or rng.random() < 0.5):
            phase = resource.get("phase")
            usual = PHASE_PURPOSE.get(phase, ("aanmelding",)) if phase else ("aanmelding",)
            ctx["purpose"] = rng.choice(usual)
            if rng.random() < 0.5:
                ctx["legal_basis"] = rng.choice(["publieke-taak", "wettelijke-verplichting"])
            if rng.random() < 0.3:
                ctx["art9_exception"] = "zwaarwegend-algemeen-belang"
            if rng.random() < 0.3:
                ctx["beroepsgeheim_ground"] = "conflict-van-plichten"
            if rng.random() < 0.5:
                ctx["necessity"] = "noodzakelijk voor het plan van aanpak"
                ctx["person_informed"] = True
            return ctx
        values: dict[str, Any] = {
            "purpose": self.purpose(),
            "legal_basis": self._maybe(0.5, rng.choice(LEGAL_BASIS_CODES)),
            "art9_exception": self._maybe(0.4, rng.choice(ART9_CODES)),
            "beroepsgeheim_ground": self._maybe(0.4, rng.choice(GROUND_CODES)),
            "necessity": rng.choice(TEXTS),
            "person_informed": rng.choice([None, True, False]),
            "not_informed_reason": rng.choice(TEXTS),
            "urgency_reason": self._maybe(0.15, rng.choice(REASONS)),
        }
        ctx.update({k: v for k, v in values.items() if v is not None})
        return ctx

    def action(self) -> str:
        read = self.rng.random() < 0.45
        return self.rng.choice(["read", "list"] if read else ACTION_CODES)

    def input(self) -> JSON:
        now = self.now()
        subject = self.subject()
        action = self.action()
        resource = self.resource(subject, now)
        careful = False
        if self.rng.random() < 0.08:
            action = self.break_the_glass(subject, resource, now)
            careful = True
        return {
            "subject": subject,
            "action": action,
            "context": self.context(now, resource, careful),
            "resource": resource,
        }

    def break_the_glass(self, subject: JSON, resource: JSON, now: dt.datetime) -> str:
        """Turn the request into an urgent-access attempt (doorbreekglas) by a caseworker of
        the casus' gemeente, at one of the window's boundaries; returns the action."""
        rng = self.rng
        if resource["type"] not in CASUS_TYPES or subject["kind"] != "user":
            return self.action()
        subject["roles"] = [rng.choice(sorted(CASEWORK_ROLES - {"pga-expert"}))]
        resource["tenant"] = subject["tenant"]
        careful = rng.random() < 0.6  # a written reason and a window within 24 hours
        resource["urgent_access"] = {
            "user": {"tenant": subject["tenant"], "id": subject["user_id"]},
            "reason": REASONS[-1] if careful else rng.choice(REASONS),
            "expires_at": rfc3339(now + rng.choice(WINDOW_EDGES if careful else EXPIRY_OFFSETS)),
        }
        for name in ("participants", "regisseurs"):
            if rng.random() < 0.7:
                resource[name] = []
        for name in ("category", "consent", "withheld"):
            if rng.random() < 0.7:
                resource.pop(name, None)
        return rng.choice(["read", "list", "read", *ACTION_CODES])

    def page(self, size: int) -> tuple[JSON, str, JSON, list[JSON]]:
        """One request's subject, action and context with ``size`` resources."""
        now = self.now()
        subject = self.subject()
        action = self.action()
        resources = [self.resource(subject, now) for _ in range(size)]
        return subject, action, self.context(now, resources[0]), resources


def inputs(world: World, seed: str, count: int) -> Iterator[JSON]:
    """``count`` inputs; the i-th depends only on (seed, i), so any one can be regenerated."""
    for index in range(count):
        yield Generator(world, random.Random(f"{seed}:{index}")).input()


def with_unknown_purpose(input: Mapping[str, Any], rng: random.Random) -> JSON:
    """The same input with a purpose that is not a purpose code."""
    out = dict(input)
    out["context"] = {**input["context"], "purpose": rng.choice(UNKNOWN_PURPOSES)}
    return out


# -- rewriting the references of an (already canonical) input ------------------------------------

REF_LIST_FIELDS = ("participants", "regisseurs")
REF_FIELDS = ("uitvoeringscoordinator", "chair", "source_organisation")


def map_refs(input: Mapping[str, Any], change: Any) -> JSON:
    """A copy of ``input`` with every tenant-qualified reference of the resource replaced by
    ``change(ref)`` (participants, regisseurs, coordinator, chair, source, urgent user)."""
    res = dict(input.get("resource") or {})
    for name in REF_LIST_FIELDS:
        if name in res:
            res[name] = [change(r) for r in res[name]]
    for name in REF_FIELDS:
        if name in res:
            res[name] = change(res[name])
    if "urgent_access" in res:
        res["urgent_access"] = {
            **res["urgent_access"],
            "user": change(res["urgent_access"]["user"]),
        }
    return {**input, "resource": res}


def refs(input: Mapping[str, Any]) -> Sequence[Mapping[str, str]]:
    found: list[Mapping[str, str]] = []
    map_refs(input, lambda r: found.append(r) or r)
    return found
