"""Shared fixtures: a real PostgreSQL server for the whole run.

With ``DATABASE_URL`` set (a superuser URL, as in CI) the suite uses that server; otherwise
it starts a throwaway embedded PostgreSQL in a temporary directory. Each pytest-xdist worker
gets its own databases, so workers never see each other's rows.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import TEST_MANIFESTS_DIR
from sqlalchemy.engine import URL

from services.app import create_app
from services.casework.unit_of_work import CaseworkDeps
from services.platform.config import Settings, load_settings
from services.platform.db.provision import DatabaseUrls, provision
from services.platform.db.urls import as_psycopg
from services.platform.identity.setup import Identity, build_identity
from services.runtime import Runtime, start_runtime
from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest, load_all
from tenants.provision import apply_manifests


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[URL]:
    """A superuser URL for a real PostgreSQL server (DATABASE_URL or embedded)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield as_psycopg(configured)
        return
    from services.platform.embedded.postgres import EmbeddedPostgres

    base = Path(tempfile.mkdtemp(prefix="regietafel-test-"))
    server = EmbeddedPostgres(base / "pgdata", delete_on_stop=True)
    try:
        yield server.admin_url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def worker_suffix(worker_id: str) -> str:
    """The test databases' suffix: the xdist worker, and ``REGIETAFEL_TEST_SUFFIX`` if set
    (two runs of the suite on one server, e.g. a targeted run beside CI, each their own)."""
    own = os.environ.get("REGIETAFEL_TEST_SUFFIX", "")
    return ("" if worker_id == "master" else f"_{worker_id}") + (f"_{own}" if own else "")


@pytest.fixture(scope="session")
def settings(worker_suffix: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for tests: per-worker database names, generated secrets, stub broker."""
    return load_settings(
        mode="embedded",
        data_dir=tmp_path_factory.mktemp("data"),
        database_name=f"regietafel_test{worker_suffix}",
        analytics_database_name=f"regietafel_analytics_test{worker_suffix}",
        secret_key="test-secret-key-" + "x" * 32,
        pseudonym_key="test-pseudonym-key-" + "y" * 32,
        service_token="test-service-token-" + "z" * 32,
        broker_url="stub",
        log_json=False,
    )


@pytest.fixture(scope="session")
def db_urls(pg_admin_url: URL, settings: Settings) -> DatabaseUrls:
    """Roles and databases created and migrated once per worker."""
    import sqlalchemy as sa

    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in (settings.database_name, settings.analytics_database_name):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return provision(pg_admin_url, settings)


@pytest.fixture(scope="session")
def runtime(settings: Settings, db_urls: DatabaseUrls) -> Iterator[Runtime]:
    """The live parts (engine as the app role, stub broker) on the test database."""
    admin = db_urls.admin.render_as_string(hide_password=False)
    with start_runtime(settings.model_copy(update={"database_admin_url": admin})) as rt:
        yield rt


@pytest.fixture(scope="session")
def test_tenants(runtime: Runtime) -> list[Manifest]:
    """The test world: the test manifests (``tests/manifests``), applied. Tests name its
    tenants and people by the constants of ``tests/people.py``."""
    manifests = load_all(TEST_MANIFESTS_DIR)
    apply_manifests(runtime.sessions, manifests)
    return manifests


@pytest.fixture(scope="session")
def demo_tenants(runtime: Runtime) -> list[Manifest]:
    """The shipped demo manifests, applied (as `make run` does): only for the tests of the
    demo itself (the demo seed and scenarios). They have their own codes and regions, so they
    live next to the test world in the one test database."""
    manifests = load_all(SHIPPED_MANIFESTS_DIR)
    apply_manifests(runtime.sessions, manifests)
    return manifests


@pytest.fixture(scope="session")
def identity(runtime: Runtime) -> Identity:
    return build_identity(runtime)


@pytest.fixture(scope="session")
def app(runtime: Runtime, identity: Identity, test_tenants: list[Manifest]) -> Litestar:
    return create_app(runtime, identity=identity)


@pytest.fixture
def elsewhere(runtime: Runtime) -> Iterator[Callable[..., None]]:
    """Run a statement in a transaction of another connection, bound to ``tenant`` (as the
    app role): a change the app learns of only through its own signals (the principal
    signal, say), not through its caches."""
    engine = sa.create_engine(runtime.urls.app)

    def run(tenant: str, statement: str, **params: Any) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT set_config('pga.tenant_id', :t, true)"), {"t": tenant})
            conn.execute(sa.text(statement), params)

    yield run
    engine.dispose()


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def token_for(identity: Identity) -> Callable[[str, str], dict[str, str]]:
    """Authorization headers for a user (of the test manifests: ``people.py``), signed by the
    development issuer."""
    issuer = identity.dev_issuer
    assert issuer is not None

    def headers(tenant: str, user: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + issuer.issue(tenant=tenant, user_id=user)}

    return headers


@pytest.fixture(scope="session")
def live_policy_app(runtime: Runtime, identity: Identity, test_tenants: list[Manifest]) -> Litestar:
    """The app with a gateway that looks up the policy data in force on every decision
    (the default looks every two seconds), for tests that change tenants or policy data and
    must not wait on a clock."""
    from services.platform.authz.gateway import PolicyGateway

    gateway = PolicyGateway(runtime.settings, runtime.sessions, refresh_seconds=0)
    return create_app(runtime, identity=identity, gateway=gateway, start_worker=False)


@pytest.fixture(scope="session")
def live_casework(runtime: Runtime) -> CaseworkDeps:
    """The casework dependencies with a gateway that looks up the policy data in force on
    every decision. ``runtime.casework``'s gateway looks every two seconds, so a test that
    applies tenants (``demo_tenants``) right after another test asked it would be judged on
    the policy data without those tenants (found in tests/integration/test_group_steps_demo.py
    after the hostile suite)."""
    from services.platform.authz.gateway import PolicyGateway

    gateway = PolicyGateway(runtime.settings, runtime.sessions, refresh_seconds=0)
    return dataclasses.replace(runtime.casework, gateway=gateway)


@pytest.fixture
def live_policy_client(live_policy_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(live_policy_app) as test_client:
        yield test_client


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One summary of the hostile-probe suite (tests/integration/hostile) over all shards and
    pytest-xdist workers: its tests report their counts with ``record_property("hostile")``."""
    runs: dict[str, dict[str, Any]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name != "hostile":
                    continue
                total = runs.setdefault(value["suite"], {"probes": 0, "seconds": 0.0})
                total["probes"] += value["probes"]
                total["seconds"] += value["seconds"]
                for key in ("per_id_klasse", "per_soort", "bevindingen"):
                    bucket = total.setdefault(key, Counter())
                    bucket.update(value[key])
    if not runs:
        return
    terminalreporter.write_sep("-", "hostile probes (tests/integration/hostile)")
    for suite, total in sorted(runs.items()):
        found = sum(total["bevindingen"].values())
        terminalreporter.write_line(
            f"{suite}: {total['probes']} probes, {total['seconds']:.0f}s probing, "
            f"{found} findings {dict(total['bevindingen'])}"
        )
        for key in ("per_id_klasse", "per_soort"):
            terminalreporter.write_line(f"  {key}: {dict(sorted(total[key].items()))}")
