"""Correctie (art. 16 AVG) and beperking (art. 18 AVG).

A correction changes a person's data, an aanmelding text or an information item, and keeps
the old value in ``corrections`` (who, when, why). The history is read only through the
policy (resource ``correctie``: the regie of a casus about the person and the pga-expert).
A restriction marks a person or an item as restricted: kept, but not processed. A
restricted item is refused by the policy for every action (``verwerking-beperkt``), a
restricted person is shown as "beperkt" without data in every casework view; both stay in
the inzage document. Every correction, restriction and history read is an audited decision.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from services.casework import free_text
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import NotFound
from services.casework.subjects import (
    LEGAL_BASIS,
    active_restriction,
    casus_avg_resource,
    casus_ids_about,
    load_person,
    person_avg_resource,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import (
    Casus,
    Correction,
    InformationItem,
    Person,
    Restriction,
)
from services.platform.policy import Decision
from tenants.reference import INSTRUMENT_DOMAINS

#: Corrections and restrictions answer a request of the person (purpose inzage: the AVG
#: request handled by the regie, policies/codes.rego inzage_roles).
PURPOSE = "inzage"

#: Person fields a correction may change: API name -> column.
PERSON_FIELDS: Mapping[str, str] = {
    "voornamen": "given_names",
    "achternaam": "surname",
    "roepnaam": "roepnaam",
    "aliassen": "aliases",
    "geboortedatum": "birth_date",
    "adres": "address",
}
AANMELDING_FIELDS = ("waarom_integraal", "reden_niet_geinformeerd")
ITEM_FIELDS: Mapping[str, str] = {"titel": "title", "inhoud": "body"}


def _context(ws: Workspace) -> dict[str, Any]:
    return ws.enforcer.context(PURPOSE, {"legal_basis": LEGAL_BASIS})


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _reason(reason: str) -> str:
    text = reason.strip()
    if len(text) < 5:
        raise DomainValidationError(
            [FieldProblem("reden", "Geef de reden van de correctie of beperking.")]
        )
    return text


def _correct_columns(
    ws: Workspace,
    row: Person | InformationItem,
    columns: Mapping[str, str],
    changes: Mapping[str, Any],
    *,
    target_type: str,
    reason: str,
    person_id: uuid.UUID | None,
    casus_id: uuid.UUID | None,
) -> list[str]:
    """Set each changed field (API name -> column) on ``row``, logging the old value first;
    returns the API names of the fields that changed."""
    changed: list[str] = []
    for name, value in changes.items():
        column = columns[name]
        old = getattr(row, column)
        if old == value:
            continue
        _log_correction(
            ws,
            target_type=target_type,
            target_id=str(row.id),
            field=name,
            old=old,
            new=value,
            reason=reason,
            person_id=person_id,
            casus_id=casus_id,
        )
        setattr(row, column, value)
        changed.append(name)
    return changed


def _log_correction(
    ws: Workspace,
    *,
    target_type: str,
    target_id: str,
    field: str,
    old: Any,
    new: Any,
    reason: str,
    person_id: uuid.UUID | None,
    casus_id: uuid.UUID | None,
) -> None:
    ws.session.add(
        Correction(
            tenant_id=ws.principal.tenant,
            id=uuid.uuid4(),
            target_type=target_type,
            target_id=target_id,
            person_id=person_id,
            casus_id=casus_id,
            field=field,
            old_value={"waarde": _json(old)},
            new_value={"waarde": _json(new)},
            reason=reason,
            corrected_by=ws.principal.user_id,
            corrected_at=ws.enforcer.now,
        )
    )


def _no_change() -> DomainValidationError:
    return DomainValidationError(
        [FieldProblem("wijzigingen", "De correctie verandert niets aan de vastgelegde gegevens.")]
    )


# -- persons ---------------------------------------------------------------------------------


def _authorize_person(ws: Workspace, person: Person, action: str) -> list[uuid.UUID]:
    ids = casus_ids_about(ws, person.id)
    ws.enforcer.decide(
        action,
        person_avg_resource(ws, person, ids, "correctie"),
        _context(ws),
        Target("correctie", str(person.id)),
    )
    return ids


def correct_person(
    ws: Workspace,
    person_id: uuid.UUID,
    changes: Mapping[str, Any],
    reason: str,
    expected_version: int | None,
) -> tuple[Person, list[str]]:
    """Correct the given fields; returns the person and the fields that changed."""
    person = load_person(ws, person_id, for_update=True)
    _authorize_person(ws, person, "update")
    with ws.changing(person, expected_version):
        why = _reason(reason)
        birth = changes.get("geboortedatum")
        if isinstance(birth, dt.date) and birth > ws.today:
            raise DomainValidationError(
                [FieldProblem("wijzigingen.geboortedatum", "De geboortedatum ligt in de toekomst.")]
            )
        changed = _correct_columns(
            ws,
            person,
            PERSON_FIELDS,
            changes,
            target_type="persoon",
            reason=why,
            person_id=person.id,
            casus_id=None,
        )
        if not changed:
            raise _no_change()
    return person, sorted(changed)


def restrict_person(
    ws: Workspace,
    person_id: uuid.UUID,
    restricted: bool,
    reason: str,
    expected_version: int | None,
) -> Person:
    """Restrict the processing of a person's data, or lift the restriction."""
    person = load_person(ws, person_id, for_update=True)
    _authorize_person(ws, person, "update")
    with ws.changing(person, expected_version):
        _set_restriction(
            ws, "persoon", str(person.id), restricted, _reason(reason), person.id, None
        )
    return person


