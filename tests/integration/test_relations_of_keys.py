"""The relations of a set of casus keys (``RELATIONS_OF_KEYS``) and the casussen with them
(``CASUSSEN_WITH_RELATIONS_OF_KEYS``) take their keys as scalar subqueries (ADR 0028,
amendment ``overzicht2``): the same rows as the bare ``unnest`` of the arrays before, for
every user of the gemeente and the region, and, prepared, the generic plan for a few keys."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from people import REGIO_UTRECHT, ZEIST, ZEIST_PGA_EXPERT
from sqlalchemy.dialects.postgresql import ARRAY
from test_home_counts import _principals, casussen  # noqa: F401 (a fixture: the casussen)
from workspaces import principal_of

from services.casework import casus_relations
from services.casework.casus_relations import (
    CASUSSEN_WITH_RELATIONS_OF_KEYS,
    RELATIONS_OF_KEYS,
)
from services.casework.casussen import zichtbaar
from services.casework.unit_of_work import workspace
from services.platform.db.models import Casus
from services.runtime import Runtime


def _bare_keys() -> Any:
    """The key pairs as before the amendment: ``unnest(:tenants, :ids)``."""
    return (
        sa.func.unnest(
            sa.bindparam("tenants", type_=ARRAY(sa.String)),
            sa.bindparam("ids", type_=ARRAY(sa.Uuid)),
        )
        .table_valued(sa.column("tenant_id", sa.String), sa.column("id", sa.Uuid))
        .render_derived(name="rel_k")
    )


def _old_relations_of_keys() -> sa.Select[Any]:
    keys = _bare_keys()
    laterals, columns = casus_relations._relation_laterals(keys.c.tenant_id, keys.c.id)
    joined: sa.FromClause = keys
    for lateral, outer in laterals:
        joined = joined.join(lateral, sa.true(), isouter=outer)
    return sa.select(keys.c.tenant_id, keys.c.id, *columns).select_from(joined)


def _old_casussen_with_relations_of_keys() -> sa.Select[Any]:
    keys = _bare_keys()
    laterals, columns = casus_relations._relation_laterals(Casus.tenant_id, Casus.id)  # type: ignore[arg-type]
    joined: sa.FromClause = keys.join(
        Casus.__table__,
        sa.and_(Casus.tenant_id == keys.c.tenant_id, Casus.id == keys.c.id),
    )
    for lateral, outer in laterals:
        joined = joined.join(lateral, sa.true(), isouter=outer)
    return sa.select(Casus, *columns).select_from(joined)


def _rows(ws: Any, statement: Any, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for row in ws.session.execute(statement, params).all():
        first = row[0]
        if isinstance(first, Casus):
            rows.append((first.tenant_id, first.id, first.kind, first.state, *row[1:]))
        else:
            rows.append(tuple(row))
    return sorted(rows, key=repr)


@pytest.mark.usefixtures("casussen")
def test_the_keys_as_subqueries_give_the_rows_of_the_bare_unnest(runtime: Runtime) -> None:
    old_relations, old_casussen = _old_relations_of_keys(), _old_casussen_with_relations_of_keys()
    compared = 0
    for principal in _principals(runtime):
        with workspace(runtime.casework, principal) as ws:
            visible = ws.session.execute(
                sa.select(Casus.tenant_id, Casus.id)
                .where(zichtbaar.visible_casus_condition(ws))
                .order_by(Casus.id)
            ).all()
            own = [(t, i) for t, i in visible]
            foreign = [("GM9999", uuid.uuid4())]
            if own:
                other = REGIO_UTRECHT if own[0][0] == ZEIST else ZEIST
                foreign += [(other, own[0][1]), ("GM9999", own[-1][1])]
            for keys in ([], own[:1], own[:3], own[:40], [*own[:5], *foreign], own + own[:2]):
                params = {
                    "tenants": [t for t, _ in keys],
                    "ids": [i for _, i in keys],
                    "grant_user": principal.user_id,
                    "grant_now": ws.enforcer.now,
                }
                new = _rows(ws, RELATIONS_OF_KEYS, params)
                assert new == _rows(ws, old_relations, params), principal.user_id
                assert len(new) == len(keys)
                casussen = _rows(ws, CASUSSEN_WITH_RELATIONS_OF_KEYS, params)
                assert casussen == _rows(ws, old_casussen, params), principal.user_id
                compared += len(casussen)
    assert compared > 50


@pytest.mark.usefixtures("casussen")
def test_a_few_keys_keep_the_generic_plan(runtime: Runtime) -> None:
    """Prepared on a connection (psycopg's sixth execution), with three keys: PostgreSQL
    switches both statements to their generic plan and plans no more. With the arrays
    themselves a custom plan counted three pairs, looked cheaper than the generic plan's
    ten, and PostgreSQL planned every execution anew."""
    principal = principal_of(runtime, ZEIST_PGA_EXPERT, ZEIST)
    with workspace(runtime.casework, principal) as ws:
        keys = ws.session.execute(
            sa.select(Casus.tenant_id, Casus.id)
            .where(zichtbaar.visible_casus_condition(ws))
            .order_by(Casus.id)
            .limit(3)
        ).all()
        assert len(keys) == 3
        params = {
            "tenants": [t for t, _ in keys],
            "ids": [i for _, i in keys],
            "grant_user": principal.user_id,
            "grant_now": ws.enforcer.now,
        }
        for _ in range(12):  # psycopg prepares on the 6th; PostgreSQL decides after 5 more
            assert len(ws.session.execute(RELATIONS_OF_KEYS, params).all()) == 3
            assert len(ws.session.execute(CASUSSEN_WITH_RELATIONS_OF_KEYS, params).all()) == 3
        prepared = ws.session.execute(
            sa.text(
                "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE '%FROM unnest((SELECT%rel_k%'"
            )
        ).all()
        # Both statements (perhaps prepared by the test above as well, under other names; the
        # oracle's bare-unnest forms, prepared there too, kept their custom plans: with the
        # bare unnest this test saw 0 generic and 7 custom plans).
        assert len(prepared) >= 2, prepared
        assert all(generic > 0 for _, generic, _ in prepared), prepared
