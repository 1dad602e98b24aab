"""Meldingen in the browser: the count badge in the page header ("Meldingen (3)"), the page
/meldingen listing the user's own notifications, and marking one read (POST with the CSRF
token); someone else's notification cannot be marked."""

from __future__ import annotations

import re
from collections.abc import Callable

from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST
from test_web_casus_safeguards import EXPERT, REGISSEUR, WIJKAGENT, get, login, post, token

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST


def badge(html: str) -> int | None:
    """The unread count in the header (None: no badge)."""
    header = html.split("</header>")[0]
    assert 'href="/meldingen"' in header
    match = re.search(r'id="meldingen-teller">\((\d+)\)</span>', header)
    return int(match.group(1)) if match else None


def test_the_badge_the_page_and_marking_read(client: Client, token_for: Headers) -> None:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast: een integrale aanpak is nodig.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Wim", "achternaam": "Badgetest"},
        },
        headers=token_for(T, WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    casus_id, reference = created.json()["id"], created.json()["referentie"]
    api = client.get("/api/v1/meldingen", headers=token_for(T, EXPERT)).json()
    (note,) = [m for m in api["meldingen"] if m["casus_id"] == casus_id]

    login(client, EXPERT)
    home = get(client, "/casussen")
    assert badge(home) == api["ongelezen"] >= 1
    page = get(client, "/meldingen")
    assert 'aria-current="page">Meldingen' in page
    assert (
        f'<a href="/casussen/{casus_id}">Nieuwe aanmelding voor triage: casus {reference}.</a>'
        in page
    )
    assert "Badgetest" not in page  # a reference and a link, no name

    # Without a valid CSRF token nothing is marked.
    post(client, f"/meldingen/{note['id']}/gelezen", {"csrf_token": "0" * 64}, status=403)
    assert badge(get(client, "/meldingen")) == api["ongelezen"]

    marked = post(client, f"/meldingen/{note['id']}/gelezen", {"csrf_token": token(page)})
    assert marked.headers["location"] == "/meldingen?melding=melding-gelezen"
    page = get(client, "/meldingen?melding=melding-gelezen")
    assert "De melding is als gelezen gemarkeerd." in page
    assert badge(page) == (api["ongelezen"] - 1 or None)
    item = page.split(f'id="melding-{note["id"]}"')[1].split("</li>")[0]
    assert "Gelezen op" in item and "<button" not in item

    # Another user cannot mark it (nor see it): not found.
    login(client, REGISSEUR)
    other = get(client, "/meldingen")
    assert note["id"] not in other
    post(client, f"/meldingen/{note['id']}/gelezen", {"csrf_token": token(other)}, status=404)

    # Everything read at once.
    login(client, EXPERT)
    page = get(client, "/meldingen")
    if badge(page):
        post(client, "/meldingen/gelezen", {"csrf_token": token(page)})
    assert badge(get(client, "/meldingen")) is None
    assert "U hebt geen ongelezen meldingen." in get(client, "/meldingen")


def test_meldingen_needs_a_login(client: Client) -> None:
    client.cookies.clear()
    response = client.get("/meldingen", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/inloggen"
