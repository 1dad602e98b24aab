"""Deelnemers and regie: inviting an organisation to a casus (kern or op afroep) and
appointing or handing over the casusregisseur, procesregisseur or uitvoeringscoördinator.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Final

from services.casework.casussen.fasen import authorize_change
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.meldingen import service as meldingen
from services.casework.workspace import Workspace
from services.platform.db.models import CasusParticipant, CasusRole, Organisation, User


def invite(
    ws: Workspace,
    casus_id: uuid.UUID,
    organisation_id: str,
    participation: str,
    declared_role: str | None,
) -> CasusParticipant:
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "update", "casusoverleg")
    org = ws.session.get(Organisation, (casus.tenant_id, organisation_id))
    if org is None or not org.active:
        raise DomainValidationError(
            [FieldProblem("organisatie", f"Onbekende organisatie '{organisation_id}'.")]
        )
    if participation not in ("kern", "op-afroep"):
        raise DomainValidationError([FieldProblem("deelname", "Kies 'kern' of 'op-afroep'.")])
    existing = ws.session.get(CasusParticipant, (casus.tenant_id, casus.id, organisation_id))
    newly_invited = existing is None or not existing.active
    if existing is None:
        existing = CasusParticipant(
            tenant_id=casus.tenant_id,
            casus_id=casus.id,
            organisation_id=organisation_id,
            invited_by=ws.principal.user_id,
        )
        ws.session.add(existing)
    existing.participation = participation
    existing.declared_role = declared_role
    existing.active = True
    ws.event(
        casus,
        "deelnemer",
        f"{org.name} neemt deel ({participation})"
        + (f" als {declared_role}." if declared_role else "."),
    )
    if newly_invited:
        meldingen.notify_invited(ws, casus, organisation_id, CASEWORK_ROLES)
    ws.session.flush()
    return existing


#: Regie roles of a casus and their Dutch names.
REGIE_LABELS: Final[Mapping[str, str]] = {
    "casusregisseur": "Casusregisseur",
    "procesregisseur": "Procesregisseur",
    "uitvoeringscoordinator": "Uitvoeringscoördinator",
}

#: The user roles that do casework (policies/codes.rego ``casework_roles``): only these are
#: opened a casus by a regie appointment, so only they can hold its regie.
CASEWORK_ROLES: Final = frozenset(
    {"professional", "casusregisseur", "uitvoeringscoordinator", "pga-expert"}
)

#: Regie role -> the user roles (tenants.reference.ROLES) that may hold it. A driehoek,
#: adviseur, beheerder, onderzoeker or burgemeester-contactpersoon never holds the regie of a
#: casus; the procesregisseur is the PGA-expert.
REGIE_HOLDER_ROLES: Final[Mapping[str, frozenset[str]]] = {
    "casusregisseur": CASEWORK_ROLES,
    "procesregisseur": frozenset({"pga-expert"}),
    "uitvoeringscoordinator": CASEWORK_ROLES,
}


def may_hold_regie(role: str, user_roles: Iterable[str]) -> bool:
    """May a user with ``user_roles`` be appointed to the regie role ``role``?"""
    return bool(REGIE_HOLDER_ROLES.get(role, frozenset()) & set(user_roles))


def set_regie(
    ws: Workspace, casus_id: uuid.UUID, role: str, user_id: str, reason: str | None
) -> CasusRole:
    """Appoint (or hand over) the casusregisseur, procesregisseur or uitvoeringscoördinator.

    Exactly one holder per role at a time: the previous one is ended with the reason.
    """
    casus = ws.load_casus(casus_id, for_update=True)
    authorize_change(ws, casus, "update", None)
    if role not in ("casusregisseur", "procesregisseur", "uitvoeringscoordinator"):
        raise DomainValidationError(
            [FieldProblem("rol", "Kies casusregisseur, procesregisseur of uitvoeringscoordinator.")]
        )
    if role == "uitvoeringscoordinator" and casus.kind != "groep":
        raise DomainValidationError(
            [FieldProblem("rol", "Een uitvoeringscoördinator hoort bij een groepscasus.")]
        )
    user = ws.session.get(User, (casus.tenant_id, user_id))
    if user is None or not user.active:
        raise DomainValidationError(
            [FieldProblem("gebruiker", f"Onbekende gebruiker '{user_id}'.")]
        )
    if not may_hold_regie(role, user.roles):
        raise DomainValidationError(
            [
                FieldProblem(
                    "gebruiker",
                    f"{user.display_name} kan geen {REGIE_LABELS[role].lower()} zijn: die rol "
                    "vraagt een gebruiker die casuswerk doet ("
                    + ", ".join(sorted(REGIE_HOLDER_ROLES[role]))
                    + ").",
                )
            ]
        )
    current = ws.role_holders(casus, role)
    if current and current[0].user_id == user_id:
        return current[0]
    if current and not (reason or "").strip():
        raise DomainValidationError(
            [FieldProblem("reden", "Geef een reden voor de overdracht van de regie.")]
        )
    for holder in current:
        holder.ended_at = ws.enforcer.now
        holder.reason = reason
    appointed = CasusRole(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        role=role,
        user_id=user.id,
        organisation_id=user.organisation_id,
        started_at=ws.enforcer.now,
        reason=reason,
    )
    ws.session.add(appointed)
    if ws.session.get(CasusParticipant, (casus.tenant_id, casus.id, user.organisation_id)) is None:
        ws.session.add(
            CasusParticipant(
                tenant_id=casus.tenant_id,
                casus_id=casus.id,
                organisation_id=user.organisation_id,
                participation="kern",
                declared_role=role,
                invited_by=ws.principal.user_id,
            )
        )
    label = REGIE_LABELS[role]
    ws.event(
        casus,
        "regie",
        f"{label}: overgedragen aan {user.display_name} ({reason})."
        if current
        else f"{label} aangesteld: {user.display_name}.",
    )
    meldingen.notify_regie(ws, casus, label, user.id)
    ws.touch(casus)
    ws.session.flush()
    return appointed
