"""The production OIDC client against the development issuer over real HTTP: discovery,
the authorization endpoint, the code exchange at the token endpoint (PKCE), the JWKS via
discovery and the ID token's nonce — the same code path as with an organisation's
provider, walked end to end on loopback."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from browser_login import hidden_fields
from fake_oidc import free_port
from people import ZEIST, ZEIST_CASUSREGISSEUR

from services.app import create_app
from services.platform.identity.login_flow import LoginFailed, LoginFlow, Provider
from services.platform.identity.setup import build_identity, remote_verifier
from services.runtime import Runtime


@pytest.fixture
def issuer_base(runtime: Runtime, test_tenants: object) -> Iterator[str]:
    port = free_port()
    rt = dataclasses.replace(runtime, settings=runtime.settings.model_copy(update={"port": port}))
    app = create_app(rt, identity=build_identity(rt), start_worker=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # progress: uvicorn reports it is listening
        assert thread.is_alive()
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(60)


def test_the_production_client_logs_in_at_the_development_issuer_over_http(
    runtime: Runtime, issuer_base: str
) -> None:
    settings = runtime.settings.model_copy(update={"oidc_issuer": issuer_base + "/oidc"})
    verifier, keys = remote_verifier(settings)
    provider = Provider(
        issuer_base + "/oidc", client_id="regietafel-web", client_secret=None, timeout_seconds=10
    )
    flow = LoginFlow(
        secret_key=settings.secret_key or "",
        client_id="regietafel-web",
        authorization_endpoint=provider.authorization_endpoint,
        exchange=provider.exchange,
        verifier=verifier,
    )
    try:
        start = flow.start(issuer_base + "/inloggen/terug")
        assert start.location.startswith(issuer_base + "/oidc/authorize?")
        with httpx.Client(timeout=30) as browser:
            page = browser.get(start.location)
            assert page.status_code == 200 and "kies een fictieve gebruiker" in page.text
            fields = {**hidden_fields(page.text), "tenant": ZEIST, "user": ZEIST_CASUSREGISSEUR}
            chosen = browser.post(issuer_base + "/oidc/authorize", data=fields)
        assert chosen.status_code == 303
        back = parse_qs(urlsplit(chosen.headers["location"]).query)
        token = flow.finish(cookie=start.cookie, code=back["code"][0], state=back["state"][0])
        assert verifier.verify(token).subject == ZEIST_CASUSREGISSEUR
        assert keys.fetches >= 1  # the keys came over HTTP, found through discovery
        # The code is spent: a second exchange is refused by the token endpoint.
        with pytest.raises(LoginFailed):
            flow.finish(cookie=start.cookie, code=back["code"][0], state=back["state"][0])
    finally:
        provider.close()
        keys.close()