def _set_restriction(
    ws: Workspace,
    target_type: str,
    target_id: str,
    restricted: bool,
    reason: str,
    person_id: uuid.UUID | None,
    casus_id: uuid.UUID | None,
) -> None:
    # Only the owning tenant restricts (its own targets; the new row is its own).
    current = active_restriction(ws, target_type, target_id, tenant=ws.principal.tenant)
    if restricted and current is None:
        ws.session.add(
            Restriction(
                tenant_id=ws.principal.tenant,
                id=uuid.uuid4(),
                target_type=target_type,
                target_id=target_id,
                person_id=person_id,
                casus_id=casus_id,
                reason=reason,
                restricted_by=ws.principal.user_id,
                restricted_at=ws.enforcer.now,
            )
        )
    elif not restricted and current is not None:
        current.lifted_at = ws.enforcer.now
        current.lifted_by = ws.principal.user_id
        current.lift_reason = reason
    else:
        state = "al beperkt" if restricted else "niet beperkt"
        raise DomainValidationError([FieldProblem("beperkt", f"De verwerking is {state}.")])


# -- aanmelding and items ---------------------------------------------------------------------


def _load_own_casus(ws: Workspace, casus_id: uuid.UUID) -> Casus:
    """Only the owning gemeente corrects: a casus shared with the caller is not theirs."""
    casus = ws.load_casus(casus_id, for_update=True)
    ws.enforcer.decide(
        "update",
        casus_avg_resource(ws, casus, "correctie"),
        _context(ws),
        Target("correctie", str(casus.id), casus.id),
    )
    return casus


