"""Decision model and the engine protocol shared by every policy engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

View = Literal["full", "pseudoniem", "anoniem"]
Effect = Literal["allow", "deny"]

ACTIONS: frozenset[str] = frozenset(
    {"read", "list", "create", "update", "share", "withhold", "release", "transition", "explain"}
)

JSONObject = Mapping[str, Any]


class PolicyEngineUnavailable(RuntimeError):
    """The policy engine could not give a decision (down, timeout, garbage).

    Callers must fail closed: answer 503 and return nothing.
    """


@dataclass(frozen=True, slots=True)
class Reason:
    """Which rule allowed or denied, with a machine code and a Dutch message."""

    code: str
    effect: Effect
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "effect": self.effect, "message": self.message}


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something the caller must do when it acts on the decision (audit, review, ...)."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, **dict(self.params)}


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's answer for one resource."""

    allow: bool
    view: View | None
    reasons: tuple[Reason, ...]
    mask: tuple[str, ...]
    obligations: tuple[Obligation, ...]

    @property
    def denied_by(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect == "deny")

    @property
    def allowed_by(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect == "allow")

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(r.code for r in self.reasons)

    @property
    def obligation_codes(self) -> frozenset[str]:
        return frozenset(o.code for o in self.obligations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "allow": self.allow,
            "view": self.view,
            "reasons": [r.to_dict() for r in self.reasons],
            "mask": list(self.mask),
            "obligations": [o.to_dict() for o in self.obligations],
        }

    @classmethod
    def from_result(cls, raw: object) -> Decision:
        """Parse and validate an engine result; raise ValueError on anything unexpected."""
        if not isinstance(raw, Mapping):
            raise ValueError("decision is not an object")
        allow = raw.get("allow")
        if not isinstance(allow, bool):
            raise ValueError("decision.allow is not a boolean")
        view = raw.get("view")
        if view not in ("full", "pseudoniem", "anoniem", None):
            raise ValueError(f"decision.view is invalid: {view!r}")
        if allow and view is None:
            raise ValueError("an allowed decision must have a view")
        reasons = tuple(sorted((_reason(r) for r in _list(raw, "reasons")), key=_reason_key))
        mask = tuple(sorted(_str(m, "mask") for m in _list(raw, "mask")))
        obligations = tuple(
            sorted((_obligation(o) for o in _list(raw, "obligations")), key=lambda o: o.code)
        )
        if not allow and not any(r.effect == "deny" for r in reasons):
            raise ValueError("a denied decision must carry a deny reason")
        return cls(
            allow=allow,
            view=None if not allow else view,
            reasons=reasons,
            mask=mask if allow else (),
            obligations=obligations,
        )


def _reason_key(r: Reason) -> tuple[int, str]:
    return (0 if r.effect == "deny" else 1, r.code)


def _list(raw: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"decision.{key} is not a list")
    return value


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} holds a non-string")
    return value


def _reason(raw: object) -> Reason:
    if not isinstance(raw, Mapping):
        raise ValueError("reason is not an object")
    effect = raw.get("effect")
    if effect not in ("allow", "deny"):
        raise ValueError(f"reason.effect is invalid: {effect!r}")
    return Reason(
        code=_str(raw.get("code"), "reason.code"),
        effect="allow" if effect == "allow" else "deny",
        message=_str(raw.get("message"), "reason.message"),
    )


def _obligation(raw: object) -> Obligation:
    if not isinstance(raw, Mapping):
        raise ValueError("obligation is not an object")
    code = _str(raw.get("code"), "obligation.code")
    return Obligation(code=code, params={k: v for k, v in raw.items() if k != "code"})


@runtime_checkable
class PolicyEngine(Protocol):
    """Decides policy inputs. Every implementation fails closed with PolicyEngineUnavailable."""

    @property
    def policy_revision(self) -> str:
        """sha256 over the Rego files."""
        ...

    @property
    def data_revision(self) -> str:
        """The revision of the policy data document (data.regietafel.revision)."""
        ...

    @property
    def revision(self) -> str:
        """``<policy_revision>:<data_revision>``."""
        ...

    def decide(self, input: JSONObject) -> Decision:
        """Decide one input ``{"subject", "action", "context", "resource"}``."""
        ...

    def decide_many(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        """Decide a page of resources in one query; same order as ``resources``."""
        ...
