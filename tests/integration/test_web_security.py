"""Web and API security: headers on every response, the login cookie (Secure, never
accepted by the API), logout by POST with CSRF, and the authorization-code flow with PKCE
of the development issuer, walked step by step."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from browser_login import hidden_fields, login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from analytics.app import create_app as create_analytics_app
from services.platform.config import ConfigurationError, load_settings
from services.platform.identity.dev_issuer import pkce_challenge
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
CASUS = {
    "soort": "persoon",
    "waarom_integraal": "Cross-site aanmelding die nooit mag slagen.",
    "problemen": {"financien": "Schulden."},
    "geinformeerd": True,
    "persoon": {"voornamen": "Csrf", "achternaam": "Slachtoffer", "geboortedatum": "2001-01-01"},
}


@pytest.fixture
def browser(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as client:
        yield client


def _header_set(response: object) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items()}  # type: ignore[attr-defined]


def _assert_security_headers(headers: dict[str, str], *, cacheable: bool = False) -> None:
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    if not cacheable:
        assert headers["cache-control"] == "no-store"


def test_every_casework_response_carries_the_security_headers(
    browser: Client, token_for: Headers
) -> None:
    login_as(browser, T, ZEIST_PGA_EXPERT)
    responses = {
        "api": browser.get("/api/v1/casussen", headers=token_for(T, ZEIST_PGA_EXPERT)),
        "api-401": browser.get("/api/v1/casussen"),
        "page": browser.get("/casussen"),
        "home": browser.get("/"),
        "health": browser.get("/health/live"),
        "404": browser.get("/bestaat-niet"),
        "openapi": browser.get("/api/docs/openapi.json"),
    }
    for name, response in responses.items():
        assert response.status_code in (200, 401, 404), (name, response.status_code)
        _assert_security_headers(_header_set(response))
    static = browser.get("/static/regietafel.css")
    assert static.status_code == 200
    _assert_security_headers(_header_set(static), cacheable=True)
    assert static.headers.get("cache-control") != "no-store"


def test_the_analytics_dashboard_allows_its_inline_style_by_hash_only(
    settings: object, db_urls: object
) -> None:
    from analytics.db.migrate import upgrade

    # Migrated as its owner (the runtime role may not create tables): alone, this test is
    # the first to touch the analytics database.
    upgrade(
        db_urls.analytics_owner,  # type: ignore[attr-defined]
        runtime_role=settings.db_analytics_role,  # type: ignore[attr-defined]
    )
    engine = sa.create_engine(db_urls.analytics)  # type: ignore[attr-defined]
    try:
        with TestClient(create_analytics_app(settings, engine)) as client:  # type: ignore[arg-type]
            page = client.get("/")
            assert page.status_code == 200
            headers = _header_set(page)
            _assert_security_headers(headers)
            assert "'sha256-" in headers["content-security-policy"]
            _assert_security_headers(_header_set(client.get("/api/v1/releases")))
    finally:
        engine.dispose()


def test_the_api_refuses_the_login_cookie_and_a_cross_site_post_creates_nothing(
    browser: Client, runtime: Runtime
) -> None:
    login_as(browser, T, ZEIST_WIJKAGENT)
    assert browser.cookies.get("regietafel_token")
    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:

        def count() -> int:
            with admin.connect() as conn:
                return int(conn.execute(sa.text("SELECT count(*) FROM casussen")).scalar_one())

        before = count()
        # What a foreign page can send without a CORS preflight: a text/plain form POST,
        # carrying the (SameSite-exempt in older browsers) cookie.
        forged = browser.post(
            "/api/v1/casussen",
            content=json.dumps(CASUS).encode(),
            headers={"Content-Type": "text/plain", "Origin": "https://kwaadwillend.example"},
        )
        assert forged.status_code == 401, forged.text
        assert forged.headers["content-type"].startswith("application/problem+json")
        as_json = browser.post("/api/v1/casussen", json=CASUS)
        assert as_json.status_code == 401
        assert browser.get("/api/v1/mij").status_code == 401
        assert count() == before
    finally:
        admin.dispose()


def test_logout_is_a_post_with_the_csrf_token_of_this_login(browser: Client) -> None:
    login_as(browser, T, ZEIST_PGA_EXPERT)
    page = browser.get("/casussen")
    assert 'action="/uitloggen"' in page.text
    after = page.text.split('action="/uitloggen"', 1)[1]
    token = re.findall(r'name="csrf_token" value="([0-9a-f]+)"', after)
    # A GET (a link or <img> on a foreign page) does not log out.
    assert browser.get("/uitloggen", follow_redirects=False).status_code in (404, 405)
    refused = browser.post("/uitloggen", data={"csrf_token": "vals"}, follow_redirects=False)
    assert refused.status_code == 403
    assert browser.get("/casussen", follow_redirects=False).status_code == 200
    done = browser.post("/uitloggen", data={"csrf_token": token[0]}, follow_redirects=False)
    assert done.status_code == 303
    assert browser.get("/casussen", follow_redirects=False).status_code == 303


def test_the_embedded_login_cookie_is_httponly_strict_and_not_secure_on_loopback_http(
    browser: Client,
) -> None:
    done = login_as(browser, T, ZEIST_PGA_EXPERT)
    cookie = next(
        c for c in done.headers.get_list("set-cookie") if c.startswith("regietafel_token=")
    )
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Secure" not in cookie  # embedded mode on http://127.0.0.1 (see configuration.md)


def test_cookies_are_secure_everywhere_but_embedded_loopback_http(tmp_path: object) -> None:
    assert load_settings(mode="embedded").secure_cookies is False
    assert load_settings(mode="embedded", host="0.0.0.0").secure_cookies is True  # noqa: S104
    assert load_settings(public_base_url="https://regietafel.example").secure_cookies is True
    with pytest.raises(ConfigurationError, match="REGIETAFEL_COOKIE_SECURE"):
        load_settings(public_base_url="https://regietafel.example", cookie_secure=False)
    production = load_settings(
        mode="production",
        database_url="postgresql://db:5432/",
        secret_key="s" * 40,
        pseudonym_key="p" * 40,
        service_token="t" * 40,
        oidc_issuer="https://idp.example",
        broker_url="amqp://mq/",
        host="127.0.0.1",
    )
    assert production.secure_cookies is True


def test_secure_login_cookie_when_served_over_https(runtime: Runtime, test_tenants: object) -> None:
    from services.app import create_app
    from services.platform.identity.setup import build_identity

    secure = runtime.settings.model_copy(update={"public_base_url": "https://regietafel.example"})
    rt = Runtime(
        secure, runtime.urls, runtime.engine, runtime.sessions, runtime.broker, runtime.actors
    )
    app = create_app(rt, identity=build_identity(rt), start_worker=False)
    with TestClient(app, base_url="https://regietafel.example") as client:
        done = login_as(client, T, ZEIST_PGA_EXPERT)
        cookies = done.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("regietafel_token="))
        assert "Secure" in session
        assert "strict-transport-security" in _header_set(done)


def test_the_authorization_code_flow_checks_state_pkce_and_single_use(browser: Client) -> None:
    start = browser.get("/inloggen", follow_redirects=False)
    params = parse_qs(urlsplit(start.headers["location"]).query)
    assert params["code_challenge_method"] == ["S256"]
    assert params["response_type"] == ["code"]
    login_cookie = start.headers["set-cookie"]
    assert "regietafel_login=" in login_cookie and "HttpOnly" in login_cookie
    assert "samesite=lax" in login_cookie.lower()
    page = browser.get(start.headers["location"])
    assert "kies een fictieve gebruiker" in page.text
    fields = {**hidden_fields(page.text), "tenant": T, "user": ZEIST_PGA_EXPERT}

    # The provider sends the code back; a different state is refused, nothing is set.
    chosen = browser.post("/oidc/authorize", data=fields, follow_redirects=False)
    back = parse_qs(urlsplit(chosen.headers["location"]).query)
    code = back["code"][0]
    wrong_state = browser.get(
        "/inloggen/terug", params={"code": code, "state": "ander"}, follow_redirects=False
    )
    assert wrong_state.status_code == 400
    assert "regietafel_token" not in wrong_state.headers.get("set-cookie", "")

    # The token endpoint wants the right verifier, the same redirect_uri, and a code once.
    token_url = "/oidc/token"
    base = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": fields["client_id"],
        "redirect_uri": fields["redirect_uri"],
    }
    bad = browser.post(token_url, data={**base, "code_verifier": "x" * 64})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    # That attempt spent the code: a code is single-use even after a failed redemption.
    again = browser.post(token_url, data={**base, "code_verifier": "y" * 64})
    assert again.json()["error"] == "invalid_grant"

    # A full walk by an API client that holds its own verifier works over HTTP.
    verifier = "v" * 64
    fields.update(code_challenge=pkce_challenge(verifier))
    chosen = browser.post("/oidc/authorize", data=fields, follow_redirects=False)
    code = parse_qs(urlsplit(chosen.headers["location"]).query)["code"][0]
    answer = browser.post(token_url, data={**base, "code": code, "code_verifier": verifier})
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer"
    me = browser.get(
        "/api/v1/mij", headers={"Authorization": "Bearer " + answer.json()["access_token"]}
    )
    assert me.json()["gebruiker"] == ZEIST_PGA_EXPERT
    replay = browser.post(token_url, data={**base, "code": code, "code_verifier": verifier})
    assert replay.status_code == 400


def test_the_login_page_refuses_a_foreign_redirect_uri(browser: Client) -> None:
    start = browser.get("/inloggen", follow_redirects=False)
    location = start.headers["location"].replace(
        "redirect_uri=http", "redirect_uri=https%3A%2F%2Fkwaadwillend.example%2Fx%3Fa%3Dhttp"
    )
    refused = browser.get(location)
    assert refused.status_code == 400
    assert "kies een fictieve gebruiker" not in refused.text


def test_a_callback_without_the_login_cookie_is_refused(app: Litestar) -> None:
    with TestClient(app) as first, TestClient(app) as other_browser:
        start = first.get("/inloggen", follow_redirects=False)
        page = first.get(start.headers["location"])
        fields = {**hidden_fields(page.text), "tenant": T, "user": ZEIST_PGA_EXPERT}
        chosen = first.post("/oidc/authorize", data=fields, follow_redirects=False)
        back = urlsplit(chosen.headers["location"])
        # Login CSRF: someone else's callback URL opened in another browser does nothing.
        hijack = other_browser.get(back.path + "?" + back.query, follow_redirects=False)
        assert hijack.status_code == 400
        assert not other_browser.cookies.get("regietafel_token")
        assert first.get(back.path + "?" + back.query).status_code == 200
