"""Logging in as a browser does: the authorization-code flow with PKCE against the
development issuer (GET /inloggen -> /oidc/authorize -> choose a user -> callback)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

COOKIE = "regietafel_token"


def hidden_fields(html: str) -> dict[str, str]:
    """The authorization request the login page carries in its (first) form."""
    import re

    form = html.split("<form", 2)[1]
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form))


def login_as(client: Any, tenant: str, user: str) -> Any:
    """Walk the flow with ``client`` (a Litestar TestClient or httpx.Client with a base URL);
    returns the callback's response (the session cookie is then in the client)."""
    start = client.get("/inloggen", follow_redirects=False)
    assert start.status_code == 303, start.text
    authorize = urlsplit(start.headers["location"])
    assert authorize.path == "/oidc/authorize", start.headers["location"]
    page = client.get(authorize.path + "?" + authorize.query, follow_redirects=False)
    assert page.status_code == 200, page.text
    fields = hidden_fields(page.text)
    fields.update(tenant=tenant, user=user)
    chosen = client.post("/oidc/authorize", data=fields, follow_redirects=False)
    assert chosen.status_code == 303, chosen.text
    back = urlsplit(chosen.headers["location"])
    assert back.path == "/inloggen/terug", chosen.headers["location"]
    assert "code" in parse_qs(back.query)
    done = client.get(back.path + "?" + back.query, follow_redirects=False)
    return done
