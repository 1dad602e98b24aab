"""Information items on a casus and sharing them through the checklist gegevensdeling.

- An item has one data category, a source organisation (the organisation that added it),
  a purpose and legal basis, a withheld flag and a body.
- Until the source shares it, an item is visible to the source only. Sharing asks the policy
  (action ``share``) with the full checklist in the context: purpose, art. 6 basis, art. 9
  exception, beroepsgeheim ground, necessity, transparency. Consent as a basis is checked
  against the recorded consents of the casus subject (services/casework/consent_service.py).
- The source may withhold an item (lopend onderzoek) and release it again; while withheld,
  nobody else sees it.
- Data about a household member (category ``derden``, ``about_person_id``) is kept apart:
  it is never part of the subject's item list, only of the list about that member.

Every function asks the policy through ``ws.enforcer`` first; the decision and its audit row
land in the same transaction as the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound
from services.casework.personen.service import household_of
from services.casework.subjects import is_restricted
from services.casework.toestemming.service import consent_resource
from services.casework.workspace import Workspace, check_version, ref
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import Casus, InformationItem, Person
from services.platform.policy import Decision
from services.platform.policy.explain import Explanation, explain
from services.platform.policy.input import build_input
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
)

RESOURCE_TYPE = "informatie_item"

#: The actions the uitleg endpoint can explain (``explain`` itself is the permission to ask).
EXPLAINABLE_ACTIONS = (
    "read",
    "list",
    "create",
    "update",
    "share",
    "withhold",
    "release",
    "transition",
)

#: Actions about the caller's own (hypothetical) information: the caller is the source.
SOURCE_ACTIONS = frozenset({"create", "share", "withhold", "release"})


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checklist:
    """The checklist gegevensdeling (docs/policy.md, rule 4)."""

    purpose: str | None = None
    legal_basis: str | None = None
    art9_exception: str | None = None
    beroepsgeheim_ground: str | None = None
    necessity: str | None = None
    person_informed: bool | None = None
    not_informed_reason: str | None = None

    def context(self) -> dict[str, Any]:
        """The policy context fields (without purpose and now, which the enforcer adds)."""
        return {
            "legal_basis": self.legal_basis,
            "art9_exception": self.art9_exception,
            "beroepsgeheim_ground": self.beroepsgeheim_ground,
            "necessity": self.necessity,
            "person_informed": self.person_informed,
            "not_informed_reason": self.not_informed_reason,
        }


@dataclass(frozen=True)
class ItemInput:
    category: str
    title: str
    body: str
    checklist: Checklist
    about_person_id: uuid.UUID | None = None


def relies_on_consent(legal_basis: str | None, art9: str | None, ground: str | None) -> bool:
    return (
        legal_basis == "toestemming"
        or art9 == "uitdrukkelijke-toestemming"
        or ground == "toestemming"
    )


# ---------------------------------------------------------------------------------------------
# Loading and policy resources
# ---------------------------------------------------------------------------------------------


def _own(ws: Workspace, item: InformationItem) -> bool:
    """The caller's organisation is the item's source (tenant-qualified: an organisation id
    is unique only within its tenant)."""
    return (
        item.tenant_id == ws.principal.tenant
        and item.source_organisation_id == ws.principal.organisation
    )


def _load_item(
    ws: Workspace, casus: Casus, item_id: uuid.UUID, *, for_update: bool = False
) -> InformationItem:
    """An item of this casus the caller may know about: its own, or a shared one.

    An item that is not shared does not exist for anyone but its source (404, no leak).
    """
    query = sa.select(InformationItem).where(
        InformationItem.tenant_id == casus.tenant_id,
        InformationItem.casus_id == casus.id,
        InformationItem.id == item_id,
    )
    if for_update:
        query = query.with_for_update()
    item = ws.session.scalars(query).first()
    if item is None or not (_own(ws, item) or item.shared):
        raise NotFound(str(item_id))
    return item


def _item_resource(
    base: Mapping[str, Any],
    casus: Casus,
    *,
    category: str | None,
    source: str | None,
    withheld: bool,
    consent: Mapping[str, Any],
) -> dict[str, Any]:
    resource = dict(base)
    resource["type"] = RESOURCE_TYPE
    if category is not None:
        resource["category"] = category
    if source is not None:
        resource["source_organisation"] = ref(casus.tenant_id, source)
    resource["withheld"] = withheld
    resource["consent"] = dict(consent)
    # Group step 1 admits group-level (algemeen) information only.
    resource["contains_person_identifiers"] = casus.kind == "persoon" or category != "algemeen"
    return resource


def item_resource(
    ws: Workspace,
    casus: Casus,
    item: InformationItem,
    purpose: str | None,
    base: Mapping[str, Any] | None = None,
    consent: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The policy resource of an item (base and consent may be shared across a page)."""
    resource = _item_resource(
        base if base is not None else ws.resource(casus, RESOURCE_TYPE),
        casus,
        category=item.category,
        source=item.source_organisation_id,
        withheld=item.withheld,
        consent=consent if consent is not None else consent_resource(ws, casus, purpose),
    )
    if is_restricted(ws, "item", str(item.id)):
        # Beperking (art. 18 AVG): the policy refuses every processing (policies/avg.rego).
        resource["restricted"] = True
    return resource


