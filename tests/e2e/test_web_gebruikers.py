"""The tenantbeheerder's "Gebruikers" pages, walked in the browser by the two beheerders of
Zeist: propose a role, try to approve it yourself (refused), the other approves; a revoke
works at once (issue 9, defect 10)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_BEHEERDER, ZEIST_BEHEERDER_2, ZEIST_WIJKAGENT

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
KOEN, LOTTE = ZEIST_BEHEERDER, ZEIST_BEHEERDER_2


@pytest.fixture
def koen(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        login(client, KOEN)
        yield client


@pytest.fixture
def lotte(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        login(client, LOTTE)
        yield client


def login(client: Client, user: str) -> None:
    login_as(client, T, user)


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:600])
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def proposal_row(html: str, user_id: str) -> tuple[str, str]:
    """(proposal id, table row) of the open proposal about ``user_id`` on the overview."""
    rows = re.findall(r'<tr id="voorstel-([0-9a-f-]{36})">(.*?)</tr>', html, flags=re.S)
    (found,) = [(pid, row) for pid, row in rows if f'href="/gebruikers/{user_id}"' in row]
    return found


def post(client: Client, url: str, data: dict[str, object], status: int = 303) -> str:
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == status, (url, response.status_code, response.text[:1500])
    return response.headers.get("location", "") if status == 303 else response.text


def roles(client: Client, token_for: Headers, user: str) -> list[str]:
    me = client.get("/api/v1/mij", headers=token_for(T, user))
    assert me.status_code == 200
    return list(me.json()["rollen"])


def test_two_beheerders_walk_a_role_change_in_the_browser(
    koen: Client, lotte: Client, token_for: Headers
) -> None:
    user_id = f"web-{uuid.uuid4().hex[:8]}"
    created = koen.post(
        "/api/v1/gebruikers",
        json={
            "id": user_id,
            "naam": "Wessel Webtest",
            "organisatie": "kwintes",
            "rollen": ["professional"],
        },
        headers=token_for(T, KOEN),
    )
    assert created.status_code == 201
    proposal = created.json()["voorstel"]["id"]

    # Koen sees his own proposal without an approve button, and cannot approve it anyway.
    overview = page(koen, "/gebruikers")
    assert '<a href="/gebruikers" aria-current="page">Gebruikers</a>' in overview
    assert "Wessel Webtest" in overview
    shown, row = proposal_row(overview, user_id)
    assert shown == proposal
    assert "Uw eigen voorstel" in row
    assert "Goedkeuren" not in row
    refused = post(
        koen,
        f"/gebruikers/voorstellen/{proposal}/goedkeuren",
        {"csrf_token": token(overview)},
        status=403,
    )
    assert "Niet uitgevoerd." in refused
    assert "eigen voorstel niet goedkeuren" in refused
    assert roles(koen, token_for, user_id) == []

    # Lotte approves it.
    overview = page(lotte, "/gebruikers")
    assert "Goedkeuren" in proposal_row(overview, user_id)[1]
    assert post(
        lotte, f"/gebruikers/voorstellen/{proposal}/goedkeuren", {"csrf_token": token(overview)}
    ).endswith("melding=goedgekeurd")
    assert "de gebruiker heeft de nieuwe rollen" in page(lotte, "/gebruikers?melding=goedgekeurd")
    assert roles(lotte, token_for, user_id) == ["professional"]

    # Lotte proposes casusregisseur on the user's page; a reason is required.
    detail = page(lotte, f"/gebruikers/{user_id}")
    version = re.search(r'name="versie" value="(\d+)"', detail)
    assert version
    form = {
        "csrf_token": token(detail),
        "versie": version.group(1),
        "rollen": ["professional", "casusregisseur"],
        "organisatie": "kwintes",
        "reden": "",
    }
    invalid = post(lotte, f"/gebruikers/{user_id}/rollen", form, status=422)
    assert "Leg uit waarom de gebruiker" in invalid
    assert 'value="casusregisseur" checked' in invalid  # what was entered comes back
    form["reden"] = "Neemt de casussen van een vertrokken regisseur over."
    assert post(lotte, f"/gebruikers/{user_id}/rollen", form).endswith("melding=voorstel-ingediend")
    assert roles(lotte, token_for, user_id) == ["professional"]

    overview = page(lotte, "/gebruikers")
    second, row = proposal_row(overview, user_id)
    assert second != proposal
    assert "Uw eigen voorstel" in row
    post(
        lotte,
        f"/gebruikers/voorstellen/{second}/goedkeuren",
        {"csrf_token": token(overview)},
        status=403,
    )
    assert roles(lotte, token_for, user_id) == ["professional"]
    overview = page(koen, "/gebruikers")
    post(koen, f"/gebruikers/voorstellen/{second}/goedkeuren", {"csrf_token": token(overview)})
    assert roles(koen, token_for, user_id) == ["casusregisseur", "professional"]

    # Koen takes the role away again: that works at once.
    detail = page(koen, f"/gebruikers/{user_id}")
    version = re.search(r'name="versie" value="(\d+)"', detail)
    assert version
    revoke = {
        "csrf_token": token(detail),
        "versie": version.group(1),
        "rollen": ["professional"],
        "organisatie": "kwintes",
        "reden": "",
    }
    assert post(koen, f"/gebruikers/{user_id}/rollen", revoke).endswith(
        "melding=rollen-ingetrokken"
    )
    assert roles(koen, token_for, user_id) == ["professional"]
    # The same (now stale) form again changes nothing.
    assert post(koen, f"/gebruikers/{user_id}/rollen", revoke).endswith("melding=verouderd")


def test_the_gebruikers_pages_need_the_role_and_the_form_token(app: Litestar, koen: Client) -> None:
    assert "Alle gebruikers" in page(koen, "/gebruikers")
    without_token = post(
        koen, f"/gebruikers/{KOEN}/rollen", {"rollen": ["tenantbeheerder"]}, status=403
    )
    assert "beveiligingscode" in without_token
    with TestClient(app) as professional:
        login(professional, ZEIST_WIJKAGENT)
        html = page(professional, "/gebruikers", status=403)
        assert "tenantbeheerder" in html
        assert 'href="/gebruikers"' not in page(professional, "/overzicht")
    with TestClient(app) as anonymous:
        response = anonymous.get("/gebruikers", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/inloggen"
