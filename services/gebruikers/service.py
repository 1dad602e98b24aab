"""User and role administration by the tenantbeheerders of a gemeente, with four eyes.

- Nobody raises privileges alone. Granting a role (also to a new user) or moving a user to
  another organisation is a *proposal*; it takes effect only when a second tenantbeheerder
  approves it. The proposer cannot approve, and neither can the user it is about (no
  self-elevation). At most one open proposal per user.
- Taking privileges away (removing roles, deactivating) and changing a name, e-mail or job
  title take effect at once: a leaver must be cut off without waiting for a colleague.
- Every change, proposal, approval and rejection is audited in the tenant's log with the
  purpose ``gebruikersbeheer``; a refused approval (own proposal, own roles) too.

Used by the JSON API (services/gebruikers/routes.py) and the web pages
(services/gebruikers/pages.py);
the functions work inside the caller's tenant transaction (:func:`transaction`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from services.platform.authz.audit import AuditRecord, append_audit, audit_refusal
from services.platform.db.models import (
    Organisation,
    RoleChangeRequest,
    RoleChangeStatus,
    User,
    UserSource,
)
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from tenants.reference import REGIO_ONLY_ROLES, ROLES

PURPOSE: Final = "gebruikersbeheer"
ADMIN_ROLE: Final = "tenantbeheerder"


class UserAdminError(Exception):
    """A refusal or invalid request, with a Dutch and English message; ``audit`` holds the
    rows that record a refused attempt."""

    def __init__(
        self,
        status: int,
        code: str,
        message_nl: str,
        message_en: str,
        *,
        field: str | None = None,
        audit: Sequence[AuditRecord] = (),
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_nl = message_nl
        self.message_en = message_en
        self.field = field
        self.audit = list(audit)


class UnknownUser(UserAdminError):
    def __init__(self) -> None:
        super().__init__(404, "niet-gevonden", "Onbekende gebruiker.", "Unknown user.")


class UnknownProposal(UserAdminError):
    def __init__(self) -> None:
        super().__init__(404, "niet-gevonden", "Onbekend voorstel.", "Unknown proposal.")


@contextmanager
def transaction(sessions: sessionmaker[Session], admin: Principal) -> Iterator[Session]:
    """The admin's tenant transaction; a refusal is recorded in a transaction of its own."""
    try:
        with tenant_transaction(sessions, admin.tenant) as session:
            yield session
    except UserAdminError as error:
        if error.audit:
            audit_refusal(sessions, error.audit)
        raise


def check_roles(roles: Sequence[str]) -> list[str]:
    """Known role codes, none reserved for the regional bureau (sorted, unique)."""
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise UserAdminError(
            422,
            "ongeldige-invoer",
            f"Onbekende rol(len): {', '.join(unknown)}.",
            f"Unknown role(s): {', '.join(unknown)}.",
            field="rollen",
        )
    reserved = sorted(set(roles) & REGIO_ONLY_ROLES)
    if reserved:
        raise UserAdminError(
            422,
            "ongeldige-invoer",
            f"Rol alleen voor het regionale bureau: {', '.join(reserved)}.",
            f"Role reserved for the regional bureau: {', '.join(reserved)}.",
            field="rollen",
        )
    return sorted(set(roles))