def _target(casus: Casus, item: InformationItem | None = None) -> Target:
    return Target(RESOURCE_TYPE, str(item.id) if item else str(casus.id), casus.id)


def _read_context(ws: Workspace, item: InformationItem, purpose: str | None) -> dict[str, Any]:
    """Reading someone else's item relies on the basis it was shared on (consent included);
    the source's own processing does not."""
    if _own(ws, item):
        return ws.context(purpose)
    return ws.context(
        purpose,
        {
            "legal_basis": item.legal_basis,
            "art9_exception": item.art9_exception,
            "beroepsgeheim_ground": item.beroepsgeheim_ground,
        },
    )


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def item_view(
    ws: Workspace,
    item: InformationItem,
    decision: Decision,
    *,
    content: bool = True,
) -> dict[str, Any]:
    """The item as this reader may see it: masks and reduced views hide the content.

    ``content=False`` leaves the content out although the decision allows it (a list whose
    decision could not check the item's consent basis; the single read does).
    """
    own = _own(ws, item)
    full = decision.view == "full"
    masked = item.category in decision.mask or not full
    show = content and not masked
    view: dict[str, Any] = {
        "id": str(item.id),
        "casus_id": str(item.casus_id),
        "categorie": item.category,
        "categorie_label": DATA_CATEGORIES.get(item.category, item.category),
        "bronorganisatie": item.source_organisation_id,
        "eigen_bron": own,
        "over_persoon_id": str(item.about_person_id) if item.about_person_id else None,
        "doel": item.purpose,
        "grondslag": item.legal_basis,
        "art9_uitzondering": item.art9_exception,
        "beroepsgeheim_grond": item.beroepsgeheim_ground,
        "noodzaak": item.necessity if show else None,
        "persoon_geinformeerd": item.person_informed,
        "reden_niet_geinformeerd": item.not_informed_reason if show else None,
        "gedeeld": item.shared,
        "gedeeld_op": item.shared_at.isoformat() if item.shared_at else None,
        "achtergehouden": item.withheld,
        "titel": item.title if show else None,
        "inhoud": item.body if show else None,
        "aangemaakt_door": item.created_by if full else None,
        "aangemaakt_op": item.created_at.isoformat() if item.created_at else None,
        "versie": item.version,
        "weergave": decision.view,
        "gemaskeerd": sorted({*decision.mask, *([item.category] if masked else [])}),
    }
    if not content and not masked:
        view["melding"] = (
            "Dit item is gedeeld op basis van toestemming: open het item om de inhoud te zien "
            "(de toestemming wordt dan getoetst)."
        )
    return view


# ---------------------------------------------------------------------------------------------
# Creating
# ---------------------------------------------------------------------------------------------


