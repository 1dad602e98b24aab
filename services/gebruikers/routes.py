"""Tenant admins manage the users of their own tenant (role tenantbeheerder).

Granting roles and moving a user to another organisation are proposals that a second
tenantbeheerder approves (``/api/v1/rolwijzigingen``); removing roles, deactivating and
descriptive changes take effect at once. Every change is audited (services/user_admin.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session, sessionmaker

from services.gebruikers import service as user_admin
from services.gebruikers.schemas import GebruikerDetailOut, GebruikerOut, RolwijzigingOut
from services.platform.db.models import RoleChangeRequest, RoleChangeStatus, User
from services.platform.http.etag import etag, require_if_match
from services.platform.http.openapi import (
    BY_ID,
    VERSIONED,
    WITH_BODY,
    problem_responses,
    success,
)
from services.platform.http.problems import Problem, standard_problem
from services.platform.identity.guards import principal_of, require_roles

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,62}$")]
Reason = Annotated[str, Field(max_length=2_000)]


def _check_roles(roles: list[str]) -> list[str]:
    try:
        return user_admin.check_roles(roles)
    except user_admin.UserAdminError as error:
        raise ValueError(error.message_nl) from None


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Slug
    naam: Annotated[str, Field(min_length=2, max_length=200)]
    organisatie: Slug
    rollen: Annotated[list[str], Field(min_length=1)]
    email: Annotated[str, Field(max_length=320)] | None = None
    functie: Annotated[str, Field(max_length=200)] | None = None
    reden: Reason | None = None

    _roles = field_validator("rollen")(_check_roles)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    naam: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    organisatie: Slug | None = None
    rollen: Annotated[list[str], Field(min_length=1)] | None = None
    actief: bool | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    functie: Annotated[str, Field(max_length=200)] | None = None
    reden: Reason | None = None

    @field_validator("rollen")
    @classmethod
    def _valid_roles(cls, roles: list[str] | None) -> list[str] | None:
        return None if roles is None else _check_roles(roles)


class Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gebruiker: Slug
    rollen: list[str] = Field(default_factory=list)
    organisatie: Slug | None = None
    reden: Annotated[str, Field(min_length=5, max_length=2_000)]

    _roles = field_validator("rollen")(_check_roles)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    toelichting: Reason | None = None


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


def proposal_json(request: RoleChangeRequest) -> dict[str, Any]:
    return {
        "id": str(request.id),
        "gebruiker": request.user_id,
        "rollen_erbij": list(request.roles_added),
        "organisatie": request.organisation_id,
        "reden": request.reason,
        "status": request.status.value,
        "voorgesteld_door": request.proposed_by,
        "voorgesteld_op": request.proposed_at.isoformat() if request.proposed_at else None,
        "besloten_door": request.decided_by,
        "besloten_op": request.decided_at.isoformat() if request.decided_at else None,
        "toelichting": request.decision_note,
    }


def _with_etag(
    user: User, proposal: RoleChangeRequest | None = None, status: int = 200
) -> Response[GebruikerDetailOut]:
    body = _user_json(user)
    body["voorstel"] = proposal_json(proposal) if proposal is not None else None
    return Response(
        GebruikerDetailOut.model_validate(body),
        status_code=status,
        headers={"ETag": etag(user.version)},
    )


#: The problem+json responses of the user administration.
READ = problem_responses(*BY_ID)
WRITE = problem_responses(*BY_ID, 409, *WITH_BODY)


def problem(error: user_admin.UserAdminError) -> Problem:
    extra: dict[str, Any] = {}
    if error.field:
        extra["errors"] = [{"field": error.field, "message": error.message_nl}]
    return standard_problem(
        error.status,
        code=error.code,
        detail=error.message_nl,
        detail_en=error.message_en,
        extra=extra,
    )


class GebruikersController(Controller):
    path = "/api/v1/gebruikers"
    tags = ["gebruikers"]  # noqa: RUF012
    guards = [require_roles("tenantbeheerder")]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Gebruikers van de eigen gemeente",
        responses=problem_responses(),
    )
    def index(
        self, request: Request[Any, Any, Any], sessions: NamedDependency[sessionmaker[Session]]
    ) -> list[GebruikerOut]:
        admin = principal_of(request)
        with user_admin.transaction(sessions, admin) as session:
            return [
                GebruikerOut.model_validate(_user_json(u))
                for u in user_admin.list_users(session, admin)
            ]

    @get("/{user_id:str}", sync_to_thread=True, responses=READ)
    def show(
        self,
        user_id: FromPath[str],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[GebruikerDetailOut]:
        admin = principal_of(request)
        try:
            with user_admin.transaction(sessions, admin) as session:
                user = user_admin.get_user(session, admin, user_id)
                pending = user_admin.open_proposal(session, admin.tenant, user.id)
                return _with_etag(user, pending)
        except user_admin.UserAdminError as error:
            raise problem(error) from None

    @post(
        "/",
        sync_to_thread=True,
        summary="Gebruiker toevoegen (de rollen zijn een voorstel voor een tweede beheerder)",
        opt={
            "voorbeeld": {
                "id": "nieuwe-collega",
                "naam": "Nieuwe Collega",
                "organisatie": "onbekend",
                "rollen": ["professional"],
            }
        },
        responses=WRITE,
    )
    def create(
        self,
        data: JSONBody[NewUser],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[GebruikerDetailOut]:
        admin = principal_of(request)
        try:
            with user_admin.transaction(sessions, admin) as session:
                user, proposal = user_admin.create_user(
                    session,
                    admin,
                    user_admin.NewUser(
                        id=data.id,
                        name=data.naam,
                        organisation=data.organisatie,
                        roles=data.rollen,
                        email=data.email,
                        title=data.functie,
                        reason=data.reden,
                    ),
                )
                return _with_etag(user, proposal, 201)
        except user_admin.UserAdminError as error:
            raise problem(error) from None

    @patch(
        "/{user_id:str}",
        sync_to_thread=True,
        summary="Gebruiker wijzigen (If-Match vereist); extra rollen of een andere "
        "organisatie worden een voorstel (202)",
        opt={"voorbeeld": {"naam": "Andere Naam"}},
        responses={
            **problem_responses(*BY_ID, *WITH_BODY, *VERSIONED),
            202: success(
                GebruikerDetailOut, "Extra rollen of een andere organisatie: een voorstel"
            ),
        },
    )
    def update(
        self,
        user_id: FromPath[str],
        data: JSONBody[UserUpdate],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[GebruikerDetailOut]:
        admin = principal_of(request)
        try:
            with user_admin.transaction(sessions, admin) as session:
                user = user_admin.get_user(session, admin, user_id, lock=True)
                require_if_match(request, user.version)
                proposal = user_admin.update_user(
                    session,
                    admin,
                    user,
                    user_admin.UserChanges(
                        name=data.naam,
                        organisation=data.organisatie,
                        roles=data.rollen,
                        active=data.actief,
                        email=data.email,
                        title=data.functie,
                        reason=data.reden,
                    ),
                )
                return _with_etag(user, proposal, 200 if proposal is None else 202)
        except user_admin.UserAdminError as error:
            raise problem(error) from None


class RolwijzigingenController(Controller):
    """Four eyes: one tenantbeheerder proposes a grant, another approves or rejects it."""

    path = "/api/v1/rolwijzigingen"
    tags = ["gebruikers"]  # noqa: RUF012
    guards = [require_roles("tenantbeheerder")]  # noqa: RUF012

    @get(
        "/",
        sync_to_thread=True,
        summary="Voorstellen voor rolwijzigingen",
        responses=problem_responses(),
    )
    def index(
        self,
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
        status: FromQuery[str | None] = None,
    ) -> list[RolwijzigingOut]:
        admin = principal_of(request)
        wanted: RoleChangeStatus | None = None
        if status is not None:
            try:
                wanted = RoleChangeStatus(status)
            except ValueError:
                raise standard_problem(
                    422,
                    code="ongeldige-invoer",
                    detail=f"Onbekende status '{status}'.",
                    detail_en=f"Unknown status '{status}'.",
                    extra={"errors": [{"field": "status", "message": "onbekende status"}]},
                ) from None
        with user_admin.transaction(sessions, admin) as session:
            return [
                RolwijzigingOut.model_validate(proposal_json(p))
                for p in user_admin.list_proposals(session, admin, wanted)
            ]

    @post(
        "/",
        sync_to_thread=True,
        summary="Rollen of een andere organisatie voorstellen",
        opt={
            "voorbeeld": {
                "gebruiker": "nieuwe-collega",
                "rollen": ["casusregisseur"],
                "reden": "Neemt de regie over van een vertrokken collega.",
            }
        },
        responses=WRITE,
    )
    def create(
        self,
        data: JSONBody[Proposal],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> Response[RolwijzigingOut]:
        admin = principal_of(request)
        try:
            with user_admin.transaction(sessions, admin) as session:
                user = user_admin.get_user(session, admin, data.gebruiker, lock=True)
                proposal = user_admin.propose(
                    session,
                    admin,
                    user,
                    roles_added=data.rollen,
                    organisation=data.organisatie,
                    reason=data.reden,
                )
                return Response(
                    RolwijzigingOut.model_validate(proposal_json(proposal)), status_code=201
                )
        except user_admin.UserAdminError as error:
            raise problem(error) from None

    @post(
        "/{proposal_id:uuid}/goedkeuren",
        sync_to_thread=True,
        status_code=200,
        summary="Voorstel goedkeuren (niet door de indiener en niet door de betrokkene)",
        opt={"voorbeeld": {"toelichting": "Akkoord; besproken in het teamoverleg."}},
        responses=WRITE,
    )
    def approve(
        self,
        proposal_id: FromPath[uuid.UUID],
        data: JSONBody[Decision],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> RolwijzigingOut:
        return _decide(sessions, request, user_admin.approve, proposal_id, data.toelichting)

    @post(
        "/{proposal_id:uuid}/afwijzen",
        sync_to_thread=True,
        status_code=200,
        summary="Voorstel afwijzen (of, door de indiener, intrekken)",
        opt={"voorbeeld": {"toelichting": "Niet nodig voor de functie."}},
        responses=WRITE,
    )
    def reject(
        self,
        proposal_id: FromPath[uuid.UUID],
        data: JSONBody[Decision],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> RolwijzigingOut:
        return _decide(sessions, request, user_admin.reject, proposal_id, data.toelichting)


def _decide(
    sessions: sessionmaker[Session],
    request: Request[Any, Any, Any],
    decide: Callable[..., Any],
    proposal_id: uuid.UUID,
    explanation: str | None,
) -> RolwijzigingOut:
    """Approve or reject a proposal in one transaction; refusals as problem+json."""
    admin = principal_of(request)
    try:
        with user_admin.transaction(sessions, admin) as session:
            return RolwijzigingOut.model_validate(
                proposal_json(decide(session, admin, proposal_id, explanation))
            )
    except user_admin.UserAdminError as error:
        raise problem(error) from None
