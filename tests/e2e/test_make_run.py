"""`regietafel run` (what `make run` calls) on a bare data directory, stopped with Ctrl-C,
then started again on the same data: embedded PostgreSQL, migrations, health, clean stop.

Waits follow the start-up's progress (its output lines, then readiness), never a fixed
deadline: on a busy machine the first start may take minutes (tests/processes.py)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import sqlalchemy as sa
from processes import Process, clean_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(data_dir: Path, port: int, analytics_port: int) -> Process:
    env = clean_env(
        REGIETAFEL_DATA_DIR=str(data_dir),
        REGIETAFEL_PORT=str(port),
        REGIETAFEL_ANALYTICS_PORT=str(analytics_port),
    )
    return Process(["run"], env, "regietafel run")


def wait_started(process: Process, port: int, analytics_port: int) -> None:
    """Progress, not a deadline: every start-up step prints a line; then both services
    answer /health/ready."""
    process.wait_for_line(r"Regietafel \(casuswerk\):")
    ready = process.wait_ready(f"http://127.0.0.1:{port}/health/ready")
    assert ready.json()["status"] == "ok"
    process.wait_ready(f"http://127.0.0.1:{analytics_port}/health/ready")


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
    login = httpx.get(f"http://127.0.0.1:{port}/inloggen", timeout=10, follow_redirects=True)
    assert "kies een fictieve gebruiker" in login.text
    assert "Eline de Graaf" in login.text


def stop(process: Process) -> str:
    output = process.stop()
    assert process.popen.returncode == 0, output
    return output


def test_run_serves_health_and_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port, analytics_port = free_port(), free_port()
    first = start(data_dir, port, analytics_port)
    try:
        wait_started(first, port, analytics_port)
        check_demo_system(port, analytics_port)
        # The demo's events went through the outbox to the mail folder (no person data).
        mail = data_dir / "mail"
        first.wait_until("mail in the embedded mail folder", lambda: any(mail.glob("*.eml")))
        sample = next(mail.glob("*.eml")).read_text()
        assert "regietafel.invalid" in sample and "geen persoonsgegevens" in sample
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
        wait_started(second, port, analytics_port)
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
