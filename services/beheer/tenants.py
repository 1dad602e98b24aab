"""Operator actions on tenants, for the operator API and the command line alike.

Who may act: an operator through the API is a platformbeheerder of a regional bureau and
acts only on the tenants of the bureau's own region (the gemeenten and the bureau itself).
The command line runs on the server, by the bureau that operates it, and is not bound to a
region (:meth:`Operator.console`).

Every action (list, plan, apply, suspend, resume, export) is audited with its purpose: one
row in the audit log of each affected tenant and one in the operator's own tenant (for the
command line: the regional bureau of the affected tenant's region). A refused action is
audited too, in a transaction of its own. An export needs a stated purpose and legal basis
(:data:`tenants.reference.EXPORT_PURPOSES`, :data:`~tenants.reference.EXPORT_LEGAL_BASES`).
A plan with destructive changes is applied only with an override reason, which is audited.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.authz.audit import AuditRecord, append_audit, audit_refusal
from services.platform.db.models import Tenant, TenantKind, TenantStatus
from services.platform.db.unit_of_work import platform_transaction
from services.platform.identity.principal import Principal
from tenants.manifest import Manifest
from tenants.provision import (
    ApplyResult,
    DestructiveChangesRefused,
    Progress,
    apply_in,
    export_in,
    list_in,
    manifest_sha256,
    plan_in,
    set_status_in,
)
from tenants.reference import EXPORT_LEGAL_BASES, EXPORT_PURPOSES, LEGAL_BASES_ART6

PURPOSE: Final = "platformbeheer"
RESOURCE: Final = "tenant"
#: Shortest override reason for destructive changes and shortest export explanation.
MIN_REASON: Final = 10


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True)
class Operator:
    """Who performs an operator action."""

    user_id: str
    organisation: str
    roles: tuple[str, ...]
    #: The operator's own tenant (the regional bureau); None on the server console.
    tenant: str | None
    #: The region the operator may act on; None: any (server console).
    region: str | None
    via: str

    @classmethod
    def of(cls, principal: Principal) -> Operator:
        return cls(
            user_id=principal.user_id,
            organisation=principal.organisation,
            roles=tuple(sorted(principal.roles)),
            tenant=principal.tenant,
            region=principal.region,
            via="api",
        )

    @classmethod
    def console(cls, command: str = "regietafel tenants") -> Operator:
        """The bureau's operator at the server console (the command line)."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "onbekend"
        return cls(
            user_id=who,
            organisation=command,
            roles=(),
            tenant=None,
            region=None,
            via="cli",
        )

    @property
    def qualified_id(self) -> str:
        """The user id with its tenant: the rows land in other tenants' logs."""
        return f"{self.tenant or 'console'}/{self.user_id}"

    def covers(self, region: str) -> bool:
        return self.region is None or self.region == region

    def describe(self) -> dict[str, Any]:
        return {
            "gebruiker": self.user_id,
            "tenant": self.tenant,
            "regio": self.region,
            "via": self.via,
        }


