"""A token with an unknown ``kid`` does not slow other requests.

The casework service runs under uvicorn against an identity provider on loopback (a small
HTTP server of this test: the named test double for an external OIDC provider). The
provider *holds* its JWKS answer while unknown-kid tokens arrive; the test waits until the
fetch is provably in progress (the provider saw it) and then shows that /health/live and
a request with a valid token are answered meanwhile. Nothing here waits on a fixed
deadline: every wait is for an observed event; the HTTP timeouts only turn a hang (the
old behaviour: the fetch blocked the event loop) into a failure.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_oidc import HANG_GUARD, KID, ROTATED_KID, FakeProvider, free_port, serve_provider
from people import ZEIST_PGA_EXPERT

from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.login_flow import LoginFlow
from services.platform.identity.setup import Identity, remote_verifier
from services.runtime import Runtime


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider(free_port(), {KID: rsa.generate_private_key(65537, 2048)})
    fake.gate.set()
    server = serve_provider(fake)
    yield fake
    fake.gate.set()
    server.shutdown()


@pytest.fixture
def served(runtime: Runtime, test_tenants: object, provider: FakeProvider) -> Iterator[str]:
    """The casework app under uvicorn, verifying tokens of the fake provider."""
    from services.app import create_app

    settings = runtime.settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_jwks_min_refresh_seconds": 3600,  # one unknown-kid fetch in this test
            "oidc_http_timeout_seconds": HANG_GUARD,
        }
    )
    verifier, keys = remote_verifier(settings)
    identity = Identity(
        verifier,
        PrincipalDirectory(runtime.sessions),
        None,
        LoginFlow(
            secret_key=settings.secret_key or "",
            client_id="regietafel-web",
            authorization_endpoint=lambda: provider.issuer + "/authorize",
            exchange=lambda **_: {},
            verifier=verifier,
        ),
        (keys.close,),
    )
    app = create_app(runtime, identity=identity, start_worker=False)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:  # progress: uvicorn says it is listening
        assert thread.is_alive(), "uvicorn stopped"
        time.sleep(0.02)
    keys.refresh().result(HANG_GUARD)  # the start-up fetch has completed
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(HANG_GUARD)
    identity.close()


def test_unknown_kid_tokens_do_not_slow_other_requests(served: str, provider: FakeProvider) -> None:
    good = {"Authorization": "Bearer " + provider.sign(KID)}
    with httpx.Client(base_url=served, timeout=HANG_GUARD) as client:
        assert client.get("/api/v1/mij", headers=good).status_code == 200
        baseline = [_timed(client, "/health/live") for _ in range(20)]
    fetches_before = provider.jwks_fetches

    # The provider now holds its JWKS answer; unknown-kid tokens arrive from 8 clients.
    provider.gate.clear()
    provider.fetch_seen.clear()
    stranger = rsa.generate_private_key(65537, 2048)
    unknown = [provider.sign(f"made-up-{i}", stranger) for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        pending = [
            pool.submit(
                httpx.get,
                served + "/api/v1/mij",
                headers={"Authorization": "Bearer " + token},
                timeout=HANG_GUARD,
            )
            for token in unknown
        ]
        assert provider.fetch_seen.wait(HANG_GUARD), "no JWKS fetch for an unknown kid"
        # The fetch is in progress (held by the provider): the service still answers.
        with httpx.Client(base_url=served, timeout=HANG_GUARD) as client:
            during = [_timed(client, "/health/live") for _ in range(20)]
            authenticated = [client.get("/api/v1/mij", headers=good) for _ in range(5)]
        assert not any(p.done() and p.result().status_code == 200 for p in pending)
        still_held = sum(not p.done() for p in pending)
        provider.gate.set()
        results = [p.result() for p in pending]

    assert all(r.status_code == 200 for r in authenticated)
    assert all(r.status_code == 401 for r in results)
    assert {r.json()["code"] for r in results} == {"token-sleutel-onbekend"}
    # 24 unknown kids cost one JWKS request (rate limit), and later ones cost none.
    assert provider.jwks_fetches - fetches_before == 1
    late = httpx.get(
        served + "/api/v1/mij",
        headers={"Authorization": "Bearer " + provider.sign("nog-een", stranger)},
        timeout=HANG_GUARD,
    )
    assert late.status_code == 401
    assert provider.jwks_fetches - fetches_before == 1
    assert still_held >= 1  # some unknown-kid requests were waiting while we were served
    print(
        f"\n/health/live before: median {statistics.median(baseline) * 1000:.1f} ms, "
        f"max {max(baseline) * 1000:.1f} ms; while the JWKS fetch was held: median "
        f"{statistics.median(during) * 1000:.1f} ms, max {max(during) * 1000:.1f} ms "
        f"({still_held} unknown-kid requests not yet answered, 1 JWKS fetch for 25 unknown kids)"
    )


def test_a_rotated_key_is_picked_up_by_the_unknown_kid_refresh(
    runtime: Runtime, provider: FakeProvider
) -> None:
    settings = runtime.settings.model_copy(
        update={"oidc_issuer": provider.issuer, "oidc_jwks_min_refresh_seconds": 0}
    )
    verifier, keys = remote_verifier(settings)
    try:
        keys.refresh().result(HANG_GUARD)
        assert verifier.verify(provider.sign(KID)).subject == ZEIST_PGA_EXPERT
        provider.keys[ROTATED_KID] = rsa.generate_private_key(65537, 2048)
        rotated = provider.sign(ROTATED_KID, provider.keys[ROTATED_KID])
        assert verifier.verify(rotated).subject == ZEIST_PGA_EXPERT
    finally:
        keys.close()


def _timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200
    return time.perf_counter() - started
