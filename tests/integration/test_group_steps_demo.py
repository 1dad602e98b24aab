"""The demo seed walks its groups through the seven steps with the content each step needs
(group steps cannot be clicked through empty), through the same services as the API."""

from __future__ import annotations

import sqlalchemy as sa

from services.casework.unit_of_work import CaseworkDeps
from services.demo.scenarios import group_scenarios_for
from services.demo.seed import Cast, seed_group_casus
from services.platform.db.models import Casus, Tenant
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction
from services.runtime import Runtime

T = "GM0355"


def test_demo_groups_reach_every_step_with_content(
    runtime: Runtime, live_casework: CaseworkDeps, demo_tenants: object
) -> None:
    # The demo tenants may have been applied just now: a gateway that sees them at once.
    deps = live_casework
    with platform_transaction(runtime.sessions) as session:
        tenant = session.get(Tenant, T)
        assert tenant is not None
        cast = Cast(runtime.sessions, tenant)
    groups = [g for g in group_scenarios_for(T, 8, 7) if g.early_exit_reason is None]
    reached = {g.target_state for g in groups}
    assert {"stap-5", "stap-7", "afgesloten"} & reached, reached
    for group in groups:
        seed_group_casus(deps, cast, group)
    with tenant_transaction(runtime.sessions, T) as session:
        rows = session.execute(
            sa.select(Casus.group_name, Casus.state, Casus.group_steps).where(
                Casus.group_name.in_([g.group_name for g in groups])
            )
        ).all()
    states = {name: (state, steps) for name, state, steps in rows}
    for group in groups:
        state, steps = states[group.group_name]
        assert state == group.target_state
        if group.target_state in ("stap-4", "stap-5", "stap-6", "stap-7", "afgesloten"):
            assert steps["integraal_beeld"]["tekst"]
        if group.target_state == "afgesloten":
            assert steps["evaluatie"]["nameting"] == {"zorg": "1"}
