"""Demo data for `make run`: a few dozen fictional casussen per demo gemeente, in every
phase, replayed through the same service functions (and policy checks) as real work.

Each step runs as a user of the organisation that does it, on the date of the scenario,
so timelines, review timers and analytics facts look like a living system. Seeding runs
only for a gemeente that has no casussen yet.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.casework.casussen import aanmelden, afsluiting, deelnemers, fasen, triage
from services.casework.domain import lifecycle
from services.casework.domain.local_time import local_today
from services.casework.groepsstappen import service as stappen
from services.casework.personen.service import PersonInput
from services.casework.plan import service as plans
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.casework.workspace import Workspace
from services.demo.scenarios import DemoCasus, DemoGroupCasus, group_scenarios_for, scenarios_for
from services.platform.db.models import (
    Assessment,
    Casus,
    Organisation,
    OutcomeMeasurement,
    PlanVersion,
    Tenant,
    User,
)
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction
from services.platform.identity.principal import Principal
from tenants.reference import INSTRUMENT_DOMAINS

Progress = Callable[[str], None]
CLOSURE_STATES = {"afgeschaald", "opgeschaald", "gestopt"}
TRIAGE_STATES = {"opgenomen", "doorverwezen", "niet_opgenomen"}
CASEWORK_ROLES = frozenset({"professional", "casusregisseur", "pga-expert"})


def _quiet(_: str) -> None:
    return None


class Cast:
    """The demo users of one tenant, found by organisation and role."""

    def __init__(self, sessions: sessionmaker[Session], tenant: Tenant) -> None:
        with tenant_transaction(sessions, tenant.code) as session:
            rows = session.execute(
                sa.select(User, Organisation)
                .join(
                    Organisation,
                    sa.and_(
                        Organisation.tenant_id == User.tenant_id,
                        Organisation.id == User.organisation_id,
                    ),
                )
                .where(User.active)
                .order_by(User.id)
            ).all()
        self.tenant = tenant
        self.principals = [
            Principal(
                user_id=u.id,
                tenant=tenant.code,
                tenant_kind=tenant.kind.value,
                region=tenant.region,
                organisation=o.id,
                domain=o.domain,
                roles=frozenset(u.roles),
                display_name=u.display_name,
            )
            for u, o in rows
        ]
        self.organisations = {o.id: o.domain for _, o in rows}
        experts = [p for p in self.principals if "pga-expert" in p.roles]
        if not experts:
            raise LookupError(f"{tenant.code} has no pga-expert demo user")
        self.expert = experts[0]

    def of_org(self, organisation: str | None, role: str | None = None) -> Principal | None:
        """A user of ``organisation`` who does casework (with ``role`` when given)."""
        wanted = {role} if role else CASEWORK_ROLES
        for p in self.principals:
            if p.organisation == organisation and p.roles & wanted:
                return p
        return None

    def with_role(self, role: str) -> Principal | None:
        return next((p for p in self.principals if role in p.roles), None)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)


def _person(c: DemoCasus) -> PersonInput:
    p = c.person
    return PersonInput(
        given_names=p.given_names,
        surname=p.surname,
        roepnaam=p.roepnaam,
        aliases=list(p.aliases),
        birth_date=p.birth_date,
        bsn=p.bsn,
        address={
            "straat": p.address.street,
            "huisnummer": p.address.house_number,
            "postcode": p.address.postcode,
            "woonplaats": p.address.city,
        },
    )


def _version(deps: CaseworkDeps, tenant: str, casus_id: uuid.UUID) -> int:
    with tenant_transaction(deps.sessions, tenant) as session:
        casus = session.get(Casus, (tenant, casus_id))
        assert casus is not None
        return casus.version


def seed_person_casus(deps: CaseworkDeps, cast: Cast, c: DemoCasus) -> None:
    code = cast.tenant.code
    aanmelder = cast.of_org(c.aanmelder_organisation_id) or cast.expert
    with workspace(deps, aanmelder, now=_at(c.aangemeld_on)) as ws:
        casus = aanmelden.aanmelden(
            ws,
            aanmelden.Aanmelding(
                kind="persoon",
                waarom_integraal=c.waarom_integraal,
                problemen={p.domain: p.text for p in c.problems},
                geinformeerd=c.informed,
                reden_niet_geinformeerd=c.not_informed_reason,
                person=_person(c),
                meeting_type=c.meeting_type_id,
                doelgroep="jongeren",
            ),
        )
        casus_id = casus.id
    regisseur = (
        cast.of_org(c.casusregisseur_organisation_id, "casusregisseur")
        or cast.with_role("casusregisseur")
        or cast.expert
    )
    appointed = False
    plan_seeded = False
    for step in c.path:
        when = _at(step.on)
        actor = regisseur if appointed else cast.expert
        version = _version(deps, code, casus_id)
        with workspace(deps, actor, now=when) as ws:
            if step.state in TRIAGE_STATES:
                triage.triage_decide(
                    ws,
                    casus_id,
                    version,
                    criteria_met=set(c.criteria_met),
                    decision=step.triage_decision or "niet-opnemen",
                    reason=step.reason,
                    override_reason=step.reason or "Besloten in het PGA-overleg.",
                )
            elif step.state in CLOSURE_STATES:
                receiving = next(
                    (o for o, d in cast.organisations.items() if d == "sociaal-wijkteam"),
                    regisseur.organisation,
                )
                afsluiting.afsluiten(
                    ws,
                    casus_id,
                    version,
                    afsluiting.Afsluiting(
                        reden=step.closure_reason or "gestopt-overig",
                        toelichting=step.reason,
                        ontvangende_organisatie=receiving,
                        eindgesprek_datum=step.on,
                        eindgesprek_notities="Eindgesprek gevoerd.",
                    ),
                )
            elif step.state == "plan" and ws.load_casus(casus_id).state == "waakvlam":
                afsluiting.heropenen(ws, casus_id, version, step.reason or "Nieuwe signalen.")
            else:
                fasen.transition(ws, casus_id, step.state, version, reason=step.reason)
        if step.state == "plan" and not plan_seeded:
            # The plan before uitvoering: the service refuses uitvoering without a plan.
            _seed_plan(deps, code, c, casus_id, regisseur)
            plan_seeded = True
        if step.state == "opgenomen":
            with workspace(deps, cast.expert, now=when) as ws:
                if regisseur.user_id != cast.expert.user_id:
                    deelnemers.set_regie(ws, casus_id, "casusregisseur", regisseur.user_id, None)
                for org in c.participant_organisation_ids:
                    deelnemers.invite(ws, casus_id, org, "kern", None)
            appointed = True
    _seed_plan_and_assessments(deps, cast, c, casus_id, regisseur)


def _seed_plan(
    deps: CaseworkDeps, code: str, c: DemoCasus, casus_id: uuid.UUID, author: Principal
) -> None:
    if c.plan is None or c.plan_created_on is None:
        return
    with tenant_transaction(deps.sessions, code) as session:
        session.add(
            PlanVersion(
                tenant_id=code,
                casus_id=casus_id,
                version=1,
                content=c.plan.model_dump(mode="json"),
                summary=["Eerste versie van het plan van aanpak."],
                created_by=author.user_id,
                created_at=_at(c.plan_created_on),
            )
        )


def _seed_plan_and_assessments(
    deps: CaseworkDeps, cast: Cast, c: DemoCasus, casus_id: uuid.UUID, author: Principal
) -> None:
    code = cast.tenant.code
    with tenant_transaction(deps.sessions, code) as session:
        for a in c.assessments:
            session.add(
                Assessment(
                    tenant_id=code,
                    id=uuid.uuid4(),
                    casus_id=casus_id,
                    instrument=c.instrument,
                    moment=a.moment,
                    taken_on=a.taken_on,
                    scores=dict(a.scores),
                    assessor_user_id=author.user_id,
                )
            )
        casus = session.get(Casus, (code, casus_id))
        if casus is not None and c.last_melding_on is not None:
            casus.last_melding_on = c.last_melding_on
        for moment, on, flags in demo_outcomes(c):
            session.add(
                OutcomeMeasurement(
                    tenant_id=code,
                    id=uuid.uuid4(),
                    casus_id=casus_id,
                    moment=moment,
                    measured_on=on,
                    flags=flags,
                    recorded_by=author.user_id,
                )
            )


#: Chance of each outcome at intake and at closure (fictional, in the direction seed 002
#: reports for integral approaches: more work and stable housing, fewer debts).
_OUTCOME_CHANCES = {
    "work_or_dagbesteding": (0.15, 0.40),
    "school_or_startkwalificatie": (0.25, 0.40),
    "stable_housing": (0.55, 0.75),
    "problematic_debts": (0.60, 0.40),
    "benefit": (0.45, 0.40),
}


def demo_outcomes(c: DemoCasus) -> list[tuple[str, dt.date, dict[str, bool]]]:
    """Plausible outcome flags for an included demo casus (deterministic per casus)."""
    if c.plan_created_on is None:
        return []
    rng = random.Random(c.key)
    result = [
        (
            "intake",
            c.plan_created_on,
            {k: rng.random() < low for k, (low, _) in _OUTCOME_CHANCES.items()},
        )
    ]
    closed_on = next((s.on for s in c.path if s.state in CLOSURE_STATES), None)
    if closed_on is not None:
        result.append(
            (
                "afsluiting",
                closed_on,
                {k: rng.random() < high for k, (_, high) in _OUTCOME_CHANCES.items()},
            )
        )
        follow_up = closed_on + dt.timedelta(days=365)
        if follow_up <= local_today():
            flags = {k: rng.random() < high for k, (_, high) in _OUTCOME_CHANCES.items()}
            flags["new_police_registrations_12m"] = rng.random() < 0.35
            result.append(("nameting-12m", follow_up, flags))
    return result


def seed_group_casus(deps: CaseworkDeps, cast: Cast, g: DemoGroupCasus) -> None:
    code = cast.tenant.code
    reporter = cast.with_role("professional") or cast.expert
    with workspace(deps, reporter, now=_at(g.started_on)) as ws:
        casus = aanmelden.aanmelden(
            ws,
            aanmelden.Aanmelding(
                kind="groep",
                waarom_integraal=g.signals,
                problemen={},
                geinformeerd=False,
                reden_niet_geinformeerd="Stap 1 gaat over de groep; personen nog niet bekend.",
                group_name=g.group_name,
                meeting_type=g.meeting_type_id,
            ),
        )
        casus_id = casus.id
    coordinator = cast.of_org(g.coordinator_organisation_id, "uitvoeringscoordinator") or (
        cast.with_role("uitvoeringscoordinator")
    )
    for step in g.path:
        when = _at(step.on)
        if step.state == "stap-2" and coordinator is not None:
            with workspace(deps, cast.expert, now=when) as ws:
                deelnemers.set_regie(
                    ws, casus_id, "uitvoeringscoordinator", coordinator.user_id, None
                )
        if step.reason is None:
            with workspace(deps, cast.expert, now=when) as ws:
                _fill_group_step(ws, casus_id)
        version = _version(deps, code, casus_id)
        with workspace(deps, cast.expert, now=when) as ws:
            fasen.transition(ws, casus_id, step.state, version, reason=step.reason)


def _fill_group_step(ws: Workspace, casus_id: uuid.UUID) -> None:
    """The content a group step needs before the group moves on (fictional, group level):
    group steps cannot be clicked through empty (services/casework/domain/group_steps.py)."""
    casus = ws.load_casus(casus_id)
    step = lifecycle.group_step(casus.state)

    def part(name: str, **fields: Any) -> None:
        stappen.record(ws, casus_id, stappen.PartInput(name, fields))

    if step == 3:
        part("integraal_beeld", tekst="Kern van enkele jongeren met meelopers; vooral 's avonds.")
        domain = next(iter(INSTRUMENT_DOMAINS[ws.manifest.assessment_instrument]))
        stappen.add_concept_goal(
            ws,
            casus_id,
            None,
            domain,
            "De groep veroorzaakt overlast in de wijk.",
            "Geen overlast meer; iedere jongere heeft een dagbesteding.",
            "Drie maanden geen overlastmeldingen over de groep.",
        )
    elif step == 4:
        part("voorlegging", tekst="Groep jongeren veroorzaakt overlast; kern en meelopers.")
        part(
            "advies",
            advies="Integrale aanpak; zorgspoor en bestuurlijk spoor.",
            prioriteit="middel",
        )
    elif step == 5:
        current = plans.current_version(ws, casus)
        stappen.add_intervention(
            ws,
            casus_id,
            current.version if current else None,
            "zorg",
            "Trajecten naar school en werk.",
            None,
        )
        part("nulmeting", spoor="zorg", indicator="Jongeren zonder dagbesteding", waarde="5")
    elif step == 6:
        part("voortgang", spoor="zorg", tekst="Twee jongeren hebben weer een dagbesteding.")
    elif step == 7:
        part("evaluatie", conclusie="Doelen grotendeels bereikt.", nameting={"zorg": "1"})


def seed_demo(
    deps: CaseworkDeps,
    *,
    per_tenant: int = 24,
    seed: int = 2026,
    today: dt.date | None = None,
    progress: Progress = _quiet,
) -> int:
    """Seed every demo gemeente that has no casussen yet; returns the number created."""
    with platform_transaction(deps.sessions) as session:
        tenants = session.scalars(
            sa.select(Tenant).where(Tenant.kind == "gemeente").order_by(Tenant.code)
        ).all()
    created = 0
    for tenant in tenants:
        with tenant_transaction(deps.sessions, tenant.code) as session:
            existing = session.scalar(sa.select(sa.func.count()).select_from(Casus))
        if existing:
            continue
        try:
            cast = Cast(deps.sessions, tenant)
            people = scenarios_for(tenant.code, per_tenant, seed, today=today)
            groups = group_scenarios_for(tenant.code, None, seed, today=today)
        except (LookupError, ValueError):
            progress(f"  {tenant.code}: geen demo-scenario's (geen demo-manifest)")
            continue
        for scenario in people:
            seed_person_casus(deps, cast, scenario)
        for group in groups:
            seed_group_casus(deps, cast, group)
        created += len(people) + len(groups)
        progress(
            f"  {tenant.code} {tenant.name}: {len(people)} persoons- en "
            f"{len(groups)} groepscasussen"
        )
    return created
