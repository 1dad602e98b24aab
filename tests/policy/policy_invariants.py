"""Properties every policy decision must have, whatever the input (issue 9, "Must show").

Each check takes a canonical input and its decision and returns the violations it finds (an
empty list when the decision is fine). The checks are written from the domain rules
(docs/policy.md, reference-data.md), not from the Rego: they are an independent statement of
what the Rego must never do. Codes and roles come from the schema's code lists.

The two reference rewrites (:func:`flip_own_refs`, :func:`blind_foreign_refs`) produce the
variant inputs for the "no basis from another tenant's identifiers" properties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from policy_inputs import AGGREGATE_TYPES, CASEWORK_ROLES, map_refs

from services.platform.policy.input import AVG_TYPES, CASUS_TYPES
from services.platform.policy.model import Decision
from tenants.reference import DATA_CATEGORIES

JSON = Mapping[str, Any]
READ_ACTIONS = frozenset({"read", "list"})
#: Actions that read or change an item's content (explain, create and transition do not).
ITEM_CONTENT_ACTIONS = frozenset({"read", "list", "update", "share", "withhold", "release"})
PERSON_CATEGORIES = frozenset(DATA_CATEGORIES) - {"algemeen"}
VIEW_RANK = {None: 0, "anoniem": 1, "pseudoniem": 2, "full": 3}
#: A reference id no subject of the generated inputs has.
NOBODY = "zz-niemand"


# -- facts about an input (tenant-qualified, as the domain defines them) --------------------------


class Facts:
    def __init__(self, input: JSON) -> None:
        self.input = input
        self.subject: JSON = input["subject"]
        self.action: str = input["action"]
        self.context: JSON = input["context"]
        self.resource: JSON = input.get("resource") or {}
        self.roles = frozenset(self.subject.get("roles", []))
        self.tenant: str = self.subject["tenant"]
        self.type: str = self.resource.get("type", "")

    def me(self, ref: JSON | None) -> bool:
        """The reference names the subject (user id AND tenant)."""
        return ref is not None and ref == {"tenant": self.tenant, "id": self.subject["user_id"]}

    def my_org(self, ref: JSON | None) -> bool:
        """The reference names the subject's organisation (id AND tenant)."""
        org = self.subject.get("organisation")
        return ref is not None and org is not None and ref == {"tenant": self.tenant, "id": org}

    @property
    def casus(self) -> bool:
        return self.type in CASUS_TYPES

    @property
    def tenant_bound(self) -> bool:
        return self.type not in AGGREGATE_TYPES

    @property
    def same_tenant(self) -> bool:
        return self.resource.get("tenant") == self.tenant

    @property
    def shared(self) -> bool:
        return not self.same_tenant and self.tenant in self.resource.get("shared_with_tenants", [])

    @property
    def caseworker(self) -> bool:
        return bool(self.roles & CASEWORK_ROLES)

    @property
    def participant(self) -> bool:
        return any(self.my_org(r) for r in self.resource.get("participants", []))

    @property
    def regisseur(self) -> bool:
        return any(self.me(r) for r in self.resource.get("regisseurs", []))

    @property
    def coordinator(self) -> bool:
        groep = self.resource.get("casus_kind") == "groep"
        return groep and self.me(self.resource.get("uitvoeringscoordinator"))

    @property
    def involved(self) -> bool:
        """Takes part in the casus with a casework role (matrix: regisseur, participating
        professional, pga-expert of the gemeente, appointed coordinator)."""
        return self.caseworker and (
            self.participant or self.regisseur or self.coordinator or "pga-expert" in self.roles
        )

    @property
    def urgent_requested(self) -> bool:
        reason = self.context.get("urgency_reason", "")
        return "urgent_access" in self.resource or bool(reason.strip())


# -- the invariants --------------------------------------------------------------------------------


def violations(input: JSON, decision: Decision, data: JSON) -> list[str]:
    """Every invariant that ``decision`` (for ``input``) breaks, as readable lines."""
    f = Facts(input)
    found: list[str] = []
    for check in CHECKS:
        found.extend(f"{check.__name__}: {v}" for v in check(f, decision, data))
    return found


def always_audited(f: Facts, d: Decision, data: JSON) -> list[str]:
    return [] if "audit" in d.obligation_codes else ["every attempt is audited"]


def tenant_isolation(f: Facts, d: Decision, data: JSON) -> list[str]:
    if not d.allow:
        return []
    out = []
    tenant = data["tenants"].get(f.tenant)
    if tenant is None or tenant.get("active") is not True:
        out.append(f"allowed for an unknown or inactive tenant {f.tenant}")
    org = f.subject.get("organisation")
    if f.subject["kind"] == "user" and org not in (tenant or {}).get("organisations", {}):
        out.append(f"allowed for organisation {org!r}, not a partner of {f.tenant}")
    if f.tenant_bound and not (f.same_tenant or f.shared):
        out.append("allowed on another tenant's resource that is not shared with it")
    if f.tenant_bound and f.shared:
        granted = {r.code for r in d.allowed_by} & {*BASES_ANY, "tenant-gedeeld"}
        if f.action not in {*READ_ACTIONS, "explain"}:
            out.append(f"a shared casus is read-only for the other tenant, allowed {f.action}")
        if f.action in READ_ACTIONS and "pga-expert" not in f.roles:
            out.append("a shared casus is opened only to the pga-expert of the other tenant")
        if granted - {"pga-expert-gedeeld", "uitleg", "tenant-gedeeld"}:
            out.append(f"a basis of the own tenant on a shared casus: {sorted(granted)}")
    return out


