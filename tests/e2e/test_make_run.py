"""`regietafel run` (what `make run` calls) on a bare data directory, stopped with Ctrl-C,
then started again on the same data: embedded PostgreSQL, migrations, health, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(data_dir: Path, port: int, analytics_port: int) -> subprocess.Popen[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("REGIETAFEL_") and k != "DATABASE_URL"
    }
    env.update(
        REGIETAFEL_DATA_DIR=str(data_dir),
        REGIETAFEL_PORT=str(port),
        REGIETAFEL_ANALYTICS_PORT=str(analytics_port),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} not ready within {timeout}s")


def check_demo_system(port: int, analytics_port: int) -> None:
    """A new user sees a living system: demo casussen in many phases, a published release."""
    token = httpx.post(
        f"http://127.0.0.1:{port}/oidc/token",
        json={"tenant": "GM0355", "user": "eline-de-graaf"},
        timeout=10,
    ).json()["access_token"]
    listing = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/casussen",
        params={"limiet": 100},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    assert len(items) >= 20
    assert len({item["fase"] for item in items}) >= 6
    releases = httpx.get(f"http://127.0.0.1:{analytics_port}/api/v1/releases", timeout=10)
    assert releases.status_code == 200
    assert len(releases.json()) >= 1
    dashboard = httpx.get(f"http://127.0.0.1:{analytics_port}/", timeout=10)
    assert "niet om af te rekenen" in dashboard.text.lower()
    login = httpx.get(f"http://127.0.0.1:{port}/inloggen", timeout=10)
    assert "Eline de Graaf" in login.text


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


def test_run_serves_health_and_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port, analytics_port = free_port(), free_port()
    first = start(data_dir, port, analytics_port)
    try:
        ready = wait_ready(f"http://127.0.0.1:{port}/health/ready", first)
        assert ready.json()["status"] == "ok"
        wait_ready(f"http://127.0.0.1:{analytics_port}/health/ready", first)
        check_demo_system(port, analytics_port)
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@/regietafel?host={data_dir / 'pgdata'}"
        )
        with admin.begin() as conn:
            conn.execute(
                sa.text("INSERT INTO worker_heartbeats (token, worker_pid) VALUES ('keep', 1)")
            )
        admin.dispose()
    finally:
        output = stop(first)
    assert f"http://127.0.0.1:{port}/" in output
    assert f"http://127.0.0.1:{analytics_port}/" in output
    assert "gepubliceerd" in output
    assert "Regietafel gestopt." in output
    assert (data_dir / "pgdata" / "PG_VERSION").exists()

    second = start(data_dir, port, analytics_port)
    try:
        wait_ready(f"http://127.0.0.1:{port}/health/ready", second)
        admin = sa.create_engine(
            f"postgresql+psycopg://postgres@/regietafel?host={data_dir / 'pgdata'}"
        )
        with admin.connect() as conn:
            kept = conn.execute(
                sa.text("SELECT count(*) FROM worker_heartbeats WHERE token = 'keep'")
            ).scalar_one()
        admin.dispose()
        assert kept == 1
    finally:
        stop(second)
