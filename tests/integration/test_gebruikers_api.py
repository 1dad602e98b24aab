"""Tenant admins manage their own tenant's users; concurrent edits are detected (ETag)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_BEHEERDER_2,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_BEHEERDER,
    ZOETERMEER_PGA_EXPERT,
)

Headers = Callable[[str, str], dict[str, str]]
URL = "/api/v1/gebruikers"


def test_only_tenantbeheerder_may_manage_users(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    assert client.get(URL, headers=token_for(ZEIST, ZEIST_WIJKAGENT)).status_code == 403
    listing = client.get(URL, headers=token_for(ZEIST, ZEIST_BEHEERDER))
    assert listing.status_code == 200
    ids = {u["id"] for u in listing.json()}
    assert ZEIST_PGA_EXPERT in ids
    assert ZOETERMEER_PGA_EXPERT not in ids  # a Zoetermeer user is invisible in Zeist


def test_create_update_and_stale_etag(client: TestClient[Litestar], token_for: Headers) -> None:
    admin = token_for(ZEIST, ZEIST_BEHEERDER)
    user_id = f"test-{uuid.uuid4().hex[:8]}"
    created = client.post(
        URL,
        json={
            "id": user_id,
            "naam": "Test Professional",
            "organisatie": "kwintes",
            "rollen": ["professional"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    # The roles wait for a second tenantbeheerder (four eyes).
    proposal = created.json()["voorstel"]
    approved = client.post(
        f"/api/v1/rolwijzigingen/{proposal['id']}/goedkeuren",
        json={},
        headers=token_for(ZEIST, ZEIST_BEHEERDER_2),
    )
    assert approved.status_code == 200, approved.text
    first_etag = client.get(f"{URL}/{user_id}", headers=admin).headers["etag"]
    assert first_etag != created.headers["etag"]  # the grant changed the user

    # The new user can log in.
    me = client.get("/api/v1/mij", headers=token_for(ZEIST, user_id))
    assert me.json()["organisatie"] == "kwintes"
    assert me.json()["rollen"] == ["professional"]

    no_precondition = client.patch(f"{URL}/{user_id}", json={"naam": "X Y"}, headers=admin)
    assert no_precondition.status_code == 428

    updated = client.patch(
        f"{URL}/{user_id}",
        json={"naam": "Test Professional-Jansen", "functie": "Ambulant begeleider"},
        headers={**admin, "If-Match": first_etag},
    )
    assert updated.status_code == 200
    assert updated.headers["etag"] != first_etag

    stale = client.patch(
        f"{URL}/{user_id}", json={"actief": False}, headers={**admin, "If-Match": first_etag}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "verouderde-versie"
    current = client.get(f"{URL}/{user_id}", headers=admin).json()
    assert current["actief"] is True
    assert current["naam"] == "Test Professional-Jansen"
    assert current["rollen"] == ["professional"]

    deactivated = client.patch(
        f"{URL}/{user_id}",
        json={"actief": False},
        headers={**admin, "If-Match": updated.headers["etag"]},
    )
    assert deactivated.status_code == 200
    assert client.get("/api/v1/mij", headers=token_for(ZEIST, user_id)).status_code == 401


def test_invalid_user_is_refused_naming_the_field(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    admin = token_for(ZEIST, ZEIST_BEHEERDER)
    for body, field in (
        ({"id": "x1", "naam": "A B", "organisatie": "kwintes", "rollen": ["koning"]}, "rollen"),
        (
            {"id": "x2", "naam": "A B", "organisatie": "kwintes", "rollen": ["platformbeheerder"]},
            "rollen",
        ),
        (
            {"id": "x3", "naam": "A B", "organisatie": "bestaat-niet", "rollen": ["professional"]},
            "organisatie",
        ),
        (
            {
                "id": "Hoofdletters!",
                "naam": "A B",
                "organisatie": "kwintes",
                "rollen": ["professional"],
            },
            "id",
        ),
        ({"naam": "A B", "organisatie": "kwintes", "rollen": ["professional"]}, "id"),
    ):
        response = client.post(URL, json=body, headers=admin)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()


def test_admin_cannot_revoke_own_rights(client: TestClient[Litestar], token_for: Headers) -> None:
    admin = token_for(ZOETERMEER, ZOETERMEER_BEHEERDER)
    etag = client.get(f"{URL}/{ZOETERMEER_BEHEERDER}", headers=admin).headers["etag"]
    response = client.patch(
        f"{URL}/{ZOETERMEER_BEHEERDER}", json={"actief": False}, headers={**admin, "If-Match": etag}
    )
    assert response.status_code == 409