def _code_problems(checklist: Checklist) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if checklist.purpose is not None and checklist.purpose not in PURPOSES:
        problems.append(
            FieldProblem(
                "doel",
                f"Onbekend doel '{checklist.purpose}'; kies uit {', '.join(PURPOSES)}.",
            )
        )
    if checklist.legal_basis == "convenant":
        problems.append(
            FieldProblem(
                "grondslag", "Een convenant is geen grondslag: kies een grondslag uit art. 6 AVG."
            )
        )
    elif checklist.legal_basis is not None and checklist.legal_basis not in LEGAL_BASES_ART6:
        problems.append(
            FieldProblem(
                "grondslag",
                f"Onbekende grondslag; kies uit {', '.join(LEGAL_BASES_ART6)}.",
            )
        )
    if checklist.art9_exception is not None and checklist.art9_exception not in LEGAL_BASES_ART9:
        problems.append(
            FieldProblem(
                "art9_uitzondering",
                f"Onbekende uitzondering; kies uit {', '.join(LEGAL_BASES_ART9)}.",
            )
        )
    if (
        checklist.beroepsgeheim_ground is not None
        and checklist.beroepsgeheim_ground not in BEROEPSGEHEIM_GROUNDS
    ):
        problems.append(
            FieldProblem(
                "beroepsgeheim_grond",
                f"Onbekende grond; kies uit {', '.join(BEROEPSGEHEIM_GROUNDS)}.",
            )
        )
    return problems


def _refuse_unknown_codes(checklist: Checklist) -> None:
    """Unknown codes are bad input (422) before the policy is asked. "convenant" is a known
    mistake the policy explains itself ("een convenant is geen grondslag")."""
    problems = [
        p
        for p in _code_problems(checklist)
        if not (p.field == "grondslag" and checklist.legal_basis == "convenant")
    ]
    if problems:
        raise DomainValidationError(problems)


def _household_member(ws: Workspace, casus: Casus, person_id: uuid.UUID) -> Person | None:
    if casus.subject_person_id is None:
        return None
    subject = ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
    if subject is None:
        return None
    return next((m for _, m in household_of(ws, subject) if m.id == person_id), None)


def _input_problems(data: ItemInput) -> list[FieldProblem]:
    """What is wrong with the form itself (codes, required fields): known before asking."""
    problems: list[FieldProblem] = []
    if data.category not in DATA_CATEGORIES:
        problems.append(
            FieldProblem(
                "categorie",
                f"Onbekende categorie '{data.category}'; kies uit {', '.join(DATA_CATEGORIES)}.",
            )
        )
    if not data.checklist.purpose:
        problems.append(FieldProblem("doel", "Geef het doel (doelbinding) op."))
    problems.extend(_code_problems(data.checklist))
    return problems


def _check_item(ws: Workspace, casus: Casus, data: ItemInput) -> None:
    """Checks that look at the casus (household members): after the policy allowed."""
    problems: list[FieldProblem] = []
    if data.about_person_id is not None:
        if data.category != "derden":
            problems.append(
                FieldProblem(
                    "over_persoon_id",
                    "Gegevens over een gezinslid horen in de categorie 'derden'.",
                )
            )
        elif _household_member(ws, casus, data.about_person_id) is None:
            problems.append(
                FieldProblem(
                    "over_persoon_id",
                    "Deze persoon is geen (bekend) gezinslid van de persoon van deze casus.",
                )
            )
    elif data.category == "derden":
        problems.append(
            FieldProblem(
                "over_persoon_id",
                "Gegevens over derden worden apart gehouden: geef aan over welk gezinslid "
                "het gaat.",
            )
        )
    if problems:
        raise DomainValidationError(problems)


def create_item(
    ws: Workspace, casus_id: uuid.UUID, data: ItemInput
) -> tuple[InformationItem, Decision]:
    """Add an item; the caller's organisation is its source. Visible to the source only
    until it is shared. Returns the item and the decision that allowed it (for the view)."""
    casus = ws.load_casus(casus_id)
    checklist = data.checklist
    problems = _input_problems(data)
    if problems:
        raise DomainValidationError(problems)
    purpose = ws.purpose_for(casus, checklist.purpose)
    resource = _item_resource(
        ws.resource(casus, RESOURCE_TYPE),
        casus,
        category=data.category,
        source=ws.principal.organisation,
        withheld=False,
        consent=consent_resource(ws, casus, purpose),
    )
    decision = ws.enforcer.decide(
        "create",
        resource,
        ws.context(
            purpose,
            {
                "legal_basis": checklist.legal_basis,
                "art9_exception": checklist.art9_exception,
                "beroepsgeheim_ground": checklist.beroepsgeheim_ground,
            },
        ),
        _target(casus),
    )
    _check_item(ws, casus, data)
    item = InformationItem(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        about_person_id=data.about_person_id,
        category=data.category,
        source_organisation_id=ws.principal.organisation,
        purpose=purpose,
        legal_basis=checklist.legal_basis,
        art9_exception=checklist.art9_exception,
        beroepsgeheim_ground=checklist.beroepsgeheim_ground,
        necessity=(checklist.necessity or "").strip() or None,
        person_informed=checklist.person_informed,
        not_informed_reason=(checklist.not_informed_reason or "").strip() or None,
        withheld=False,
        shared=False,
        title=data.title.strip(),
        body=data.body.strip(),
        created_by=ws.principal.user_id,
        created_at=ws.enforcer.now,
        version=1,
    )
    ws.session.add(item)
    ws.session.flush()
    return item, decision


