"""The typed policy input: the one schema every decision request is built from.

Everything a rule depends on is computed by the server and passes through these models before
an engine sees it. Anything else is refused *before* evaluation (``PolicyInputInvalid``, which
fails closed like an engine error): a string where a number belongs, ``null`` where a code
belongs, an unknown code, a lower-case ``z`` in a timestamp, roles as a string, a field the
schema does not know. The serialised form is canonical (``exclude_none``; timestamps in UTC with
``Z``), so both engines and the decision cache see exactly the same document.

Identities are tenant-qualified: every reference to a user or organisation is a :class:`Ref`
``{"tenant": ..., "id": ...}``, because an id is unique only within its tenant.
"""

from __future__ import annotations

import datetime as dt
import functools
import marshal
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_serializer,
    model_validator,
)

from services.platform.policy.model import ACTIONS, PolicyEngineUnavailable
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
    ROLES,
)

#: A tenant code: a gemeentecode (GM0355) or a regional bureau (RGUTRECHT); "-" is the
#: readiness probe's placeholder, which no tenant in the policy data can have.
TENANT_PATTERN = re.compile(r"^(GM[0-9]{4}|RG[A-Z0-9]{2,12}|-)$")
#: User and organisation ids (manifest slugs; service names such as "analytics").
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$|^-$")

RESOURCE_TYPES: frozenset[str] = frozenset(
    {
        "casus",
        "person",
        "informatie_item",
        "plan",
        "assessment",
        "meeting",
        "action",
        "document",
        "group_member",
        "overleg",
        "statistiek",
        "indicator",
        *("toegangslog", "inzage", "correctie"),
    }
)
#: The AVG resource types (policies/avg.rego): tenant-bound, opened only by their own bases.
AVG_TYPES: frozenset[str] = frozenset({"toegangslog", "inzage", "correctie"})
PHASES: frozenset[str] = frozenset(
    {
        "aanmelding",
        "triage",
        "informeren",
        "plan",
        "uitvoering",
        "monitoring",
        "afsluiting",
        "nazorg",
        "archief",
    }
)
#: Resource types that belong to a casus (they must say which casus, kind and phase).
CASUS_TYPES: frozenset[str] = frozenset(
    {
        "casus",
        "person",
        "informatie_item",
        "plan",
        "assessment",
        "meeting",
        "action",
        "document",
        "group_member",
    }
)


class PolicyInputInvalid(PolicyEngineUnavailable):
    """The server could not build a valid policy input: refuse (503) before evaluation."""


def _member_of(allowed: Mapping[str, str] | frozenset[str], what: str) -> Any:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"unknown {what} code {value!r}")
        return value

    return AfterValidator(check)


def _matches(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"invalid {what} {value!r}")
        return value

    return AfterValidator(check)


TenantCode = Annotated[StrictStr, _matches(TENANT_PATTERN, "tenant code")]
Identifier = Annotated[StrictStr, _matches(ID_PATTERN, "identifier")]
RoleCode = Annotated[StrictStr, _member_of(ROLES, "role")]
PurposeCode = Annotated[StrictStr, _member_of(PURPOSES, "purpose")]
CategoryCode = Annotated[StrictStr, _member_of(DATA_CATEGORIES, "data category")]
ActionCode = Annotated[StrictStr, _member_of(ACTIONS, "action")]
ResourceType = Annotated[StrictStr, _member_of(RESOURCE_TYPES, "resource type")]
PhaseCode = Annotated[StrictStr, _member_of(PHASES, "phase")]
#: "convenant" is refused by the policy with its own reason ("een convenant is geen
#: grondslag"), so it may be asked about; any other unknown basis is refused here.
LegalBasis = Annotated[
    StrictStr, _member_of(frozenset({*LEGAL_BASES_ART6, "convenant"}), "legal basis")
]
Art9Exception = Annotated[StrictStr, _member_of(LEGAL_BASES_ART9, "art. 9 exception")]
BeroepsgeheimGround = Annotated[StrictStr, _member_of(BEROEPSGEHEIM_GROUNDS, "ground")]
FreeText = Annotated[StrictStr, Field(max_length=10_000)]


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("a timestamp needs a time zone")
    return value.astimezone(dt.UTC)


Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Ref(_Model):
    """A user or organisation, qualified by the tenant it belongs to."""

    tenant: TenantCode
    id: Identifier