def correct_aanmelding(
    ws: Workspace,
    casus_id: uuid.UUID,
    changes: Mapping[str, Any],
    problems: Mapping[str, str | None],
    reason: str,
    expected_version: int | None,
) -> tuple[Casus, list[str]]:
    """Correct aanmelding texts; returns the casus and the fields that changed."""
    casus = _load_own_casus(ws, casus_id)
    with ws.changing(casus, expected_version):
        why = _reason(reason)
        domains = INSTRUMENT_DOMAINS[ws.manifest.assessment_instrument]
        unknown = sorted(set(problems) - set(domains))
        if unknown:
            raise DomainValidationError(
                [
                    FieldProblem(
                        "problemen",
                        f"Onbekend leefgebied: {', '.join(unknown)}; "
                        f"kies uit {', '.join(domains)}.",
                    )
                ]
            )
        aanmelding = dict(casus.aanmelding)
        current_problems = dict(aanmelding.get("problemen") or {})
        edits: list[tuple[str, Any, Any]] = []
        for name, value in changes.items():
            if aanmelding.get(name) != value:
                edits.append((name, aanmelding.get(name), value))
                aanmelding[name] = value
        for code, text in problems.items():
            if current_problems.get(code) != text:
                edits.append((f"problemen.{code}", current_problems.get(code), text))
                if text is None:
                    current_problems.pop(code, None)
                else:
                    current_problems[code] = text
        if not edits:
            raise _no_change()
        aanmelding["problemen"] = current_problems
        for name, old, new in edits:
            _log_correction(
                ws,
                target_type="aanmelding",
                target_id=str(casus.id),
                field=name,
                old=old,
                new=new,
                reason=why,
                person_id=casus.subject_person_id,
                casus_id=casus.id,
            )
        casus.aanmelding = aanmelding
        ws.event(casus, "gecorrigeerd", "Aanmelding gecorrigeerd (art. 16 AVG).")
    return casus, sorted(name for name, _, _ in edits)


def _load_item(ws: Workspace, casus: Casus, item_id: uuid.UUID) -> InformationItem:
    item = ws.session.scalars(
        sa.select(InformationItem)
        .where(
            InformationItem.tenant_id == casus.tenant_id,
            InformationItem.casus_id == casus.id,
            InformationItem.id == item_id,
        )
        .with_for_update()
    ).first()
    if item is None:
        raise NotFound(str(item_id))
    return item


def correct_item(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    changes: Mapping[str, str],
    reason: str,
    expected_version: int | None,
) -> tuple[InformationItem, list[str]]:
    """Correct an item's title or body; returns the item and the fields that changed."""
    casus = _load_own_casus(ws, casus_id)
    item = _load_item(ws, casus, item_id)
    with ws.changing(item, expected_version):
        why = _reason(reason)
        changed = _correct_columns(
            ws,
            item,
            ITEM_FIELDS,
            changes,
            target_type="item",
            reason=why,
            person_id=item.about_person_id or casus.subject_person_id,
            casus_id=casus.id,
        )
        if not changed:
            raise _no_change()
        ws.event(casus, "gecorrigeerd", "Informatie-item gecorrigeerd (art. 16 AVG).")
    return item, sorted(changed)


def restrict_item(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    restricted: bool,
    reason: str,
    expected_version: int | None,
) -> InformationItem:
    casus = _load_own_casus(ws, casus_id)
    item = _load_item(ws, casus, item_id)
    with ws.changing(item, expected_version):
        _set_restriction(
            ws,
            "item",
            str(item.id),
            restricted,
            _reason(reason),
            item.about_person_id or casus.subject_person_id,
            casus.id,
        )
        ws.event(
            casus,
            "beperkt" if restricted else "beperking-opgeheven",
            "Verwerking van een item beperkt (art. 18 AVG)."
            if restricted
            else "Beperking van een item opgeheven.",
        )
    return item


# -- history ---------------------------------------------------------------------------------


def person_history(ws: Workspace, person_id: uuid.UUID) -> tuple[int, dict[str, Any]]:
    """The person's version (for If-Match) and their correction and restriction history."""
    person = load_person(ws, person_id)
    _authorize_person(ws, person, "read")
    history = _history(ws, Correction.person_id == person.id, Restriction.person_id == person.id)
    return person.version, history


def casus_history(ws: Workspace, casus_id: uuid.UUID) -> dict[str, Any]:
    casus = ws.load_casus(casus_id)
    ws.enforcer.decide(
        "read",
        casus_avg_resource(ws, casus, "correctie"),
        _context(ws),
        Target("correctie", str(casus.id), casus.id),
    )
    return _history(ws, Correction.casus_id == casus.id, Restriction.casus_id == casus.id)