class OperatorRefused(Exception):
    """The operator may not do this; nothing was changed (the attempt is audited)."""

    def __init__(
        self,
        status: int,
        code: str,
        message_nl: str,
        message_en: str,
        audit: Sequence[AuditRecord] = (),
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en
        self.audit = list(audit)


class DestructiveRefused(OperatorRefused):
    """The plan has destructive changes and no override reason was given."""

    def __init__(self, results: Sequence[ApplyResult], audit: Sequence[AuditRecord]) -> None:
        super().__init__(
            409,
            "destructieve-wijzigingen",
            "Het plan bevat destructieve wijzigingen (hernoemen of verplaatsen van een "
            "gemeente, of verwijderen van organisaties of gebruikers met casuswerk). Er is "
            "niets gewijzigd. Controleer het manifest; is dit echt de bedoeling, pas het dan "
            "toe met een reden (API: destructief_reden, CLI: --allow-destructive).",
            "The plan has destructive changes (renaming or moving a tenant, or removing "
            "organisations or users with casework). Nothing was changed. Check the manifest; "
            "if this is intended, apply it with a reason (API: destructief_reden, CLI: "
            "--allow-destructive).",
            audit,
        )
        self.results = list(results)


@dataclass(frozen=True)
class FieldError:
    field: str
    message_nl: str
    message_en: str


class InvalidRequest(Exception):
    """Missing or unknown codes in an operator request (422); nothing was read."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message_en}" for e in errors))
        self.errors = list(errors)


@dataclass
class _Audit:
    """The audit rows of one operator action, written where they belong."""

    operator: Operator
    action: str
    purpose: str = PURPOSE
    legal_basis: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def record(
        self,
        resource_id: str | None,
        *,
        allowed: bool,
        reasons: Sequence[str] = (),
        details: Mapping[str, Any] | None = None,
    ) -> AuditRecord:
        return AuditRecord(
            tenant_id="",
            user_id=self.operator.qualified_id,
            organisation_id=f"{self.operator.tenant or 'console'}/{self.operator.organisation}",
            roles=self.operator.roles,
            action=self.action,
            resource_type=RESOURCE,
            resource_id=resource_id,
            allowed=allowed,
            purpose=self.purpose,
            legal_basis=self.legal_basis,
            reasons=reasons,
            details={"beheerder": self.operator.describe(), **self.details, **(details or {})},
        )

    def logs(self, session: Session, affected: Sequence[str]) -> list[str]:
        """The tenants whose log gets the row: the affected tenants that exist, and the
        operator's tenant (console: the bureau of each affected tenant's region)."""
        known = {
            t.code: t
            for t in session.scalars(sa.select(Tenant).where(Tenant.code.in_(affected))).all()
        }
        logs = [code for code in affected if code in known]
        if self.operator.tenant is not None:
            logs.append(self.operator.tenant)
        else:
            regions = {t.region for t in known.values()}
            logs += _bureaus(session, regions)
        return list(dict.fromkeys(logs))

    def write(
        self,
        session: Session,
        resource_id: str | None,
        affected: Sequence[str],
        *,
        allowed: bool = True,
        reasons: Sequence[str] = (),
        details: Mapping[str, Any] | None = None,
    ) -> None:
        record = self.record(resource_id, allowed=allowed, reasons=reasons, details=details)
        for tenant in self.logs(session, affected):
            append_audit(session, record.for_tenant(tenant))

    def refusal(
        self,
        session: Session,
        resource_id: str | None,
        affected: Sequence[str],
        status: int,
        code: str,
        message_nl: str,
        message_en: str,
        details: Mapping[str, Any] | None = None,
    ) -> OperatorRefused:
        record = self.record(resource_id, allowed=False, reasons=[code], details=details)
        rows = [record.for_tenant(t) for t in self.logs(session, affected)]
        return OperatorRefused(status, code, message_nl, message_en, rows)


def _bureaus(session: Session, regions: set[str]) -> list[str]:
    if not regions:
        return []
    return list(
        session.scalars(
            sa.select(Tenant.code)
            .where(Tenant.kind == TenantKind.REGIO, Tenant.region.in_(regions))
            .order_by(Tenant.code)
        ).all()
    )


@contextmanager
def _operation(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for the action and its audit rows; a refusal rolls the action back
    and is recorded in a transaction of its own."""
    try:
        with platform_transaction(sessions) as session:
            yield session
    except OperatorRefused as refused:
        if refused.audit:
            audit_refusal(sessions, refused.audit)
        raise


def _other_region(audit: _Audit, session: Session, code: str, region: str) -> OperatorRefused:
    return audit.refusal(
        session,
        code,
        [code],
        403,
        "regio-anders",
        f"{code} hoort niet bij uw regio ({audit.operator.region}); alleen het regionale "
        f"bureau van regio '{region}' beheert deze tenant.",
        f"{code} is not in your region ({audit.operator.region}); only the regional bureau "
        f"of region '{region}' manages this tenant.",
        details={"regio_tenant": region},
    )


def _tenant_in_scope(audit: _Audit, session: Session, code: str) -> Tenant:
    tenant = session.get(Tenant, code)
    if tenant is None:
        raise audit.refusal(
            session,
            code,
            [],
            404,
            "tenant-onbekend",
            f"Onbekende tenant: {code}.",
            f"Unknown tenant: {code}.",
        )
    if not audit.operator.covers(tenant.region):
        raise _other_region(audit, session, code, tenant.region)
    return tenant


# --- The actions ---------------------------------------------------------------------------


def list_tenants(sessions: sessionmaker[Session], operator: Operator) -> list[Tenant]:
    """The tenants the operator manages (all of them on the console)."""
    audit = _Audit(operator, "tenant-list")
    with _operation(sessions) as session:
        tenants = [t for t in list_in(session) if operator.covers(t.region)]
        listed = sorted(t.code for t in tenants)
        logs = (
            [operator.tenant]
            if operator.tenant is not None
            else _bureaus(session, {t.region for t in tenants})
        )
        record = audit.record(None, allowed=True, details={"tenants": listed})
        for tenant in logs:
            append_audit(session, record.for_tenant(tenant))
        return tenants


def _check_manifests(audit: _Audit, session: Session, manifests: Sequence[Manifest]) -> None:
    for manifest in manifests:
        code = manifest.gemeentecode
        existing = session.get(Tenant, code)
        for region in (manifest.region, existing.region if existing else manifest.region):
            if not audit.operator.covers(region):
                raise _other_region(audit, session, code, region)


def _plan_details(result: ApplyResult, manifest: Manifest) -> dict[str, Any]:
    return {
        "manifest_sha256": manifest_sha256(manifest),
        "wijzigingen": len(result.changes),
        "destructief": [
            {"onderdeel": c.entity, "sleutel": c.key, "reden": c.destructive}
            for c in result.destructive
        ],
    }


