"""Bearer tokens: every way a token can be wrong gives 401/403 problem+json, never a 500."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from browser_login import login_as
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    VEENENDAAL,
    VEENENDAAL_PGA_EXPERT,
    ZEIST,
    ZEIST_PGA_EXPERT,
    ZEIST_PGA_EXPERT_NAME,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.platform.config import Mode
from services.platform.db.models import TenantStatus
from services.platform.identity.dev_issuer import KID, DevIssuer, DevIssuerNotAllowed
from services.platform.identity.setup import Identity
from services.runtime import Runtime
from tenants.provision import set_status

ME = "/api/v1/mij"


def sign(identity: Identity, key: Any = None, kid: str = KID, **overrides: Any) -> str:
    issuer = identity.dev_issuer
    assert issuer is not None
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": ZEIST_PGA_EXPERT,
        "tenant": ZEIST,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key or issuer._key, algorithm="RS256", headers={"kid": kid})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_valid_token_maps_to_tenant_organisation_and_roles(
    client: TestClient[Litestar], identity: Identity
) -> None:
    response = client.get(ME, headers=bearer(sign(identity)))
    assert response.status_code == 200
    assert response.json() == {
        "gebruiker": ZEIST_PGA_EXPERT,
        "naam": ZEIST_PGA_EXPERT_NAME,
        "tenant": ZEIST,
        "tenant_soort": "gemeente",
        "organisatie": "gemeente-zeist-oov",
        "domein": "gemeente-oov",
        "rollen": ["pga-expert"],
    }


def test_clock_skew_within_tolerance_is_accepted(
    client: TestClient[Litestar], identity: Identity
) -> None:
    now = int(time.time())
    token = sign(identity, exp=now - 20, iat=now - 600)
    assert client.get(ME, headers=bearer(token)).status_code == 200


OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)

CASES: list[tuple[str, Callable[[Identity], dict[str, str]], int, str]] = [
    ("no token", lambda i: {}, 401, "niet-ingelogd"),
    ("not a jwt", lambda i: bearer("abc.def"), 401, "token-ongeldig"),
    ("basic auth", lambda i: {"Authorization": "Basic dXNlcjpwdw=="}, 401, "niet-ingelogd"),
    (
        "expired",
        lambda i: bearer(sign(i, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)),
        401,
        "token-verlopen",
    ),
    (
        "wrong issuer",
        lambda i: bearer(sign(i, iss="https://evil.example")),
        401,
        "token-verkeerde-uitgever",
    ),
    (
        "wrong audience",
        lambda i: bearer(sign(i, aud="iets-anders")),
        401,
        "token-verkeerde-doelgroep",
    ),
    ("bad signature", lambda i: bearer(sign(i, key=OTHER_KEY)), 401, "token-handtekening-ongeldig"),
    ("unknown key id", lambda i: bearer(sign(i, kid="other")), 401, "token-sleutel-onbekend"),
    ("no tenant claim", lambda i: bearer(sign(i, tenant=None)), 401, "token-zonder-tenant"),
    ("no expiry", lambda i: bearer(sign(i, exp=None)), 401, "token-ongeldig"),
    ("unknown tenant", lambda i: bearer(sign(i, tenant="GM9999")), 401, "tenant-onbekend"),
    ("unknown user", lambda i: bearer(sign(i, sub="niemand")), 401, "gebruiker-onbekend"),
    (
        "user of another tenant",
        lambda i: bearer(sign(i, sub=ZOETERMEER_PGA_EXPERT)),
        401,
        "gebruiker-onbekend",
    ),
]


@pytest.mark.parametrize(
    ("make_headers", "status", "code"),
    [pytest.param(c[1], c[2], c[3], id=c[0]) for c in CASES],
)
def test_bad_tokens_are_refused_with_problem_json(
    client: TestClient[Litestar],
    identity: Identity,
    make_headers: Callable[[Identity], dict[str, str]],
    status: int,
    code: str,
) -> None:
    response = client.get(ME, headers=make_headers(identity))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["detail"]
    assert "Traceback" not in response.text
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_suspended_tenant_is_refused_with_403(
    client: TestClient[Litestar], identity: Identity, runtime: Runtime
) -> None:
    set_status(runtime.sessions, VEENENDAAL, TenantStatus.SUSPENDED, "test")
    try:
        token = sign(identity, tenant=VEENENDAAL, sub=VEENENDAAL_PGA_EXPERT)
        response = client.get(ME, headers=bearer(token))
        assert response.status_code == 403
        assert response.json()["code"] == "tenant-opgeschort"
    finally:
        set_status(runtime.sessions, VEENENDAAL, TenantStatus.ACTIVE, None)


def test_login_cookie_serves_the_pages_but_not_the_api(
    client: TestClient[Litestar], identity: Identity
) -> None:
    page = client.get("/inloggen", follow_redirects=True)
    assert page.status_code == 200
    assert "Ontwikkel-inlog" in page.text
    assert ZEIST_PGA_EXPERT_NAME in page.text
    login = login_as(client, ZEIST, ZEIST_PGA_EXPERT)
    assert login.status_code == 200
    assert "Ingelogd" in client.get("/").text
    assert client.get(ME).status_code == 401  # the API takes bearer tokens only


def test_dev_issuer_token_endpoint_and_jwks(client: TestClient[Litestar]) -> None:
    issued = client.post("/oidc/token", json={"tenant": ZOETERMEER, "user": ZOETERMEER_PGA_EXPERT})
    assert issued.status_code == 200
    me = client.get(ME, headers=bearer(issued.json()["access_token"]))
    assert me.json()["tenant"] == ZOETERMEER
    jwks = client.get("/oidc/jwks.json").json()
    assert jwks["keys"][0]["kid"] == KID
    refused = client.post("/oidc/token", json={"tenant": ZOETERMEER, "user": "niemand"})
    assert refused.status_code == 401


def test_dev_issuer_refuses_production_mode(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"mode": Mode.PRODUCTION})
    with pytest.raises(DevIssuerNotAllowed):
        DevIssuer(settings, "http://localhost/oidc")
