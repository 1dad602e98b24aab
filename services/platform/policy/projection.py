"""The decision-relevant projection of a typed policy input: the decision cache's key.

Two inputs with the same projection get the same decision object from the Rego in
``policies/`` (allow, view, reasons with their messages, mask, obligations). The projection
keeps everything as it is except what the rules only *compare with the subject* or do not read
at all (issue 14, ADR 0020):

* ``resource.casus_id`` - no rule reads it;
* ``context.now`` - read only by the doorbreekglas rules (urgent_access.rego), which apply only
  when the resource carries an ``urgent_access`` or the context an ``urgency_reason``: then it
  is kept;
* ``resource.participants`` - only "does a reference name the subject's organisation"
  (``participant``, need_to_know.rego): projected to that yes/no;
* ``resource.regisseurs`` - only "does a reference name the subject" (``regisseur``): yes/no;
* ``resource.uitvoeringscoordinator``, ``resource.chair`` - only "present" and "names the
  subject": absent / subject / other;
* ``resource.source_organisation`` - only "names the subject's organisation": absent /
  subject / other;
* ``resource.shared_with_tenants`` - only "holds the subject's tenant": yes/no.

The subject, the action, every other context field and every other resource field (phase,
kind, group step, category, withheld, consent, urgent access, ...) are part of the key as
they are. So a page of 50 casussen in which the subject has the same relation to most of them
costs a handful of evaluations the first time and none after that.

Proof obligations, both in ``tests/policy/test_policy_fast_path.py``: the generated inputs of
the differential test (and variants of them that change only what the projection drops) give,
through the cache, exactly the decision of a full evaluation; and the Rego reads the projected
fields nowhere else than in the places listed above (a changed rule fails that test until the
projection is reviewed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.platform.policy.source import canonical_json

#: Context fields that open the doorbreekglas rules (and so make ``now`` relevant).
_URGENT_CONTEXT = "urgency_reason"


def _names(ref: Any, tenant: Any, identifier: Any) -> bool:
    return (
        isinstance(ref, Mapping)
        and identifier is not None
        and ref.get("tenant") == tenant
        and ref.get("id") == identifier
    )


def _relation(ref: Any, tenant: Any, identifier: Any) -> str:
    if ref is None:
        return "absent"
    return "subject" if _names(ref, tenant, identifier) else "other"


def decision_projection(input: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a canonical policy input the decision depends on (see the module doc)."""
    subject: Mapping[str, Any] = input.get("subject") or {}
    tenant = subject.get("tenant")
    user = subject.get("user_id")
    organisation = subject.get("organisation")
    context = dict(input.get("context") or {})
    out: dict[str, Any] = dict(input)  # anything else (nothing, in a canonical input) as is
    raw = input.get("resource")
    urgent = _URGENT_CONTEXT in context
    if isinstance(raw, Mapping):
        resource = dict(raw)
        urgent = urgent or "urgent_access" in resource
        resource.pop("casus_id", None)
        if "participants" in resource:
            resource["participants"] = any(
                _names(r, tenant, organisation) for r in resource["participants"]
            )
        if "regisseurs" in resource:
            resource["regisseurs"] = any(_names(r, tenant, user) for r in resource["regisseurs"])
        for key in ("uitvoeringscoordinator", "chair"):
            if key in resource:
                resource[key] = _relation(resource[key], tenant, user)
        if "source_organisation" in resource:
            resource["source_organisation"] = _relation(
                resource["source_organisation"], tenant, organisation
            )
        if "shared_with_tenants" in resource:
            resource["shared_with_tenants"] = tenant in resource["shared_with_tenants"]
        out["resource"] = resource
    if not urgent:
        context.pop("now", None)
    out["context"] = context
    return out


def decision_key(input: Mapping[str, Any]) -> str:
    """The projection as canonical JSON (the cache key, with the revisions)."""
    return canonical_json(decision_projection(input))
