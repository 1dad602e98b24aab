"""Shared test factories: a casus made the way users make one (through the API)."""

from __future__ import annotations

from typing import Any

from plan_first import ensure_plan

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


def werkvoorraad_items(client: Any, headers: dict[str, str], **params: Any) -> list[Any]:
    """Every item of the caller's werkvoorraad: all pages of ``GET /api/v1/werkvoorraad``
    (pages of 25, issue 14)."""
    items: list[Any] = []
    page: int | None = 1
    while page is not None:
        response = client.get(
            "/api/v1/werkvoorraad", headers=headers, params={**params, "pagina": page}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        page = body["volgende"]
    return items


def referentie(client: Any, headers: dict[str, str], casus_id: str) -> str:
    """The reference of a casus (to filter the werkvoorraad page on it)."""
    response = client.get(f"/api/v1/casussen/{casus_id}", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["referentie"])


def move(client: Any, url: str, headers: dict[str, str], etag: str, path: str, body: Any) -> str:
    """``POST {url}/{path}`` with ``If-Match: etag``, which must succeed; the new ETag."""
    response = client.post(f"{url}/{path}", json=body, headers={**headers, "If-Match": etag})
    assert response.status_code == 200, response.text
    return str(response.headers["etag"])


def to_uitvoering(
    client: Any,
    url: str,
    etag: str,
    *,
    expert: dict[str, str],
    regisseur: tuple[str, dict[str, str]],
) -> str:
    """A casus just aangemeld brought to uitvoering the way users do it: triage and opnemen by
    the pga-expert, who appoints the casusregisseur (``regisseur``: user id and headers); the
    regisseur makes the plan and starts it. Returns the casus's ETag."""
    etag = move(client, url, expert, etag, "overgang", {"naar": "in_triage"})
    move(
        client,
        url,
        expert,
        etag,
        "triage",
        {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
    )
    user, headers = regisseur
    appointed = client.put(
        f"{url}/regie", json={"rol": "casusregisseur", "gebruiker": user}, headers=expert
    )
    assert appointed.status_code == 200, appointed.text
    etag = client.get(url, headers=headers).headers["etag"]
    etag = move(client, url, headers, etag, "overgang", {"naar": "plan"})
    ensure_plan(client, url, headers)
    etag = client.get(url, headers=headers).headers["etag"]
    return move(client, url, headers, etag, "overgang", {"naar": "uitvoering"})
