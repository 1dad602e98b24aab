"""Service-to-service endpoints take the service token only (not a user's token)."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]


def test_the_gemeente_list_is_for_the_service_token_only(
    client: TestClient[Litestar], runtime: Runtime, token_for: Headers
) -> None:
    url = "/api/v1/dienst/geografie"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for(ZEIST, ZEIST_PGA_EXPERT)).status_code == 401
    service = {"Authorization": f"Bearer {runtime.settings.service_token}"}
    answer = client.get(url, headers=service)
    assert answer.status_code == 200
    codes = {g["code"]: g for g in answer.json()["gemeenten"]}
    assert codes[ZEIST]["naam"] == "Zeist" and codes[ZEIST]["regio"]
    assert not any(code.startswith("RG") for code in codes)  # regional bureaus are no gemeente
