"""A minimal plan van aanpak through the API: the service refuses uitvoering without one."""

from __future__ import annotations

from typing import Any

MINIMAL_PLAN: dict[str, Any] = {
    "doelen": [{"leefgebied": "financien", "probleem": "Schulden.", "doel": "Budgetplan."}],
    "eindcriterium": "Schulden onder bewind en geen nieuwe meldingen.",
}


def ensure_plan(
    client: Any, casus_url: str, headers: dict[str, str], leefgebied: str = "financien"
) -> None:
    """Store a first plan for the casus at ``casus_url`` (``/api/v1/casussen/<id>``) unless
    it has one; ``headers`` authenticate someone who may change the plan."""
    if client.get(f"{casus_url}/plan", headers=headers).status_code == 200:
        return
    plan = {**MINIMAL_PLAN, "doelen": [{**MINIMAL_PLAN["doelen"][0], "leefgebied": leefgebied}]}
    saved = client.put(f"{casus_url}/plan", json=plan, headers={**headers, "If-Match": "*"})
    assert saved.status_code == 201, saved.text
