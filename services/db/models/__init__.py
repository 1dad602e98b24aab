"""SQLAlchemy 2 typed models. Import every model module here so metadata is complete."""

from services.db.models.base import Base
from services.db.models.tenancy import (
    MeetingType,
    Organisation,
    PolicyDataRevision,
    Tenant,
    TenantKind,
    TenantStatus,
    User,
    UserSource,
)

__all__ = [
    "Base",
    "MeetingType",
    "Organisation",
    "PolicyDataRevision",
    "Tenant",
    "TenantKind",
    "TenantStatus",
    "User",
    "UserSource",
]