# ---------------------------------------------------------------------------------------------
# Listing and reading
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemList:
    items: list[dict[str, Any]]
    hidden: int

    @property
    def notice(self) -> str | None:
        if not self.hidden:
            return None
        noun = "item" if self.hidden == 1 else "items"
        return f"{self.hidden} {noun} niet zichtbaar voor u"


def list_items(
    ws: Workspace,
    casus_id: uuid.UUID,
    purpose: str | None = None,
    about_person_id: uuid.UUID | None = None,
) -> ItemList:
    """The items of a casus this caller may see, decided in ONE policy query.

    The page starts with the casus itself (need-to-know for the list as a whole), followed
    by the candidate items: the caller's own and the shared ones. Denied items are counted,
    never shown. Without ``about_person_id`` the list is about the casus subject: derden
    items about household members are kept apart and are only listed per member.
    """
    casus = ws.load_casus(casus_id)
    purpose = ws.purpose_for(casus, purpose)
    query = (
        sa.select(InformationItem)
        .where(
            InformationItem.tenant_id == casus.tenant_id,
            InformationItem.casus_id == casus.id,
            sa.or_(
                sa.and_(
                    InformationItem.tenant_id == ws.principal.tenant,
                    InformationItem.source_organisation_id == ws.principal.organisation,
                ),
                InformationItem.shared,
            ),
        )
        .order_by(InformationItem.created_at, InformationItem.id)
    )
    if about_person_id is None:
        query = query.where(InformationItem.about_person_id.is_(None))
    else:
        query = query.where(InformationItem.about_person_id == about_person_id)
    rows = list(ws.session.scalars(query))
    base = ws.resource(casus, RESOURCE_TYPE)
    consent = consent_resource(ws, casus, purpose)
    casus_resource = {**base, "type": "casus"}
    decisions = ws.enforcer.decide_page(
        "list",
        [casus_resource, *(item_resource(ws, casus, i, purpose, base, consent) for i in rows)],
        ws.context(purpose),
        [Target("casus", str(casus.id), casus.id), *(_target(casus, i) for i in rows)],
    )
    if not decisions[0].allow:
        raise AccessDenied(decisions[0], "list")
    items: list[dict[str, Any]] = []
    hidden = 0
    for item, decision in zip(rows, decisions[1:], strict=True):
        if not decision.allow:
            hidden += 1
            continue
        # One context serves the whole page, so an item shared on the basis of consent is
        # listed without content; the single read checks the consent.
        consent_based = not _own(ws, item) and relies_on_consent(
            item.legal_basis, item.art9_exception, item.beroepsgeheim_ground
        )
        items.append(item_view(ws, item, decision, content=not consent_based))
    return ItemList(items, hidden)


def read_item(
    ws: Workspace, casus_id: uuid.UUID, item_id: uuid.UUID, purpose: str | None = None
) -> tuple[InformationItem, Decision]:
    casus = ws.load_casus(casus_id)
    item = _load_item(ws, casus, item_id)
    purpose = ws.purpose_for(casus, purpose)
    decision = ws.enforcer.decide(
        "read",
        item_resource(ws, casus, item, purpose),
        _read_context(ws, item, purpose),
        _target(casus, item),
    )
    return item, decision


# ---------------------------------------------------------------------------------------------
# Sharing, withholding, releasing
# ---------------------------------------------------------------------------------------------


