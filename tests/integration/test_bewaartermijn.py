"""The bewaartermijn sweep with the clock moved forward (issue 11).

Casussen are made through the service layer on an injected date far in the past (the
workspace's ``now``), so their terms end long before any casus another test makes: the
sweep, run as of a later date, sees exactly these. A refused aanmelding gets its term from
the manifest (``niet-opnemen``); a casus that is still open keeps its person, also when an
expired casus shares that person.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from people import ZEIST, ZEIST_CASUSREGISSEUR, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from services.casework.avg.bewaartermijn import sweep
from services.casework.casussen import aanmelden, fasen, triage
from services.casework.domain.bsn import BsnVault
from services.casework.domain.plan import PlanContent
from services.casework.personen.service import PersonInput
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.demo.seed import Cast
from services.jobs import retention_sweep_all
from services.platform.authz.gateway import PolicyGateway
from services.platform.db.models import (
    AgendaItem,
    Assessment,
    AuditEntry,
    Casus,
    Document,
    HouseholdMember,
    InformationItem,
    Meeting,
    Person,
    PlanVersion,
    RetentionRun,
    Tenant,
)
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime
from tenants.manifest import Manifest

T = ZEIST
START = dt.datetime(1991, 3, 4, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def deps(runtime: Runtime, test_tenants: list[Manifest]) -> CaseworkDeps:
    settings = runtime.settings
    assert settings.secret_key and settings.pseudonym_key
    return CaseworkDeps(
        sessions=runtime.sessions,
        gateway=PolicyGateway(settings, runtime.sessions, refresh_seconds=0),
        vault=BsnVault(settings.secret_key),
        pseudonym_secret=settings.pseudonym_key,
    )


@pytest.fixture(scope="module")
def cast(runtime: Runtime, deps: CaseworkDeps) -> Cast:
    with tenant_transaction(runtime.sessions, T) as session:
        tenant = session.get(Tenant, T)
        assert tenant is not None
        session.expunge(tenant)
    return Cast(runtime.sessions, tenant)


def _aanmelden(
    deps: CaseworkDeps, cast: Cast, *, person: PersonInput | None, person_id: uuid.UUID | None
) -> uuid.UUID:
    aanmelder = cast.of_org("politie-basisteam-zeist")
    assert aanmelder is not None
    with workspace(deps, aanmelder, now=START) as ws:
        casus = aanmelden.aanmelden(
            ws,
            aanmelden.Aanmelding(
                kind="persoon",
                waarom_integraal="Bewaartermijntest: meerdere problemen tegelijk.",
                problemen={"financien": "Schulden."},
                geinformeerd=True,
                person=person,
                person_id=person_id,
            ),
        )
        return casus.id


def _refuse(deps: CaseworkDeps, cast: Cast, casus_id: uuid.UUID) -> dt.date:
    """Triage refuses the aanmelding: the term comes from the manifest (niet-opnemen)."""
    with workspace(deps, cast.expert, now=START) as ws:
        casus = ws.load_casus(casus_id)
        fasen.transition(ws, casus_id, "in_triage", casus.version)
    with workspace(deps, cast.expert, now=START) as ws:
        casus = ws.load_casus(casus_id)
        refused = triage.triage_decide(
            ws,
            casus_id,
            casus.version,
            criteria_met=set(),
            decision="niet-opnemen",
            reason="Past niet binnen de PGA.",
            override_reason=None,
        )
        months = ws.manifest.retention.months_for("niet-opnemen")
        assert refused.retention_until is not None
        # The term of a refused aanmelding is the manifest's, counted from the decision.
        expected = START.date().replace(month=START.month + months)
        assert refused.retention_until == expected
        return refused.retention_until


def _snapshot(
    runtime: Runtime, casus_ids: list[uuid.UUID], person_ids: list[uuid.UUID]
) -> dict[str, int]:
    with tenant_transaction(runtime.sessions, T) as session:

        def count(model: type, cond: sa.ColumnElement[bool]) -> int:
            return int(
                session.scalar(sa.select(sa.func.count()).select_from(model).where(cond)) or 0
            )

        return {
            "casussen": count(Casus, Casus.id.in_(casus_ids)),
            "personen": count(Person, Person.id.in_(person_ids)),
            "items": count(InformationItem, InformationItem.casus_id.in_(casus_ids)),
            "documenten": count(Document, Document.casus_id.in_(casus_ids)),
            "plannen": count(PlanVersion, PlanVersion.casus_id.in_(casus_ids)),
            "metingen": count(Assessment, Assessment.casus_id.in_(casus_ids)),
            "overleg": count(AgendaItem, AgendaItem.casus_id.in_(casus_ids)),
            "gezin": count(HouseholdMember, HouseholdMember.person_id.in_(person_ids)),
            "runs": count(RetentionRun, RetentionRun.tenant_id == T),
        }


def test_expired_data_goes_open_casus_data_stays(
    runtime: Runtime, deps: CaseworkDeps, cast: Cast
) -> None:
    tag = uuid.uuid4().hex[:6]
    # A: refused, with a household member, an item, a plan, an assessment and an overleg line.
    a = _aanmelden(deps, cast, person=PersonInput("Ada", f"Verlopen{tag}"), person_id=None)
    # C: refused, about a person whom the still-open casus B is also about.
    c = _aanmelden(deps, cast, person=PersonInput("Cas", f"Gedeeld{tag}"), person_id=None)
    with tenant_transaction(runtime.sessions, T) as session:
        pa = session.scalar(sa.select(Casus.subject_person_id).where(Casus.id == a))
        pc = session.scalar(sa.select(Casus.subject_person_id).where(Casus.id == c))
    assert pa is not None and pc is not None
    b = _aanmelden(deps, cast, person=None, person_id=pc)
    term_a = _refuse(deps, cast, a)
    _refuse(deps, cast, c)

    ph = uuid.uuid4()
    meeting = uuid.uuid4()
    with tenant_transaction(runtime.sessions, T) as session:
        session.add(Person(tenant_id=T, id=ph, given_names="Hanna", surname=f"Gezin{tag}"))
        session.flush()
        session.add(
            HouseholdMember(
                tenant_id=T, id=uuid.uuid4(), person_id=pa, member_person_id=ph, relation="ouder"
            )
        )
        for casus_id in (a, b):
            session.add(
                InformationItem(
                    tenant_id=T,
                    id=uuid.uuid4(),
                    casus_id=casus_id,
                    about_person_id=None,
                    category="algemeen",
                    source_organisation_id="politie-basisteam-zeist",
                    purpose="casusoverleg",
                    title="Item",
                    body="Tekst",
                    created_by=ZEIST_WIJKAGENT,
                )
            )
            session.add(
                Document(
                    tenant_id=T,
                    id=uuid.uuid4(),
                    casus_id=casus_id,
                    category="algemeen",
                    source_organisation_id="politie-basisteam-zeist",
                    purpose="casusoverleg",
                    filename="verslag.txt",
                    media_type="text/plain",
                    size=5,
                    sha256="0" * 64,
                    description="Verslag",
                    content=b"Tekst",
                    withheld=False,
                    uploaded_by=ZEIST_WIJKAGENT,
                    uploaded_at=START,
                )
            )
            session.add(
                PlanVersion(
                    tenant_id=T,
                    casus_id=casus_id,
                    version=1,
                    content=PlanContent.model_validate(
                        {
                            "goals": [{"domain": "financien", "problem": "P.", "goal": "D."}],
                            "end_criterion": "E.",
                        }
                    ).model_dump(mode="json"),
                    created_by=ZEIST_CASUSREGISSEUR,
                )
            )
            session.add(
                Assessment(
                    tenant_id=T,
                    id=uuid.uuid4(),
                    casus_id=casus_id,
                    instrument="zrm",
                    moment="intake",
                    taken_on=START.date(),
                    scores={"financien": 2},
                    assessor_user_id=ZEIST_CASUSREGISSEUR,
                )
            )
        session.add(
            Meeting(
                tenant_id=T,
                id=meeting,
                meeting_type_id="pga-kernteam",
                scheduled_for=START,
                chair_user_id=ZEIST_PGA_EXPERT,
            )
        )
        session.flush()
        for casus_id in (a, b):
            session.add(
                AgendaItem(
                    tenant_id=T, meeting_id=meeting, casus_id=casus_id, briefing="Besproken."
                )
            )

    casussen, persons = [a, b, c], [pa, pc, ph]
    before = _snapshot(runtime, casussen, persons)
    assert before["casussen"] == 3 and before["personen"] == 3

    # Before the term ends, nothing is due.
    early = sweep(runtime.sessions, term_a, dry_run=True, tenants=[T])
    assert early[0].casussen == []

    # The clock moved forward past the term. A dry run shows what would go and changes nothing.
    later = term_a + dt.timedelta(days=1)
    [plan] = sweep(runtime.sessions, later, dry_run=True, tenants=[T])
    with tenant_transaction(runtime.sessions, T) as session:
        refs = dict(
            session.execute(
                sa.select(Casus.id, Casus.reference).where(Casus.id.in_(casussen))
            ).all()
        )
    assert set(plan.casussen) == {refs[a], refs[c]}
    assert plan.counts["personen"] == 2  # Ada and her household member; Cas stays (casus B)
    assert plan.counts["informatie_items"] == 1 and plan.counts["overleglijnen"] == 1
    assert plan.counts["documenten"] == 1  # documents go with their casus
    assert plan.kept_persons == 1
    assert plan.run_id is None
    assert _snapshot(runtime, casussen, persons) == before

    [done] = sweep(runtime.sessions, later, tenants=[T])
    assert set(done.casussen) == {refs[a], refs[c]} and done.counts == plan.counts
    after = _snapshot(runtime, casussen, persons)
    assert after["casussen"] == 1  # B, still open
    assert after["personen"] == 1  # Cas, needed by B
    assert after["items"] == 1 and after["plannen"] == 1 and after["metingen"] == 1
    assert after["documenten"] == 1
    assert after["overleg"] == 1 and after["gezin"] == 0
    assert after["runs"] == before["runs"] + 1
    with tenant_transaction(runtime.sessions, T) as session:
        kept = session.get(Casus, (T, b))
        assert kept is not None and kept.state == "aangemeld" and kept.subject_person_id == pc
        assert session.get(Person, (T, pc)) is not None
        assert session.get(Meeting, (T, meeting)) is not None  # the meeting itself stays
        run = session.get(RetentionRun, (T, done.run_id))
        assert run is not None and set(run.casussen) == {refs[a], refs[c]}
        assert run.as_of == later and run.counts["personen"] == 2
        audit = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "bewaartermijn", AuditEntry.resource_id == str(done.run_id)
            )
        ).one()
        assert audit.allowed and audit.decision_input["casussen"] == sorted(run.casussen)
        # The record holds references and counts, never a name.
        assert f"Verlopen{tag}" not in str(audit.decision_input) + str(run.counts)

    # A second run finds nothing more to do.
    [again] = sweep(runtime.sessions, later, tenants=[T])
    assert again.casussen == [] and again.run_id is None


def test_the_cli_offers_a_dry_run() -> None:
    from services.cli import build_parser, cmd_retention_sweep

    args = build_parser().parse_args(
        ["bewaartermijn", "sweep", "--dry-run", "--datum", "2031-01-01", "--tenant", T]
    )
    assert args.func is cmd_retention_sweep
    assert args.dry_run is True and args.datum == "2031-01-01" and args.tenant == [T]
    real = build_parser().parse_args(["bewaartermijn", "sweep"])
    assert real.dry_run is False and real.tenant is None


def test_the_periodic_job_runs_the_sweep(runtime: Runtime, test_tenants: list[Manifest]) -> None:
    """The scheduler's job `bewaartermijnen` enqueues the actor that runs this sweep."""
    from services.platform.outbox import consumers
    from services.runtime import periodic_jobs

    names = {job.name for job in periodic_jobs(runtime.settings, runtime.actors)}
    assert "bewaartermijnen" in names
    deps = consumers.ConsumerDeps(runtime.sessions, runtime.settings, None)
    # Nothing of any test expires this early: the job reports no removals and records nothing.
    assert retention_sweep_all(deps.sessions, START.date()) == {}
