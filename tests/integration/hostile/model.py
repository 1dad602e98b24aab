"""What the hostile-probe suite knows about the world it built: subjects (the test users), the
casussen with their relations, items, meetings and doorbreekglas grants.

The relational facts (participants, regie, shares, item flags, versions) are read back from
the database as the superuser after the world is built, so the oracle judges the real state,
not the state the builder meant to create.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    """A user the probes act as. ``key`` is tenant-qualified: ``GM9355/zeist-casusregisseur``."""

    tenant: str
    user_id: str
    organisation: str
    domain: str
    roles: frozenset[str]
    region: str
    tenant_kind: str
    name: str
    extra: bool = False  # made by the suite (an id that also exists in another tenant)

    @property
    def key(self) -> str:
        return f"{self.tenant}/{self.user_id}"

    def __str__(self) -> str:
        return f"{self.key} ({', '.join(sorted(self.roles))})"


@dataclass
class ItemRecord:
    key: str  # e.g. "GM9355/A/politie-strafrechtelijk"
    id: str
    casus_key: str
    category: str
    source_organisation: str
    shared: bool = False
    withheld: bool = False
    art9_exception: str | None = None
    beroepsgeheim_ground: str | None = None
    version: int = 1
    restricted: bool = False  # beperking (art. 18 AVG), read back from ``restrictions``

    @property
    def label(self) -> str:
        state = "achtergehouden" if self.withheld else "gedeeld" if self.shared else "concept"
        return f"{self.category}/{state}"


@dataclass
class CasusRecord:
    key: str  # "GM9355/A"
    tenant: str
    id: str
    kind: str  # persoon | groep
    label: str  # A (rich person), B (plain person), G (group), S (opgeschaald), R (bureau)
    state: str = ""
    phase: str = ""
    version: int = 1
    participants: set[str] = field(default_factory=set)
    regisseurs: set[str] = field(default_factory=set)
    coordinator: str | None = None
    shared_with: set[str] = field(default_factory=set)
    urgent_users: set[str] = field(default_factory=set)
    items: list[ItemRecord] = field(default_factory=list)
    subject_person: str | None = None
    member_persons: list[str] = field(default_factory=list)
    household_persons: list[str] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)
    plan_versions: list[int] = field(default_factory=list)
    actors: set[str] = field(default_factory=set)  # user ids that acted on the casus
    #: The subject person is under a beperking (art. 18 AVG), read back from ``restrictions``.
    subject_restricted: bool = False

    @property
    def person_ids(self) -> list[str]:
        own = [self.subject_person] if self.subject_person else []
        return own + self.member_persons + self.household_persons


@dataclass
class MeetingRecord:
    key: str
    tenant: str
    id: str
    chair: str
    agenda: list[str]  # casus keys
    version: int = 1


@dataclass
class UrgentGrant:
    id: str
    tenant: str
    casus_key: str
    user_id: str
