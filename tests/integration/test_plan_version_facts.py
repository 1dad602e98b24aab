"""``plan_version_facts`` (migration 0067, issue 14 ``werk``): the open actions and
toezeggingen of every plan version as rows, written by a trigger from the version's content
and read by the werkvoorraad's facts (``kandidaten._FACTS``) instead of unpacking the
content per request. Pinned here against the lateral query that unpacked it (copied below as
it was): over every plan version of the test database, over random plan contents (inserted,
content updated, deleted), and, as the app role for every owner in the data, the rows the
werkvoorraad reads."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from test_werkvoorraad import REGISSEUR, TODAY, T, casus_in_uitvoering
from test_werkvoorraad_pages import _plan_with_actions

from services.casework.unit_of_work import workspace
from services.casework.werkvoorraad import kandidaten
from services.platform.db.provision import DatabaseUrls
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.tokens import Claims
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]

#: The old ``kandidaten._PLAN_FACTS`` (before migration 0067), as it was.
_LATERAL_PLAN_FACTS = sa.text(
    """
    SELECT pv.tenant_id, pv.casus_id, f.what, f.n, f.subject, f.owner_user, f.owner_org,
        f.status, f.first_date, f.second_date
    FROM plan_versions pv
    CROSS JOIN LATERAL (
        SELECT 'actie' AS what, x.n, x.a->>'id' AS subject,
            x.a->>'owner_user_id' AS owner_user, x.a->>'owner_organisation_id' AS owner_org,
            COALESCE(x.a->>'status', 'open') AS status,
            x.a->>'deadline' AS first_date, NULL AS second_date
        FROM jsonb_array_elements(pv.content->'actions') WITH ORDINALITY AS x(a, n)
        WHERE COALESCE(x.a->>'status', 'open') IN ('open', 'loopt')
            AND (x.a->>'owner_user_id' = :user
                OR (x.a->>'owner_user_id' IS NULL AND x.a->>'owner_organisation_id' = :org))
        UNION ALL
        SELECT 'toezegging', y.n, NULL, NULL, y.c->>'organisation_id',
            COALESCE(y.c->>'status', 'open'), y.c->>'made_on', y.c->>'check_due_on'
        FROM jsonb_array_elements(pv.content->'commitments') WITH ORDINALITY AS y(c, n)
        WHERE COALESCE(y.c->>'status', 'open') = 'open'
    ) AS f
    WHERE pv.tenant_id = ANY(:tenants) AND pv.casus_id = ANY(:ids)
        AND pv.version = (
            SELECT max(v.version) FROM plan_versions v
            WHERE v.tenant_id = pv.tenant_id AND v.casus_id = pv.casus_id
        )
    """
)

#: The same lateral subquery without the caller's owner filter, per plan version: what the
#: table must hold.
_LATERAL_ALL = """
    SELECT pv.tenant_id, pv.casus_id, pv.version, f.what, f.n, f.subject, f.owner_user,
        f.owner_org, f.status, f.first_date, f.second_date
    FROM plan_versions pv
    CROSS JOIN LATERAL (
        SELECT 'actie' AS what, x.n, x.a->>'id' AS subject,
            x.a->>'owner_user_id' AS owner_user, x.a->>'owner_organisation_id' AS owner_org,
            COALESCE(x.a->>'status', 'open') AS status,
            x.a->>'deadline' AS first_date, NULL AS second_date
        FROM jsonb_array_elements(pv.content->'actions') WITH ORDINALITY AS x(a, n)
        WHERE COALESCE(x.a->>'status', 'open') IN ('open', 'loopt')
        UNION ALL
        SELECT 'toezegging', y.n, NULL, NULL, y.c->>'organisation_id',
            COALESCE(y.c->>'status', 'open'), y.c->>'made_on', y.c->>'check_due_on'
        FROM jsonb_array_elements(pv.content->'commitments') WITH ORDINALITY AS y(c, n)
        WHERE COALESCE(y.c->>'status', 'open') = 'open'
    ) AS f
    """
_TABLE = """
    SELECT tenant_id, casus_id, version, what, n, subject, owner_user, owner_org, status,
        first_date, second_date
    FROM plan_version_facts
    """


@pytest.fixture
def admin(runtime: Runtime, db_urls: DatabaseUrls) -> Iterator[sa.Engine]:
    """A superuser on the test database: every tenant's rows, no row-level security."""
    assert db_urls.admin is not None
    engine = sa.create_engine(db_urls.admin.set(database=runtime.settings.database_name))
    yield engine
    engine.dispose()


