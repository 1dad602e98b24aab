"""The casework export job delivers pseudonymised facts to a running analytics service
over HTTP with the service token; a rerun replaces instead of duplicating, and nothing that
identifies a person arrives."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient
from people import VEENENDAAL, VEENENDAAL_WIJKAGENT

from analytics.app import create_app as create_analytics_app
from analytics.contract import period_months
from services.analytics_link import open_analytics_database
from services.casework.domain.local_time import local_today
from services.exports.facts import geography_from_tenants
from services.jobs import register_actors
from services.platform.workers.broker import InProcessWorker, create_broker
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def analytics_server(runtime: Runtime) -> Iterator[tuple[int, sa.Engine]]:
    engine = open_analytics_database(runtime.urls, runtime.settings)
    port = free_port()
    app = create_analytics_app(
        runtime.settings, engine, geography=geography_from_tenants(runtime.sessions)
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield port, engine
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


def current_period(today: dt.date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_export_job_delivers_over_http_idempotently(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    analytics_server: tuple[int, sa.Engine],
) -> None:
    port, engine = analytics_server
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Export-test: meerdere leefgebieden tegelijk in de knel.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Murat",
                "achternaam": "Exporttest",
                "geboortedatum": "2003-02-03",
                "bsn": "123456782",
            },
        },
        headers=token_for(VEENENDAAL, VEENENDAAL_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    period = current_period(local_today())
    assert local_today().strftime("%Y-%m") in period_months(period)

    settings = runtime.settings.model_copy(update={"analytics_port": port})
    broker = create_broker("stub")
    actors = register_actors(broker, runtime.sessions, settings)
    worker = InProcessWorker(broker)
    worker.start()
    try:
        for _ in range(2):  # the second run must replace, not duplicate
            actors.export_facts.send(period)
            broker.join(actors.export_facts.queue_name, timeout=60_000, fail_fast=True)
    finally:
        worker.stop()
        broker.close()

    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(f"SELECT * FROM facts WHERE period = :p AND gemeentecode = '{VEENENDAAL}'"),
                {"p": period},
            )
            .mappings()
            .all()
        )
        batches = conn.execute(
            sa.text("SELECT count(*) FROM fact_batches WHERE period = :p AND gemeentecode = :g"),
            {"p": period, "g": VEENENDAAL},
        ).scalar_one()
    assert batches == 1
    assert len(rows) >= 1
    assert len({r["pseudonym"] for r in rows}) == len(rows)
    stored = " ".join(str(dict(r)) for r in rows)
    for identifying in ("123456782", "Murat", "Exporttest", "2003-02-03"):
        assert identifying not in stored


def test_ingestion_refuses_without_service_token(analytics_server: tuple[int, sa.Engine]) -> None:
    port, _ = analytics_server
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/ingest/facts",
        json={"gemeentecode": VEENENDAAL, "period": "2026-Q3", "records": []},
        headers={"Authorization": "Bearer verkeerd-token-verkeerd-token-verkeerd"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
