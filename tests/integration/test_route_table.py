"""Generic checks over the route table: every API endpoint, current and future.

For each route under /api/v1 (found from the app, not listed by hand):
- without a token → 401 problem+json;
- casus routes: a user of another gemeente → 404 (no existence leak); a professional of
  the same gemeente whose organisation does not take part → 403 or 404 per the policy;
- routes with a body → 422 problem+json naming the offending field;
- routes marked ``opt["etag"]`` → a stale If-Match gives 412 and changes nothing.
Routes with a body must carry an example (``opt["voorbeeld"]``) so the checks can run.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.platform.http.openapi import OPENAPI_PATH

Headers = Callable[[str, str], dict[str, str]]
TENANT, OTHER_TENANT = ZEIST, ZOETERMEER
EXPERT, OUTSIDER, FOREIGN = ZEIST_PGA_EXPERT, ZEIST_KLANTMANAGER, ZOETERMEER_PGA_EXPERT
RAW_BODY_ROUTES = {"/api/v1/beheer/tenants"}  # manifest upload: TOML, tested elsewhere


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    opt: dict[str, Any]
    has_body: bool

    @property
    def casus_scoped(self) -> bool:
        return "{casus_id" in self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def endpoints(app: Litestar) -> list[Endpoint]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/v1"):
            continue
        if route.path == OPENAPI_PATH:  # the public API description, like /api/docs
            continue
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods):
                if method in ("HEAD", "OPTIONS"):
                    continue
                has_body = "data" in handler.parsed_fn_signature.parameters
                found.append(
                    Endpoint(
                        method,
                        route.path_format if hasattr(route, "path_format") else route.path,
                        dict(handler.opt),
                        has_body,
                    )
                )
    return sorted(found, key=str)


def fill(path: str, ids: dict[str, str]) -> str:
    """Real ids where the test made the resource (casus, overleg); random ones elsewhere."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return ids.get(name) or ("1" if name == "versie" else str(uuid.uuid4()))

    return re.sub(r"\{([a-z_]+)\}", value, path)


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def ids(module_client: TestClient[Litestar], token_for: Headers, casus_id: str) -> dict[str, str]:
    """Path parameters that must name an existing resource for a check to mean something."""
    meeting = module_client.post(
        "/api/v1/overleggen",
        json={"type": "pga-kernteam", "datum_tijd": "2026-01-01T09:00:00+01:00"},
        headers=token_for(TENANT, EXPERT),
    )
    assert meeting.status_code == 201, meeting.text
    return {"casus_id": casus_id, "overleg_id": str(meeting.json()["id"])}


@pytest.fixture(scope="module")
def casus_id(module_client: TestClient[Litestar], token_for: Headers) -> str:
    response = module_client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Route-table test: overlast en schulden tegelijk.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": "Rehane", "achternaam": "Routetest"},
        },
        headers=token_for(TENANT, ZEIST_WIJKAGENT),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_route_table_is_found(app: Litestar) -> None:
    found = {str(e) for e in endpoints(app)}
    assert "POST /api/v1/casussen" in found
    assert "GET /api/v1/casussen/{casus_id}" in found


def test_every_body_route_has_an_example(app: Litestar) -> None:
    missing = [
        str(e)
        for e in endpoints(app)
        if e.has_body and e.path not in RAW_BODY_ROUTES and "voorbeeld" not in e.opt
    ]
    assert not missing, f"routes without opt['voorbeeld']: {missing}"


def body_for(endpoint: Endpoint) -> dict[str, Any] | None:
    return dict(endpoint.opt.get("voorbeeld", {})) if endpoint.has_body else None


def test_unauthenticated_is_401_everywhere(
    app: Litestar, module_client: TestClient[Litestar], ids: dict[str, str], casus_id: str
) -> None:
    for endpoint in endpoints(app):
        response = module_client.request(
            endpoint.method, fill(endpoint.path, ids), json=body_for(endpoint)
        )
        assert response.status_code == 401, f"{endpoint}: {response.status_code}"
        assert response.headers["content-type"].startswith("application/problem+json")


def test_other_tenant_gets_404_on_casus_routes(
    app: Litestar,
    module_client: TestClient[Litestar],
    ids: dict[str, str],
    casus_id: str,
    token_for: Headers,
) -> None:
    headers = {**token_for(OTHER_TENANT, FOREIGN), "If-Match": '"v1"'}
    checked = 0
    for endpoint in endpoints(app):
        if not endpoint.casus_scoped:
            continue
        response = module_client.request(
            endpoint.method, fill(endpoint.path, ids), json=body_for(endpoint), headers=headers
        )
        assert response.status_code == 404, f"{endpoint}: {response.status_code} {response.text}"
        assert "Routetest" not in response.text
        checked += 1
    assert checked >= 5


def test_non_participant_gets_403_or_404_on_casus_routes(
    app: Litestar,
    module_client: TestClient[Litestar],
    ids: dict[str, str],
    casus_id: str,
    token_for: Headers,
) -> None:
    headers = {**token_for(TENANT, OUTSIDER), "If-Match": '"v1"'}
    for endpoint in endpoints(app):
        # Routes meant for non-participants (doorbreekglas) have their own tests.
        if not endpoint.casus_scoped or endpoint.opt.get("open_voor_niet_deelnemers"):
            continue
        response = module_client.request(
            endpoint.method, fill(endpoint.path, ids), json=body_for(endpoint), headers=headers
        )
        assert response.status_code in (403, 404), f"{endpoint}: {response.status_code}"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "Routetest" not in response.text


def test_invalid_body_is_422_naming_the_field(
    app: Litestar,
    module_client: TestClient[Litestar],
    ids: dict[str, str],
    casus_id: str,
    token_for: Headers,
) -> None:
    # Role-guarded routes refuse before reading the body: ask as a user who holds the role.
    users = [
        (TENANT, EXPERT),
        (TENANT, ZEIST_BEHEERDER),
        (REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER),
    ]
    for endpoint in endpoints(app):
        if not endpoint.has_body or endpoint.path in RAW_BODY_ROUTES:
            continue
        body = {**(body_for(endpoint) or {}), "onbekend_veld": {"x": 1}}
        for tenant, user in users:
            response = module_client.request(
                endpoint.method,
                fill(endpoint.path, ids),
                json=body,
                headers={**token_for(tenant, user), "If-Match": '"v1"'},
            )
            if response.status_code != 403:
                break
        assert response.status_code == 422, f"{endpoint}: {response.status_code} {response.text}"
        fields = {e["field"] for e in response.json()["errors"]}
        assert any("onbekend_veld" in f for f in fields), f"{endpoint}: {fields}"


def test_stale_etag_is_412_and_changes_nothing(
    app: Litestar,
    module_client: TestClient[Litestar],
    ids: dict[str, str],
    casus_id: str,
    token_for: Headers,
) -> None:
    headers = token_for(TENANT, EXPERT)
    before = module_client.get(f"/api/v1/casussen/{casus_id}", headers=headers)
    checked = 0
    for endpoint in endpoints(app):
        if not endpoint.opt.get("etag"):
            continue
        response = module_client.request(
            endpoint.method,
            fill(endpoint.path, ids),
            json=body_for(endpoint),
            headers={**headers, "If-Match": '"v999"'},
        )
        assert response.status_code == 412, f"{endpoint}: {response.status_code} {response.text}"
        checked += 1
    after = module_client.get(f"/api/v1/casussen/{casus_id}", headers=headers)
    assert after.headers["etag"] == before.headers["etag"]
    assert checked >= 4
