"""Idempotent creation of the roles and databases Regietafel needs.

* ``owner`` owns the schema and runs migrations (row-level security is FORCEd, so it is
  bound by the tenant policies too);
* ``app`` is what the services use: no BYPASSRLS, DML only;
* ``analytics_owner`` owns the separate analytics database, its schema and budget ledger
  (migrations only); ``analytics`` is what the analytics service uses: it reads, writes facts
  and results and spends budget only through the owner's functions. Neither can connect to
  casework data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os

import sqlalchemy as sa
from sqlalchemy.engine import URL

from services.platform.config import Settings
from services.platform.db.urls import as_psycopg

_log = logging.getLogger(__name__)


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unsafe SQL identifier {name!r}")
    return '"' + name + '"'


def ensure_roles(conn: sa.Connection, roles: list[tuple[str, str | None]]) -> None:
    """Create each role (with its password, when given) or bring it in line. Safe when several
    processes bootstrap one server at once (CI: test workers beside a benchmark): their role
    changes are serialised by a session-level advisory lock, which holds in autocommit mode
    too; without it a concurrent CREATE ROLE fails with unique_violation and a concurrent
    ALTER ROLE with "tuple concurrently updated"."""
    conn.execute(sa.text("SELECT pg_advisory_lock(hashtext('regietafel-bootstrap-roles'))"))
    try:
        for role, password in roles:
            _ensure_role(conn, role)
            _set_password(conn, role, password)
    finally:
        conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext('regietafel-bootstrap-roles'))"))


def _ensure_role(conn: sa.Connection, role: str) -> None:
    # The DO-block takes a role that exists as it is (callers hold the lock of ensure_roles).
    conn.execute(
        sa.text(
            "DO $$ BEGIN "
            f"CREATE ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    )
    conn.execute(sa.text(f"ALTER ROLE {_ident(role)} NOBYPASSRLS NOSUPERUSER"))


def scram_verifier(password: str, *, iterations: int = 4096, salt: bytes | None = None) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password`` (RFC 5802/7677).

    Sending the verifier instead of the password keeps the password out of the server's
    statement log and ``pg_stat_statements``.
    """
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _set_password(conn: sa.Connection, role: str, password: str | None) -> None:
    if password:
        verifier = scram_verifier(password)  # base64, '$' and ':' only: safe in a literal
        # exec_driver_sql: no bind-parameter parsing (the verifier contains ':').
        conn.exec_driver_sql(f"ALTER ROLE {_ident(role)} PASSWORD '{verifier}'")


def _ensure_database(conn: sa.Connection, name: str, owner: str) -> None:
    exists = conn.execute(
        sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
    ).scalar()
    if not exists:
        _log.info("creating database %s", name)
        try:
            conn.execute(sa.text(f"CREATE DATABASE {_ident(name)} OWNER {_ident(owner)}"))
        except sa.exc.ProgrammingError as error:  # created concurrently by another process
            if "already exists" not in str(error):
                raise
    conn.execute(sa.text(f"REVOKE ALL ON DATABASE {_ident(name)} FROM PUBLIC"))


def bootstrap(admin_url: str | URL, settings: Settings) -> None:
    """Create roles and both databases; grant each role exactly what it needs."""
    engine = sa.create_engine(as_psycopg(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            ensure_roles(
                conn,
                [
                    (settings.db_owner_role, settings.db_owner_password),
                    (settings.db_app_role, settings.db_app_password),
                    (settings.db_analytics_role, settings.db_analytics_password),
                    (settings.db_analytics_owner_role, settings.db_analytics_owner_password),
                ],
            )
            _ensure_database(conn, settings.database_name, settings.db_owner_role)
            _ensure_database(
                conn, settings.analytics_database_name, settings.db_analytics_owner_role
            )
            casework = _ident(settings.database_name)
            analytics = _ident(settings.analytics_database_name)
            conn.execute(
                sa.text(f"GRANT CONNECT ON DATABASE {casework} TO {_ident(settings.db_app_role)}")
            )
            conn.execute(
                sa.text(f"GRANT ALL ON DATABASE {casework} TO {_ident(settings.db_owner_role)}")
            )
            conn.execute(
                sa.text(
                    f"GRANT ALL ON DATABASE {analytics} "
                    f"TO {_ident(settings.db_analytics_owner_role)}"
                )
            )
            runtime = _ident(settings.db_analytics_role)
            # Before the runtime role's grants: a database the runtime role owned (before
            # analytics migration a0002) changes owner first, or its grants would go with it.
            owner_role = _ident(settings.db_analytics_owner_role)
            conn.execute(sa.text(f"ALTER DATABASE {analytics} OWNER TO {owner_role}"))
            conn.execute(sa.text(f"REVOKE ALL ON DATABASE {analytics} FROM {runtime}"))
            conn.execute(sa.text(f"GRANT CONNECT ON DATABASE {analytics} TO {runtime}"))
            # The analytics roles must never reach casework data, nor the app analytics data.
            for role in (settings.db_analytics_role, settings.db_analytics_owner_role):
                conn.execute(sa.text(f"REVOKE ALL ON DATABASE {casework} FROM {_ident(role)}"))
            conn.execute(
                sa.text(f"REVOKE ALL ON DATABASE {analytics} FROM {_ident(settings.db_app_role)}")
            )
        # Within the casework database: schema owned by the owner role; the app gets DML.
        db_engine = sa.create_engine(
            as_psycopg(admin_url).set(database=settings.database_name), isolation_level="AUTOCOMMIT"
        )
        try:
            with db_engine.connect() as conn:
                owner, app = _ident(settings.db_owner_role), _ident(settings.db_app_role)
                conn.execute(sa.text(f"ALTER SCHEMA public OWNER TO {owner}"))
                conn.execute(sa.text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {app}"))
                conn.execute(
                    sa.text(
                        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"
                    )
                )
                conn.execute(
                    sa.text(
                        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}"
                    )
                )
        finally:
            db_engine.dispose()
        an_engine = sa.create_engine(
            as_psycopg(admin_url).set(database=settings.analytics_database_name),
            isolation_level="AUTOCOMMIT",
        )
        try:
            with an_engine.connect() as conn:
                owner = _ident(settings.db_analytics_owner_role)
                runtime = _ident(settings.db_analytics_role)
                # Before migration a0002 the runtime role owned the schema and the ledger:
                # hand everything it owns to the owner role (a no-op once done).
                conn.execute(sa.text(f"REASSIGN OWNED BY {runtime} TO {owner}"))
                conn.execute(sa.text(f"ALTER SCHEMA public OWNER TO {owner}"))
                conn.execute(sa.text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
                conn.execute(sa.text(f"REVOKE CREATE ON SCHEMA public FROM {runtime}"))
                conn.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {runtime}"))
        finally:
            an_engine.dispose()
    finally:
        engine.dispose()
