"""Information items of a casus: loading one the caller may know about, its policy resource,
its view under the reader's masks, and listing and reading them.

- An item has one data category, a source organisation (the organisation that added it),
  a purpose and legal basis, a withheld flag and a body.
- Until the source shares it, an item is visible to the source only (:mod:`.delen`); while
  withheld, nobody else sees it.
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

from services.casework.errors import NotFound
from services.casework.subjects import is_restricted, restricted_targets
from services.casework.toestemming.service import consent_resource, relies_on_consent
from services.casework.workspace import Workspace, ref
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import Casus, InformationItem
from services.platform.policy import Decision
from tenants.reference import DATA_CATEGORIES

RESOURCE_TYPE = "informatie_item"


def own_item(ws: Workspace, item: InformationItem) -> bool:
    """The caller's organisation is the item's source (tenant-qualified: an organisation id
    is unique only within its tenant)."""
    return (
        item.tenant_id == ws.principal.tenant
        and item.source_organisation_id == ws.principal.organisation
    )


def load_item(
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
    if item is None or not (own_item(ws, item) or item.shared):
        raise NotFound(str(item_id))
    return item


def build_item_resource(
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
    restricted: bool | None = None,
) -> dict[str, Any]:
    """The policy resource of an item (base and consent may be shared across a page, and
    whether it is restricted read for the page at once)."""
    resource = build_item_resource(
        base if base is not None else ws.resource(casus, RESOURCE_TYPE),
        casus,
        category=item.category,
        source=item.source_organisation_id,
        withheld=item.withheld,
        consent=consent if consent is not None else consent_resource(ws, casus, purpose),
    )
    if restricted is None:
        restricted = is_restricted(ws, "item", str(item.id), tenant=item.tenant_id)
    if restricted:
        # Beperking (art. 18 AVG): the policy refuses every processing (policies/avg.rego).
        resource["restricted"] = True
    return resource


def item_target(casus: Casus, item: InformationItem | None = None) -> Target:
    return Target(RESOURCE_TYPE, str(item.id) if item else str(casus.id), casus.id)


def read_context(ws: Workspace, item: InformationItem, purpose: str | None) -> dict[str, Any]:
    """Reading someone else's item relies on the basis it was shared on (consent included);
    the source's own processing does not."""
    if own_item(ws, item):
        return ws.context(purpose)
    return ws.context(
        purpose,
        {
            "legal_basis": item.legal_basis,
            "art9_exception": item.art9_exception,
            "beroepsgeheim_ground": item.beroepsgeheim_ground,
        },
    )


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
    own = own_item(ws, item)
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


def _items_query(about_subject: bool) -> sa.Select[InformationItem]:
    query = (
        sa.select(InformationItem)
        .where(
            InformationItem.tenant_id == sa.bindparam("tenant", type_=sa.String),
            InformationItem.casus_id == sa.bindparam("casus_id", type_=sa.Uuid),
            sa.or_(
                sa.and_(
                    InformationItem.tenant_id == sa.bindparam("own_tenant", type_=sa.String),
                    InformationItem.source_organisation_id
                    == sa.bindparam("own_organisation", type_=sa.String),
                ),
                InformationItem.shared,
            ),
        )
        .order_by(InformationItem.created_at, InformationItem.id)
    )
    if about_subject:
        return query.where(InformationItem.about_person_id.is_(None))
    return query.where(
        InformationItem.about_person_id == sa.bindparam("about_person_id", type_=sa.Uuid)
    )


#: The items of a casus the caller's organisation wrote or that were shared, in order: about
#: the casus subject, or (``about_person_id``) about one household member; built once
#: (issue 14). Parameters: ``tenant``, ``casus_id``, ``own_tenant``, ``own_organisation``
#: (and ``about_person_id``).
_SUBJECT_ITEMS = _items_query(about_subject=True)
_MEMBER_ITEMS = _items_query(about_subject=False)


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
    params: dict[str, Any] = {
        "tenant": casus.tenant_id,
        "casus_id": casus.id,
        "own_tenant": ws.principal.tenant,
        "own_organisation": ws.principal.organisation,
    }
    if about_person_id is None:
        query = _SUBJECT_ITEMS
    else:
        query, params["about_person_id"] = _MEMBER_ITEMS, about_person_id
    rows = list(ws.session.scalars(query, params))
    base = ws.resource(casus, RESOURCE_TYPE)
    consent = consent_resource(ws, casus, purpose)
    casus_resource = {**base, "type": "casus"}
    # Beperkingen of the page's items in one query (one per item before; issue 14).
    restricted = restricted_targets(ws, "item", [str(i.id) for i in rows], tenant=casus.tenant_id)
    decisions = ws.enforcer.decide_page(
        "list",
        [
            casus_resource,
            *(
                item_resource(ws, casus, i, purpose, base, consent, str(i.id) in restricted)
                for i in rows
            ),
        ],
        ws.context(purpose),
        [Target("casus", str(casus.id), casus.id), *(item_target(casus, i) for i in rows)],
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
        consent_based = not own_item(ws, item) and relies_on_consent(
            item.legal_basis, item.art9_exception, item.beroepsgeheim_ground
        )
        items.append(item_view(ws, item, decision, content=not consent_based))
    return ItemList(items, hidden)


def read_item(
    ws: Workspace, casus_id: uuid.UUID, item_id: uuid.UUID, purpose: str | None = None
) -> tuple[InformationItem, Decision]:
    casus = ws.load_casus(casus_id)
    item = load_item(ws, casus, item_id)
    purpose = ws.purpose_for(casus, purpose)
    decision = ws.enforcer.decide(
        "read",
        item_resource(ws, casus, item, purpose),
        read_context(ws, item, purpose),
        item_target(casus, item),
    )
    return item, decision
