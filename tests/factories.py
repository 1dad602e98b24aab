"""Shared test factories: a casus made the way users make one (through the API)."""

from __future__ import annotations

from typing import Any

AANMELDING: dict[str, Any] = {
    "soort": "persoon",
    "waarom_integraal": "Overlast en schulden: meerdere partners zijn nodig.",
    "problemen": {"financien": "Schulden."},
    "geinformeerd": True,
}


def aanmelden(
    client: Any,
    headers: dict[str, str],
    surname: str,
    *,
    given_names: str = "Sem",
    birth_date: str = "2003-02-01",
    **overrides: Any,
) -> str:
    """A person aangemeld by the holder of ``headers``; returns the casus id."""
    body = {
        **AANMELDING,
        "persoon": {"voornamen": given_names, "achternaam": surname, "geboortedatum": birth_date},
        **overrides,
    }
    response = client.post("/api/v1/casussen", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
