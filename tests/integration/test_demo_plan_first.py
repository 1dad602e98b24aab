"""The demo seed walks every person scenario through the casework service, which refuses
uitvoering without a plan van aanpak (issue 12): the seed stores the plan when the casus
reaches the phase 'plan', before it moves on."""

from __future__ import annotations

import sqlalchemy as sa

from services.casework.domain.bsn import BsnVault
from services.casework.unit_of_work import CaseworkDeps
from services.demo.scenarios import scenarios_for
from services.demo.seed import Cast, seed_person_casus
from services.platform.authz.gateway import PolicyGateway
from services.platform.db.models import Casus, PlanVersion, Tenant
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

T = "GM0355"


def test_demo_person_casussen_reach_uitvoering_with_a_plan(
    runtime: Runtime, demo_tenants: object
) -> None:
    settings = runtime.settings
    assert settings.secret_key and settings.pseudonym_key
    deps = CaseworkDeps(
        runtime.sessions,
        PolicyGateway(settings, runtime.sessions),
        BsnVault(settings.secret_key),
        settings.pseudonym_key,
    )
    with tenant_transaction(runtime.sessions, T) as session:
        tenant = session.get(Tenant, T)
        assert tenant is not None
        session.expunge(tenant)
    scenarios = [
        s for s in scenarios_for(T, 24, 2026) if any(p.state == "uitvoering" for p in s.path)
    ]
    assert scenarios, "the demo has casussen in uitvoering"
    cast = Cast(runtime.sessions, tenant)
    for scenario in scenarios[:6]:
        seed_person_casus(deps, cast, scenario)  # the service refuses uitvoering without plan
    with tenant_transaction(runtime.sessions, T) as session:
        without_plan = session.scalars(
            sa.select(Casus.reference).where(
                Casus.state.in_(["uitvoering", "monitoring"]),
                ~sa.exists().where(
                    PlanVersion.tenant_id == Casus.tenant_id, PlanVersion.casus_id == Casus.id
                ),
            )
        ).all()
    assert without_plan == []
