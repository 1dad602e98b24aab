"""``zichtbaar.probed_exists`` (issue 14, session 26): a correlated ``EXISTS`` in a select
list that PostgreSQL runs as a probe per row whatever it estimates, where a plain ``EXISTS``
may be run as a hash of its subquery's whole uncorrelated part.

On a fresh ``ANALYZE`` of the benchmark database the werkvoorraad's running statement hashed
every participation of the caller's organisation (50,000) for 516 running casussen: 35 ms per
request instead of ~4. Shown here on two temporary tables shaped like that (few outer rows,
many inner rows of one organisation): the plain ``EXISTS`` is hashed (so the setting provokes
the hash), the probed one is not, and both give the same rows. If a PostgreSQL release hashed
an ``EXISTS`` with ``OFFSET`` too, this test says so."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from services.casework.casussen import zichtbaar
from services.casework.casussen.zichtbaar import probed_exists
from services.platform.db.provision import DatabaseUrls

metadata = sa.MetaData()
running = sa.Table(
    "probe_running",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
participants = sa.Table(
    "probe_participants",
    metadata,
    sa.Column("casus_id", sa.Integer, nullable=False),
    sa.Column("organisation_id", sa.String, nullable=False),
    sa.Index("ix_probe_participants_org", "organisation_id", "casus_id"),
    prefixes=["TEMPORARY"],
)


@pytest.fixture
def connection(db_urls: DatabaseUrls) -> Iterator[sa.Connection]:
    # The owner may create temporary tables; the app role may not (ADR 0013).
    assert db_urls.admin is not None
    engine = sa.create_engine(db_urls.admin)
    with engine.connect() as conn:
        metadata.create_all(conn)
        # 500 running casussen among 100,000; the organisation takes part in half of all.
        conn.execute(
            sa.text("INSERT INTO probe_running SELECT g * 200 FROM generate_series(1, 500) g")
        )
        conn.execute(
            sa.text(
                "INSERT INTO probe_participants"
                " SELECT g * 2, 'politie' FROM generate_series(1, 50000) g"
            )
        )
        conn.execute(sa.text("ANALYZE probe_running"))
        conn.execute(sa.text("ANALYZE probe_participants"))
        yield conn
        conn.rollback()
    engine.dispose()


def _plan_and_rows(conn: sa.Connection, exists: sa.Exists) -> tuple[str, list[tuple[int, bool]]]:
    statement = sa.select(running.c.id, exists.label("participates")).order_by(running.c.id)
    compiled = statement.compile(dialect=conn.dialect)
    plan = conn.exec_driver_sql(f"EXPLAIN (VERBOSE) {compiled}", compiled.params).scalars().all()
    return "\n".join(plan), [(r.id, r.participates) for r in conn.execute(statement)]


def test_a_probed_exists_is_never_hashed_and_gives_the_same_rows(connection: sa.Connection) -> None:
    conditions = (
        participants.c.casus_id == running.c.id,
        participants.c.organisation_id == "politie",
    )
    plain_plan, plain_rows = _plan_and_rows(connection, sa.exists().where(*conditions))
    probed_plan, probed_rows = _plan_and_rows(connection, probed_exists(*conditions))
    # The shape provokes the hash: without OFFSET PostgreSQL reads all 50,000 into one.
    assert "hashed SubPlan" in plain_plan, plain_plan
    assert "hashed SubPlan" not in probed_plan, probed_plan
    assert "probe_participants" in probed_plan
    assert probed_rows == plain_rows
    assert sum(p for _, p in probed_rows) == 500


def exists_subqueries(sql: str) -> list[str]:
    """The text inside each ``EXISTS (...)`` of ``sql``, to its matching parenthesis."""
    found = []
    for start in (i + len("EXISTS (") for i in range(len(sql)) if sql.startswith("EXISTS (", i)):
        depth = 1
        for end in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if not depth:
                found.append(sql[start:end])
                break
    return found


def test_the_counts_participation_probe_is_never_hashed() -> None:
    """The home page's count probes the organisation's participation for a casus of its
    chunk that the participation page could not have found (a kind the relation does not
    count for): with ``OFFSET 0``, as :func:`probed_exists`, so that it is never a hash of
    all the organisation's participations."""
    relations = ("tenant_wide", "participation", "regie", "coordinator", "shared")
    probes = []
    for n in range(1, len(relations) + 1):
        for chosen in itertools.combinations(relations, n):
            for after in (False, True):
                text = str(zichtbaar._count_groups_sql(chosen, after).element)
                # The probe of a casus of the chunk (``ch``); the pages' own EXISTS in
                # their WHERE stays a join PostgreSQL may merge.
                probes += [
                    s for s in exists_subqueries(text) if "casus_participants" in s and "ch.id" in s
                ]
    assert probes
    assert all(p.rstrip().endswith("OFFSET 0") for p in probes), probes