@pytest.fixture
def with_plans(client: Client, token_for: Headers) -> list[str]:
    """Two casussen with plans of open, running, done and unowned actions and toezeggingen
    (two versions of one of them)."""
    ids = [casus_in_uitvoering(client, token_for, f"Feitenrij {i}") for i in range(2)]
    for casus_id in (*ids, ids[0]):
        _plan_with_actions(client, token_for, casus_id)
    return ids


def _rows(conn: sa.Connection, sql: str, where: str = "", **params: Any) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in conn.execute(sa.text(sql + where), params))


def test_the_table_holds_the_lateral_querys_rows_of_every_plan_version(
    admin: sa.Engine, with_plans: list[str]
) -> None:
    with admin.connect() as conn:
        table = _rows(conn, _TABLE)
        lateral = _rows(conn, _LATERAL_ALL)
        mine = _rows(
            conn, _TABLE, " WHERE casus_id = ANY(:ids)", ids=list(map(uuid.UUID, with_plans))
        )
    assert {r[3] for r in mine} == {"actie", "toezegging"}
    assert table == lateral


def _random_content(rng: random.Random) -> dict[str, Any]:
    def maybe(value: Any) -> dict[str, Any]:
        return {} if rng.random() < 0.3 else value

    def date() -> Any:
        return rng.choice(
            [(TODAY.replace(day=1).isoformat()), TODAY.isoformat(), "2026-02-30", None, 7]
        )

    actions = [
        rng.choice(["geen object", 3, None])
        if rng.random() < 0.05
        else {
            **maybe({"id": rng.choice([f"a{i}", "", None])}),
            **maybe({"owner_user_id": rng.choice(["u1", "u2", None, ""])}),
            **maybe({"owner_organisation_id": rng.choice(["o1", "o2", None])}),
            **maybe({"status": rng.choice(["open", "loopt", "gereed", "vervallen", None, 1])}),
            **maybe({"deadline": date()}),
            "description": "tekst",
        }
        for i in range(rng.randrange(0, 8))
    ]
    commitments = [
        {
            **maybe({"organisation_id": rng.choice(["o1", "o3", None])}),
            **maybe({"status": rng.choice(["open", "nagekomen", "niet-nagekomen", None])}),
            **maybe({"made_on": date()}),
            **maybe({"check_due_on": date()}),
            "text": "toezegging",
        }
        for _ in range(rng.randrange(0, 5))
    ]
    content: dict[str, Any] = {"goals": []}
    if rng.random() < 0.9:
        content["actions"] = actions
    if rng.random() < 0.9:
        content["commitments"] = commitments
    return content


def test_random_plan_contents_inserted_updated_and_deleted(
    admin: sa.Engine, with_plans: list[str]
) -> None:
    """Random contents (missing keys, nulls, unknown statuses, non-object elements) inserted
    as new versions, then some contents changed, then the versions deleted: the table
    follows, and always equals the lateral query."""
    rng = random.Random(14)
    casus_id = uuid.UUID(with_plans[1])
    where = " WHERE tenant_id = :t AND casus_id = :c"
    lateral_where = " WHERE pv.tenant_id = :t AND pv.casus_id = :c"
    with admin.begin() as conn:
        insert = sa.text(
            "INSERT INTO plan_versions (tenant_id, casus_id, version, content, summary, "
            "created_by) VALUES (:t, :c, :v, CAST(:content AS jsonb), '{}', 'test')"
        )
        for version in range(100, 400):
            conn.execute(
                insert,
                {"t": T, "c": casus_id, "v": version, "content": _json(_random_content(rng))},
            )
        facts = _rows(conn, _TABLE, where, t=T, c=casus_id)
        assert len(facts) > 300
        assert facts == _rows(conn, _LATERAL_ALL, lateral_where, t=T, c=casus_id)
        for version in range(100, 400, 3):
            conn.execute(
                sa.text(
                    "UPDATE plan_versions SET content = CAST(:content AS jsonb) "
                    "WHERE tenant_id = :t AND casus_id = :c AND version = :v"
                ),
                {"t": T, "c": casus_id, "v": version, "content": _json(_random_content(rng))},
            )
        conn.execute(
            sa.text("UPDATE plan_versions SET created_by = 'ander' WHERE casus_id = :c"),
            {"c": casus_id},
        )
        assert _rows(conn, _TABLE, where, t=T, c=casus_id) == _rows(
            conn, _LATERAL_ALL, lateral_where, t=T, c=casus_id
        )
        # A list that is not one (the lateral query raised on it): no rows, no error.
        for version, content in ((400, {"actions": None}), (401, {"commitments": {"a": 1}})):
            conn.execute(insert, {"t": T, "c": casus_id, "v": version, "content": _json(content)})
        assert not _rows(conn, _TABLE, where + " AND version >= 400", t=T, c=casus_id)
        conn.execute(
            sa.text("DELETE FROM plan_versions WHERE casus_id = :c AND version >= 100"),
            {"c": casus_id},
        )
        assert _rows(conn, _TABLE, where, t=T, c=casus_id) == _rows(
            conn, _LATERAL_ALL, lateral_where, t=T, c=casus_id
        )
        conn.rollback()


