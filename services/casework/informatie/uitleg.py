"""Uitleg: "mag ik dit (delen)?" — the policy explains an action on a casus, on a
hypothetical item of a category, or on an existing item: which rules allow or deny it and
what is still missing. The HTTP side is :mod:`services.casework.uitleg`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.informatie.checklist import Checklist, refuse_unknown_codes
from services.casework.informatie.items import (
    build_item_resource,
    item_resource,
    load_item,
    read_context,
)
from services.casework.toestemming.service import consent_resource
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.policy.explain import Explanation, explain
from services.platform.policy.input import build_input
from tenants.reference import DATA_CATEGORIES

#: The actions the uitleg endpoint can explain (``explain`` itself is the permission to ask).
EXPLAINABLE_ACTIONS = (
    "read",
    "list",
    "create",
    "update",
    "share",
    "withhold",
    "release",
    "transition",
)

#: Actions about the caller's own (hypothetical) information: the caller is the source.
SOURCE_ACTIONS = frozenset({"create", "share", "withhold", "release"})


def _check_explain_input(action: str, category: str | None) -> None:
    problems: list[FieldProblem] = []
    if action not in EXPLAINABLE_ACTIONS:
        problems.append(
            FieldProblem(
                "actie", f"Onbekende handeling; kies uit {', '.join(EXPLAINABLE_ACTIONS)}."
            )
        )
    if category is not None and category not in DATA_CATEGORIES:
        problems.append(
            FieldProblem(
                "categorie",
                f"Onbekende categorie '{category}'; kies uit {', '.join(DATA_CATEGORIES)}.",
            )
        )
    if problems:
        raise DomainValidationError(problems)


def _involved(ws: Workspace, base: Mapping[str, Any], purpose: str) -> bool:
    """Whether the caller could add information to this casus (and so be its source).

    "Mag ik dit delen?" is about one's own information; someone not involved cannot add
    information to the casus, so a hypothetical item is then nobody's own. The policy
    decides who works on the casus (may change it); this asks it, without auditing a
    hypothetical question (the uitleg request itself is audited).
    """
    decision = ws.enforcer.engine.decide(
        build_input(
            ws.principal.policy_subject(),
            "update",
            ws.context(purpose),
            {**base, "type": "casus"},
        )
    )
    return decision.allow


def _explained_purpose(action: str, checklist: Checklist, default: str) -> str | None:
    """A share names its purpose explicitly (checklist); other actions fall back to the
    purpose of the phase (or of the item)."""
    return checklist.purpose if action == "share" else default


def explain_casus(
    ws: Workspace,
    casus_id: uuid.UUID,
    action: str,
    checklist: Checklist,
    category: str | None = None,
) -> Explanation:
    """Explain ``action`` on this casus, or on a (hypothetical) item of ``category``.

    The caller first needs action ``explain`` on the casus. For actions on one's own
    information (create, share, withhold, release) the caller's organisation is the source.
    """
    refuse_unknown_codes(checklist)
    casus = ws.load_casus(casus_id)
    purpose = ws.purpose_for(casus, checklist.purpose)
    base = ws.resource(casus)
    ws.enforcer.decide(
        "explain", base, ws.context(purpose), Target("uitleg", str(casus.id), casus.id)
    )
    _check_explain_input(action, category)
    resource: dict[str, Any] = dict(base)
    if category is not None:
        resource = build_item_resource(
            base,
            casus,
            category=category,
            source=ws.principal.organisation
            if action in SOURCE_ACTIONS and _involved(ws, base, purpose)
            else None,
            withheld=False,
            consent=consent_resource(ws, casus, purpose),
        )
    else:
        resource["consent"] = consent_resource(ws, casus, purpose)
    return explain(
        ws.enforcer.engine,
        ws.principal.policy_subject(),
        action,
        resource,
        ws.context(_explained_purpose(action, checklist, purpose), checklist.context()),
    )


def explain_item(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    action: str,
    checklist: Checklist,
) -> Explanation:
    """Explain ``action`` on an existing item (e.g. "mag ik dit item delen?")."""
    refuse_unknown_codes(checklist)
    casus = ws.load_casus(casus_id)
    item = load_item(ws, casus, item_id)
    purpose = ws.purpose_for(casus, checklist.purpose or item.purpose)
    resource = item_resource(ws, casus, item, purpose)
    ws.enforcer.decide(
        "explain", resource, ws.context(purpose), Target("uitleg", str(item.id), casus.id)
    )
    _check_explain_input(action, None)
    if action in ("read", "list") and not any(checklist.context().values()):
        context = read_context(ws, item, purpose)
    else:
        context = ws.context(_explained_purpose(action, checklist, purpose), checklist.context())
    return explain(ws.enforcer.engine, ws.principal.policy_subject(), action, resource, context)


def explanation_view(explanation: Explanation) -> dict[str, Any]:
    """The explanation with Dutch keys, as the API returns it."""
    return {
        "actie": explanation.action,
        "toegestaan": explanation.allowed,
        "weergave": explanation.view,
        "toegestaan_door": [r.to_dict() for r in explanation.allowed_by],
        "geweigerd_door": [r.to_dict() for r in explanation.denied_by],
        "ontbreekt": list(explanation.missing),
        "gemaskeerd": list(explanation.mask),
        "verplichtingen": [o.to_dict() for o in explanation.obligations],
        "samenvatting": explanation.summary,
        "beleidsversie": explanation.policy_revision,
        "dataversie": explanation.data_revision,
    }