def _audit(
    admin: Principal,
    action: str,
    resource_type: str,
    resource_id: str,
    *,
    allowed: bool = True,
    reasons: Sequence[str] = (),
    details: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """The audit row of a user-administration action (purpose: gebruikersbeheer)."""
    return AuditRecord.by(
        admin,
        action,
        resource_type,
        resource_id,
        allowed=allowed,
        purpose=PURPOSE,
        reasons=reasons,
        details=details,
    )


def _state(user: User) -> dict[str, Any]:
    return {
        "naam": user.display_name,
        "organisatie": user.organisation_id,
        "rollen": sorted(user.roles or []),
        "actief": user.active,
        "email": user.email,
        "functie": user.title,
    }


def _require_org(session: Session, tenant: str, org_id: str) -> None:
    org = session.get(Organisation, (tenant, org_id))
    if org is None or not org.active:
        raise UserAdminError(
            422,
            "ongeldige-invoer",
            f"Onbekende organisatie '{org_id}' in deze gemeente.",
            f"Unknown organisation '{org_id}' in this tenant.",
            field="organisatie",
        )


def get_user(session: Session, admin: Principal, user_id: str, *, lock: bool = False) -> User:
    user = session.get(User, (admin.tenant, user_id), with_for_update=lock)
    if user is None:
        raise UnknownUser()
    return user


def open_proposal(session: Session, tenant: str, user_id: str) -> RoleChangeRequest | None:
    return session.scalars(
        sa.select(RoleChangeRequest).where(
            RoleChangeRequest.tenant_id == tenant,
            RoleChangeRequest.user_id == user_id,
            RoleChangeRequest.status == RoleChangeStatus.PROPOSED,
        )
    ).first()


def list_users(session: Session, admin: Principal) -> list[User]:
    return list(
        session.scalars(
            sa.select(User).where(User.tenant_id == admin.tenant).order_by(User.display_name)
        ).all()
    )


def list_proposals(
    session: Session, admin: Principal, status: RoleChangeStatus | None = None
) -> list[RoleChangeRequest]:
    query = sa.select(RoleChangeRequest).where(RoleChangeRequest.tenant_id == admin.tenant)
    if status is not None:
        query = query.where(RoleChangeRequest.status == status)
    return list(session.scalars(query.order_by(RoleChangeRequest.proposed_at.desc())).all())


# --- Proposals -----------------------------------------------------------------------------


def propose(
    session: Session,
    admin: Principal,
    user: User,
    *,
    roles_added: Sequence[str] = (),
    organisation: str | None = None,
    reason: str | None = None,
) -> RoleChangeRequest:
    """Propose granting ``roles_added`` and/or moving to ``organisation``; approved by a
    second tenantbeheerder (:func:`approve`)."""
    added = sorted(set(check_roles(roles_added)) - set(user.roles or []))
    move = organisation if organisation and organisation != user.organisation_id else None
    if move is not None:
        _require_org(session, admin.tenant, move)
    if not added and move is None:
        raise UserAdminError(
            422,
            "ongeldige-invoer",
            "Het voorstel verandert niets: de gebruiker heeft deze rollen en organisatie al.",
            "The proposal changes nothing: the user already has these roles and organisation.",
            field="rollen",
        )
    if open_proposal(session, admin.tenant, user.id) is not None:
        raise UserAdminError(
            409,
            "voorstel-open",
            "Voor deze gebruiker staat al een voorstel open; keur dat eerst goed of af.",
            "A proposal for this user is already open; approve or reject it first.",
        )
    request = RoleChangeRequest(
        tenant_id=admin.tenant,
        id=uuid.uuid4(),
        user_id=user.id,
        roles_added=added,
        organisation_id=move,
        reason=(reason or "").strip() or "(geen reden opgegeven)",
        status=RoleChangeStatus.PROPOSED,
        proposed_by=admin.user_id,
    )
    session.add(request)
    session.flush()
    append_audit(
        session,
        _audit(
            admin,
            "rolwijziging-voorstellen",
            "gebruiker",
            user.id,
            details={
                "voorstel": str(request.id),
                "rollen_erbij": added,
                "organisatie": move,
                "reden": request.reason,
                "huidig": _state(user),
            },
        ),
    )
    return request


def _decidable(session: Session, admin: Principal, proposal_id: uuid.UUID) -> RoleChangeRequest:
    request = session.get(RoleChangeRequest, (admin.tenant, proposal_id), with_for_update=True)
    if request is None:
        raise UnknownProposal()
    if request.status is not RoleChangeStatus.PROPOSED:
        raise UserAdminError(
            409,
            "voorstel-afgehandeld",
            f"Dit voorstel is al {request.status.value}.",
            f"This proposal has already been decided ({request.status.value}).",
        )
    return request


def approve(
    session: Session, admin: Principal, proposal_id: uuid.UUID, note: str | None = None
) -> RoleChangeRequest:
    """A second tenantbeheerder approves: the roles are granted (and the move made)."""
    request = _decidable(session, admin, proposal_id)
    refused: tuple[str, str, str] | None = None
    if request.proposed_by == admin.user_id:
        refused = (
            "vier-ogen",
            "U kunt uw eigen voorstel niet goedkeuren: een tweede beheerder moet dat doen.",
            "You cannot approve your own proposal: a second administrator must do so.",
        )
    elif request.user_id == admin.user_id:
        refused = (
            "eigen-rollen",
            "U kunt geen rollen aan uzelf toekennen: een andere beheerder moet dit goedkeuren.",
            "You cannot grant roles to yourself: another administrator must approve this.",
        )
    if refused is not None:
        code, message_nl, message_en = refused
        record = _audit(
            admin,
            "rolwijziging-goedkeuren",
            "gebruiker",
            request.user_id,
            allowed=False,
            reasons=[code],
            details={"voorstel": str(request.id), "voorgesteld_door": request.proposed_by},
        )
        raise UserAdminError(403, code, message_nl, message_en, audit=[record])
    user = get_user(session, admin, request.user_id, lock=True)
    if not user.active:
        raise UserAdminError(
            409,
            "gebruiker-inactief",
            "Deze gebruiker is niet actief; wijs het voorstel af.",
            "This user is not active; reject the proposal.",
        )
    if request.organisation_id is not None:
        _require_org(session, admin.tenant, request.organisation_id)
    before = _state(user)
    user.roles = sorted(set(user.roles or []) | set(request.roles_added))
    if request.organisation_id is not None:
        user.organisation_id = request.organisation_id
    user.version = (user.version or 0) + 1
    request.status = RoleChangeStatus.APPROVED
    request.decided_by = admin.user_id
    request.decided_at = dt.datetime.now(dt.UTC)
    request.decision_note = (note or "").strip() or None
    session.flush()
    append_audit(
        session,
        _audit(
            admin,
            "rolwijziging-goedkeuren",
            "gebruiker",
            user.id,
            reasons=["vier-ogen"],
            details={
                "voorstel": str(request.id),
                "voorgesteld_door": request.proposed_by,
                "reden": request.reason,
                "toelichting": request.decision_note,
                "voor": before,
                "na": _state(user),
            },
        ),
    )
    return request


def reject(
    session: Session, admin: Principal, proposal_id: uuid.UUID, note: str | None = None
) -> RoleChangeRequest:
    """Reject (or, by the proposer, withdraw) an open proposal; nothing is granted."""
    request = _decidable(session, admin, proposal_id)
    request.status = RoleChangeStatus.REJECTED
    request.decided_by = admin.user_id
    request.decided_at = dt.datetime.now(dt.UTC)
    request.decision_note = (note or "").strip() or None
    session.flush()
    append_audit(
        session,
        _audit(
            admin,
            "rolwijziging-afwijzen",
            "gebruiker",
            request.user_id,
            reasons=["ingetrokken" if request.proposed_by == admin.user_id else "afgewezen"],
            details={
                "voorstel": str(request.id),
                "voorgesteld_door": request.proposed_by,
                "toelichting": request.decision_note,
            },
        ),
    )
    return request


# --- Users ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewUser:
    id: str
    name: str
    organisation: str
    roles: Sequence[str]
    email: str | None = None
    title: str | None = None
    reason: str | None = None


def create_user(
    session: Session, admin: Principal, data: NewUser
) -> tuple[User, RoleChangeRequest]:
    """A new user, active but without roles: the roles asked for are a proposal."""
    roles = check_roles(data.roles)
    if session.get(User, (admin.tenant, data.id)) is not None:
        raise UserAdminError(
            409,
            "bestaat-al",
            f"Gebruiker '{data.id}' bestaat al.",
            f"User '{data.id}' already exists.",
        )
    _require_org(session, admin.tenant, data.organisation)
    user = User(
        tenant_id=admin.tenant,
        id=data.id,
        display_name=data.name,
        organisation_id=data.organisation,
        roles=[],
        email=data.email,
        title=data.title,
        source=UserSource.BEHEER,
        active=True,
        version=1,
    )
    session.add(user)
    session.flush()
    append_audit(
        session,
        _audit(admin, "gebruiker-aanmaken", "gebruiker", user.id, details={"na": _state(user)}),
    )
    request = propose(
        session,
        admin,
        user,
        roles_added=roles,
        reason=data.reason or "Nieuwe gebruiker: rollen bij het aanmaken.",
    )
    return user, request


@dataclass(frozen=True)
class UserChanges:
    name: str | None = None
    organisation: str | None = None
    roles: Sequence[str] | None = None
    active: bool | None = None
    email: str | None = None
    title: str | None = None
    reason: str | None = None


def update_user(
    session: Session, admin: Principal, user: User, changes: UserChanges
) -> RoleChangeRequest | None:
    """Apply what takes privileges away or is descriptive at once; propose the rest.

    Returns the proposal made for added roles or another organisation (None when there is
    nothing to approve). The caller has locked ``user`` and checked its version.
    """
    requested = check_roles(changes.roles) if changes.roles is not None else None
    own = user.id == admin.user_id
    if own and (changes.active is False or (requested is not None and ADMIN_ROLE not in requested)):
        raise UserAdminError(
            409,
            "eigen-beheerrechten",
            "U kunt uw eigen beheerrechten niet intrekken.",
            "You cannot revoke your own admin rights.",
        )
    added = sorted(set(requested) - set(user.roles or [])) if requested is not None else []
    move = (
        changes.organisation
        if changes.organisation is not None and changes.organisation != user.organisation_id
        else None
    )
    if move is not None:
        _require_org(session, admin.tenant, move)

    before = _state(user)
    if requested is not None:
        user.roles = sorted(set(user.roles or []) & set(requested))  # removals only
    if changes.name is not None:
        user.display_name = changes.name
    if changes.active is not None:
        user.active = changes.active
    if changes.email is not None:
        user.email = changes.email
    if changes.title is not None:
        user.title = changes.title
    after = _state(user)
    if after != before:
        user.version = (user.version or 0) + 1
        session.flush()
        removed = sorted(set(before["rollen"]) - set(after["rollen"]))
        append_audit(
            session,
            _audit(
                admin,
                "gebruiker-wijzigen",
                "gebruiker",
                user.id,
                reasons=["rollen-ingetrokken"] if removed else [],
                details={"voor": before, "na": after},
            ),
        )
    if not added and move is None:
        return None
    return propose(
        session, admin, user, roles_added=added, organisation=move, reason=changes.reason
    )