def _history(
    ws: Workspace, corrections: sa.ColumnElement[bool], restrictions: sa.ColumnElement[bool]
) -> dict[str, Any]:
    tenant = ws.principal.tenant
    rows = list(
        ws.session.scalars(
            sa.select(Correction)
            .where(Correction.tenant_id == tenant, corrections)
            .order_by(Correction.corrected_at.desc(), Correction.id)
        )
    )
    marks = ws.session.scalars(
        sa.select(Restriction)
        .where(Restriction.tenant_id == tenant, restrictions)
        .order_by(Restriction.restricted_at.desc(), Restriction.id)
    )
    texts = TextMasks(ws)
    return {
        "correcties": [correction_view(c, shown=texts.shows(c)) for c in rows],
        "beperkingen": [restriction_view(r) for r in marks],
    }


class TextMasks:
    """Old and new values follow the masks of the current value: corrected free text the
    categories of that text, an item its category, person fields the identifying data, all
    under the reader's ordinary view of the casus (services/casework/free_text.py)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.decisions: dict[uuid.UUID, Decision | None] = {}

    def decision(self, casus_id: uuid.UUID) -> Decision | None:
        if casus_id not in self.decisions:
            casus = self.ws.session.get(Casus, (self.ws.principal.tenant, casus_id))
            if casus is None:
                self.decisions[casus_id] = None
            else:
                # The reader's ordinary view of the casus (the purpose of its phase): the
                # old value is shown exactly when the current one would be.
                self.decisions[casus_id] = self.ws.enforcer.decide(
                    "read",
                    self.ws.resource(casus),
                    self.ws.enforcer.context(self.ws.purpose_for(casus, None)),
                    Target("casus", str(casus.id), casus.id),
                    raise_on_deny=False,
                )
        return self.decisions[casus_id]

    def person_data_shown(self, person_id: uuid.UUID) -> bool:
        """Identifying data of a person follows the reader's view of a casus about them."""
        ids = casus_ids_about(self.ws, person_id)
        if not ids:
            return True  # no casus: only the pga-expert reaches the person at all
        decision = self.decision(ids[0])
        return (
            decision is not None
            and decision.view == "full"
            and "identificerend" not in decision.mask
        )

    def shows(self, c: Correction) -> bool:
        if c.target_type == "persoon" or c.casus_id is None:
            return c.person_id is None or self.person_data_shown(c.person_id)
        decision = self.decision(c.casus_id)
        if decision is None or not decision.allow:
            return False
        if c.target_type == "item":
            item = self.ws.session.get(
                InformationItem, (self.ws.principal.tenant, uuid.UUID(c.target_id))
            )
            category = item.category if item is not None else "bijzonder"
            return decision.view == "full" and category not in decision.mask
        casus = self.ws.session.get(Casus, (self.ws.principal.tenant, c.casus_id))
        if casus is None:
            return False
        if c.field.startswith("problemen."):
            categories = free_text.leefgebied_categories(c.field.removeprefix("problemen."))
        else:
            categories = free_text.casus_text_categories(casus)
        return free_text.shows(decision, categories)


def correction_view(c: Correction, *, shown: bool = True) -> dict[str, Any]:
    """One correction; ``shown=False`` leaves the values out (masked for this reader)."""
    return {
        "id": str(c.id),
        "soort": c.target_type,
        "doel_id": c.target_id,
        "casus_id": str(c.casus_id) if c.casus_id else None,
        "veld": c.field,
        "oude_waarde": c.old_value.get("waarde") if shown else None,
        "nieuwe_waarde": c.new_value.get("waarde") if shown else None,
        "afgeschermd": not shown,
        "reden": c.reason,
        "door": c.corrected_by,
        "op": c.corrected_at.isoformat(),
    }


def restriction_view(r: Restriction) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "soort": r.target_type,
        "doel_id": r.target_id,
        "casus_id": str(r.casus_id) if r.casus_id else None,
        "reden": r.reason,
        "door": r.restricted_by,
        "op": r.restricted_at.isoformat(),
        "actief": r.lifted_at is None,
        "opgeheven_door": r.lifted_by,
        "opgeheven_op": r.lifted_at.isoformat() if r.lifted_at else None,
        "reden_opheffing": r.lift_reason,
    }