def plan(
    sessions: sessionmaker[Session], operator: Operator, manifests: Sequence[Manifest]
) -> list[ApplyResult]:
    audit = _Audit(operator, "tenant-plan")
    with _operation(sessions) as session:
        _check_manifests(audit, session, manifests)
        results = plan_in(session, manifests)
        by_code = {m.gemeentecode: m for m in manifests}
        for result in results:
            audit.write(
                session,
                result.code,
                [result.code],
                details=_plan_details(result, by_code[result.code]),
            )
        return results


def apply(
    sessions: sessionmaker[Session],
    operator: Operator,
    manifests: Sequence[Manifest],
    *,
    allow_destructive: str | None = None,
    progress: Progress = _quiet,
) -> list[ApplyResult]:
    """Apply manifests; destructive changes only with ``allow_destructive`` (the reason)."""
    override = (allow_destructive or "").strip() or None
    if override is not None and len(override) < MIN_REASON:
        raise InvalidRequest(
            [
                FieldError(
                    "destructief_reden",
                    f"Geef een reden van ten minste {MIN_REASON} tekens.",
                    f"Give a reason of at least {MIN_REASON} characters.",
                )
            ]
        )
    audit = _Audit(operator, "tenant-apply")
    by_code = {m.gemeentecode: m for m in manifests}
    with _operation(sessions) as session:
        _check_manifests(audit, session, manifests)
        try:
            results = apply_in(
                session,
                manifests,
                allow_destructive=override,
                actor=operator.qualified_id,
                progress=progress,
            )
        except DestructiveChangesRefused as refused:
            rows: list[AuditRecord] = []
            for result in refused.results:
                record = audit.record(
                    result.code,
                    allowed=False,
                    reasons=["destructief-geweigerd"],
                    details=_plan_details(result, by_code[result.code]),
                )
                rows += [record.for_tenant(t) for t in audit.logs(session, [result.code])]
            raise DestructiveRefused(refused.results, rows) from None
        for result in results:
            reasons = ["destructief-bevestigd"] if result.destructive else []
            details = _plan_details(result, by_code[result.code])
            if result.destructive:
                details["destructief_reden"] = override
            audit.write(session, result.code, [result.code], reasons=reasons, details=details)
        return results


def set_status(
    sessions: sessionmaker[Session],
    operator: Operator,
    code: str,
    status: TenantStatus,
    reason: str | None,
) -> Tenant:
    suspend = status is TenantStatus.SUSPENDED
    audit = _Audit(operator, "tenant-suspend" if suspend else "tenant-resume")
    with _operation(sessions) as session:
        _tenant_in_scope(audit, session, code)
        if suspend and code == operator.tenant:
            raise audit.refusal(
                session,
                code,
                [code],
                409,
                "eigen-tenant",
                "U kunt uw eigen regionale bureau niet opschorten.",
                "You cannot suspend your own regional bureau.",
            )
        tenant = set_status_in(session, code, status, reason, actor=operator.qualified_id)
        audit.write(session, code, [code], details={"reden": reason})
        return tenant


def export(
    sessions: sessionmaker[Session],
    operator: Operator,
    code: str,
    *,
    purpose: str | None,
    legal_basis: str | None,
    explanation: str | None = None,
) -> dict[str, Any]:
    """All data of one tenant, for a stated purpose on a stated legal basis."""
    errors: list[FieldError] = []
    if purpose not in EXPORT_PURPOSES:
        allowed = ", ".join(EXPORT_PURPOSES)
        errors.append(
            FieldError(
                "doel",
                f"Geef het doel van de export op; toegestaan: {allowed}.",
                f"State the purpose of the export; allowed: {allowed}.",
            )
        )
    if legal_basis not in EXPORT_LEGAL_BASES:
        allowed = ", ".join(sorted(EXPORT_LEGAL_BASES))
        errors.append(
            FieldError(
                "grondslag",
                f"Geef de grondslag (art. 6 AVG) van de export op; toegestaan: {allowed}.",
                f"State the legal basis (art. 6 GDPR) of the export; allowed: {allowed}.",
            )
        )
    note = (explanation or "").strip() or None
    if note is not None and len(note) > 2_000:
        errors.append(
            FieldError("toelichting", "De toelichting is te lang.", "The note is too long.")
        )
    if errors:
        raise InvalidRequest(errors)
    assert purpose is not None and legal_basis is not None
    audit = _Audit(
        operator,
        "tenant-export",
        purpose=purpose,
        legal_basis=legal_basis,
        details={
            "doel_omschrijving": EXPORT_PURPOSES[purpose],
            "grondslag_omschrijving": LEGAL_BASES_ART6[legal_basis],
            "toelichting": note,
        },
    )
    with _operation(sessions) as session:
        _tenant_in_scope(audit, session, code)
        archive = export_in(session, code)
        audit.write(
            session,
            code,
            [code],
            details={"rijen": sum(archive["row_counts"].values())},
        )
        return archive
