"""From verified token claims to a Principal: tenant status, user and organisation from the
database (the tenant's own records are authoritative for organisation and roles)."""

from __future__ import annotations

from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.db.models import Organisation, Tenant, TenantStatus, User
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims


class AccessRefused(Exception):
    def __init__(self, status: int, code: str, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en


class PrincipalResolver(Protocol):
    """From verified claims to a Principal, or :class:`AccessRefused`: the directory itself
    or the per-process cache in front of it (principal_cache.py)."""

    def resolve(self, claims: Claims) -> Principal: ...


class PrincipalDirectory:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def resolve(self, claims: Claims) -> Principal:
        if not claims.tenant:
            raise _unknown_tenant()
        # One transaction and one query for tenant, user and organisation (issue 14: two
        # transactions and four statements per request before). The transaction is bound to
        # the token's tenant, so row-level security shows only that tenant's users; the
        # tenants table is a platform table, visible in any transaction. Only the columns
        # the principal needs (not the manifest and settings documents).
        with tenant_transaction(self._sessions, claims.tenant) as session:
            row = session.execute(
                sa.select(
                    Tenant.code,
                    Tenant.name,
                    Tenant.kind,
                    Tenant.region,
                    Tenant.status,
                    User,
                    Organisation,
                )
                .select_from(Tenant)
                .outerjoin(User, sa.and_(User.tenant_id == Tenant.code, User.id == claims.subject))
                .outerjoin(
                    Organisation,
                    sa.and_(
                        Organisation.tenant_id == User.tenant_id,
                        Organisation.id == User.organisation_id,
                    ),
                )
                .where(Tenant.code == claims.tenant)
            ).one_or_none()
        if row is None:
            raise _unknown_tenant()
        if row.status is TenantStatus.SUSPENDED:
            raise AccessRefused(
                403,
                "tenant-opgeschort",
                f"De toegang voor {row.name} is opgeschort door het regionale bureau.",
                f"Access for {row.name} has been suspended by the regional bureau.",
            )
        user, organisation = row.User, row.Organisation
        if user is None or organisation is None or not user.active or not organisation.active:
            raise AccessRefused(
                401,
                "gebruiker-onbekend",
                "Deze gebruiker is niet (meer) actief bij deze gemeente.",
                "This user is not (or no longer) active in this tenant.",
            )
        return Principal(
            user_id=user.id,
            tenant=row.code,
            tenant_kind=row.kind.value,
            region=row.region,
            organisation=organisation.id,
            domain=organisation.domain,
            roles=frozenset(user.roles),
            display_name=user.display_name,
            organisation_name=organisation.name,
            tenant_name=row.name,
        )


def _unknown_tenant() -> AccessRefused:
    return AccessRefused(
        401,
        "tenant-onbekend",
        "De gemeente in dit token is niet bekend op dit platform.",
        "The token's tenant is not known on this platform.",
    )
