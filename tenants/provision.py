"""Provisioning: turning validated manifests into rows and policy data, idempotently.

All manifests of one ``apply`` are written in one transaction, switching the RLS tenant with
``set_config`` per manifest; a manifest that fails validation stops the run before anything
is written. Removing an organisation, user or meeting type from a manifest deactivates it:
casus history keeps pointing at it. A plan with destructive changes (a rename, a move to
another region, removing an organisation or user that has casework) is refused unless the
caller passes a reason to override it (:class:`DestructiveChangesRefused`).

The ``*_in(session, ...)`` functions work inside the caller's transaction (the operator
actions of :mod:`services.beheer.tenants` add their audit rows to it); the functions
taking a ``sessionmaker`` open a transaction of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.authz.policy_store import PROVISIONING_LOCK, activate
from services.platform.db.models import (
    Casus,
    CasusParticipant,
    CasusRole,
    InformationItem,
    MeetingType,
    Organisation,
    Tenant,
    TenantKind,
    TenantStatus,
    User,
    UserSource,
)
from services.platform.db.unit_of_work import SET_TENANT, platform_transaction
from tenants.diff import (
    Change,
    MeetingTypeState,
    OrganisationState,
    TenantState,
    UserState,
    destructive_changes,
    manifest_settings,
    plan,
)
from tenants.manifest import Manifest, ManifestError, ManifestIssue, check_set, parse_manifest
from tenants.policy_data import build_policy_data, canonical_json

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class ApplyResult:
    code: str
    name: str
    changes: list[Change]

    @property
    def destructive(self) -> list[Change]:
        return destructive_changes(self.changes)


class DestructiveChangesRefused(Exception):
    """The plan has destructive changes and no override reason was given; nothing was
    written."""

    def __init__(self, results: Sequence[ApplyResult]) -> None:
        self.results = [r for r in results if r.destructive]
        listed = "; ".join(
            f"{r.code}: {c.description} ({c.destructive})"
            for r in self.results
            for c in r.destructive
        )
        super().__init__(f"destructive changes refused: {listed}")


def manifest_sha256(manifest: Manifest) -> str:
    return hashlib.sha256(
        canonical_json(manifest.model_dump(mode="json")).encode("utf-8")
    ).hexdigest()


def _use_tenant(session: Session, code: str) -> None:
    session.execute(SET_TENANT, {"tenant": code})


def stored_manifests(session: Session) -> list[Manifest]:
    tenants = session.scalars(sa.select(Tenant).order_by(Tenant.code)).all()
    return [parse_manifest(t.manifest, f"database:{t.code}") for t in tenants if t.manifest]


def snapshot(session: Session, code: str) -> TenantState | None:
    """The current state of a tenant, as the plan compares it (active rows only)."""
    tenant = session.get(Tenant, code)
    if tenant is None:
        return None
    _use_tenant(session, code)
    stored = parse_manifest(tenant.manifest, f"database:{code}") if tenant.manifest else None
    orgs = session.scalars(
        sa.select(Organisation).where(Organisation.tenant_id == code, Organisation.active)
    ).all()
    meetings = session.scalars(
        sa.select(MeetingType).where(MeetingType.tenant_id == code, MeetingType.active)
    ).all()
    users = session.scalars(
        sa.select(User).where(
            User.tenant_id == code, User.active, User.source == UserSource.MANIFEST
        )
    ).all()
    orgs_in_use, users_in_use = _in_use(session, code)
    return TenantState(
        gemeentecode=tenant.code,
        name=tenant.name,
        kind=tenant.kind.value,
        region=tenant.region,
        settings=tenant.settings,
        organisations={o.id: OrganisationState(o.name, o.domain, o.receive_only) for o in orgs},
        meeting_types={
            m.id: MeetingTypeState(m.name, m.frequency_weeks, m.casus_type) for m in meetings
        },
        users={
            u.id: UserState(u.display_name, u.organisation_id, frozenset(u.roles), u.title, u.email)
            for u in users
        },
        grants=stored.grant_matrix() if stored else {},
        organisations_in_use=orgs_in_use,
        users_in_use=users_in_use,
    )


def _in_use(session: Session, code: str) -> tuple[frozenset[str], frozenset[str]]:
    """Organisation and user ids the tenant's own casework refers to: casussen (aanmelder),
    participations, regie roles and information items (not casussen shared with it)."""
    orgs = sa.union(
        sa.select(Casus.aanmelder_organisation_id).where(Casus.tenant_id == code),
        sa.select(CasusParticipant.organisation_id).where(CasusParticipant.tenant_id == code),
        sa.select(CasusRole.organisation_id).where(CasusRole.tenant_id == code),
        sa.select(InformationItem.source_organisation_id).where(InformationItem.tenant_id == code),
    )
    users = sa.union(
        sa.select(Casus.aanmelder_user_id).where(Casus.tenant_id == code),
        sa.select(CasusParticipant.invited_by).where(CasusParticipant.tenant_id == code),
        sa.select(CasusRole.user_id).where(CasusRole.tenant_id == code),
        sa.select(InformationItem.created_by).where(InformationItem.tenant_id == code),
    )
    return (
        frozenset(session.execute(orgs).scalars().all()),
        frozenset(session.execute(users).scalars().all()),
    )


def _check_against_stored(session: Session, manifests: Sequence[Manifest]) -> None:
    incoming = {m.gemeentecode for m in manifests}
    others = [m for m in stored_manifests(session) if m.gemeentecode not in incoming]
    check_set([*others, *manifests])
    for manifest in manifests:
        existing = session.get(Tenant, manifest.gemeentecode)
        if existing is not None and existing.kind.value != manifest.kind:
            raise ManifestError(
                [
                    ManifestIssue(
                        manifest.source,
                        "kind",
                        f"soort kan niet wijzigen van '{existing.kind.value}' naar "
                        f"'{manifest.kind}'",
                        f"kind cannot change from '{existing.kind.value}' to '{manifest.kind}'",
                    )
                ]
            )


def plan_in(session: Session, manifests: Sequence[Manifest]) -> list[ApplyResult]:
    _check_against_stored(session, manifests)
    return [
        ApplyResult(m.gemeentecode, m.name, plan(m, snapshot(session, m.gemeentecode)))
        for m in manifests
    ]


def plan_manifests(
    sessions: sessionmaker[Session], manifests: Sequence[Manifest]
) -> list[ApplyResult]:
    with platform_transaction(sessions) as session:
        return plan_in(session, manifests)


def _upsert_tenant(session: Session, manifest: Manifest) -> None:
    tenant = session.get(Tenant, manifest.gemeentecode)
    if tenant is None:
        tenant = Tenant(code=manifest.gemeentecode, status=TenantStatus.ACTIVE)
        session.add(tenant)
    tenant.name = manifest.name
    tenant.kind = TenantKind(manifest.kind)
    tenant.region = manifest.region
    tenant.settings = manifest_settings(manifest)
    tenant.manifest = manifest.model_dump(mode="json")
    tenant.manifest_sha256 = manifest_sha256(manifest)
    session.flush()


def _sync_rows(session: Session, manifest: Manifest) -> None:
    code = manifest.gemeentecode
    _use_tenant(session, code)
    orgs = {o.id: o for o in session.scalars(sa.select(Organisation)).all()}
    for spec in manifest.organisations:
        org = orgs.pop(spec.id, None) or Organisation(tenant_id=code, id=spec.id)
        org.name, org.domain, org.receive_only, org.active = (
            spec.name,
            spec.domain,
            spec.receive_only,
            True,
        )
        session.add(org)
    for gone in orgs.values():
        gone.active = False
    session.flush()

    meetings = {m.id: m for m in session.scalars(sa.select(MeetingType)).all()}
    for spec_m in manifest.meeting_types:
        meeting = meetings.pop(spec_m.id, None) or MeetingType(tenant_id=code, id=spec_m.id)
        meeting.name = spec_m.name
        meeting.frequency_weeks = spec_m.frequency_weeks
        meeting.casus_type = spec_m.casus_type
        meeting.active = True
        session.add(meeting)
    for gone_m in meetings.values():
        gone_m.active = False

    users = {
        u.id: u
        for u in session.scalars(sa.select(User).where(User.source == UserSource.MANIFEST)).all()
    }
    for spec_u in manifest.users:
        user = (
            users.pop(spec_u.id, None)
            or session.get(User, (code, spec_u.id))
            or User(tenant_id=code, id=spec_u.id, version=0)
        )
        wanted = (
            spec_u.name,
            spec_u.organisation,
            sorted(spec_u.roles),
            spec_u.title,
            spec_u.email,
        )
        current = (
            user.display_name,
            user.organisation_id,
            sorted(user.roles or []),
            user.title,
            user.email,
        )
        if current != wanted or not user.active or user.source is not UserSource.MANIFEST:
            user.version = (user.version or 0) + 1
        user.display_name, user.organisation_id, user.roles, user.title, user.email = wanted
        user.active = True
        user.source = UserSource.MANIFEST
        session.add(user)
    for gone_u in users.values():
        gone_u.active = False
    session.flush()


def rebuild_policy_data(
    session: Session, *, reason: str = "apply", actor: str | None = None
) -> dict[str, Any]:
    """Regenerate the policy data from the stored manifests and tenant statuses and make it
    the revision in force (also when the same document was in force before)."""
    tenants = session.scalars(sa.select(Tenant)).all()
    suspended = {t.code for t in tenants if t.status is TenantStatus.SUSPENDED}
    document = build_policy_data(stored_manifests(session), suspended)
    activate(session, document, reason=reason, actor=actor)
    return document


def apply_in(
    session: Session,
    manifests: Sequence[Manifest],
    *,
    allow_destructive: str | None = None,
    actor: str | None = None,
    progress: Progress = _quiet,
) -> list[ApplyResult]:
    """Apply all manifests in the caller's transaction; returns the plan carried out.

    Raises :class:`DestructiveChangesRefused` (before writing anything) when the plan has
    destructive changes and ``allow_destructive`` (the operator's reason) is empty.
    """
    session.execute(PROVISIONING_LOCK)
    results = plan_in(session, manifests)
    if not (allow_destructive or "").strip() and any(r.destructive for r in results):
        raise DestructiveChangesRefused(results)
    by_code = {m.gemeentecode: m for m in manifests}
    total = len(results)
    for index, result in enumerate(results, start=1):
        progress(
            f"[{index}/{total}] {result.code} {result.name}: "
            + (f"{len(result.changes)} wijziging(en)" if result.changes else "geen wijzigingen")
        )
        if result.changes:
            _upsert_tenant(session, by_code[result.code])
            _sync_rows(session, by_code[result.code])
    document = rebuild_policy_data(session, reason="apply", actor=actor)
    progress(f"Beleidsgegevens bijgewerkt (revisie {document['revision'][:12]}).")
    return results


def apply_manifests(
    sessions: sessionmaker[Session],
    manifests: Sequence[Manifest],
    progress: Progress = _quiet,
    *,
    allow_destructive: str | None = None,
) -> list[ApplyResult]:
    """Apply all manifests in one transaction of their own (without audit rows: operator
    actions go through :mod:`services.beheer.tenants`)."""
    with platform_transaction(sessions) as session:
        return apply_in(session, manifests, allow_destructive=allow_destructive, progress=progress)


class UnknownTenant(LookupError):
    pass


def set_status_in(
    session: Session,
    code: str,
    status: TenantStatus,
    reason: str | None,
    *,
    actor: str | None = None,
) -> Tenant:
    session.execute(PROVISIONING_LOCK)
    tenant = session.get(Tenant, code, with_for_update=True)
    if tenant is None:
        raise UnknownTenant(code)
    tenant.status = status
    tenant.status_reason = reason
    session.flush()
    verb = "opschorten" if status is TenantStatus.SUSPENDED else "heractiveren"
    rebuild_policy_data(session, reason=f"{verb} {code}", actor=actor)
    return tenant


def set_status(
    sessions: sessionmaker[Session], code: str, status: TenantStatus, reason: str | None
) -> Tenant:
    with platform_transaction(sessions) as session:
        return set_status_in(session, code, status, reason)


def list_in(session: Session) -> list[Tenant]:
    return list(session.scalars(sa.select(Tenant).order_by(Tenant.kind, Tenant.code)).all())


def list_tenants(sessions: sessionmaker[Session]) -> list[Tenant]:
    with platform_transaction(sessions) as session:
        return list_in(session)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def export_tenant(sessions: sessionmaker[Session], code: str) -> dict[str, Any]:
    with platform_transaction(sessions) as session:
        return export_in(session, code)


def export_in(session: Session, code: str) -> dict[str, Any]:
    """Everything a tenant owns, as one JSON-compatible archive (offboarding).

    Tables are found from the catalog (every table with a ``tenant_id`` column), so data
    added by later features is exported without changing this function. Encrypted columns
    stay encrypted: the archive is as sensitive as the database.
    """
    tenant = session.get(Tenant, code)
    if tenant is None:
        raise UnknownTenant(code)
    _use_tenant(session, code)
    tables = (
        session.execute(
            sa.text(
                "SELECT c.table_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' "
                "AND t.table_type = 'BASE TABLE' ORDER BY 1"
            )
        )
        .scalars()
        .all()
    )
    data: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        rows = session.execute(sa.text(f'SELECT * FROM "{table}"')).mappings().all()
        data[table] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    return {
        "format": "regietafel-tenant-export",
        "format_version": 1,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "tenant": {
            "code": tenant.code,
            "name": tenant.name,
            "kind": tenant.kind.value,
            "region": tenant.region,
            "status": tenant.status.value,
            "manifest": tenant.manifest,
        },
        "tables": data,
        "row_counts": {table: len(rows) for table, rows in data.items()},
    }


def export_json(archive: dict[str, Any]) -> str:
    return json.dumps(archive, ensure_ascii=False, indent=1, sort_keys=True)