def full_view_only_for_the_matrix(f: Facts, d: Decision, data: JSON) -> list[str]:
    """The full view of a casus needs a casework role AND a relation to the casus; a reduced
    view is the adviseur's (pseudonymised) or the driehoek's (anonymised group plan)."""
    if not (d.allow and f.casus):
        return []
    out = []
    if d.view == "full":
        related = (
            f.same_tenant
            and (
                f.participant
                or f.regisseur
                or f.coordinator
                or "pga-expert" in f.roles
                or f.urgent_requested
                or (f.type == "casus" and f.action == "create")
            )
        ) or (f.shared and "pga-expert" in f.roles)
        if not f.caseworker:
            out.append(f"full view without a casework role (roles {sorted(f.roles)})")
        elif not related:
            out.append("full view without a relation to the casus")
    if d.view == "pseudoniem" and not ("adviseur" in f.roles and f.same_tenant):
        out.append("a pseudonymised view for someone who is not the gemeente's adviseur")
    if f.action == "explain":
        if d.view not in (None, "anoniem") or {r.code for r in d.allowed_by} & BASES_CONTENT:
            out.append(f"an explanation opened content: view {d.view}")
    elif not f.caseworker and "adviseur" not in f.roles:
        groep_plan = f.type == "plan" and f.resource.get("casus_kind") == "groep"
        if not ("driehoek" in f.roles and groep_plan and f.action in READ_ACTIONS):
            out.append(f"casework content for roles {sorted(f.roles)} (no casework role)")
        elif d.view != "anoniem":
            out.append(f"the driehoek sees the group plan {d.view}, not anonymised")
    if "driehoek" in f.roles and f.resource.get("casus_kind") == "groep" and f.action != "explain":
        if f.type != "plan":
            out.append(f"the driehoek reads a group {f.type}, only the plan is theirs")
        elif PERSON_CATEGORIES - set(d.mask):
            unmasked = sorted(PERSON_CATEGORIES - set(d.mask))
            out.append(f"the driehoek's group plan unmasks {unmasked}")
    return out


def researchers_see_aggregates_only(f: Facts, d: Decision, data: JSON) -> list[str]:
    analytics = f.subject["kind"] == "service" and (
        f.subject["user_id"] == "analytics" or "analytics" in f.roles
    )
    if d.allow and ("onderzoeker" in f.roles or analytics) and f.type not in AGGREGATE_TYPES:
        return [f"a researcher or the analytics service reads a {f.type}"]
    return []


def no_casework_for_verantwoording(f: Facts, d: Decision, data: JSON) -> list[str]:
    purpose = f.context.get("purpose")
    if d.allow and f.casus and purpose == "verantwoording" and f.action != "explain":
        return ["purpose verantwoording opened casework (statistics only)"]
    return []


def withheld_stays_withheld(f: Facts, d: Decision, data: JSON) -> list[str]:
    if not (d.allow and f.casus and f.resource.get("withheld") is True):
        return []
    if f.action == "share":
        return ["a withheld item was shared"]
    source = f.my_org(f.resource.get("source_organisation"))
    if f.action in ITEM_CONTENT_ACTIONS and not (source and f.involved and f.same_tenant):
        # The source decides within the casus' gemeente: an organisation of another tenant
        # (the bureau reading a shared casus) is never the source of the gemeente's item.
        return [f"a withheld item: {f.action} by someone who is not its involved source"]
    return []


def group_step_one_has_no_identifiers(f: Facts, d: Decision, data: JSON) -> list[str]:
    res = f.resource
    if not (d.allow and res.get("casus_kind") == "groep" and res.get("group_step") == 1):
        return []
    if f.action == "explain":
        return []
    if f.type in {"person", "group_member"} or res.get("contains_person_identifiers") is not False:
        return [f"group step 1 exposed person identifiers ({f.type})"]
    return []


def reduced_views_mask_identifiers(f: Facts, d: Decision, data: JSON) -> list[str]:
    if not (d.allow and f.casus and d.view in ("pseudoniem", "anoniem")):
        return []
    needed = {"identificerend", "bsn"} | (PERSON_CATEGORIES if d.view == "anoniem" else set())
    missing = needed - set(d.mask)
    return [f"a {d.view} view leaves {sorted(missing)} unmasked"] if missing else []


