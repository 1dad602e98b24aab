"""Several processes bootstrapping one PostgreSQL server at once (CI: two test workers and a
benchmark) create the same roles at the same moment: each must come through, whichever
creates the role first (a concurrent CREATE ROLE fails with unique_violation, not with
duplicate_object)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from services.platform.db.bootstrap import ensure_roles
from services.runtime import Runtime

WRITERS = 6
ROUNDS = 5


@pytest.fixture
def admin(runtime: Runtime) -> Iterator[sa.Engine]:
    # As bootstrap connects: autocommit, each statement its own transaction.
    engine = sa.create_engine(
        runtime.urls.admin, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT"
    )
    yield engine
    engine.dispose()


def test_concurrent_bootstraps_create_a_role_once_without_an_error(admin: sa.Engine) -> None:
    errors: list[BaseException] = []
    roles = [f"rt_race_{uuid.uuid4().hex[:12]}" for _ in range(ROUNDS)]
    try:
        for role in roles:
            start = threading.Barrier(WRITERS)

            def create(role: str = role, start: threading.Barrier = start) -> None:
                try:
                    with admin.connect() as conn:
                        start.wait()
                        ensure_roles(conn, [(role, "geheim-" + role)])
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)

            threads = [threading.Thread(target=create) for _ in range(WRITERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert errors == []
        with admin.connect() as conn:
            found = conn.execute(
                sa.text("SELECT count(*) FROM pg_roles WHERE rolname = ANY(:r)"), {"r": roles}
            ).scalar_one()
        assert found == ROUNDS
    finally:
        with admin.connect() as conn:
            for role in roles:
                conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
