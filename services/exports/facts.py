"""The casework side of the analytics contract (docs/analytics-contract.md, version 1).

One fact record per person per release period, under a keyed pseudonym: HMAC with the
deployment's pseudonym key over the person's keyed BSN lookup hash (``Person.bsn_hash``,
the same in every tenant), so a person known in two gemeenten carries ONE pseudonym and is
counted once after deduplication — never a BSN, name or birth date: an age band, the
gemeente and months instead.

Persons without a BSN are not exported (counted in ``skipped_without_bsn``): without an
identifier shared by all tenants their records in two gemeenten could not be linked, so their
contribution to a release could not be bounded (docs/analytics-methodology.md, "Privacy
unit"). A name/birth-date match key was rejected: it merges different people and misses
spelling variants, so it bounds nothing.
Running the export twice for a period produces the same batch, and the analytics service
replaces the previous batch for (gemeentecode, period): reruns never duplicate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from analytics.contract import (
    DOELGROEPEN,
    FactBatchV1,
    FactRecordV1,
    FollowUpFlags,
    Geography,
    OutcomeFlags,
    parse_period,
    pseudonymise,
)
from services.casework.domain.triage import age_on
from services.platform.db.models import (
    Assessment,
    Casus,
    Organisation,
    OutcomeMeasurement,
    Person,
    Tenant,
    TenantKind,
)
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction
from tenants.reference import age_band_for

NOT_INCLUDED = frozenset({"aangemeld", "in_triage", "niet_opgenomen", "doorverwezen"})

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    year, quarter = parse_period(period)
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end_month = 3 * quarter
    end = (
        dt.date(year + 1, 1, 1) if end_month == 12 else dt.date(year, end_month + 1, 1)
    ) - dt.timedelta(days=1)
    return start, end


def _month(value: dt.date | None) -> str | None:
    return value.strftime("%Y-%m") if value else None


def region_label(tenant: Tenant) -> str:
    settings = tenant.settings or {}
    name = settings.get("region_name")
    return str(name) if name else tenant.region


def geography_from_tenants(sessions: sessionmaker[Session]) -> Geography:
    """The public key list for the analytics service: every gemeente tenant and its region."""
    with platform_transaction(sessions) as session:
        tenants = session.scalars(
            sa.select(Tenant).where(Tenant.kind == TenantKind.GEMEENTE).order_by(Tenant.code)
        ).all()
        return Geography.of((t.code, t.name, region_label(t)) for t in tenants)


@dataclass(frozen=True)
class ExportResult:
    batch: FactBatchV1
    skipped_without_birth_date: int
    skipped_without_bsn: int = 0


def _zrm(rows: list[Assessment], moment: str | None) -> dict[str, int] | None:
    chosen = [a for a in rows if a.instrument == "zrm" and (moment is None or a.moment == moment)]
    if not chosen:
        return None
    pick = chosen[0] if moment == "intake" else chosen[-1]
    return {k: int(v) for k, v in pick.scores.items()}


def _outcomes(rows: list[OutcomeMeasurement], moment: str, until: dt.date) -> dict[str, bool]:
    """The latest measurement of ``moment`` taken by the end of the period."""
    chosen = [r for r in rows if r.moment == moment and r.measured_on <= until]
    return dict(chosen[-1].flags) if chosen else {}


def person_pseudonym(key: bytes, bsn_hash: str) -> str:
    """The export pseudonym of a person: tenant-independent (from the keyed BSN lookup hash)."""
    return pseudonymise(key, "bsn:" + bsn_hash)


def build_batch(session: Session, tenant: Tenant, period: str, pseudonym_key: str) -> ExportResult:
    """Facts of one gemeente for one period (the session is bound to that tenant)."""
    start, end = period_bounds(period)
    casussen = session.scalars(
        sa.select(Casus)
        .where(
            Casus.tenant_id == tenant.code,
            Casus.kind == "persoon",
            Casus.subject_person_id.is_not(None),
            Casus.aanmeld_date <= end,
            sa.or_(Casus.closure_date.is_(None), Casus.closure_date >= start),
        )
        .order_by(Casus.aanmeld_date, Casus.id)
    ).all()
    domains = {
        org.id: org.domain
        for org in session.scalars(
            sa.select(Organisation).where(Organisation.tenant_id == tenant.code)
        )
    }
    records: dict[str, FactRecordV1] = {}
    skipped = 0
    without_bsn = 0
    key = pseudonym_key.encode("utf-8")
    for casus in casussen:
        person = session.get(Person, (tenant.code, casus.subject_person_id))
        if person is None or person.birth_date is None:
            skipped += 1
            continue
        if not person.bsn_hash:
            without_bsn += 1
            continue
        pseudonym = person_pseudonym(key, person.bsn_hash)
        assessments = list(
            session.scalars(
                sa.select(Assessment)
                .where(Assessment.tenant_id == tenant.code, Assessment.casus_id == casus.id)
                .order_by(Assessment.taken_on)
            )
        )
        measured = list(
            session.scalars(
                sa.select(OutcomeMeasurement)
                .where(
                    OutcomeMeasurement.tenant_id == tenant.code,
                    OutcomeMeasurement.casus_id == casus.id,
                )
                .order_by(OutcomeMeasurement.measured_on, OutcomeMeasurement.created_at)
            )
        )
        closed = casus.closure_date is not None and casus.closure_date <= end
        closure_reason = (casus.closure or {}).get("reden") if closed else None
        age = age_on(person.birth_date, end)
        doelgroep = (
            casus.doelgroep
            if casus.doelgroep in DOELGROEPEN
            else ("jongeren" if age <= 27 else "volwassenen")
        )
        plan_date = casus.plan_date if casus.plan_date and casus.plan_date <= end else None
        record = FactRecordV1(
            pseudonym=pseudonym,
            gemeentecode=tenant.code,
            region=region_label(tenant),
            period=period,
            age_band=age_band_for(age).code,
            casus_kind="persoon",
            doelgroep=doelgroep,
            voluntary=casus.voluntary,
            aanmelding_month=_month(casus.aanmeld_date),
            plan_month=_month(plan_date),
            closure_month=_month(casus.closure_date) if closure_reason else None,
            days_aanmelding_to_plan=(plan_date - casus.aanmeld_date).days if plan_date else None,
            aanmelding_source_domain=domains.get(casus.aanmelder_organisation_id),
            included=casus.state not in NOT_INCLUDED,
            closure_reason=closure_reason,
            zrm_intake=_zrm(assessments, "intake"),
            zrm_latest=_zrm(assessments, None),
            zrm_closure=_zrm(assessments, "afsluiting") if closure_reason else None,
            outcomes_intake=OutcomeFlags(**_outcomes(measured, "intake", end)),
            outcomes_closure=OutcomeFlags(**_outcomes(measured, "afsluiting", end))
            if closure_reason
            else OutcomeFlags(),
            outcomes_12m=FollowUpFlags(**_outcomes(measured, "nameting-12m", end))
            if closure_reason
            else FollowUpFlags(),
        )
        records[pseudonym] = record  # one record per person: the latest casus wins
    batch = FactBatchV1(
        gemeentecode=tenant.code,
        period=period,
        records=sorted(records.values(), key=lambda r: r.pseudonym),
    )
    return ExportResult(batch, skipped, without_bsn)


def export_all(
    sessions: sessionmaker[Session], period: str, pseudonym_key: str, progress: Progress = _quiet
) -> list[ExportResult]:
    """Batches for every gemeente tenant (regional bureaus hold no own caseload facts)."""
    with platform_transaction(sessions) as session:
        codes = session.scalars(
            sa.select(Tenant.code).where(Tenant.kind == TenantKind.GEMEENTE).order_by(Tenant.code)
        ).all()
    results = []
    for code in codes:
        with tenant_transaction(sessions, code) as session:
            tenant = session.get(Tenant, code)
            assert tenant is not None
            result = build_batch(session, tenant, period, pseudonym_key)
        skipped = [
            f"{n} {why} overgeslagen"
            for n, why in (
                (result.skipped_without_birth_date, "zonder geboortedatum"),
                (result.skipped_without_bsn, "zonder BSN"),
            )
            if n
        ]
        progress(
            f"  {code}: {len(result.batch.records)} feitrecords"
            + (f" ({', '.join(skipped)})" if skipped else "")
        )
        results.append(result)
    return results
