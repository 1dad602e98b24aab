"""Casussen: aanmelding, listing under need-to-know, reading, the state machine, triage,
informeren, participants and regie, closure (afschalen/opschalen/stoppen) and reopening.

Every function asks the policy through ``ws.enforcer`` before it reads or writes; the
decision and its audit row land in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import sqlalchemy as sa

from services.casework import free_text
from services.casework.domain import group_steps, lifecycle
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.domain.timers import add_months
from services.casework.domain.triage import (
    ExistingCasus,
    check_age_band,
    decide,
    evaluate_inclusion,
    find_duplicates,
)
from services.casework.errors import Conflict
from services.casework.personen import service as persons
from services.casework.personen.service import PersonInput, create_person, person_view
from services.casework.plan import service as plans
from services.casework.workspace import REGIE_ROLES, Workspace, check_version, ref
from services.platform.authz.enforce import Target
from services.platform.db.models import (
    Casus,
    CasusEvent,
    CasusParticipant,
    CasusRole,
    CasusShare,
    MeetingType,
    Organisation,
    Person,
    Tenant,
    UrgentAccess,
    User,
)
from services.platform.policy import Decision
from tenants.reference import DATA_CATEGORIES, INSTRUMENT_DOMAINS

# ---------------------------------------------------------------------------------------------
# Aanmelding
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Aanmelding:
    kind: str
    waarom_integraal: str
    problemen: dict[str, str]
    geinformeerd: bool
    reden_niet_geinformeerd: str | None = None
    person: PersonInput | None = None
    person_id: uuid.UUID | None = None
    group_name: str | None = None
    doelgroep: str | None = None
    vrijwillig: bool = True
    meeting_type: str | None = None
    #: Data categories of the general free text (services/casework/free_text.py).
    text_categories: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def _check_aanmelding(ws: Workspace, data: Aanmelding) -> None:
    problems: list[FieldProblem] = []
    if data.kind not in ("persoon", "groep"):
        problems.append(FieldProblem("soort", "Kies 'persoon' of 'groep'."))
    if not data.waarom_integraal.strip():
        problems.append(
            FieldProblem("waarom_integraal", "Leg uit waarom een integrale aanpak nodig is.")
        )
    domains = INSTRUMENT_DOMAINS[ws.manifest.assessment_instrument]
    unknown = sorted(set(data.problemen) - set(domains))
    if unknown:
        problems.append(
            FieldProblem(
                "problemen",
                f"Onbekend leefgebied: {', '.join(unknown)}; kies uit {', '.join(domains)}.",
            )
        )
    if not data.geinformeerd and not (data.reden_niet_geinformeerd or "").strip():
        problems.append(
            FieldProblem(
                "reden_niet_geinformeerd",
                "Geef aan waarom de persoon (nog) niet is geïnformeerd over de aanmelding.",
            )
        )
    unknown_categories = sorted(set(data.text_categories) - set(DATA_CATEGORIES))
    if unknown_categories:
        problems.append(
            FieldProblem(
                "tekst_categorieen",
                f"Onbekende categorie: {', '.join(unknown_categories)}; kies uit "
                f"{', '.join(DATA_CATEGORIES)}.",
            )
        )
    if data.kind == "persoon" and data.person is None and data.person_id is None:
        problems.append(FieldProblem("persoon", "Geef de persoon op (of een bestaand persoon-id)."))
    if data.kind == "groep":
        if not (data.group_name or "").strip():
            problems.append(FieldProblem("groepsnaam", "Geef de (werk)naam van de groep op."))
        if data.person is not None or data.person_id is not None:
            problems.append(
                FieldProblem(
                    "persoon",
                    "Stap 1 van de groepsaanpak (signalen delen) gaat alleen over de groep: "
                    "geen persoonsgegevens.",
                )
            )
    if (
        data.meeting_type is not None
        and ws.session.get(MeetingType, (ws.principal.tenant, data.meeting_type)) is None
    ):
        problems.append(FieldProblem("overleg", f"Onbekend overleg '{data.meeting_type}'."))
    if problems:
        raise DomainValidationError(problems)


def aanmelden(ws: Workspace, data: Aanmelding) -> Casus:
    """A convenant partner registers a person (or a youth group, step 1)."""
    ctx = ws.context("aanmelding")
    ws.enforcer.decide(
        "create",
        {
            "type": "casus",
            "tenant": ws.principal.tenant,
            "casus_kind": data.kind,
            "phase": "aanmelding",
            # A group is registered at step 1 (signalen delen): group level only.
            "contains_person_identifiers": data.kind == "persoon",
            **({"group_step": 1} if data.kind == "groep" else {}),
        },
        ctx,
        Target("casus"),
    )
    _check_aanmelding(ws, data)
    subject: Person | None = None
    if data.person_id is not None:
        subject = ws.session.get(Person, (ws.principal.tenant, data.person_id))
        if subject is None:
            raise DomainValidationError([FieldProblem("persoon_id", "Onbekende persoon.")])
    elif data.person is not None:
        subject = create_person(ws, data.person)
    casus = Casus(
        tenant_id=ws.principal.tenant,
        id=uuid.uuid4(),
        reference=f"{ws.principal.tenant}-{ws.today.year}-{secrets.token_hex(3).upper()}",
        kind=data.kind,
        state=lifecycle.initial_state(data.kind),
        subject_person_id=subject.id if subject else None,
        group_name=data.group_name,
        doelgroep=data.doelgroep,
        voluntary=data.vrijwillig,
        meeting_type_id=data.meeting_type,
        aanmelder_organisation_id=ws.principal.organisation,
        aanmelder_user_id=ws.principal.user_id,
        aanmelding={
            "waarom_integraal": data.waarom_integraal.strip(),
            "problemen": data.problemen,
            "geinformeerd": data.geinformeerd,
            "reden_niet_geinformeerd": data.reden_niet_geinformeerd,
            "tekst_categorieen": sorted(set(data.text_categories) | {"algemeen"}),
            **data.extra,
        },
        aanmeld_date=ws.today,
        last_melding_on=ws.today,
        version=1,
    )
    ws.session.add(casus)
    ws.session.flush()
    ws.session.add(
        CasusParticipant(
            tenant_id=casus.tenant_id,
            casus_id=casus.id,
            organisation_id=ws.principal.organisation,
            participation="kern",
            declared_role="aanmelder",
            invited_by=ws.principal.user_id,
        )
    )
    org = ws.session.get(Organisation, (ws.principal.tenant, ws.principal.organisation))
    ws.event(
        casus, "aanmelding", f"Aangemeld door {org.name if org else ws.principal.organisation}."
    )
    ws.session.flush()
    return casus


# ---------------------------------------------------------------------------------------------
# Reading and listing
# ---------------------------------------------------------------------------------------------


def visible_casus_ids_query(ws: Workspace) -> sa.Select[Any]:
    """The ids of :func:`visible_casus_condition` (for ``IN`` from other tables)."""
    return sa.select(Casus.id).where(visible_casus_condition(ws))


def visible_casus_condition(ws: Workspace) -> sa.ColumnElement[bool]:
    """The SQL pre-filter of need-to-know as one condition (see visible_casus_branches)."""
    branches = visible_casus_branches(ws)
    return sa.or_(*branches) if branches else sa.false()


def visible_casus_branches(ws: Workspace) -> list[sa.ColumnElement[bool]]:
    """The SQL pre-filter of need-to-know: what the policy could allow this subject to list,
    one condition per relation that counts (a casus may meet several).

    Which relations count (tenant-wide, participation of the organisation, a regie role,
    uitvoeringscoördinator, a casus shared with the tenant) comes from the policy itself
    (:attr:`Workspace.list_scope`); the policy then checks the page.
    """
    p = ws.principal
    scope = ws.list_scope

    def of_kind(kinds: frozenset[str], condition: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        if not kinds:
            return sa.false()
        return sa.and_(Casus.kind.in_(sorted(kinds)), condition)

    own_tenant = Casus.tenant_id == p.tenant
    participates = sa.exists().where(
        CasusParticipant.tenant_id == Casus.tenant_id,
        CasusParticipant.casus_id == Casus.id,
        CasusParticipant.organisation_id == p.organisation,
        CasusParticipant.active,
    )

    def holds(*roles: str) -> sa.ColumnElement[bool]:
        return sa.exists().where(
            CasusRole.tenant_id == Casus.tenant_id,
            CasusRole.casus_id == Casus.id,
            CasusRole.user_id == p.user_id,
            CasusRole.role.in_(roles),
            CasusRole.ended_at.is_(None),
        )

    shared = sa.exists().where(
        CasusShare.tenant_id == Casus.tenant_id,
        CasusShare.casus_id == Casus.id,
        CasusShare.shared_with_tenant == p.tenant,
    )
    branches = [
        (scope.tenant_wide, own_tenant),
        (scope.participation, sa.and_(own_tenant, participates)),
        (scope.regie, sa.and_(own_tenant, holds(*REGIE_ROLES))),
        (scope.coordinator, sa.and_(own_tenant, holds("uitvoeringscoordinator"))),
        (scope.shared, sa.and_(Casus.tenant_id != p.tenant, shared)),
    ]
    return [of_kind(kinds, condition) for kinds, condition in branches if kinds]


def summary_view(
    ws: Workspace,
    casus: Casus,
    decision: Decision,
    persons: dict[uuid.UUID, Person] | None = None,
) -> dict[str, Any]:
    """The casus as a list shows it; ``persons`` holds the page's persons when a list loaded
    them in one query (otherwise the person is looked up)."""
    view: dict[str, Any] = {
        "id": str(casus.id),
        "referentie": casus.reference,
        "tenant": casus.tenant_id,
        "soort": casus.kind,
        "fase": casus.state,
        "fase_label": lifecycle.state_label(casus.kind, casus.state),
        "aangemeld_op": casus.aanmeld_date.isoformat(),
        "versie": casus.version,
        "weergave": decision.view,
    }
    if casus.kind == "groep":
        view["groepsnaam"] = casus.group_name if decision.view == "full" else None
        view["stap"] = lifecycle.group_step(casus.state)
    elif casus.subject_person_id is not None:
        if persons is not None:
            person = persons.get(casus.subject_person_id)
        else:
            person = ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if person is not None:
            view["persoon"] = person_view(ws, person, decision)
    return view


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def list_casussen(
    ws: Workspace,
    *,
    fase: str | None = None,
    soort: str | None = None,
    purpose: str | None = None,
    limit: int = 25,
    cursor: str | None = None,
) -> Page:
    """Cursor pagination over the pre-filtered casussen, checked page-wise by the policy.

    One page per relation that opens casussen (participation, regie, ...), each taken in
    (created_at, id) order from ix_casussen_tenant_created so PostgreSQL stops after a page,
    then merged: an OR of the relations made it materialise every visible casus and sort
    them (seconds with 100,000 casussen in the tenant; issue 14)."""
    filters: list[sa.ColumnElement[bool]] = []
    if fase:
        filters.append(Casus.state == fase)
    if soort:
        filters.append(Casus.kind == soort)
    if cursor:
        try:
            at_raw, id_raw = cursor.split("_", 1)
            at, after_id = dt.datetime.fromisoformat(at_raw), uuid.UUID(id_raw)
        except ValueError:
            raise DomainValidationError([FieldProblem("cursor", "Ongeldige cursor.")]) from None
        filters.append(sa.tuple_(Casus.created_at, Casus.id) < sa.tuple_(at, after_id))
    order = (Casus.created_at.desc(), Casus.id.desc())
    branches = visible_casus_branches(ws)
    if not branches:
        return Page([], None)
    pages = [
        sa.select(Casus.tenant_id, Casus.id)
        .where(branch, *filters)
        .order_by(*order)
        .limit(limit + 1)
        for branch in branches
    ]
    page = (pages[0] if len(pages) == 1 else sa.union(*pages)).subquery()
    query = (
        sa.select(Casus)
        .join(page, sa.and_(Casus.tenant_id == page.c.tenant_id, Casus.id == page.c.id))
        .order_by(*order)
        .limit(limit + 1)
    )
    rows = list(ws.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    ctx = ws.context(purpose or "casusoverleg")
    decisions = ws.enforcer.decide_page(
        "list",
        ws.resources(rows),
        ctx,
        [Target("casus", str(c.id), c.id) for c in rows],
    )
    # The page's persons in one query, held here: the session's identity map keeps objects
    # only weakly, so a discarded result would be garbage and every row queried again.
    person_ids = [
        c.subject_person_id
        for c, d in zip(rows, decisions, strict=True)
        if d.allow and c.subject_person_id is not None
    ]
    persons = (
        {
            p.id: p
            for p in ws.session.scalars(
                sa.select(Person).where(
                    Person.tenant_id.in_(sorted({c.tenant_id for c in rows})),
                    Person.id.in_(person_ids),
                )
            )
        }
        if person_ids
        else {}
    )
    items = [
        summary_view(ws, c, d, persons) for c, d in zip(rows, decisions, strict=True) if d.allow
    ]
    next_cursor = f"{rows[-1].created_at.isoformat()}_{rows[-1].id}" if more and rows else None
    return Page(items, next_cursor)


def read_casus(
    ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None
) -> tuple[Casus, Decision]:
    casus = ws.load_casus(casus_id)
    decision = ws.enforcer.decide(
        "read",
        ws.resource(casus),
        ws.context(ws.purpose_for(casus, purpose)),
        Target("casus", str(casus.id), casus.id),
    )
    return casus, decision


def detail_view(ws: Workspace, casus: Casus, decision: Decision) -> dict[str, Any]:
    view = summary_view(ws, casus, decision)
    full = decision.view == "full"
    # Free text carries the categories of what the casus is about (services/casework/
    # free_text.py): it is shown only when none of them is masked for this reader.
    text_ok = free_text.shows(decision, free_text.casus_text_categories(casus))
    participants = ws.participants(casus)
    roles = ws.active_roles(casus)
    view.update(
        {
            "doelgroep": casus.doelgroep,
            "vrijwillig": casus.voluntary,
            "overleg": casus.meeting_type_id,
            "aanmelder_organisatie": casus.aanmelder_organisation_id,
            "aanmelding": _aanmelding_view(casus.aanmelding, decision, text_ok),
            "triage": casus.triage if text_ok else _redact_triage(casus.triage),
            "informeren": casus.informing if text_ok else {},
            "afsluiting": casus.closure if text_ok else _redact_closure(casus.closure),
            "tekst_afgeschermd": not text_ok,
            "bewaartermijn_tot": casus.retention_until.isoformat()
            if casus.retention_until
            else None,
            "deelnemers": [
                {
                    "organisatie": p.organisation_id,
                    "deelname": p.participation,
                    "rol": p.declared_role,
                }
                for p in participants
            ],
            "regie": [
                {
                    "rol": r.role,
                    "gebruiker": r.user_id if full else None,
                    "organisatie": r.organisation_id,
                }
                for r in roles
            ],
            "volgende_fasen": [
                {
                    "fase": t.target,
                    "actie": t.action,
                    "label": t.label,
                    "vereist": sorted(str(r) for r in t.requires),
                }
                for t in lifecycle.transitions_from(casus.kind, casus.state)
            ],
            "gemaskeerd": list(decision.mask),
            "redenen": [r.to_dict() for r in decision.reasons],
        }
    )
    return view


def _aanmelding_view(
    aanmelding: dict[str, Any], decision: Decision, text_ok: bool
) -> dict[str, Any]:
    """Each problem under its leefgebied's categories; other free text under the casus's.
    (Also for the aanmelder: what it may read follows its grants, like everyone's.)"""
    problems: dict[str, Any] = aanmelding.get("problemen", {}) or {}
    shown = {
        code: free_text.text_or_none(decision, free_text.leefgebied_categories(code), text)
        for code, text in problems.items()
    }
    view: dict[str, Any] = {
        "problemen": shown,
        "problemen_afgeschermd": sorted(code for code, text in shown.items() if text is None),
        "geinformeerd": aanmelding.get("geinformeerd"),
    }
    if text_ok:
        view.update({k: v for k, v in aanmelding.items() if k not in ("problemen", "geinformeerd")})
    return view


def _redact_triage(triage: dict[str, Any]) -> dict[str, Any]:
    """Reduced views: the decision and the criteria count, no reasons, age or duplicates."""
    return {k: triage[k] for k in ("besluit", "besluit_label", "inclusie", "datum") if k in triage}


def _redact_closure(closure: dict[str, Any]) -> dict[str, Any]:
    """Reduced views: the closure reason code and date, no free text or conversations."""
    return {k: closure[k] for k in ("reden", "datum", "opgeschaald_naar") if k in closure}


# ---------------------------------------------------------------------------------------------
# State machine
# ---------------------------------------------------------------------------------------------


def _authorize_change(
    ws: Workspace, casus: Casus, action: str, purpose: str | None, resource_type: str = "casus"
) -> Decision:
    return ws.enforcer.decide(
        action,
        ws.resource(casus, resource_type),
        ws.context(ws.purpose_for(casus, purpose)),
        Target(resource_type, str(casus.id), casus.id),
    )


def _move(ws: Workspace, casus: Casus, target: str, summary: str) -> None:
    previous = casus.state
    casus.state = target
    ws.touch(casus)
    if target == "plan" and casus.plan_date is None:
        casus.plan_date = ws.today
    ws.event(
        casus,
        "fase",
        f"{lifecycle.state_label(casus.kind, previous)} → "
        f"{lifecycle.state_label(casus.kind, target)}. {summary}".strip(),
    )


def transition(
    ws: Workspace,
    casus_id: uuid.UUID,
    target: str,
    expected_version: int | None,
    *,
    reason: str | None = None,
) -> Casus:
    """Moves that need no more than a reason. Triage, closure and reopening have their own
    functions because they carry more data."""
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize_change(ws, casus, "transition", None)
    check_version(casus.version, expected_version)
    move = lifecycle.transition(casus.kind, casus.state, target)
    special = {
        "opnemen",
        "doorverwijzen",
        "niet-opnemen",
        "afschalen",
        "opschalen",
        "stoppen",
        "heropenen",
    }
    if move.action in special:
        raise Conflict(
            "gebruik-specifieke-actie",
            f"'{move.label}' gaat via het eigen formulier (triage, afsluiting of heropenen).",
            toegestaan=list(lifecycle.allowed_next(casus.kind, casus.state)),
        )
    lifecycle.check_transition_data(casus.kind, casus.state, target, reason=reason)
    if move.action == "uitvoering-starten" and not plans.has_plan(ws, casus):
        raise Conflict(
            "plan-vereist",
            "Stel eerst het plan van aanpak vast: zonder plan van aanpak start de uitvoering niet.",
        )
    if (
        casus.kind == "groep"
        and target == "stap-2"
        and not any(r.role == "uitvoeringscoordinator" for r in ws.active_roles(casus))
    ):
        raise Conflict(
            "uitvoeringscoordinator-vereist",
            "Stel eerst een uitvoeringscoördinator aan: vanaf stap 2 worden persoonsgegevens "
            "verwerkt.",
        )
    if casus.kind == lifecycle.GROUP:
        _check_group_step_done(ws, casus, move)
    _move(ws, casus, target, reason or move.label)
    if casus.kind == "groep" and target == "afgesloten":
        casus.closure = {"reden": reason, "datum": ws.today.isoformat(), "stap": move.source}
        casus.closure_date = ws.today
        casus.retention_until = add_months(ws.today, ws.manifest.retention.default_months)
    ws.session.flush()
    return casus


def _check_group_step_done(ws: Workspace, casus: Casus, move: lifecycle.Transition) -> None:
    """Group steps 3-7 cannot be clicked through empty (domain/group_steps.py): a forward
    move needs the step's content; early closure and bijstellen need only their reason."""
    if move.action not in ("volgende-stap", "afsluiten"):
        return
    source = lifecycle.group_step(casus.state)
    if source is None:
        return
    current = plans.current_version(ws, casus)
    tracks = (
        frozenset(
            str(i.get("track"))
            for i in current.content.get("interventions", [])
            if isinstance(i, dict)
        )
        if current is not None and isinstance(current.content, dict)
        else frozenset()
    )
    facts = group_steps.PlanFacts(exists=current is not None, tracks=tracks)
    missing = group_steps.missing_for_move(
        source,
        lifecycle.group_step(move.target) if move.action != "afsluiten" else None,
        casus.group_steps or {},
        facts,
    )
    if missing:
        raise Conflict(
            "groepsstap-onvolledig",
            f"Stap {source} is nog niet af: {' '.join(missing)}",
            ontbreekt=missing,
        )


# ---------------------------------------------------------------------------------------------
# Triage
# ---------------------------------------------------------------------------------------------


def _same_person_casussen(ws: Workspace, casus: Casus) -> list[ExistingCasus]:
    if casus.subject_person_id is None:
        return []
    person = ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
    person_ids = {casus.subject_person_id}
    if person is not None and person.bsn_hash:
        person_ids |= set(
            ws.session.scalars(
                sa.select(Person.id).where(
                    Person.tenant_id == casus.tenant_id, Person.bsn_hash == person.bsn_hash
                )
            )
        )
    rows = ws.session.execute(
        sa.select(Casus, MeetingType.name)
        .outerjoin(
            MeetingType,
            sa.and_(
                MeetingType.tenant_id == Casus.tenant_id, MeetingType.id == Casus.meeting_type_id
            ),
        )
        .where(Casus.tenant_id == casus.tenant_id, Casus.subject_person_id.in_(person_ids))
    ).all()
    return [ExistingCasus(c.reference, c.kind, c.state, name) for c, name in rows]


def triage_preview(ws: Workspace, casus_id: uuid.UUID, met_ids: set[str]) -> dict[str, Any]:
    casus = ws.load_casus(casus_id)
    _authorize_change(ws, casus, "read", "triage")
    inclusion = evaluate_inclusion(ws.manifest.inclusion, met_ids)
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    age = (
        check_age_band(person.birth_date, ws.today, ws.manifest.age_band)
        if person is not None and person.birth_date
        else None
    )
    duplicates = find_duplicates(_same_person_casussen(ws, casus), exclude_casus_id=casus.reference)
    return {
        "criteria": [{"id": c.id, "tekst": c.text, "voldaan": c.met} for c in inclusion.criteria],
        "inclusie": {
            "voldaan": inclusion.met,
            "totaal": inclusion.total,
            "minimaal": inclusion.minimum,
            "opgenomen_mogelijk": inclusion.included,
            "label": inclusion.label,
        },
        "leeftijd": {"leeftijd": age.age, "binnen_grens": age.within, "label": age.label}
        if age
        else None,
        "dubbelingen": [
            {"casus": d.casus_id, "fase": d.state, "tekst": d.text} for d in duplicates
        ],
    }


def triage_decide(
    ws: Workspace,
    casus_id: uuid.UUID,
    expected_version: int | None,
    *,
    criteria_met: set[str],
    decision: str,
    reason: str | None,
    override_reason: str | None,
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize_change(ws, casus, "transition", "triage")
    check_version(casus.version, expected_version)
    if casus.state != "in_triage":
        raise lifecycle.InvalidTransition(
            casus.state, "triage", lifecycle.allowed_next(casus.kind, casus.state), casus.kind
        )
    try:
        inclusion = evaluate_inclusion(ws.manifest.inclusion, criteria_met)
    except ValueError as error:
        raise DomainValidationError([FieldProblem("criteria", str(error))]) from None
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    age = (
        check_age_band(person.birth_date, ws.today, ws.manifest.age_band)
        if person is not None and person.birth_date
        else None
    )
    outcome = decide(decision, inclusion, age=age, reason=reason, override_reason=override_reason)
    duplicates = find_duplicates(_same_person_casussen(ws, casus), exclude_casus_id=casus.reference)
    casus.triage = {
        "besluit": outcome.decision,
        "besluit_label": outcome.label,
        "reden": outcome.reason,
        "afwijking": outcome.override,
        "afwijking_reden": outcome.override_reason,
        "criteria": sorted(criteria_met),
        "inclusie": inclusion.label,
        "leeftijd": age.label if age else None,
        "dubbelingen": [d.text for d in duplicates],
        "door": ws.principal.user_id,
        "datum": ws.today.isoformat(),
    }
    _move(ws, casus, outcome.next_state, f"Triagebesluit: {outcome.label}.")
    if outcome.next_state in ("niet_opgenomen", "doorverwezen"):
        casus.closure_date = ws.today
        casus.retention_until = add_months(
            ws.today, ws.manifest.retention.months_for(outcome.decision)
        )
    ws.session.flush()
    return casus


# ---------------------------------------------------------------------------------------------
# Informeren
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Informeren:
    brief_ondertekend_door: str | None = None
    brief_overhandigd_door: str | None = None
    brief_datum: dt.date | None = None
    startgesprek_datum: dt.date | None = None
    startgesprek_notities: str | None = None
    geen_reactie: bool = False
    toelichting: str | None = None


def informeren(
    ws: Workspace, casus_id: uuid.UUID, expected_version: int | None, data: Informeren
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize_change(ws, casus, "update", "informeren")
    check_version(casus.version, expected_version)
    if casus.kind != "persoon":
        raise Conflict("alleen-persoon", "Informeren met een brief hoort bij een persoonscasus.")
    problems = []
    if data.brief_datum and not data.brief_ondertekend_door:
        problems.append(
            FieldProblem("notificatiebrief.ondertekend_door", "Wie heeft de brief ondertekend?")
        )
    if data.startgesprek_datum and not (data.startgesprek_notities or "").strip():
        problems.append(
            FieldProblem(
                "startgesprek.notities", "Leg vast wat er in het startgesprek is besproken."
            )
        )
    if data.geen_reactie and not (data.toelichting or "").strip():
        problems.append(
            FieldProblem("toelichting", "Geef aan hoe verder wordt gegaan zonder reactie.")
        )
    if problems:
        raise DomainValidationError(problems)
    casus.informing = {
        "notificatiebrief": {
            "ondertekend_door": data.brief_ondertekend_door,
            "overhandigd_door": data.brief_overhandigd_door,
            "datum": data.brief_datum.isoformat() if data.brief_datum else None,
        },
        "startgesprek": {
            "datum": data.startgesprek_datum.isoformat() if data.startgesprek_datum else None,
            "notities": data.startgesprek_notities,
        },
        "geen_reactie": data.geen_reactie,
        "toelichting": data.toelichting,
    }
    ws.touch(casus)
    ws.event(
        casus,
        "informeren",
        "Geen reactie van de persoon: aanpak gaat door met nadruk op handhaving."
        if data.geen_reactie
        else "Persoon geïnformeerd (notificatiebrief/startgesprek vastgelegd).",
    )
    ws.session.flush()
    return casus


# ---------------------------------------------------------------------------------------------
# Participants and regie
# ---------------------------------------------------------------------------------------------


def invite(
    ws: Workspace,
    casus_id: uuid.UUID,
    organisation_id: str,
    participation: str,
    declared_role: str | None,
) -> CasusParticipant:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize_change(ws, casus, "update", "casusoverleg")
    org = ws.session.get(Organisation, (casus.tenant_id, organisation_id))
    if org is None or not org.active:
        raise DomainValidationError(
            [FieldProblem("organisatie", f"Onbekende organisatie '{organisation_id}'.")]
        )
    if participation not in ("kern", "op-afroep"):
        raise DomainValidationError([FieldProblem("deelname", "Kies 'kern' of 'op-afroep'.")])
    existing = ws.session.get(CasusParticipant, (casus.tenant_id, casus.id, organisation_id))
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
    _authorize_change(ws, casus, "update", None)
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
    current = [r for r in ws.active_roles(casus) if r.role == role]
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
    ws.touch(casus)
    ws.session.flush()
    return appointed


# ---------------------------------------------------------------------------------------------
# Closure, waakvlam, reopening
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Afsluiting:
    reden: str
    toelichting: str | None = None
    ontvangende_organisatie: str | None = None
    eindgesprek_datum: dt.date | None = None
    eindgesprek_notities: str | None = None
    afsluitbrief_datum: dt.date | None = None


def _region_bureau(ws: Workspace) -> str | None:
    return ws.session.scalars(
        sa.select(Tenant.code).where(Tenant.kind == "regio", Tenant.region == ws.tenant.region)
    ).first()


def afsluiten(
    ws: Workspace, casus_id: uuid.UUID, expected_version: int | None, data: Afsluiting
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize_change(ws, casus, "transition", "afsluiting")
    check_version(casus.version, expected_version)
    try:
        target = lifecycle.closure_state_for(data.reden)
    except ValueError as error:
        raise DomainValidationError([FieldProblem("reden", str(error))]) from None
    lifecycle.check_transition_data(casus.kind, casus.state, target, closure_reason=data.reden)
    problems = []
    if target == "afgeschaald":
        org = (
            ws.session.get(Organisation, (casus.tenant_id, data.ontvangende_organisatie))
            if data.ontvangende_organisatie
            else None
        )
        if org is None:
            problems.append(
                FieldProblem(
                    "ontvangende_organisatie",
                    "Afschalen vraagt een warme overdracht: kies de ontvangende organisatie.",
                )
            )
    if problems:
        raise DomainValidationError(problems)
    bureau: str | None = None
    if target == "opgeschaald":
        bureau = _region_bureau(ws)
        if bureau is None:
            raise Conflict("geen-regio", "Er is geen regionaal bureau om naar op te schalen.")
        ws.session.add(
            CasusShare(
                tenant_id=casus.tenant_id,
                casus_id=casus.id,
                shared_with_tenant=bureau,
                reason=f"Opschaling: {data.toelichting or data.reden}",
                created_by=ws.principal.user_id,
            )
        )
    casus.closure = {
        "reden": data.reden,
        "toelichting": data.toelichting,
        "ontvangende_organisatie": data.ontvangende_organisatie,
        "opgeschaald_naar": bureau,
        "eindgesprek": {
            "datum": data.eindgesprek_datum.isoformat() if data.eindgesprek_datum else None,
            "notities": data.eindgesprek_notities,
        },
        "afsluitbrief_datum": data.afsluitbrief_datum.isoformat()
        if data.afsluitbrief_datum
        else None,
        "datum": ws.today.isoformat(),
    }
    casus.closure_date = ws.today
    casus.retention_until = add_months(ws.today, ws.manifest.retention.months_for(data.reden))
    summary = {
        "afgeschaald": f"Afgeschaald met warme overdracht aan {data.ontvangende_organisatie}.",
        "opgeschaald": f"Opgeschaald naar {bureau}.",
        "gestopt": "Gestopt.",
    }[target]
    _move(ws, casus, target, summary)
    ws.session.flush()
    return casus


def heropenen(
    ws: Workspace, casus_id: uuid.UUID, expected_version: int | None, reason: str | None
) -> Casus:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize_change(ws, casus, "transition", "plan-van-aanpak")
    check_version(casus.version, expected_version)
    lifecycle.check_transition_data(casus.kind, casus.state, "plan", reason=reason)
    casus.closure = {**casus.closure, "heropend_op": ws.today.isoformat(), "heropen_reden": reason}
    casus.closure_date = None
    casus.retention_until = None
    casus.last_melding_on = ws.today
    _move(ws, casus, "plan", f"Heropend: {reason}.")
    ws.session.flush()
    return casus


# ---------------------------------------------------------------------------------------------
# Doorbreekglas (urgent access)
# ---------------------------------------------------------------------------------------------


def doorbreekglas(ws: Workspace, casus_id: uuid.UUID, reason: str, hours: int) -> UrgentAccess:
    """Time-limited access with a written reason; always audited and flagged for review by
    the tenant's PGA-expert (werkvoorraad)."""
    casus = ws.load_casus(casus_id)
    expires = ws.enforcer.now + dt.timedelta(hours=hours)
    urgent = {
        "reason": reason,
        "expires_at": expires,
        "user": ref(ws.principal.tenant, ws.principal.user_id),
    }
    decision = ws.enforcer.decide(
        "read",
        ws.resource(casus, urgent_access=urgent),
        ws.context(ws.purpose_for(casus, None), {"urgency_reason": reason}),
        Target("doorbreekglas", str(casus.id), casus.id),
    )
    if "doorbreekglas" not in decision.codes:
        # A regular basis already gives access (or, for a casus shared with the region,
        # read access that is not the gemeente's to extend): breaking the glass is not the
        # way, and a grant is never written outside the casus's own gemeente.
        raise Conflict(
            "doorbreekglas-niet-nodig",
            "U hebt al toegang tot deze casus langs de gewone weg: spoedtoegang is niet nodig.",
        )
    grant = UrgentAccess(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        user_id=ws.principal.user_id,
        reason=reason,
        granted_at=ws.enforcer.now,
        expires_at=expires,
    )
    ws.session.add(grant)
    ws.event(casus, "doorbreekglas", "Spoedtoegang (doorbreekglas) gebruikt; beoordeling volgt.")
    ws.session.flush()
    return grant


#: Timeline events whose summary may hold free text a user wrote (a reason).
FREE_TEXT_EVENTS = frozenset({"fase", "regie", "heropenen", "afsluiting"})


def timeline(ws: Workspace, casus_id: uuid.UUID, since: dt.datetime | None) -> list[dict[str, Any]]:
    """The tijdlijn as this reader may see it: who did what only in the full view; a summary
    that holds a user's free text only when the casus's text categories are not masked."""
    casus, decision = read_casus(ws, casus_id, None)
    query = (
        sa.select(CasusEvent)
        .where(CasusEvent.tenant_id == casus.tenant_id, CasusEvent.casus_id == casus.id)
        .order_by(CasusEvent.at)
    )
    if since is not None:
        query = query.where(CasusEvent.at > since)
    return [event_view(e, decision, casus) for e in ws.session.scalars(query)]


def event_view(event: CasusEvent, decision: Decision, casus: Casus) -> dict[str, Any]:
    full = decision.view == "full"
    text_ok = free_text.shows(decision, free_text.casus_text_categories(casus))
    summary = event.summary
    if not full or (event.kind in FREE_TEXT_EVENTS and not text_ok):
        summary = EVENT_LABELS.get(event.kind, "Gebeurtenis") + " (details afgeschermd)."
    return {
        "op": event.at.isoformat(),
        "soort": event.kind,
        "samenvatting": summary,
        "door": event.actor_user_id if full else None,
    }


#: What a timeline line says when its details are afgeschermd for the reader.
EVENT_LABELS: dict[str, str] = {
    "aanmelding": "Aangemeld",
    "fase": "Fase gewijzigd",
    "regie": "Regie gewijzigd",
    "heropenen": "Heropend",
    "afsluiting": "Afgesloten",
    "informeren": "Informeren vastgelegd",
    "deelnemer": "Deelnemer gewijzigd",
    "gezinslid": "Gezinslid vastgelegd",
    "doorbreekglas": "Spoedtoegang gebruikt",
    "agenda": "Geagendeerd",
    "informatie-gedeeld": "Informatie gedeeld",
    "informatie-bron": "Informatie achtergehouden of vrijgegeven",
    "document": "Document toegevoegd of verwijderd",
}


# ---------------------------------------------------------------------------------------------
# Household members (derden): persons of their own, kept apart from the subject's casus view
# ---------------------------------------------------------------------------------------------


def add_household_member(
    ws: Workspace, casus_id: uuid.UUID, member: PersonInput, relation: str
) -> Person:
    casus = ws.load_casus(casus_id, for_update=True)
    ws.enforcer.decide(
        "create",
        ws.resource(casus, "person", category="derden"),
        ws.context(ws.purpose_for(casus, None)),
        Target("gezinslid", None, casus.id),
    )
    subject = _subject_of(ws, casus)
    other = persons.add_household_member(ws, subject, member, relation)
    ws.event(casus, "gezinslid", f"Gezinslid vastgelegd ({relation}).")
    ws.session.flush()
    return other


def household(ws: Workspace, casus_id: uuid.UUID, purpose: str | None) -> list[dict[str, Any]]:
    """Third-party data: needs a convenant grant for category ``derden`` for the purpose;
    the persons are then shown with the masks of a person view (BSN only where the purpose
    needs it, identifying data only with its grant)."""
    casus = ws.load_casus(casus_id)
    context = ws.context(ws.purpose_for(casus, purpose))
    ws.enforcer.decide(
        "read",
        ws.resource(casus, "person", category="derden"),
        context,
        Target("gezinslid", None, casus.id),
    )
    masks = ws.enforcer.decide(
        "read", ws.resource(casus, "person"), context, Target("gezinslid", None, casus.id)
    )
    subject = _subject_of(ws, casus)
    return [
        {"relatie": link.relation, "persoon": person_view(ws, member, masks)}
        for link, member in persons.household_of(ws, subject)
    ]


def _subject_of(ws: Workspace, casus: Casus) -> Person:
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    if person is None:
        raise Conflict("alleen-persoon", "Gezinsleden horen bij de persoon van een persoonscasus.")
    return person
