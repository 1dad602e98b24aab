"""Migration 0068 (ADR 0028, amendment ``overzicht2``): the index of the casussen by tenant and
id with kind and state, for the home page's count in id order; up and down again."""

from __future__ import annotations

import sqlalchemy as sa
from migrations import migrate

from services.runtime import Runtime

INDEX = "ix_casussen_tenant_id_kind_state"


def _definition(runtime: Runtime) -> str | None:
    engine = sa.create_engine(runtime.urls.owner)
    try:
        with engine.connect() as conn:
            return conn.scalar(
                sa.text(
                    "SELECT indexdef FROM pg_indexes"
                    " WHERE tablename = 'casussen' AND indexname = :i"
                ),
                {"i": INDEX},
            )
    finally:
        engine.dispose()


def test_the_index_goes_up_and_down(runtime: Runtime) -> None:
    assert _definition(runtime) == (
        f"CREATE INDEX {INDEX} ON public.casussen USING btree (tenant_id, id) INCLUDE (kind, state)"
    )
    try:
        migrate(runtime.urls.owner, "0067", down=True)
        assert _definition(runtime) is None
        migrate(runtime.urls.owner, "0068")
        assert _definition(runtime) is not None
    finally:
        migrate(runtime.urls.owner, "head")
    assert _definition(runtime) is not None
