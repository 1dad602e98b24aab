"""Build the policy-data document the policy engine (Rego) reads, from the manifests.

Shape (all keys and lists sorted; see docs/tenants.md)::

    {"revision": "<sha256 hex of the canonical JSON of everything else>",
     "tenants": {"GM0355": {"kind": "gemeente", "region": "regio-utrecht", "active": true,
        "organisations": {"<org-id>": {"domain": "politie", "receive_only": false}},
        "grants": {"<domain>": {"<category>": ["<purpose>", ...]}},
        "bsn_purposes": ["aanmelding", "informeren", "triage"]}},
     "regions": {"regio-utrecht": {"bureau_tenant": "RGUTRECHT", "tenants": ["GM0345", ...]}}}

``regions.<r>.tenants`` lists the gemeente tenants of the region (not the bureau itself);
``bureau_tenant`` is null for a region without a regional bureau manifest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Set
from typing import Any

from tenants.manifest import Manifest, check_set


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8 (not \\u-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def revision_of(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``content`` (the document without revision)."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def tenant_policy_data(manifest: Manifest, *, active: bool) -> dict[str, Any]:
    """The policy data of one tenant."""
    return {
        "kind": manifest.kind,
        "region": manifest.region,
        "active": active,
        "organisations": {
            org.id: {"domain": org.domain, "receive_only": org.receive_only}
            for org in sorted(manifest.organisations, key=lambda o: o.id)
        },
        "grants": manifest.grant_matrix(),
        "bsn_purposes": sorted(set(manifest.bsn_purposes)),
    }


def build_policy_data(manifests: Iterable[Manifest], suspended: Set[str]) -> dict[str, Any]:
    """Policy data for all tenants. ``suspended``: codes of suspended tenants (active=false).

    Deterministic: the same manifests (in any order) and the same suspended set give the same
    document and revision. Codes in ``suspended`` without a manifest are ignored. Raises
    :class:`tenants.manifest.ManifestError` when the manifests conflict as a set.
    """
    ordered = sorted(manifests, key=lambda m: m.gemeentecode)
    check_set(ordered)
    tenants = {
        m.gemeentecode: tenant_policy_data(m, active=m.gemeentecode not in suspended)
        for m in ordered
    }
    regions: dict[str, dict[str, Any]] = {}
    for m in ordered:
        region = regions.setdefault(m.region, {"bureau_tenant": None, "tenants": []})
        if m.kind == "regio":
            region["bureau_tenant"] = m.gemeentecode
        else:
            region["tenants"].append(m.gemeentecode)
    content: dict[str, Any] = {
        "tenants": tenants,
        "regions": {name: regions[name] for name in sorted(regions)},
    }
    return {"revision": revision_of(content), **content}


def policy_data_json(data: dict[str, Any]) -> str:
    """Serialise a policy-data document for writing to disk or an OPA bundle (indented)."""
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
