"""The policy explainer behind ``GET .../uitleg``: which rules decided, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.platform.policy.input import build_input
from services.platform.policy.model import (
    Decision,
    JSONObject,
    Obligation,
    PolicyEngine,
    Reason,
    View,
)

#: What the professional still has to supply, per deny code (Dutch, for the UI).
MISSING_BY_CODE: dict[str, str] = {
    "doel-ontbreekt": "het doel (doelbinding)",
    "deling-doel-ontbreekt": "het doel van de deling",
    "deling-grondslag-ontbreekt": "een grondslag uit art. 6 AVG",
    "deling-grondslag-ongeldig": "een geldige grondslag uit art. 6 AVG",
    "convenant-geen-grondslag": "een grondslag uit art. 6 AVG (een convenant is dat niet)",
    "gerechtvaardigd-belang-overheid": "een andere grondslag dan gerechtvaardigd belang",
    "deling-art9-ontbreekt": "een uitzonderingsgrond uit art. 9 AVG",
    "deling-beroepsgeheim-ontbreekt": (
        "een grond om het beroepsgeheim te doorbreken "
        "(toestemming, wettelijke plicht, conflict van plichten)"
    ),
    "deling-noodzaak-ontbreekt": (
        "een motivering van de noodzaak (proportionaliteit, subsidiariteit)"
    ),
    "deling-transparantie-ontbreekt": "of de persoon is geïnformeerd, en zo niet: waarom niet",
    "toestemming-niet-vastgelegd": "vastgelegde toestemming",
    "toestemming-ander-doel": "toestemming voor dit doel",
    "toestemming-ingetrokken": "geldige (niet ingetrokken) toestemming of een andere grondslag",
    "toestemming-ongelijke-verhouding": "een andere grondslag dan toestemming",
    "doorbreekglas-reden-ontbreekt": "een schriftelijke reden voor de spoedtoegang",
    "doorbreekglas-geen-tijdslimiet": "een einddatum voor de spoedtoegang",
    "groep-geen-uitvoeringscoordinator": "een aangestelde uitvoeringscoördinator",
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """The answer to "mag ik dit?" for one subject, action and resource."""

    action: str
    allowed: bool
    view: View | None
    allowed_by: tuple[Reason, ...]
    denied_by: tuple[Reason, ...]
    missing: tuple[str, ...]
    mask: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    summary: str
    policy_revision: str
    data_revision: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "allowed": self.allowed,
            "view": self.view,
            "allowed_by": [r.to_dict() for r in self.allowed_by],
            "denied_by": [r.to_dict() for r in self.denied_by],
            "missing": list(self.missing),
            "mask": list(self.mask),
            "obligations": [o.to_dict() for o in self.obligations],
            "summary": self.summary,
            "policy_revision": self.policy_revision,
            "data_revision": self.data_revision,
        }


def explain(
    engine: PolicyEngine,
    subject: JSONObject,
    action: str,
    resource: JSONObject,
    context: JSONObject | None = None,
) -> Explanation:
    """Explain the decision for ``action`` on ``resource``.

    The caller must first check that ``subject`` may ask at all (action ``explain`` on the
    same resource). Raises PolicyEngineUnavailable like any decision.
    """
    decision = engine.decide(build_input(subject, action, context, resource))
    return explanation_of(engine, action, decision)


def explanation_of(engine: PolicyEngine, action: str, decision: Decision) -> Explanation:
    missing = tuple(
        MISSING_BY_CODE[r.code] for r in decision.denied_by if r.code in MISSING_BY_CODE
    )
    if decision.allow:
        summary = "Toegestaan: " + "; ".join(r.message for r in decision.allowed_by)
    else:
        summary = "Niet toegestaan: " + "; ".join(r.message for r in decision.denied_by)
        if missing:
            summary += " Nog nodig: " + ", ".join(missing) + "."
    return Explanation(
        action=action,
        allowed=decision.allow,
        view=decision.view,
        allowed_by=decision.allowed_by,
        denied_by=decision.denied_by,
        missing=missing,
        mask=decision.mask,
        obligations=decision.obligations,
        summary=summary,
        policy_revision=engine.policy_revision,
        data_revision=engine.data_revision,
    )