class Subject(_Model):
    """Who asks. Organisation and roles come from the tenant's user record, never the token;
    the organisation's domain is taken from the policy data (the manifest), not from here."""

    kind: Literal["user", "service"]
    tenant: TenantCode
    user_id: Identifier
    organisation: Identifier | None = None
    roles: list[RoleCode | Literal["analytics"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _users_have_an_organisation(self) -> Subject:
        if self.kind == "user" and self.organisation is None:
            raise ValueError("a user subject needs an organisation")
        if len(set(self.roles)) != len(self.roles):
            raise ValueError("roles must be unique")
        return self


class Consent(_Model):
    recorded: StrictBool
    purpose: PurposeCode | None = None
    revoked: StrictBool = False
    power_imbalance: StrictBool = False


class UrgentAccess(_Model):
    user: Ref
    reason: FreeText
    expires_at: Timestamp

    @field_serializer("expires_at")
    def _rfc3339(self, value: dt.datetime) -> str:
        return rfc3339(value)


class Resource(_Model):
    type: ResourceType
    tenant: TenantCode | None = None
    casus_id: Identifier | None = None
    casus_kind: Literal["persoon", "groep"] | None = None
    phase: PhaseCode | None = None
    group_step: StrictInt | None = Field(default=None, ge=1, le=7)
    participants: list[Ref] = Field(default_factory=list)
    regisseurs: list[Ref] = Field(default_factory=list)
    uitvoeringscoordinator: Ref | None = None
    chair: Ref | None = None
    category: CategoryCode | None = None
    source_organisation: Ref | None = None
    withheld: StrictBool = False
    consent: Consent | None = None
    contains_person_identifiers: StrictBool | None = None
    shared_with_tenants: list[TenantCode] = Field(default_factory=list)
    urgent_access: UrgentAccess | None = None
    #: Beperking (art. 18 AVG): kept but not processed (policies/avg.rego).
    restricted: StrictBool | None = None

    @model_validator(mode="after")
    def _complete(self) -> Resource:
        """The attributes a rule depends on are required where the rule needs them."""
        if (
            self.type in CASUS_TYPES or self.type in AVG_TYPES or self.type == "overleg"
        ) and self.tenant is None:
            raise ValueError(f"a {self.type} resource needs its tenant")
        if self.type in CASUS_TYPES:
            if self.casus_kind is None:
                raise ValueError("a casus resource needs its casus_kind")
            if self.contains_person_identifiers is None:
                raise ValueError("a casus resource needs contains_person_identifiers")
            if self.casus_id is not None and self.phase is None:
                raise ValueError("an existing casus needs its phase")
            if self.casus_kind == "groep" and self.casus_id is not None and self.group_step is None:
                raise ValueError("a group casus needs its group_step")
        if self.casus_kind != "groep" and self.group_step is not None:
            raise ValueError("only a group casus has a group_step")
        return self


class Context(_Model):
    now: Timestamp
    purpose: PurposeCode | None = None
    legal_basis: LegalBasis | None = None
    art9_exception: Art9Exception | None = None
    beroepsgeheim_ground: BeroepsgeheimGround | None = None
    necessity: FreeText | None = None
    person_informed: StrictBool | None = None
    not_informed_reason: FreeText | None = None
    urgency_reason: FreeText | None = None

    @field_serializer("now")
    def _rfc3339(self, value: dt.datetime) -> str:
        return rfc3339(value)


class PolicyInput(_Model):
    subject: Subject
    action: ActionCode
    context: Context
    resource: Resource | None = None


def rfc3339(value: dt.datetime) -> str:
    """UTC, upper-case ``Z``, microseconds only when present (one canonical spelling)."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True)


def _validate(model: type[_Model], raw: Mapping[str, Any], what: str) -> _Model:
    try:
        # Strict Python-mode validation; timestamps may arrive as RFC 3339 text (parsed first).
        return model.model_validate(_parse_times(raw))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or what
        raise PolicyInputInvalid(f"invalid policy input {what}.{where}: {first['msg']}") from None


_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def _parse_times(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept RFC 3339 text (upper-case Z only) for the timestamp fields; strict elsewhere."""
    out = dict(raw)
    for key in ("now", "expires_at"):
        value = out.get(key)
        if isinstance(value, str):
            if not _TIME_RE.fullmatch(value):
                raise PolicyInputInvalid(f"invalid policy input: {key} is not RFC 3339")
            out[key] = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    for key in ("context", "resource", "urgent_access"):
        value = out.get(key)
        if isinstance(value, Mapping):
            out[key] = _parse_times(value)
    return out


def subject_doc(raw: Mapping[str, Any]) -> dict[str, Any]:
    return _dump(_validate(Subject, raw, "subject"))


def context_doc(raw: Mapping[str, Any]) -> dict[str, Any]:
    return _dump(_validate(Context, raw, "context"))


def resource_doc(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical document of a resource: ``_dump(_validate(Resource, raw, ...))``.

    The answer is memoized per exact raw resource (issue 14: the same casus is on every
    list page of every user). The memo's key is ``marshal.dumps(raw, 2)``. marshal writes
    only values of the exact core types: a subclass of ``str``, ``int``, ``dict`` or
    ``list``, a ``StrEnum`` member, a ``datetime``, any other object is "unmarshallable"
    (``ValueError``). It writes ``True`` apart from ``1``, ``1`` apart from ``1.0``, a tuple
    apart from a list, and a dict's keys in their order: equal keys decode to equal raw
    resources, type for type (but for ``bytes``, ``bytearray``, ``memoryview`` and
    ``array``, all written as bytes: the model refuses each of them anywhere in a resource,
    so no accepted resource shares a key with one). Such a raw
    takes :func:`_memoized_doc`, whose answer is the model's for the resource the key
    denotes; any other raw goes to the model directly. Only accepted resources are memoized
    (``lru_cache`` keeps no exception): a resource the model refuses is validated, and
    refused, every time, with the model's message for ``raw`` itself. Every call gets its
    own document (decoded from the memo's bytes): nothing downstream shares it. A resource
    with an urgent access (its reason is free text) is never memoized: the memo keeps no
    text of a request."""
    if type(raw) is not dict or "urgent_access" in raw:
        return _dump(_validate(Resource, raw, "resource"))
    try:
        key = marshal.dumps(raw, _MARSHAL_VERSION)
    except ValueError:  # not of exact core types: the model answers as it is
        return _dump(_validate(Resource, raw, "resource"))
    try:
        # Bytes this process made with marshal.dumps, never read from outside.
        doc: dict[str, Any] = marshal.loads(_memoized_doc(key))  # noqa: S302
    except PolicyInputInvalid:
        return _dump(_validate(Resource, raw, "resource"))  # refused as before, by raw
    return doc


#: marshal's version 2 writes no references and no interning flags: its bytes depend on the
#: values and their types only. The default version's also said which objects were shared
#: or interned, so the same resource built by another request was another key.
_MARSHAL_VERSION = 2


@functools.lru_cache(maxsize=4096)
def _memoized_doc(key: bytes) -> bytes:
    """The model's document of the raw resource ``key`` encodes, as marshal bytes (an
    immutable value; ~1.5 KB per entry with its key)."""
    raw = marshal.loads(key)  # noqa: S302 - made by resource_doc with marshal.dumps
    return marshal.dumps(_dump(_validate(Resource, raw, "resource")), _MARSHAL_VERSION)


def input_doc(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a whole input and return its canonical document (what the engines get)."""
    return _dump(_validate(PolicyInput, raw, "input"))


class CanonicalInput(dict[str, Any]):
    """A policy input that passed the schema; engines evaluate it as it is."""


def canonical(input: Mapping[str, Any]) -> CanonicalInput:
    """The input as the engines get it: validated and canonical (validated once)."""
    if isinstance(input, CanonicalInput):
        return input
    return CanonicalInput(input_doc(input))


def build_input(
    subject: Mapping[str, Any],
    action: str,
    context: Mapping[str, Any] | None = None,
    resource: Mapping[str, Any] | None = None,
) -> CanonicalInput:
    """The policy input for one resource (docs/policy.md), validated against the schema."""
    doc: dict[str, Any] = {
        "subject": dict(subject),
        "action": action,
        "context": dict(context or {}),
    }
    if resource is not None:
        doc["resource"] = dict(resource)
    return canonical(doc)


def build_inputs(
    subject: Mapping[str, Any],
    action: str,
    context: Mapping[str, Any],
    resources: Sequence[Mapping[str, Any]],
) -> list[CanonicalInput]:
    """Inputs for a page: subject, action and context are validated once."""
    head = input_doc({"subject": dict(subject), "action": action, "context": dict(context)})
    return [CanonicalInput({**head, "resource": resource_doc(r)}) for r in resources]
