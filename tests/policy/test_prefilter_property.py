"""Property: the SQL pre-filter of the casus list and the policy's per-casus decision never
disagree. Whatever the subject (roles, organisation, user), a casus is in the pre-filtered
set exactly when the policy allows listing it — so the list endpoint neither hides what the
policy allows nor loads what it would deny.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from people import HILVERSUM, REGION_UTRECHT

from services.casework.casussen.zichtbaar import visible_casus_ids_query
from services.casework.domain.bsn import BsnVault
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Enforcer
from services.platform.authz.gateway import PolicyGateway
from services.platform.db.models import Casus, CasusParticipant, CasusRole, Organisation, User
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from services.runtime import Runtime
from tenants.manifest import Manifest
from tenants.reference import ROLES

TENANT = HILVERSUM  # Hilversum
STATES = ["aangemeld", "in_triage", "opgenomen", "plan", "uitvoering", "monitoring", "waakvlam"]
GROUP_STATES = ["stap-1", "stap-2", "stap-5", "afgesloten"]


@pytest.fixture(scope="module")
def world(runtime: Runtime, test_tenants: list[Manifest]) -> dict[str, list[str]]:
    """Casussen with random participants and regie roles (fixed seed), created once."""
    rng = random.Random(4242)
    ids: list[uuid.UUID] = []
    with tenant_transaction(runtime.sessions, TENANT) as session:
        orgs = list(session.scalars(sa.select(Organisation.id).order_by(Organisation.id)))
        users = list(session.scalars(sa.select(User.id).order_by(User.id)))
        for index in range(14):
            kind = "groep" if index % 5 == 0 else "persoon"
            casus = Casus(
                tenant_id=TENANT,
                id=uuid.uuid4(),
                reference=f"PROP-{index}-{uuid.uuid4().hex[:4]}",
                kind=kind,
                state=rng.choice(GROUP_STATES if kind == "groep" else STATES),
                aanmelder_organisation_id=orgs[0],
                aanmelder_user_id=users[0],
                aanmeld_date=dt.date(2026, 1, 1),
                version=1,
            )
            session.add(casus)
            session.flush()
            for org in rng.sample(orgs, rng.randint(0, 3)):
                session.add(
                    CasusParticipant(
                        tenant_id=TENANT,
                        casus_id=casus.id,
                        organisation_id=org,
                        invited_by=users[0],
                        active=rng.random() > 0.2,
                    )
                )
            for role in ("casusregisseur", "uitvoeringscoordinator"):
                if rng.random() < 0.5 and (role == "casusregisseur" or kind == "groep"):
                    session.add(
                        CasusRole(
                            tenant_id=TENANT,
                            id=uuid.uuid4(),
                            casus_id=casus.id,
                            role=role,
                            user_id=rng.choice(users),
                            organisation_id=rng.choice(orgs),
                            ended_at=None if rng.random() > 0.2 else dt.datetime.now(dt.UTC),
                        )
                    )
            ids.append(casus.id)
    return {"orgs": orgs, "users": users, "casussen": [str(i) for i in ids]}


@pytest.fixture(scope="module")
def gateway(runtime: Runtime) -> PolicyGateway:
    return PolicyGateway(runtime.settings, runtime.sessions)


@st.composite
def subjects(draw: st.DrawFn, orgs: list[str], users: list[str]) -> Principal:
    roles = draw(st.frozensets(st.sampled_from(sorted(ROLES)), min_size=1, max_size=3))
    return Principal(
        user_id=draw(st.sampled_from(users)),
        tenant=TENANT,
        tenant_kind="gemeente",
        region=REGION_UTRECHT,
        organisation=draw(st.sampled_from(orgs)),
        domain="",  # the policy takes the domain from the organisation in the policy data
        roles=roles,
        display_name="Eigenschapstest",
    )


def test_prefilter_and_policy_agree(
    world: dict[str, list[str]], runtime: Runtime, gateway: PolicyGateway
) -> None:
    engine = gateway.engine()
    assert runtime.settings.secret_key and runtime.settings.pseudonym_key
    vault = BsnVault(runtime.settings.secret_key)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(subject=subjects(world["orgs"], world["users"]))
    def check(subject: Principal) -> None:
        with tenant_transaction(runtime.sessions, TENANT) as session:
            ws = Workspace(
                session,
                subject,
                Enforcer(session, subject, engine),
                vault,
                runtime.settings.pseudonym_key or "",
            )
            prefiltered = {str(i) for i in session.scalars(visible_casus_ids_query(ws))} & set(
                world["casussen"]
            )
            casussen = [session.get(Casus, (TENANT, uuid.UUID(c))) for c in world["casussen"]]
            resources = [ws.resource(c) for c in casussen if c is not None]
            decisions = engine.decide_many(
                subject.policy_subject(),
                "list",
                {"purpose": "casusoverleg", "now": "2026-11-22T10:00:00Z"},
                resources,
            )
            allowed = {r["casus_id"] for r, d in zip(resources, decisions, strict=True) if d.allow}
            session.rollback()
        assert prefiltered == allowed, (
            f"roles={sorted(subject.roles)} org={subject.organisation}: "
            f"only SQL {sorted(prefiltered - allowed)}, only policy {sorted(allowed - prefiltered)}"
        )

    check()
