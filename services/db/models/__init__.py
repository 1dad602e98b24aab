"""SQLAlchemy 2 typed models. Import every model module here so metadata is complete."""

from services.db.models.base import Base
from services.db.models.tenancy import Organisation, Tenant, TenantKind, TenantStatus, User

__all__ = ["Base", "Organisation", "Tenant", "TenantKind", "TenantStatus", "User"]
