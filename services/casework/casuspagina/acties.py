"""What a professional can do on the casus page: the forms, their state and the flash messages.

The forms only offer what the state machine allows next (:func:`lifecycle.transitions_from`)
and only to whom the policy would allow it (asked through the uitleg service, which audits
the question and evaluates the transition without performing it). The policy decides again,
for real, when the form is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa

from services.casework.casussen import deelnemers, triage
from services.casework.domain import lifecycle
from services.casework.groepsaanpak import service as groups
from services.casework.informatie.checklist import Checklist
from services.casework.informatie.uitleg import explain_casus
from services.casework.page_reads import organisation_names, tenant_reference
from services.casework.web.formstate import (
    FormView,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import Casus, Organisation, User
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    CLOSURE_REASONS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
    TRIAGE_DECISIONS,
)

#: Transitions that have a form of their own (triage, afsluiten, heropenen).
SPECIAL_ACTIONS: Final = frozenset(
    {"opnemen", "doorverwijzen", "niet-opnemen", "afschalen", "opschalen", "stoppen", "heropenen"}
)


#: Person casus phases in which the person is informed (letter, startgesprek) or may be
#: recorded as not responding.
INFORM_STATES: Final = frozenset(
    {
        lifecycle.PersonState.OPGENOMEN,
        lifecycle.PersonState.PLAN,
        lifecycle.PersonState.UITVOERING,
        lifecycle.PersonState.MONITORING,
    }
)

#: How an organisation takes part in a casus.
PARTICIPATION: Final[Mapping[str, str]] = {
    "kern": "Kernpartner (neemt altijd deel)",
    "op-afroep": "Op afroep (alleen als het nodig is)",
}

#: Regie roles per casus kind (the uitvoeringscoördinator belongs to a group casus).
REGIE_ROLES: Final[Mapping[str, Mapping[str, str]]] = {
    lifecycle.PERSON: {"casusregisseur": "Casusregisseur", "procesregisseur": "Procesregisseur"},
    lifecycle.GROUP: {
        "casusregisseur": "Casusregisseur",
        "procesregisseur": "Procesregisseur",
        "uitvoeringscoordinator": "Uitvoeringscoördinator",
    },
}

#: Data categories whose share needs more than an art. 6 basis.
ART9_CATEGORY: Final = "bijzonder"
BEROEPSGEHEIM_CATEGORY: Final = "beroepsgeheim"

#: Categories offered in "Informatie toevoegen" (derden needs a household member: API only).
ITEM_CATEGORIES: Final[Mapping[str, str]] = {
    code: label for code, label in DATA_CATEGORIES.items() if code != "derden"
}


# ---------------------------------------------------------------------------------------------
# Form state: entered values and problems, for a re-rendered page
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# The actions on the casus page
# ---------------------------------------------------------------------------------------------


def _may_transition(ws: Workspace, casus: Casus) -> tuple[bool, list[str]]:
    """Would the policy let the caller change the phase? (Asked, not done.)"""
    try:
        explanation = explain_casus(ws, casus.id, "transition", Checklist())
    except AccessDenied as error:
        return False, [r.message for r in error.decision.denied_by]
    if explanation.allowed:
        return True, []
    return False, [r.message for r in explanation.denied_by] or [explanation.summary]


def _triage(ws: Workspace, casus: Casus, forms: FormView) -> dict[str, Any] | None:
    known = {c.id for c in ws.manifest_of(casus.tenant_id).inclusion.criteria}
    chosen = {c for c in forms.values("triage", "criteria") if c in known}
    try:
        preview = triage.triage_preview(ws, casus.id, chosen)
    except AccessDenied:
        return None
    return {**preview, "besluiten": TRIAGE_DECISIONS}


def action_context(
    ws: Workspace,
    casus: Casus,
    detail: Mapping[str, Any],
    organisations: Mapping[str, str],
    forms: FormView,
) -> dict[str, Any] | None:
    """The forms of the casus page, or None for a reduced (pseudonymised/anonymised) view."""
    if detail.get("weergave") != "full":
        return None
    moves: Sequence[lifecycle.Transition] = lifecycle.transitions_from(casus.kind, casus.state)
    allowed, refusal = _may_transition(ws, casus) if moves else (False, [])
    context: dict[str, Any] = {
        "versie": casus.version,
        "mag_wijzigen": allowed,
        "niet_toegestaan": refusal,
        "overgangen": [],
        "triage": None,
        "afsluiten": None,
        "heropenen": False,
        "informatie": {
            "categorieen": ITEM_CATEGORIES,
            "doelen": PURPOSES,
            "standaard_doel": ws.purpose_for(casus, None),
            "grondslagen": LEGAL_BASES_ART6,
            "art9": LEGAL_BASES_ART9,
            "beroepsgeheim": BEROEPSGEHEIM_GROUNDS,
            "art9_categorie": ART9_CATEGORY,
            "beroepsgeheim_categorie": BEROEPSGEHEIM_CATEGORY,
        },
        "informeren": None,
        "deelnemers": None,
        "regie": None,
        "groep": _group(casus),
    }
    if not allowed:
        return context
    context["deelnemers"] = _participants(ws, casus, detail)
    context["regie"] = _regie(ws, casus, detail)
    if casus.kind == lifecycle.PERSON and casus.state in INFORM_STATES:
        context["informeren"] = _informing_defaults(detail.get("informeren") or {})
    context["overgangen"] = [
        {
            "naar": move.target,
            "label": move.label,
            "reden_verplicht": lifecycle.Requirement.REASON in move.requires
            or move.action == "archiveren",
            "bevestigen": move.action == "archiveren",
            "formulier": f"overgang:{move.target}",
        }
        for move in moves
        if move.action not in SPECIAL_ACTIONS
    ]
    if casus.kind == lifecycle.PERSON and casus.state == lifecycle.PersonState.IN_TRIAGE:
        context["triage"] = _triage(ws, casus, forms)
    if any(move.target in lifecycle.CLOSURE_STATES for move in moves):
        context["afsluiten"] = {
            "redenen": CLOSURE_REASONS,
            "organisaties": dict(sorted(organisations.items(), key=lambda kv: kv[1])),
        }
    context["heropenen"] = lifecycle.is_reopenable(casus.kind, casus.state)
    return context


def _group(casus: Casus) -> dict[str, Any] | None:
    """The group forms: signals in every active step, members from step 2 on."""
    if casus.kind != lifecycle.GROUP or not lifecycle.is_active(casus.kind, casus.state):
        return None
    step = lifecycle.group_step(casus.state) or 0
    return {"stap": step, "leden": step >= 2, "rollen": groups.MEMBER_ROLES}


def _participants(ws: Workspace, casus: Casus, detail: Mapping[str, Any]) -> dict[str, Any]:
    """Active organisations of the tenant that do not take part yet (reference data)."""
    taking_part = {d["organisatie"] for d in detail.get("deelnemers", [])}

    def load() -> tuple[tuple[str, str], ...]:
        rows = ws.session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(Organisation.tenant_id == casus.tenant_id, Organisation.active)
            .order_by(Organisation.name)
        )
        return tuple((row.id, row.name) for row in rows)

    rows = tenant_reference(ws.session, casus.tenant_id, "active-organisations", load)
    return {
        "organisaties": {id_: name for id_, name in rows if id_ not in taking_part},
        "deelname": PARTICIPATION,
    }


def _regie(ws: Workspace, casus: Casus, detail: Mapping[str, Any]) -> dict[str, Any]:
    """Active users of the tenant (name and organisation) and who holds which role now."""
    orgs = organisation_names(ws.session, casus.tenant_id)  # read once per page

    def load() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
        rows = ws.session.execute(
            sa.select(User.id, User.display_name, User.organisation_id, User.roles)
            .where(User.tenant_id == casus.tenant_id, User.active)
            .order_by(User.display_name)
        )
        return tuple((r.id, r.display_name, r.organisation_id, tuple(r.roles)) for r in rows)

    # The tenant's reference data: from the app's cache when it may (ADR 0027, casuspagina).
    users = tenant_reference(ws.session, casus.tenant_id, "active-users", load)
    # Only users who may hold a regie role are offered (the service refuses the others).
    eligible = [
        (user_id, name, organisation)
        for user_id, name, organisation, roles in users
        if any(deelnemers.may_hold_regie(r, roles) for r in REGIE_ROLES[casus.kind])
    ]
    return {
        "rollen": REGIE_ROLES[casus.kind],
        "gebruikers": {
            user_id: f"{name} ({orgs.get(organisation, organisation)})"
            for user_id, name, organisation in eligible
        },
        "huidig": {r["rol"]: r["gebruiker"] for r in detail.get("regie", []) if r["gebruiker"]},
    }


def _informing_defaults(informing: Mapping[str, Any]) -> dict[str, str]:
    """What was recorded before, to start the form with (a new save replaces it all)."""
    brief = informing.get("notificatiebrief") or {}
    talk = informing.get("startgesprek") or {}
    return {
        "brief_ondertekend_door": brief.get("ondertekend_door") or "",
        "brief_overhandigd_door": brief.get("overhandigd_door") or "",
        "brief_datum": brief.get("datum") or "",
        "startgesprek_datum": talk.get("datum") or "",
        "startgesprek_notities": talk.get("notities") or "",
        "geen_reactie": "ja" if informing.get("geen_reactie") else "",
        "toelichting": informing.get("toelichting") or "",
    }
