"""Production mode against the machine's PostgreSQL and RabbitMQ (not embedded).

* ``regietafel db upgrade`` (the migration job, the only holder of the admin URL) creates
  the roles with their own passwords and migrates;
* ``regietafel run`` serves the casework service and ``regietafel analytics serve`` the
  analytics service, each as its own process holding only its own role's secret (from a
  ``*_FILE`` secret file for the app role);
* no demo data (no tenant, no casus, no demo login page, no demo banner);
* a runtime process refuses the admin URL and a missing role secret, naming the variable.

Database, role and queue names are unique to this test run (other test runs share the
server). The identity provider is the loopback test double of tests/fake_oidc.py.
Needs DATABASE_URL and RABBITMQ_URL (CI sets both); skipped otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_oidc import KID, FakeProvider, free_port, serve_provider
from processes import Process, clean_env
from rabbit_cleanup import delete_prefixed_queues

from services.platform.db.urls import as_psycopg

DATABASE_URL = os.environ.get("DATABASE_URL")
RABBITMQ_URL = os.environ.get("RABBITMQ_URL")

pytestmark = [
    pytest.mark.skipif(
        not DATABASE_URL, reason="DATABASE_URL not set: needs a real PostgreSQL server (CI)"
    ),
    pytest.mark.skipif(
        not RABBITMQ_URL, reason="RABBITMQ_URL not set: needs a real RabbitMQ server (CI)"
    ),
]

MANIFEST = Path(__file__).resolve().parents[2] / "tenants" / "manifests" / "gm0355-zeist.toml"
#: This test is about the demo never being loaded: it onboards the shipped demo manifest of
#: Zeist explicitly, so it names the demo's people (not the test world of tests/people.py).
DEMO_TENANT, DEMO_EXPERT, DEMO_WIJKAGENT = "GM0355", "eline-de-graaf", "dennis-koster"


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider(free_port(), {KID: rsa.generate_private_key(65537, 2048)})
    fake.gate.set()
    server = serve_provider(fake)
    yield fake
    server.shutdown()


@pytest.fixture
def deployment(tmp_path: Path, provider: FakeProvider) -> Iterator[dict[str, str]]:
    """Settings of one production deployment with names unique to this run; dropped after."""
    assert DATABASE_URL and RABBITMQ_URL
    run = uuid.uuid4().hex[:10]
    admin = as_psycopg(DATABASE_URL)
    server = sa.engine.URL.create("postgresql", host=admin.host, port=admin.port)
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    app_secret = secrets_dir / "db-app-password"
    app_secret.write_text(f"app-{uuid.uuid4().hex}\n")
    app_secret.chmod(0o600)
    names = {
        "database": f"rt_prod_{run}",
        "analytics": f"rt_prod_an_{run}",
        "owner": f"rt_owner_{run}",
        "app": f"rt_app_{run}",
        "analytics_role": f"rt_an_{run}",
    }
    port, analytics_port = free_port(), free_port()
    env = {
        "REGIETAFEL_MODE": "production",
        "REGIETAFEL_DATA_DIR": str(tmp_path / "data"),
        "REGIETAFEL_DATABASE_URL": server.render_as_string(hide_password=False),
        "REGIETAFEL_DATABASE_NAME": names["database"],
        "REGIETAFEL_ANALYTICS_DATABASE_NAME": names["analytics"],
        "REGIETAFEL_DB_OWNER_ROLE": names["owner"],
        "REGIETAFEL_DB_APP_ROLE": names["app"],
        "REGIETAFEL_DB_ANALYTICS_ROLE": names["analytics_role"],
        "REGIETAFEL_DB_OWNER_PASSWORD": f"owner-{uuid.uuid4().hex}",
        "REGIETAFEL_DB_APP_PASSWORD_FILE": str(app_secret),
        "REGIETAFEL_DB_ANALYTICS_PASSWORD": f"analytics-{uuid.uuid4().hex}",
        "REGIETAFEL_DB_ANALYTICS_OWNER_ROLE": names["analytics_role"] + "_owner",
        "REGIETAFEL_DB_ANALYTICS_OWNER_PASSWORD": f"analytics-owner-{uuid.uuid4().hex}",
        "REGIETAFEL_BROKER_URL": RABBITMQ_URL,
        "REGIETAFEL_QUEUE_PREFIX": f"t{run}",
        "REGIETAFEL_SECRET_KEY": uuid.uuid4().hex * 2,
        "REGIETAFEL_PSEUDONYM_KEY": uuid.uuid4().hex * 2,
        "REGIETAFEL_SERVICE_TOKEN": uuid.uuid4().hex * 2,
        "REGIETAFEL_OIDC_ISSUER": provider.issuer,
        "REGIETAFEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "REGIETAFEL_PORT": str(port),
        "REGIETAFEL_ANALYTICS_PORT": str(analytics_port),
        "REGIETAFEL_CASEWORK_URL": f"http://127.0.0.1:{port}",
        "REGIETAFEL_ANALYTICS_URL": f"http://127.0.0.1:{analytics_port}",
        "REGIETAFEL_LOG_JSON": "false",
        "REGIETAFEL_EXPORT_INTERVAL_HOURS": "0",
    }
    yield {**env, **{f"_name_{k}": v for k, v in names.items()}, "_admin": DATABASE_URL}
    delete_prefixed_queues(RABBITMQ_URL, f"t{run}")
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for database in (names["database"], names["analytics"]):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        for role in (
            names["owner"],
            names["app"],
            names["analytics_role"],
            names["analytics_role"] + "_owner",
        ):
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
    engine.dispose()


def _public(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("_")}


def test_production_mode_serves_both_services_without_demo_data(
    deployment: dict[str, str], provider: FakeProvider
) -> None:
    env = _public(deployment)
    admin_url = deployment["_admin"]
    port, analytics_port = env["REGIETAFEL_PORT"], env["REGIETAFEL_ANALYTICS_PORT"]

    # The migration job: the only process that sees the admin URL.
    code, output = Process(
        ["db", "upgrade"], clean_env(**env, REGIETAFEL_DATABASE_ADMIN_URL=admin_url), "db upgrade"
    ).finished()
    assert code == 0, output

    # A runtime process refuses the admin URL, and a missing role secret, by name.
    code, output = Process(
        ["run"], clean_env(**env, REGIETAFEL_DATABASE_ADMIN_URL=admin_url), "run+admin"
    ).finished()
    assert code == 2 and "REGIETAFEL_DATABASE_ADMIN_URL" in output, output
    without_secret = {k: v for k, v in env.items() if k != "REGIETAFEL_DB_APP_PASSWORD_FILE"}
    code, output = Process(["run"], clean_env(**without_secret), "run-secret").finished()
    assert code == 2 and "REGIETAFEL_DB_APP_PASSWORD" in output, output

    background: list[Process] = []
    casework = Process(["run"], clean_env(**env), "regietafel run (production)")
    analytics = Process(["analytics", "serve"], clean_env(**env), "regietafel analytics serve")
    try:
        ready = casework.wait_ready(f"http://127.0.0.1:{port}/health/ready")
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "policy": "ok"}
        analytics.wait_ready(f"http://127.0.0.1:{analytics_port}/health/ready")

        # No demo data: no tenant, no casus, no demo login page.
        casework_db = as_psycopg(admin_url).set(database=deployment["_name_database"])
        engine = sa.create_engine(casework_db)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM tenants")).scalar_one() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM casussen")).scalar_one() == 0
            assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar_one() == 0
        base = f"http://127.0.0.1:{port}"
        login = httpx.get(base + "/inloggen", timeout=10)
        assert login.status_code == 303
        assert login.headers["location"].startswith(provider.issuer + "/authorize?")
        assert "code_challenge=" in login.headers["location"]
        assert httpx.get(base + "/oidc/authorize", timeout=10).status_code == 404
        assert httpx.post(base + "/oidc/token", json={}, timeout=10).status_code in (404, 405)
        token = {
            "Authorization": "Bearer " + provider.sign(KID, sub=DEMO_EXPERT, tenant=DEMO_TENANT)
        }
        me = httpx.get(base + "/api/v1/mij", headers=token, timeout=10)
        assert me.status_code == 401 and me.json()["code"] == "tenant-onbekend"

        # Onboarding is explicit: the shipped demo manifests are never applied by default.
        code, output = Process(["tenants", "apply"], clean_env(**env), "apply").finished()
        assert code == 2 and "fictieve" in output, output
        code, output = Process(
            ["tenants", "apply", str(MANIFEST)], clean_env(**env), "apply zeist"
        ).finished()
        assert code == 0, output
        me = casework.wait_until(
            "the onboarded user to be known",
            lambda: (
                (r := httpx.get(base + "/api/v1/mij", headers=token, timeout=10)).status_code == 200
                and r
            ),
        )
        assert isinstance(me, httpx.Response) and me.json()["tenant"] == DEMO_TENANT

        # The analytics service (its own process) knows the user through casework, and the
        # gemeente list through the service endpoint.
        stats = f"http://127.0.0.1:{analytics_port}"
        assert (
            httpx.get(stats + f"/api/v1/own/{DEMO_TENANT}/2026-Q1", timeout=10).status_code == 401
        )
        own = httpx.get(stats + f"/api/v1/own/{DEMO_TENANT}/2026-Q1", headers=token, timeout=30)
        assert own.status_code in (200, 403, 404), own.text  # authenticated (not 401)
        assert httpx.get(stats + "/", timeout=10).status_code == 200

        # The background processes: a worker and the scheduler (outbox relay) on RabbitMQ.
        worker = Process(["worker", "--threads", "2"], clean_env(**env), "worker (production)")
        scheduler = Process(["scheduler"], clean_env(**env), "scheduler (production)")
        background.extend([worker, scheduler])
        worker.wait_for_line("Worker gestart")
        scheduler.wait_for_line("leader")
        wijkagent = {
            "Authorization": "Bearer " + provider.sign(KID, sub=DEMO_WIJKAGENT, tenant=DEMO_TENANT)
        }
        created = httpx.post(
            base + "/api/v1/casussen",
            headers=wijkagent,
            timeout=30,
            json={
                "soort": "persoon",
                "waarom_integraal": "Meerdere leefgebieden; de politie alleen komt niet verder.",
                "problemen": {"financien": "Schulden."},
                "geinformeerd": True,
                "persoon": {
                    "voornamen": "Prod",
                    "achternaam": "Test",
                    "geboortedatum": "1990-01-01",
                },
            },
        )
        assert created.status_code == 201, created.text

        def notified() -> bool:
            with engine.connect() as conn:
                return bool(
                    conn.execute(
                        sa.text(
                            "SELECT count(*) FROM notifications n JOIN outbox_events e "
                            "ON e.tenant_id = n.tenant_id AND e.id = n.event_id "
                            f"WHERE e.casus_id = :c AND n.user_id = '{DEMO_EXPERT}'"
                        ),
                        {"c": created.json()["id"]},
                    ).scalar_one()
                )

        worker.wait_until("the aanmelding to reach the pga-expert", notified)

        # Per-role credentials: every role has its own SCRAM secret, and the services'
        # connections use their own roles (never the superuser).
        with engine.connect() as conn:
            secrets = dict(
                conn.execute(
                    sa.text(
                        "SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid "
                        "WHERE rolname IN (:o, :a, :n)"
                    ),
                    {
                        "o": deployment["_name_owner"],
                        "a": deployment["_name_app"],
                        "n": deployment["_name_analytics_role"],
                    },
                ).all()
            )
            assert secrets == dict.fromkeys(
                (
                    deployment["_name_owner"],
                    deployment["_name_app"],
                    deployment["_name_analytics_role"],
                ),
                True,
            )
            users = {
                (row.datname, row.usename)
                for row in conn.execute(
                    sa.text(
                        "SELECT datname, usename FROM pg_stat_activity "
                        "WHERE datname IN (:c, :a) AND pid <> pg_backend_pid()"
                    ),
                    {"c": deployment["_name_database"], "a": deployment["_name_analytics"]},
                )
            }
        engine.dispose()
        assert (deployment["_name_database"], deployment["_name_app"]) in users
        assert (deployment["_name_analytics"], deployment["_name_analytics_role"]) in users
        assert all(
            user in (deployment["_name_app"], deployment["_name_analytics_role"])
            for _, user in users
        ), users
    finally:
        for process in background:
            process.stop()
        casework_output = casework.stop()
        analytics_output = analytics.stop()
    for text in (casework_output, analytics_output):
        assert "fictieve" not in text and "demo" not in text.lower(), text
        assert admin_url not in text
