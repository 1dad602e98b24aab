"""Tenant admins manage the users of their own tenant (role tenantbeheerder)."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session, sessionmaker

from services.api.etag import etag, require_if_match
from services.api.guards import principal_of, require_roles
from services.api.problems import standard_problem
from services.db.models import Organisation, User, UserSource
from services.db.unit_of_work import tenant_transaction
from tenants.reference import REGIO_ONLY_ROLES, ROLES

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,62}$")]


def _check_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"onbekende rol(len): {', '.join(unknown)}")
    forbidden = sorted(set(roles) & REGIO_ONLY_ROLES)
    if forbidden:
        raise ValueError(f"rol alleen voor het regionale bureau: {', '.join(forbidden)}")
    return sorted(set(roles))


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    naam: Annotated[str, Field(min_length=2, max_length=200)]
    organisatie: Slug
    rollen: Annotated[list[str], Field(min_length=1)]
    email: Annotated[str, Field(max_length=320)] | None = None
    functie: Annotated[str, Field(max_length=200)] | None = None

    _roles = field_validator("rollen")(_check_roles)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    naam: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    organisatie: Slug | None = None
    rollen: Annotated[list[str], Field(min_length=1)] | None = None
    actief: bool | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    functie: Annotated[str, Field(max_length=200)] | None = None

    @field_validator("rollen")
    @classmethod
    def _valid_roles(cls, roles: list[str] | None) -> list[str] | None:
        return None if roles is None else _check_roles(roles)


def _user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "naam": user.display_name,
        "organisatie": user.organisation_id,
        "rollen": sorted(user.roles),
        "email": user.email,
        "functie": user.title,
        "actief": user.active,
        "bron": user.source.value,
        "versie": user.version,
    }


def _with_etag(user: User, status: int = 200) -> Response[dict[str, Any]]:
    return Response(_user_json(user), status_code=status, headers={"ETag": etag(user.version)})


def _require_org(session: Session, tenant: str, org_id: str) -> None:
    org = session.get(Organisation, (tenant, org_id))
    if org is None or not org.active:
        raise standard_problem(
            422,
            code="ongeldige-invoer",
            detail=f"Onbekende organisatie '{org_id}' in deze gemeente.",
            detail_en=f"Unknown organisation '{org_id}' in this tenant.",
            extra={"errors": [{"field": "organisatie", "message": "onbekende organisatie"}]},
        )


class GebruikersController(Controller):
    path = "/api/v1/gebruikers"
    tags = ["gebruikers"]  # noqa: RUF012
    guards = [require_roles("tenantbeheerder")]  # noqa: RUF012

    @get("/", sync_to_thread=True, summary="Gebruikers van de eigen gemeente")
    def index(
        self, request: Request[Any, Any, Any], sessions: NamedDependency[sessionmaker[Session]]
    ) -> list[dict[str, Any]]:
        tenant = principal_of(request).tenant
        with tenant_transaction(sessions, tenant) as session:
            users = session.scalars(sa.select(User).order_by(User.display_name)).all()
            return [_user_json(u) for u in users]

    @get("/{user_id:str}", sync_to_thread=True)
    def show(
        self,
        user_id: FromPath[str],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[dict[str, Any]]:
        tenant = principal_of(request).tenant
        with tenant_transaction(sessions, tenant) as session:
            user = session.get(User, (tenant, user_id))
            if user is None:
                raise standard_problem(404)
            return _with_etag(user)

    @post(
        "/",
        sync_to_thread=True,
        summary="Gebruiker toevoegen",
        opt={
            "voorbeeld": {
                "id": "nieuwe-collega",
                "naam": "Nieuwe Collega",
                "organisatie": "onbekend",
                "rollen": ["professional"],
            }
        },
    )
    def create(
        self,
        data: JSONBody[NewUser],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[dict[str, Any]]:
        tenant = principal_of(request).tenant
        with tenant_transaction(sessions, tenant) as session:
            if session.get(User, (tenant, data.id)) is not None:
                raise standard_problem(
                    409,
                    code="bestaat-al",
                    detail=f"Gebruiker '{data.id}' bestaat al.",
                    detail_en=f"User '{data.id}' already exists.",
                )
            _require_org(session, tenant, data.organisatie)
            user = User(
                tenant_id=tenant,
                id=data.id,
                display_name=data.naam,
                organisation_id=data.organisatie,
                roles=data.rollen,
                email=data.email,
                title=data.functie,
                source=UserSource.BEHEER,
                active=True,
                version=1,
            )
            session.add(user)
            session.flush()
            return _with_etag(user, 201)

    @patch(
        "/{user_id:str}",
        sync_to_thread=True,
        summary="Gebruiker wijzigen (If-Match vereist)",
        opt={"voorbeeld": {"naam": "Andere Naam"}},
    )
    def update(
        self,
        user_id: FromPath[str],
        data: JSONBody[UserUpdate],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[dict[str, Any]]:
        principal = principal_of(request)
        tenant = principal.tenant
        with tenant_transaction(sessions, tenant) as session:
            user = session.get(User, (tenant, user_id), with_for_update=True)
            if user is None:
                raise standard_problem(404)
            require_if_match(request, user.version)
            if data.organisatie is not None:
                _require_org(session, tenant, data.organisatie)
                user.organisation_id = data.organisatie
            if user.id == principal.user_id and (
                data.actief is False
                or (data.rollen is not None and "tenantbeheerder" not in data.rollen)
            ):
                raise standard_problem(
                    409,
                    code="eigen-beheerrechten",
                    detail="U kunt uw eigen beheerrechten niet intrekken.",
                    detail_en="You cannot revoke your own admin rights.",
                )
            if data.naam is not None:
                user.display_name = data.naam
            if data.rollen is not None:
                user.roles = data.rollen
            if data.actief is not None:
                user.active = data.actief
            if data.email is not None:
                user.email = data.email
            if data.functie is not None:
                user.title = data.functie
            user.version += 1
            session.flush()
            return _with_etag(user)
