"""Bulk loader for the load benchmark (issue 14): 342 tenants, 100,000 casussen in one.

Everything goes through the real schema: the benchmark database is created and migrated by
``provision`` (the Alembic migrations), the shipped manifests and 335 generated gemeente
manifests are applied by the real provisioning code (tenants, organisations, users, policy
data), the demo casussen are created through the service layer (``seed_demo``), and only
then are the demo casussen of one gemeente cloned in bulk with ``INSERT ... SELECT ...
generate_series`` until that gemeente holds 100,000 casussen. Every cloned row keeps its
``tenant_id`` (the clone runs as the superuser that owns the benchmark database, so row-level
security does not filter the copy; the copies belong to the same tenant as their template).

Used by ``bench_load.py``; on its own: ``.venv/bin/python tests/benchmarks/load_data.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from services.platform.config import Settings, load_settings
from services.platform.db.provision import provision
from services.platform.db.urls import as_psycopg
from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest, load_all, parse_manifest

ROOT = Path(__file__).resolve().parents[2]
#: The gemeente that gets 100,000 casussen, and the template manifest of the generated ones.
BIG_TENANT = "GM0355"
TEMPLATE_MANIFEST = SHIPPED_MANIFESTS_DIR / "gm0355-zeist.toml"
TENANTS = 342
CASUSSEN = 100_000
LOCAL_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
#: Tables cloned with their casus (person casussen only); everything else stays as seeded.
CASUS_TABLES = (
    "casus_participants",
    "casus_roles",
    "plan_versions",
    "assessments",
    "information_items",
    "consents",
    "casus_events",
    "outcome_measurements",
)

Say = Callable[[str], None]


def _say(line: str) -> None:
    print(line, flush=True)


def bench_settings(data_dir: Path, admin_url: str | None) -> Settings:
    """Settings of the benchmark system: its own databases and roles, fixed secrets (all
    server processes must agree on them), the stub broker."""
    return load_settings(
        mode="embedded",
        data_dir=data_dir,
        database_admin_url=admin_url,
        # BENCH_DATABASE_NAME: a copy of the benchmark database (``createdb -T``), for work
        # on a migration that must not move the shared one to another head.
        database_name=os.environ.get("BENCH_DATABASE_NAME", "regietafel_bench"),
        analytics_database_name="regietafel_bench_analytics",
        db_owner_role="rtbench_owner",
        db_app_role="rtbench_app",
        db_analytics_role="rtbench_analytics",
        db_analytics_owner_role="rtbench_analytics_owner",
        secret_key="bench-secret-key-" + "x" * 32,
        pseudonym_key="bench-pseudonym-key-" + "y" * 32,
        service_token="bench-service-token-" + "z" * 32,
        broker_url="stub",
        log_json=False,
        log_level="WARNING",
        db_pool_size=8,
    )


def settings_env(settings: Settings) -> dict[str, str]:
    """The same settings as REGIETAFEL_* variables, for the server processes."""
    names = (
        "mode",
        "data_dir",
        "database_admin_url",
        "database_name",
        "analytics_database_name",
        "db_owner_role",
        "db_app_role",
        "db_analytics_role",
        "db_analytics_owner_role",
        "secret_key",
        "pseudonym_key",
        "service_token",
        "broker_url",
        "log_json",
        "log_level",
        "db_pool_size",
    )
    env: dict[str, str] = {}
    for name in names:
        value = getattr(settings, name)
        if value is None:
            continue
        if hasattr(value, "value"):
            value = value.value
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[f"REGIETAFEL_{name.upper()}"] = str(value)
    return env


@dataclass
class Server:
    """Where the benchmark database lives: the local PostgreSQL over TCP if there is one."""

    admin_url: str
    embedded: Any = None

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def database_server(data_dir: Path, say: Say = _say) -> Server:
    url = os.environ.get("BENCH_DATABASE_URL") or LOCAL_ADMIN
    try:
        engine = sa.create_engine(as_psycopg(url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        say(f"PostgreSQL over TCP: {as_psycopg(url).render_as_string(hide_password=True)}")
        return Server(url)
    except Exception as error:  # noqa: BLE001 - fall back to the embedded server
        say(f"no PostgreSQL at {url} ({type(error).__name__}); using the embedded server")
    from services.platform.embedded.postgres import EmbeddedPostgres

    server = EmbeddedPostgres(data_dir / "pgdata")
    return Server(server.admin_url.render_as_string(hide_password=False), server)


def generated_manifests(count: int) -> list[Manifest]:
    """``count`` fictional gemeenten GM1000, GM1001, ... modelled on the Zeist manifest:
    their own code, name, organisations and users (ids are per tenant)."""
    template = tomllib.loads(TEMPLATE_MANIFEST.read_text(encoding="utf-8"))
    out: list[Manifest] = []
    for n in range(count):
        data = dict(template)
        data["gemeentecode"] = f"GM{1000 + n:04d}"
        data["name"] = f"Benchmarkgemeente {n + 1}"
        data["description"] = "Fictieve gemeente voor de lastbenchmark (issue 14)."
        # Zeist's letter templates are files next to its manifest, read only for a manifest
        # loaded from a directory; the generated gemeenten use the default letters.
        data.pop("letters", None)
        out.append(parse_manifest(data, f"bench:{data['gemeentecode']}"))
    return out


def _admin_engine(
    admin_url: str, database: str | None = None, *, autocommit: bool = True
) -> sa.Engine:
    url: URL = as_psycopg(admin_url)
    if database is not None:
        url = url.set(database=database)
    if autocommit:
        return sa.create_engine(url, isolation_level="AUTOCOMMIT")
    return sa.create_engine(url)


def is_loaded(admin_url: str, settings: Settings) -> bool:
    """True when the benchmark database already holds the full data set."""
    admin = _admin_engine(admin_url)
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                {"n": settings.database_name},
            )
    finally:
        admin.dispose()
    if not exists:
        return False
    engine = _admin_engine(admin_url, settings.database_name)
    try:
        with engine.connect() as conn:
            tenants = conn.scalar(sa.text("SELECT count(*) FROM tenants WHERE kind = 'gemeente'"))
            casussen = conn.scalar(
                sa.text("SELECT count(*) FROM casussen WHERE tenant_id = :t"), {"t": BIG_TENANT}
            )
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()
    return (tenants or 0) + 2 >= TENANTS and (casussen or 0) >= CASUSSEN


def load(settings: Settings, admin_url: str, say: Say = _say) -> dict[str, float]:
    """Create, migrate and fill the benchmark database; returns seconds per step."""
    from services.casework.domain.bsn import BsnVault
    from services.casework.unit_of_work import CaseworkDeps
    from services.demo.seed import seed_demo
    from services.platform.authz.gateway import PolicyGateway
    from services.runtime import start_runtime
    from tenants.provision import apply_manifests

    timings: dict[str, float] = {}
    started = time.perf_counter()
    admin = _admin_engine(admin_url)
    with admin.connect() as conn:
        for name in (settings.database_name, settings.analytics_database_name):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    provision(as_psycopg(admin_url), settings)
    timings["migrations"] = time.perf_counter() - started

    step = time.perf_counter()
    runtime = start_runtime(settings, migrate=False)
    try:
        shipped = load_all(SHIPPED_MANIFESTS_DIR)
        extra = TENANTS - len(shipped)
        apply_manifests(runtime.sessions, [*shipped, *generated_manifests(extra)])
        timings["tenants"] = time.perf_counter() - step
        say(f"  {len(shipped) + extra} tenants applied in {timings['tenants']:.1f} s")

        step = time.perf_counter()
        assert settings.secret_key and settings.pseudonym_key
        deps = CaseworkDeps(
            runtime.sessions,
            PolicyGateway(settings, runtime.sessions),
            BsnVault(settings.secret_key),
            settings.pseudonym_key,
        )
        seeded = seed_demo(deps)
        timings["demo casussen"] = time.perf_counter() - step
        say(
            f"  {seeded} demo casussen through the service layer "
            f"in {timings['demo casussen']:.1f} s"
        )
    finally:
        runtime.close()

    step = time.perf_counter()
    cloned = clone_casussen(admin_url, settings.database_name, BIG_TENANT, CASUSSEN)
    timings["bulk clone"] = time.perf_counter() - step
    say(f"  {cloned:,} casussen cloned in bulk in {timings['bulk clone']:.1f} s")
    timings["total"] = time.perf_counter() - started
    return timings


def _columns(conn: sa.Connection, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        sa.text(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = :t "
            "AND is_generated = 'NEVER' AND identity_generation IS NULL "
            "ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [(r[0], r[1]) for r in rows]


def _uuid(expr: str) -> str:
    """A deterministic new uuid from an old one and the copy number (no collisions)."""
    return f"md5({expr}::text || '/' || m.n::text)::uuid"


def clone_casussen(admin_url: str, database: str, tenant: str, target: int) -> int:
    """Clone the tenant's person casussen (with their persons and casus rows) until it
    holds ``target`` casussen. Ids are md5(old id, copy number); created_at is spread over
    the past so that the lists page through a realistic history."""
    engine = _admin_engine(admin_url, database, autocommit=False)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
            have = conn.scalar(
                sa.text("SELECT count(*) FROM casussen WHERE tenant_id = :t"), {"t": tenant}
            )
            templates = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM casussen WHERE tenant_id = :t AND kind = 'persoon' "
                    "AND subject_person_id IS NOT NULL"
                ),
                {"t": tenant},
            )
            need = max(0, target - int(have or 0))
            if need == 0 or not templates:
                return 0
            copies = -(-need // int(templates))
            conn.execute(
                sa.text(
                    "CREATE TEMP TABLE m ON COMMIT DROP AS "
                    "SELECT c.id AS old_id, c.subject_person_id AS old_person, g AS n, "
                    "row_number() OVER (ORDER BY g, c.id) AS seq "
                    "FROM casussen c CROSS JOIN generate_series(1, :copies) g "
                    "WHERE c.tenant_id = :t AND c.kind = 'persoon' "
                    "AND c.subject_person_id IS NOT NULL"
                ),
                {"copies": copies, "t": tenant},
            )
            conn.execute(sa.text("DELETE FROM m WHERE seq > :need"), {"need": need})
            conn.execute(sa.text("CREATE INDEX ON m (old_id)"))
            conn.execute(sa.text("ANALYZE m"))

            def clone(table: str, join: str, overrides: dict[str, str]) -> None:
                cols = _columns(conn, table)
                names = ", ".join(f'"{c}"' for c, _ in cols)
                values = ", ".join(overrides.get(c, f't."{c}"') for c, _ in cols)
                conn.execute(
                    sa.text(f"INSERT INTO {table} ({names}) SELECT {values} FROM {join}"),
                    {"t": tenant},
                )

            clone(
                "persons",
                "persons t JOIN m ON m.old_person = t.id AND t.tenant_id = :t",
                {"id": _uuid("t.id"), "bsn_hash": "NULL", "bsn_encrypted": "NULL"},
            )
            clone(
                "casussen",
                "casussen t JOIN m ON m.old_id = t.id AND t.tenant_id = :t",
                {
                    "id": _uuid("t.id"),
                    "subject_person_id": _uuid("t.subject_person_id"),
                    "reference": "left(t.reference, 20) || '-' || m.n::text",
                    # History: most casussen of a gemeente are closed; 1 in 200 copies keeps
                    # its template's (mostly running) state.
                    "state": "CASE WHEN m.seq % 200 = 0 THEN t.state ELSE 'afgeschaald' END",
                    "created_at": "t.created_at - (m.seq * interval '5 minutes')",
                    "updated_at": "t.updated_at - (m.seq * interval '5 minutes')",
                },
            )
            for table in CASUS_TABLES:
                cols = {c for c, _ in _columns(conn, table)}
                overrides: dict[str, str] = {}
                for column in ("id", "casus_id", "person_id"):
                    if column in cols:
                        overrides[column] = _uuid(f"t.{column}")
                # Rows of a casus follow their casus; a person's rows (consents) their person.
                on = "m.old_id = t.casus_id" if "casus_id" in cols else "m.old_person = t.person_id"
                clone(table, f"{table} t JOIN m ON {on} AND t.tenant_id = :t", overrides)
            cloned = conn.scalar(sa.text("SELECT count(*) FROM m"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        return int(cloned or 0)
    finally:
        engine.dispose()


def prepare(data_dir: Path, *, reload: bool = False, say: Say = _say) -> tuple[Settings, Server]:
    """The benchmark database, loaded once and reused by later runs (``--reload`` redoes it)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    server = database_server(data_dir, say)
    settings = bench_settings(data_dir, server.admin_url)
    with loading_lock(server.admin_url, settings.database_name, say):
        if not reload and is_loaded(server.admin_url, settings):
            provision(as_psycopg(server.admin_url), settings)  # new migrations, if any
        if reload or not is_loaded(server.admin_url, settings):
            say(
                f"loading the benchmark database ({TENANTS} tenants, "
                f"{CASUSSEN:,} casussen in {BIG_TENANT}) ..."
            )
            timings = load(settings, server.admin_url, say)
            say("  load: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        else:
            say("benchmark database already loaded (use --reload to load it again)")
    return settings, server


@contextlib.contextmanager
def loading_lock(admin_url: str, database: str, say: Say) -> Iterator[None]:
    """Held while one process checks, migrates or loads ``database``: a second benchmark
    started meanwhile waits for the load to end and then finds the database loaded. (Without
    it, a benchmark started during a load saw a half-filled database, loaded it again and
    dropped it — ``DROP DATABASE ... WITH (FORCE)`` — under the first load.) A session-level
    advisory lock in the server's ``postgres`` database: it ends with this process."""
    engine = _admin_engine(admin_url)
    key = sa.text("SELECT hashtextextended('regietafel-bench-load:' || :d, 0)")
    try:
        with engine.connect() as conn:
            lock_id = conn.execute(key, {"d": database}).scalar_one()
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": lock_id})
            if not got.scalar_one():
                say(f"waiting for another process that is loading {database} ...")
                conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": lock_id})
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": lock_id})
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true")
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "regietafel-bench"
    )
    args = parser.parse_args()
    _, server = prepare(args.data_dir, reload=args.reload)
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
