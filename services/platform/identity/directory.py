"""From verified token claims to a Principal: tenant status, user and organisation from the
database (the tenant's own records are authoritative for organisation and roles)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.db.models import Organisation, Tenant, TenantStatus, User
from services.platform.db.unit_of_work import platform_transaction, tenant_transaction
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims


class AccessRefused(Exception):
    def __init__(self, status: int, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en


class PrincipalDirectory:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def resolve(self, claims: Claims) -> Principal:
        with platform_transaction(self._sessions) as session:
            # Only the columns the principal needs: not the manifest and settings documents
            # (read and decoded on every request before; issue 14).
            tenant = session.execute(
                sa.select(
                    Tenant.code, Tenant.name, Tenant.kind, Tenant.region, Tenant.status
                ).where(Tenant.code == claims.tenant)
            ).one_or_none()
        if tenant is None:
            raise AccessRefused(
                401,
                "tenant-onbekend",
                "De gemeente in dit token is niet bekend op dit platform.",
                "The token's tenant is not known on this platform.",
            )
        if tenant.status is TenantStatus.SUSPENDED:
            raise AccessRefused(
                403,
                "tenant-opgeschort",
                f"De toegang voor {tenant.name} is opgeschort door het regionale bureau.",
                f"Access for {tenant.name} has been suspended by the regional bureau.",
            )
        with tenant_transaction(self._sessions, tenant.code) as session:
            row = session.execute(
                sa.select(User, Organisation)
                .join(
                    Organisation,
                    sa.and_(
                        Organisation.tenant_id == User.tenant_id,
                        Organisation.id == User.organisation_id,
                    ),
                )
                .where(User.tenant_id == tenant.code, User.id == claims.subject)
            ).one_or_none()
        if row is None or not row[0].active or not row[1].active:
            raise AccessRefused(
                401,
                "gebruiker-onbekend",
                "Deze gebruiker is niet (meer) actief bij deze gemeente.",
                "This user is not (or no longer) active in this tenant.",
            )
        user, organisation = row
        return Principal(
            user_id=user.id,
            tenant=tenant.code,
            tenant_kind=tenant.kind.value,
            region=tenant.region,
            organisation=organisation.id,
            domain=organisation.domain,
            roles=frozenset(user.roles),
            display_name=user.display_name,
        )
