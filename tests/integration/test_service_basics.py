"""The casework app: health checks and problem+json for every kind of error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from services.app import create_app
from services.runtime import Runtime


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient[Litestar]]:
    app = create_app(runtime, start_worker=False)

    @get("/boom", opt={"exclude_from_auth": True}, sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("secret detail 123456782 must not leak")

    app.register(boom)
    with TestClient(app) as test_client:
        yield test_client


def test_live_and_ready(client: TestClient[Litestar]) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "policy": "ok"}
    assert ready.headers["x-request-id"]


def test_ready_names_the_failing_dependency(runtime: Runtime) -> None:
    def broken() -> None:
        raise ConnectionError("down")

    app = create_app(runtime, start_worker=False, extra_checks={"policy": broken})
    with TestClient(app) as test_client:
        response = test_client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["failed"] == ["policy"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/does-not-exist", 404, "niet-gevonden"),
        ("DELETE", "/health/live", 405, "methode-niet-toegestaan"),
        ("GET", "/boom", 500, "interne-fout"),
    ],
)
def test_errors_are_problem_json_without_internals(
    client: TestClient[Litestar], method: str, path: str, status: int, code: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["title"] and body["detail"] and body["title_en"]
    assert "Traceback" not in response.text
    assert "secret detail" not in response.text


def test_request_id_is_echoed(client: TestClient[Litestar]) -> None:
    response = client.get("/health/live", headers={"X-Request-ID": "req-12345678"})
    assert response.headers["x-request-id"] == "req-12345678"


def test_openapi_is_generated(client: TestClient[Litestar]) -> None:
    schema = client.get("/api/docs/openapi.json").json()
    assert "/health/ready" in schema["paths"]