def _json(value: Any) -> str:
    return json.dumps(value)


def test_the_werkvoorraad_reads_the_rows_the_lateral_query_read(
    runtime: Runtime, admin: sa.Engine, with_plans: list[str]
) -> None:
    """As the app role (row-level security, the tenant set), for every tenant with plans and
    every owner user and organisation named in them (and nobody), over all the tenant's
    casussen and those shared with it: the plan rows of ``_FACTS`` (the plan and overleg
    facts in one statement) equal the old lateral query."""
    with admin.connect() as conn:
        tenants = [
            r[0] for r in conn.execute(sa.text("SELECT DISTINCT tenant_id FROM plan_versions"))
        ]
        owners = conn.execute(
            sa.text(
                "SELECT DISTINCT tenant_id, owner_user, owner_org FROM plan_version_facts "
                "WHERE what = 'actie'"
            )
        ).all()
    compared = 0
    for tenant in tenants:
        with tenant_transaction(runtime.sessions, tenant) as session:
            ids = list(session.scalars(sa.text("SELECT id FROM casussen")))
            all_tenants = sorted(set(session.scalars(sa.text("SELECT tenant_id FROM casussen"))))
            callers = {(u, o) for t, u, o in owners if t == tenant} | {("niemand", "niets")}
            for user, org in sorted(callers, key=str):
                params = {"tenants": all_tenants, "ids": ids, "user": user, "org": org}
                new_params = {**params, "ids": kandidaten._uuid_array(ids)}
                both = session.execute(kandidaten._FACTS, {**new_params, "tenant": tenant})
                new = sorted(tuple(r)[:10] for r in both if r.src == 0)
                old = sorted(tuple(r) for r in session.execute(_LATERAL_PLAN_FACTS, params))
                assert new == old, (tenant, user, org)
                compared += len(new)
    assert compared > 0


def test_the_facts_get_the_running_ids_as_one_array_literal(
    runtime: Runtime, with_plans: list[str]
) -> None:
    """The plan and overleg facts get the running casussen's ids as one text parameter
    (``CAST(:ids AS uuid[])``), made once, not as a list psycopg dumps UUID by UUID (~3 ms
    for 340 ids, per statement)."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM plan_version_facts" in statement or "FROM meeting_agenda ai" in statement:
            sent.append((statement, parameters))

    principal = PrincipalDirectory(runtime.sessions).resolve(Claims(REGISSEUR, T, {}))
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        with workspace(runtime.casework, principal) as ws:
            found = kandidaten.due(ws, None, reviewer=False)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    assert {d.casus_id for d in found.dues} >= set(map(uuid.UUID, with_plans))
    # One statement for the plan and the overleg facts (issue 14, ``werk3``).
    assert len(sent) == 1
    assert "FROM plan_version_facts" in sent[0][0] and "FROM meeting_agenda ai" in sent[0][0]
    literals = {parameters["ids"] for _, parameters in sent}
    assert len(literals) == 1
    (literal,) = literals
    assert isinstance(literal, str) and literal.startswith("{") and literal.endswith("}")
    assert set(map(str, with_plans)) <= set(literal[1:-1].split(","))
