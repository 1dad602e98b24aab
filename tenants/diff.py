"""The plan: the difference between a manifest and the current state of a tenant.

Pure functions, no database: the caller builds a :class:`TenantState` snapshot (from the
database, or ``None`` for a tenant that does not exist yet) and gets a list of typed
:class:`Change` objects with Dutch descriptions, for ``regietafel tenants plan``.

Order of the changes (safe to apply in this order): tenant, settings, organisations added or
updated, meeting types, users, grants, organisations removed (after their users are gone).
Within a group changes are sorted by key, so the plan is deterministic.

A change is *destructive* when it can hand a gemeente's casework to someone else or cut
people off from it: renaming the tenant or moving it to another region (a manifest with
another gemeente's code takes that gemeente over), and removing an organisation or user that
has casework (``TenantState.organisations_in_use`` / ``users_in_use``). ``apply`` refuses a
plan with destructive changes unless the operator overrides it with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tenants.manifest import Manifest

Action = Literal["add", "update", "remove"]
Entity = Literal["tenant", "setting", "organisation", "meeting_type", "user", "grant"]

#: Manifest sections stored as tenant settings (JSON), compared per key.
SETTING_KEYS: tuple[str, ...] = (
    "region_name",
    "description",
    "extra_domains",
    "inclusion",
    "age_band",
    "assessment_instrument",
    "retention",
    "review",
    "bsn_purposes",
)

_SETTING_LABELS: Mapping[str, str] = {
    "region_name": "regionaam",
    "description": "omschrijving",
    "extra_domains": "extra organisatiedomeinen",
    "inclusion": "inclusiecriteria",
    "age_band": "leeftijdsgrens",
    "assessment_instrument": "meetinstrument",
    "retention": "bewaartermijnen",
    "review": "termijnen (herijking, afsluiting, commitmentcheck)",
    "bsn_purposes": "doelen waarvoor het BSN zichtbaar is",
}


@dataclass(frozen=True)
class OrganisationState:
    name: str
    domain: str
    receive_only: bool = False


@dataclass(frozen=True)
class MeetingTypeState:
    name: str
    frequency_weeks: int | None = None
    casus_type: str = "persoon"


@dataclass(frozen=True)
class UserState:
    name: str
    organisation: str
    roles: frozenset[str]
    title: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class TenantState:
    """A snapshot of a tenant as stored (plain data; the caller fills it from the database).

    ``settings`` holds the JSON values of :data:`SETTING_KEYS` (as :func:`manifest_settings`
    produces them); ``grants`` maps domain -> category -> purposes.
    """

    gemeentecode: str
    name: str
    kind: str
    region: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    organisations: Mapping[str, OrganisationState] = field(default_factory=dict)
    meeting_types: Mapping[str, MeetingTypeState] = field(default_factory=dict)
    users: Mapping[str, UserState] = field(default_factory=dict)
    grants: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    #: Ids of organisations and users that casework refers to (casussen, participations,
    #: regie roles, information items): removing them is destructive.
    organisations_in_use: frozenset[str] = frozenset()
    users_in_use: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Change:
    """One step of the plan."""

    action: Action
    entity: Entity
    key: str  # org/user/meeting id, setting name, "<domain>/<category>" for grants
    description: str  # Dutch, for the operator
    before: Any = None
    after: Any = None
    #: Why this change is destructive (Dutch), or None.
    destructive: str | None = None

    def __str__(self) -> str:
        sign = {"add": "+", "update": "~", "remove": "-"}[self.action]
        if self.destructive:
            return f"! {sign} {self.description} — DESTRUCTIEF: {self.destructive}"
        return f"{sign} {self.description}"


def destructive_changes(changes: Sequence[Change]) -> list[Change]:
    return [change for change in changes if change.destructive]


def manifest_settings(manifest: Manifest) -> dict[str, Any]:
    """The settings part of a manifest as JSON-compatible values (what the DB stores)."""
    dumped = manifest.model_dump(mode="json", include=set(SETTING_KEYS))
    return {key: dumped[key] for key in SETTING_KEYS}


def state_from_manifest(manifest: Manifest) -> TenantState:
    """The state a manifest describes (what ``apply`` should leave behind)."""
    return TenantState(
        gemeentecode=manifest.gemeentecode,
        name=manifest.name,
        kind=manifest.kind,
        region=manifest.region,
        settings=manifest_settings(manifest),
        organisations={
            o.id: OrganisationState(o.name, o.domain, o.receive_only)
            for o in manifest.organisations
        },
        meeting_types={
            t.id: MeetingTypeState(t.name, t.frequency_weeks, t.casus_type)
            for t in manifest.meeting_types
        },
        users={
            u.id: UserState(u.name, u.organisation, frozenset(u.roles), u.title, u.email)
            for u in manifest.users
        },
        grants=manifest.grant_matrix(),
    )


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_org(org_id: str, org: OrganisationState) -> str:
    extra = ", alleen ontvangen" if org.receive_only else ""
    return f"organisatie '{org.name}' ({org_id}; domein {org.domain}{extra})"


def _describe_user(user_id: str, user: UserState) -> str:
    roles = ", ".join(sorted(user.roles))
    return f"gebruiker '{user.name}' ({user_id}; organisatie {user.organisation}; rollen {roles})"


def _describe_meeting(meeting_id: str, meeting: MeetingTypeState) -> str:
    freq = f"elke {meeting.frequency_weeks} weken" if meeting.frequency_weeks else "incidenteel"
    return f"overleg '{meeting.name}' ({meeting_id}; {freq})"


def _diff_entities(
    entity: Entity,
    current: Mapping[str, Any],
    desired: Mapping[str, Any],
    describe: Callable[[str, Any], str],
) -> tuple[list[Change], list[Change]]:
    """Return (adds and updates, removals) for one entity type."""
    upserts: list[Change] = []
    removals: list[Change] = []
    for key in sorted(set(current) | set(desired)):
        before, after = current.get(key), desired.get(key)
        if before is None:
            upserts.append(
                Change("add", entity, key, f"{describe(key, after)} toevoegen", None, after)
            )
        elif after is None:
            removals.append(
                Change("remove", entity, key, f"{describe(key, before)} verwijderen", before, None)
            )
        elif before != after:
            upserts.append(
                Change(
                    "update",
                    entity,
                    key,
                    f"{describe(key, after)} wijzigen (was: {describe(key, before)})",
                    before,
                    after,
                )
            )
    return upserts, removals


def _norm_grants(grants: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, list[str]]:
    return {
        f"{domain}/{category}": sorted(set(purposes))
        for domain, by_category in grants.items()
        for category, purposes in by_category.items()
        if purposes
    }


def plan(manifest: Manifest, current: TenantState | None) -> list[Change]:
    """The changes needed to bring ``current`` (None: tenant absent) to ``manifest``."""
    desired = state_from_manifest(manifest)
    changes: list[Change] = []
    code = desired.gemeentecode
    tenant_fields = {
        "name": desired.name,
        "kind": desired.kind,
        "region": desired.region,
    }

    if current is None:
        changes.append(
            Change(
                "add",
                "tenant",
                code,
                f"tenant {code} '{desired.name}' ({desired.kind}, regio {desired.region}) aanmaken",
                None,
                tenant_fields,
            )
        )
        current = TenantState(code, "", "", "")
    else:
        if current.gemeentecode != code:
            raise ValueError(f"snapshot of {current.gemeentecode} compared with manifest of {code}")
        before_fields = {"name": current.name, "kind": current.kind, "region": current.region}
        if before_fields != tenant_fields:
            changed = ", ".join(
                f"{k}: '{before_fields[k]}' → '{v}'"
                for k, v in tenant_fields.items()
                if before_fields[k] != v
            )
            takeover: str | None = None
            if before_fields["name"] != desired.name:
                takeover = (
                    f"hernoemt gemeente {code} '{current.name}'; klopt de gemeentecode "
                    "van dit manifest?"
                )
            elif before_fields["region"] != desired.region:
                takeover = f"verplaatst {code} naar een andere regio (ander regionaal bureau)"
            changes.append(
                Change(
                    "update",
                    "tenant",
                    code,
                    f"tenant {code} wijzigen ({changed})",
                    before_fields,
                    tenant_fields,
                    takeover,
                )
            )

    for key in SETTING_KEYS:
        before, after = current.settings.get(key), desired.settings.get(key)
        if before == after:
            continue
        setting = _SETTING_LABELS[key]
        if before is None:
            changes.append(Change("add", "setting", key, f"{setting} instellen", None, after))
        elif after is None:
            changes.append(Change("remove", "setting", key, f"{setting} wissen", before, None))
        else:
            changes.append(
                Change(
                    "update",
                    "setting",
                    key,
                    f"{setting} wijzigen: {_short(before)} → {_short(after)}",
                    before,
                    after,
                )
            )

    org_upserts, org_removals = _diff_entities(
        "organisation", current.organisations, desired.organisations, _describe_org
    )
    meeting_upserts, meeting_removals = _diff_entities(
        "meeting_type", current.meeting_types, desired.meeting_types, _describe_meeting
    )
    user_upserts, user_removals = _diff_entities(
        "user", current.users, desired.users, _describe_user
    )

    def describe_grant(key: str, purposes: list[str]) -> str:
        domain, category = key.split("/", 1)
        return f"convenantgrant: domein {domain} ontvangt {category} voor {', '.join(purposes)}"

    grant_upserts, grant_removals = _diff_entities(
        "grant", _norm_grants(current.grants), _norm_grants(desired.grants), describe_grant
    )

    org_removals = _flag_in_use(org_removals, current.organisations_in_use, "organisatie")
    user_removals = _flag_in_use(user_removals, current.users_in_use, "gebruiker")

    changes += org_upserts
    changes += meeting_upserts + meeting_removals
    changes += user_upserts + user_removals
    changes += grant_upserts + grant_removals
    changes += org_removals
    return changes


def _flag_in_use(removals: list[Change], in_use: frozenset[str], noun: str) -> list[Change]:
    return [
        replace(
            change,
            destructive=f"deze {noun} heeft casuswerk (casussen, deelnames, regie of informatie)",
        )
        if change.key in in_use
        else change
        for change in removals
    ]


def format_plan(changes: Sequence[Change]) -> str:
    """Human-readable plan (Dutch), one change per line."""
    if not changes:
        return "Geen wijzigingen: de database komt overeen met het manifest."
    counts = {a: sum(1 for c in changes if c.action == a) for a in ("add", "update", "remove")}
    lines = [str(change) for change in changes]
    lines.append(
        f"Plan: {counts['add']} toevoegen, {counts['update']} wijzigen, "
        f"{counts['remove']} verwijderen."
    )
    destructive = destructive_changes(changes)
    if destructive:
        lines.append(
            f"Let op: {len(destructive)} destructieve wijziging(en) (!). 'apply' weigert deze "
            "zonder --allow-destructive met een reden; dat wordt vastgelegd in het auditlog."
        )
    return "\n".join(lines)