def share_item(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    checklist: Checklist,
    expected_version: int | None,
) -> InformationItem:
    """Share an item with the participants of the casus through the checklist.

    The policy names every missing part of the checklist; only the source may share, never
    while withheld, never as a receive-only partner. If-Match is optional: when given it
    must name the current version.
    """
    _refuse_unknown_codes(checklist)
    casus = ws.load_casus(casus_id)
    item = _load_item(ws, casus, item_id, for_update=True)
    decision = ws.enforcer.decide(
        "share",
        item_resource(ws, casus, item, checklist.purpose),
        ws.context(checklist.purpose, checklist.context()),
        _target(casus, item),
    )
    if expected_version is not None:
        check_version(item.version, expected_version)
    # The policy refuses unknown purposes and bases; an art. 9 exception or beroepsgeheim
    # ground is only checked for its category, so unknown codes there are refused here.
    problems = _code_problems(checklist)
    if problems:
        raise DomainValidationError(problems)
    again = item.shared
    item.purpose = checklist.purpose or item.purpose
    item.legal_basis = checklist.legal_basis
    item.art9_exception = checklist.art9_exception
    item.beroepsgeheim_ground = checklist.beroepsgeheim_ground
    item.necessity = (checklist.necessity or "").strip() or None
    item.person_informed = checklist.person_informed
    item.not_informed_reason = (checklist.not_informed_reason or "").strip() or None
    item.shared = True
    item.shared_at = ws.enforcer.now
    ws.touch(item)
    _honour(ws, casus, item, decision, again=again)
    ws.session.flush()
    return item


def withhold_item(
    ws: Workspace, casus_id: uuid.UUID, item_id: uuid.UUID, expected_version: int | None
) -> InformationItem:
    """The source withholds its item (e.g. lopend onderzoek): nobody else sees it."""
    casus = ws.load_casus(casus_id)
    item = _load_item(ws, casus, item_id, for_update=True)
    decision = ws.enforcer.decide(
        "withhold",
        item_resource(ws, casus, item, item.purpose),
        ws.context(item.purpose),
        _target(casus, item),
    )
    if expected_version is not None:
        check_version(item.version, expected_version)
    if item.withheld:
        raise Conflict("al-achtergehouden", "Dit item is al achtergehouden.")
    item.withheld = True
    ws.touch(item)
    _honour(ws, casus, item, decision)
    ws.session.flush()
    return item


def release_item(
    ws: Workspace, casus_id: uuid.UUID, item_id: uuid.UUID, expected_version: int | None
) -> InformationItem:
    """Only the source releases a withheld item; a shared item is visible again."""
    casus = ws.load_casus(casus_id)
    item = _load_item(ws, casus, item_id, for_update=True)
    decision = ws.enforcer.decide(
        "release",
        item_resource(ws, casus, item, item.purpose),
        ws.context(item.purpose),
        _target(casus, item),
    )
    if expected_version is not None:
        check_version(item.version, expected_version)
    item.withheld = False
    ws.touch(item)
    _honour(ws, casus, item, decision)
    ws.session.flush()
    return item


def _honour(
    ws: Workspace,
    casus: Casus,
    item: InformationItem,
    decision: Decision,
    *,
    again: bool = False,
) -> None:
    """Carry out the obligations of an allowed decision. ``audit`` is done by the enforcer.

    Timeline events never hold content or person data: category, purpose and basis only.
    """
    label = DATA_CATEGORIES.get(item.category, item.category)
    for obligation in decision.obligations:
        if obligation.code == "registreer-deling":
            purpose = obligation.params.get("purpose") or item.purpose
            basis = obligation.params.get("legal_basis") or item.legal_basis
            ws.event(
                casus,
                "informatie-gedeeld",
                f"Informatie {'opnieuw ' if again else ''}gedeeld door "
                f"{item.source_organisation_id} (categorie: {label}; doel: {purpose}; "
                f"grondslag: {basis}).",
            )
        elif obligation.code == "informeer-regie":
            event = obligation.params.get("event")
            what = "achtergehouden" if event == "withhold" else "vrijgegeven"
            ws.event(
                casus,
                "informatie-bron",
                f"Een informatie-item (categorie: {label}) is door de bron "
                f"{item.source_organisation_id} {what}.",
            )


# ---------------------------------------------------------------------------------------------
# Uitleg: "mag ik dit (delen)?"
# ---------------------------------------------------------------------------------------------


