"""Bad input never produces a 500 or a stack trace: malformed JSON, wrong content type,
wrong path parameter types and oversized values all get problem+json."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_WIJKAGENT

Headers = Callable[[str, str], dict[str, str]]


@pytest.mark.parametrize(
    ("method", "path", "content", "content_type", "status"),
    [
        ("POST", "/api/v1/casussen", b"{", "application/json", {400, 422}),
        ("POST", "/api/v1/casussen", b"[1, 2]", "application/json", {400, 422}),
        ("POST", "/api/v1/casussen", b"\xff\xfe", "application/json", {400, 422}),
        ("GET", "/api/v1/casussen/niet-een-uuid", b"", "application/json", {400, 404, 422}),
        ("GET", "/api/v1/casussen?limiet=veel", b"", "application/json", {400, 422}),
    ],
)
def test_bad_input_is_problem_json(
    client: TestClient[Litestar],
    token_for: Headers,
    method: str,
    path: str,
    content: bytes,
    content_type: str,
    status: set[int],
) -> None:
    response = client.request(
        method,
        path,
        content=content or None,
        headers={**token_for(ZEIST, ZEIST_WIJKAGENT), "Content-Type": content_type},
    )
    assert response.status_code in status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text
    assert response.json()["detail"]