def avg_only_for_the_regie(f: Facts, d: Decision, data: JSON) -> list[str]:
    """The access log, inzage and correctie are the regie's: the gemeente's pga-expert, or
    a regisseur of the casus with a casework role; the inzage is the pga-expert's alone.
    Participation, the adviser's view and doorbreekglas never open them."""
    if not (d.allow and f.type in AVG_TYPES):
        return []
    out = []
    expert = "pga-expert" in f.roles
    if not f.same_tenant:
        out.append(f"a {f.type} of another tenant")
    if not (expert or (f.caseworker and f.regisseur)):
        out.append(f"a {f.type} for someone who is not the regie (roles {sorted(f.roles)})")
    if f.type == "inzage" and not expert:
        out.append("an inzage started by someone who is not the pga-expert")
    allowed_actions = {"toegangslog": {"read"}, "inzage": {"create", "read"}}.get(
        f.type, {"read", "update"}
    )
    if f.action not in allowed_actions:
        out.append(f"{f.action} on a {f.type}")
    if {r.code for r in d.allowed_by} - BASES_AVG - {"tenant-gedeeld"}:
        out.append(f"a {f.type} opened by another basis: {sorted(r.code for r in d.allowed_by)}")
    return out


def restricted_is_not_processed(f: Facts, d: Decision, data: JSON) -> list[str]:
    if d.allow and f.casus and f.resource.get("restricted") is True:
        return [f"a restricted {f.type}: {f.action} allowed"]
    return []


def urgent_access_is_bounded(f: Facts, d: Decision, data: JSON) -> list[str]:
    if not (d.allow and "doorbreekglas" in {r.code for r in d.allowed_by}):
        return []
    out = []
    urgent = f.resource.get("urgent_access")
    if not urgent:
        return ["doorbreekglas without a recorded, time-limited grant"]
    now = dt.datetime.fromisoformat(f.context["now"].replace("Z", "+00:00"))
    expires = dt.datetime.fromisoformat(urgent["expires_at"].replace("Z", "+00:00"))
    if not now < expires <= now + dt.timedelta(hours=24):
        out.append(f"doorbreekglas outside its window (now {now}, expires {expires})")
    reason = urgent.get("reason", "").strip() or f.context.get("urgency_reason", "").strip()
    if len(reason) < 20:
        out.append(f"doorbreekglas with a reason of {len(reason)} characters")
    if "user" in urgent and not f.me(urgent["user"]):
        out.append("doorbreekglas granted to another user (or another tenant's user)")
    if f.action not in READ_ACTIONS or not f.caseworker or not f.same_tenant:
        out.append("doorbreekglas is for reading by a caseworker of the own gemeente")
    missing = {"audit-doorbreekglas", "review", "verloopt"} - d.obligation_codes
    if missing:
        out.append(f"doorbreekglas without obligations {sorted(missing)}")
    return out


#: Bases that open case content (everything but the explanation and the statistics).
BASES_CONTENT = frozenset(
    {
        "deelnemer",
        "casusregisseur",
        "pga-expert",
        "pga-expert-gedeeld",
        "uitvoeringscoordinator",
        "aanmelding",
        "eigen-bron",
        "adviseur-pseudoniem",
        "driehoek-anoniem",
        "doorbreekglas",
        "overleg",
    }
)
#: Bases of the AVG resources (rule 10): the regie's access log, inzage, correctie.
BASES_AVG = frozenset({"regie-toegangslog", "avg-inzage", "avg-correctie"})
BASES_ANY = BASES_CONTENT | BASES_AVG | {"uitleg", "statistiek-geaggregeerd"}

CHECKS: tuple[Callable[[Facts, Decision, JSON], list[str]], ...] = (
    always_audited,
    tenant_isolation,
    full_view_only_for_the_matrix,
    researchers_see_aggregates_only,
    no_casework_for_verantwoording,
    withheld_stays_withheld,
    group_step_one_has_no_identifiers,
    reduced_views_mask_identifiers,
    urgent_access_is_bounded,
    avg_only_for_the_regie,
    restricted_is_not_processed,
)


# -- the reference rewrites ------------------------------------------------------------------------


def flip_own_refs(input: JSON, foreign: str) -> dict[str, Any]:
    """Every reference in the subject's tenant moved to tenant ``foreign`` (same ids)."""
    own = input["subject"]["tenant"]
    assert foreign != own
    return map_refs(input, lambda r: {**r, "tenant": foreign} if r["tenant"] == own else r)


def blind_foreign_refs(input: JSON) -> dict[str, Any]:
    """Every reference of another tenant than the subject's renamed to an id nobody has."""
    own = input["subject"]["tenant"]
    return map_refs(input, lambda r: r if r["tenant"] == own else {**r, "id": NOBODY})


def gained(before: Decision, after: Decision) -> str | None:
    """How ``after`` gives more than ``before`` (access, a wider view, fewer masks), if it does."""
    if not after.allow:
        return None
    if not before.allow:
        return f"denied became allowed ({after.view})"
    if VIEW_RANK[after.view] > VIEW_RANK[before.view]:
        return f"view {before.view} became {after.view}"
    unmasked = set(before.mask) - set(after.mask)
    if unmasked:
        return f"unmasked {sorted(unmasked)}"
    return None