def _check_explain_input(action: str, category: str | None) -> None:
    problems: list[FieldProblem] = []
    if action not in EXPLAINABLE_ACTIONS:
        problems.append(
            FieldProblem(
                "actie", f"Onbekende handeling; kies uit {', '.join(EXPLAINABLE_ACTIONS)}."
            )
        )
    if category is not None and category not in DATA_CATEGORIES:
        problems.append(
            FieldProblem(
                "categorie",
                f"Onbekende categorie '{category}'; kies uit {', '.join(DATA_CATEGORIES)}.",
            )
        )
    if problems:
        raise DomainValidationError(problems)


def _involved(ws: Workspace, base: Mapping[str, Any], purpose: str) -> bool:
    """Whether the caller could add information to this casus (and so be its source).

    "Mag ik dit delen?" is about one's own information; someone not involved cannot add
    information to the casus, so a hypothetical item is then nobody's own. The policy
    decides who works on the casus (may change it); this asks it, without auditing a
    hypothetical question (the uitleg request itself is audited).
    """
    decision = ws.enforcer.engine.decide(
        build_input(
            ws.principal.policy_subject(),
            "update",
            ws.context(purpose),
            {**base, "type": "casus"},
        )
    )
    return decision.allow


def _explained_purpose(action: str, checklist: Checklist, default: str) -> str | None:
    """A share names its purpose explicitly (checklist); other actions fall back to the
    purpose of the phase (or of the item)."""
    return checklist.purpose if action == "share" else default


def explain_casus(
    ws: Workspace,
    casus_id: uuid.UUID,
    action: str,
    checklist: Checklist,
    category: str | None = None,
) -> Explanation:
    """Explain ``action`` on this casus, or on a (hypothetical) item of ``category``.

    The caller first needs action ``explain`` on the casus. For actions on one's own
    information (create, share, withhold, release) the caller's organisation is the source.
    """
    _refuse_unknown_codes(checklist)
    casus = ws.load_casus(casus_id)
    purpose = ws.purpose_for(casus, checklist.purpose)
    base = ws.resource(casus)
    ws.enforcer.decide(
        "explain", base, ws.context(purpose), Target("uitleg", str(casus.id), casus.id)
    )
    _check_explain_input(action, category)
    resource: dict[str, Any] = dict(base)
    if category is not None:
        resource = _item_resource(
            base,
            casus,
            category=category,
            source=ws.principal.organisation
            if action in SOURCE_ACTIONS and _involved(ws, base, purpose)
            else None,
            withheld=False,
            consent=consent_resource(ws, casus, purpose),
        )
    else:
        resource["consent"] = consent_resource(ws, casus, purpose)
    return explain(
        ws.enforcer.engine,
        ws.principal.policy_subject(),
        action,
        resource,
        ws.context(_explained_purpose(action, checklist, purpose), checklist.context()),
    )


def explain_item(
    ws: Workspace,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    action: str,
    checklist: Checklist,
) -> Explanation:
    """Explain ``action`` on an existing item (e.g. "mag ik dit item delen?")."""
    _refuse_unknown_codes(checklist)
    casus = ws.load_casus(casus_id)
    item = _load_item(ws, casus, item_id)
    purpose = ws.purpose_for(casus, checklist.purpose or item.purpose)
    resource = item_resource(ws, casus, item, purpose)
    ws.enforcer.decide(
        "explain", resource, ws.context(purpose), Target("uitleg", str(item.id), casus.id)
    )
    _check_explain_input(action, None)
    if action in ("read", "list") and not any(checklist.context().values()):
        context = _read_context(ws, item, purpose)
    else:
        context = ws.context(_explained_purpose(action, checklist, purpose), checklist.context())
    return explain(ws.enforcer.engine, ws.principal.policy_subject(), action, resource, context)


def explanation_view(explanation: Explanation) -> dict[str, Any]:
    """The explanation with Dutch keys, as the API returns it."""
    return {
        "actie": explanation.action,
        "toegestaan": explanation.allowed,
        "weergave": explanation.view,
        "toegestaan_door": [r.to_dict() for r in explanation.allowed_by],
        "geweigerd_door": [r.to_dict() for r in explanation.denied_by],
        "ontbreekt": list(explanation.missing),
        "gemaskeerd": list(explanation.mask),
        "verplichtingen": [o.to_dict() for o in explanation.obligations],
        "samenvatting": explanation.summary,
        "beleidsversie": explanation.policy_revision,
        "dataversie": explanation.data_revision,
    }
