"""Documents on a casus or an information item, under the same policy as items.

A document has one data category (from the reference data) and a source organisation (the
uploader's). Every decision uses the policy resource of an information item
(``informatie_item``: category, source, withheld, restricted), so the convenant grants, the
doelbinding, the source's right to withhold, art. 9 and beroepsgeheim and the beperking
(art. 18) apply exactly as for items; the audit rows name the document (target
``document``).

- A document on an item follows the item: only who may know the item (its source, or
  everyone once it is shared) finds the document, and a withheld or restricted item withholds
  or restricts its documents.
- Reading the content (download) is an audited read with a purpose; a reduced view
  (pseudonymised, anonymised) or a masked category gives no content.
- Deleting is for the source organisation, with If-Match.
- The size limit is a setting (``REGIETAFEL_DOCUMENT_MAX_BYTES``); the type is found by the
  content (:mod:`services.casework.documenten.sniff`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from services.casework.documenten.sniff import ALLOWED, GENERIC, declared, sniff
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound
from services.casework.subjects import is_restricted
from services.casework.workspace import Workspace, ref
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import Casus, Document, InformationItem
from services.platform.policy import Decision
from tenants.reference import DATA_CATEGORIES, PURPOSES

#: The policy resource type: a document is judged as an information item of its category.
RESOURCE_TYPE: Final = "informatie_item"
#: What the audit rows name.
TARGET: Final = "document"
#: Categories a document can have (derden belong to a household member: not for documents).
CATEGORIES: Final[Mapping[str, str]] = {
    code: label for code, label in DATA_CATEGORIES.items() if code != "derden"
}
MAX_FILENAME: Final = 200
MAX_DESCRIPTION: Final = 2_000


class DocumentTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} > {limit}")
        self.size = size
        self.limit = limit


class UnsupportedType(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Upload:
    filename: str
    declared_type: str | None
    content: bytes
    category: str | None
    description: str | None
    item_id: uuid.UUID | None = None
    purpose: str | None = None


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


# ---------------------------------------------------------------------------------------------
# Policy resources
# ---------------------------------------------------------------------------------------------


def _own(ws: Workspace, tenant: str, organisation: str) -> bool:
    return tenant == ws.principal.tenant and organisation == ws.principal.organisation


def _subject_restricted(ws: Workspace, casus: Casus) -> bool:
    """Whether the casus subject is under an active restriction (of the casus's tenant). No
    query when the casus page loaded the subject with the casus in this transaction
    (``Workspace.load_casus(subject=True)``: the same condition, ``restricted_person``)."""
    if casus.subject_person_id is None:
        return False
    known = ws.known_subject(casus)
    if known is not None and known[0] is not None:
        return known[1]
    return is_restricted(ws, "persoon", str(casus.subject_person_id), tenant=casus.tenant_id)


def _resource(
    base: Mapping[str, Any],
    casus: Casus,
    *,
    category: str,
    source: str,
    withheld: bool,
    restricted: bool,
) -> dict[str, Any]:
    resource = dict(base)
    resource["type"] = RESOURCE_TYPE
    resource["category"] = category
    resource["source_organisation"] = ref(casus.tenant_id, source)
    resource["withheld"] = withheld
    resource["contains_person_identifiers"] = casus.kind == "persoon" or category != "algemeen"
    if restricted:
        resource["restricted"] = True
    return resource


def _document_resource(
    ws: Workspace,
    casus: Casus,
    document: Document,
    item: InformationItem | None,
    base: Mapping[str, Any],
    subject_restricted: bool,
) -> dict[str, Any]:
    return _resource(
        base,
        casus,
        category=document.category,
        source=document.source_organisation_id,
        withheld=document.withheld or bool(item and item.withheld),
        restricted=subject_restricted
        or bool(item and is_restricted(ws, "item", str(item.id), tenant=item.tenant_id)),
    )


def _target(casus: Casus, document: Document | None = None) -> Target:
    return Target(TARGET, str(document.id) if document else None, casus.id)


def _visible_item(ws: Workspace, casus: Casus, item_id: uuid.UUID) -> InformationItem:
    """An item of this casus the caller may know about (its own, or a shared one)."""
    item = ws.session.scalars(
        sa.select(InformationItem).where(
            InformationItem.tenant_id == casus.tenant_id,
            InformationItem.casus_id == casus.id,
            InformationItem.id == item_id,
        )
    ).first()
    if item is None or not (_own(ws, item.tenant_id, item.source_organisation_id) or item.shared):
        raise NotFound(str(item_id))
    return item


def _items_of(ws: Workspace, casus: Casus, ids: set[uuid.UUID]) -> dict[uuid.UUID, InformationItem]:
    if not ids:
        return {}
    rows = ws.session.scalars(
        sa.select(InformationItem).where(
            InformationItem.tenant_id == casus.tenant_id, InformationItem.id.in_(ids)
        )
    )
    return {row.id: row for row in rows}


def _known_to_caller(ws: Workspace, item: InformationItem | None) -> bool:
    return item is None or _own(ws, item.tenant_id, item.source_organisation_id) or item.shared


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def document_view(ws: Workspace, document: Document, decision: Decision | None) -> dict[str, Any]:
    """The document as this reader may see it: a reduced view or a masked category shows the
    category and size only (a file name or description can name persons). ``decision`` None:
    the answer to the upload itself (the uploader sees what it sent)."""
    mask = decision.mask if decision is not None else frozenset()
    full = decision is None or (decision.view == "full" and document.category not in mask)
    return {
        "id": str(document.id),
        "casus_id": str(document.casus_id),
        "informatie_id": str(document.item_id) if document.item_id else None,
        "categorie": document.category,
        "categorie_label": DATA_CATEGORIES.get(document.category, document.category),
        "bronorganisatie": document.source_organisation_id,
        "eigen_bron": _own(ws, document.tenant_id, document.source_organisation_id),
        "doel": document.purpose,
        "bestandsnaam": document.filename if full else None,
        "omschrijving": document.description if full else None,
        "mediatype": document.media_type,
        "grootte": document.size,
        "grootte_label": size_label(document.size),
        "sha256": document.sha256 if full else None,
        "achtergehouden": document.withheld,
        "geupload_door": document.uploaded_by if full else None,
        "geupload_op": document.uploaded_at.isoformat(),
        "versie": document.version,
        "inhoud_zichtbaar": full,
        "gemaskeerd": sorted({*mask, *([] if full else [document.category])}),
    }


# ---------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------


def _check_content(data: Upload, max_bytes: int) -> str:
    """Size first (413), then the type by content (415). Returns the sniffed type."""
    if len(data.content) > max_bytes:
        raise DocumentTooLarge(len(data.content), max_bytes)
    found = sniff(data.content)
    allowed = ", ".join(ALLOWED.values())
    if found is None:
        raise UnsupportedType(
            f"Dit bestandstype is niet toegestaan. Toegestaan zijn: {allowed}. De inhoud van "
            "het bestand is gecontroleerd, niet alleen de naam."
        )
    given = declared(data.declared_type)
    if given not in GENERIC and given != found:
        raise UnsupportedType(
            f"Het bestand is opgegeven als '{given[:60]}', maar de inhoud is "
            f"{ALLOWED[found]}. Toegestaan zijn: {allowed}."
        )
    return found


def _field_problems(data: Upload) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not data.category:
        problems.append(FieldProblem("categorie", "Kies de categorie van de gegevens."))
    elif data.category not in CATEGORIES:
        problems.append(FieldProblem("categorie", f"Onbekende categorie '{data.category[:40]}'."))
    if not data.content:
        problems.append(
            FieldProblem("bestand", "Kies een bestand (het bestand is leeg of ontbreekt).")
        )
    elif not data.filename.strip():
        problems.append(FieldProblem("bestand", "Het bestand heeft geen naam."))
    elif len(data.filename) > MAX_FILENAME:
        problems.append(
            FieldProblem("bestand", f"De bestandsnaam is te lang (maximaal {MAX_FILENAME}).")
        )
    if not (data.description or "").strip():
        problems.append(FieldProblem("omschrijving", "Beschrijf kort wat het document is."))
    elif len(data.description or "") > MAX_DESCRIPTION:
        problems.append(
            FieldProblem(
                "omschrijving", f"De omschrijving is te lang (maximaal {MAX_DESCRIPTION} tekens)."
            )
        )
    if data.purpose is not None and data.purpose not in PURPOSES:
        problems.append(FieldProblem("doel", f"Onbekend doel '{data.purpose[:40]}'."))
    return problems


def upload(ws: Workspace, casus_id: uuid.UUID, data: Upload, max_bytes: int) -> Document:
    """Store a document on the casus (or on one of its items). Nothing is written unless
    every check and the policy allow it."""
    casus = ws.load_casus(casus_id)
    if casus.tenant_id != ws.principal.tenant:
        # A casus shared with this tenant (opschaling) is read-only here (ADR 0017).
        raise NotFound(str(casus_id))
    # Size (413) and type (415) of a file that was sent; no file is a field problem below.
    media_type = _check_content(data, max_bytes) if data.content else ""
    purpose = ws.purpose_for(casus, data.purpose if data.purpose in PURPOSES else None)
    item = _visible_item(ws, casus, data.item_id) if data.item_id else None
    problems = _field_problems(data)
    if item is not None and data.category and data.category != item.category:
        problems.append(
            FieldProblem(
                "categorie",
                f"Een bijlage heeft de categorie van haar item "
                f"({DATA_CATEGORIES.get(item.category, item.category)}).",
            )
        )
    base = ws.resource(casus, RESOURCE_TYPE)
    if problems:
        # Bad input, but first: may the caller work on this casus at all? (No answer about
        # its content to someone who may not; the question is audited like any other.)
        ws.enforcer.decide("list", {**base, "type": "casus"}, ws.context(purpose), _target(casus))
        raise DomainValidationError(problems)
    assert data.category is not None
    if item is not None:
        # Attaching to an item changes the item: as its source may (policy, action update).
        action = "update"
        resource = _resource(
            base,
            casus,
            category=item.category,
            source=item.source_organisation_id,
            withheld=item.withheld,
            restricted=_subject_restricted(ws, casus)
            or is_restricted(ws, "item", str(item.id), tenant=item.tenant_id),
        )
    else:
        action = "create"
        resource = _resource(
            base,
            casus,
            category=data.category,
            source=ws.principal.organisation,
            withheld=False,
            restricted=_subject_restricted(ws, casus),
        )
    ws.enforcer.decide(action, resource, ws.context(purpose), _target(casus))
    if item is not None and not _own(ws, item.tenant_id, item.source_organisation_id):
        raise Conflict(
            "alleen-bron",
            "Alleen de bronorganisatie van het item kan er een bijlage aan toevoegen.",
        )
    document = Document(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        item_id=item.id if item else None,
        category=data.category,
        source_organisation_id=ws.principal.organisation,
        purpose=purpose,
        filename=data.filename.strip()[:MAX_FILENAME],
        media_type=media_type,
        size=len(data.content),
        sha256=hashlib.sha256(data.content).hexdigest(),
        description=(data.description or "").strip(),
        content=data.content,
        withheld=False,
        uploaded_by=ws.principal.user_id,
        uploaded_at=ws.enforcer.now,
        version=1,
    )
    ws.session.add(document)
    ws.event(
        casus,
        "document",
        f"Document toegevoegd ({CATEGORIES[data.category].split(' (')[0].lower()}).",
    )
    ws.session.flush()
    return document


# ---------------------------------------------------------------------------------------------
# Listing, reading, deleting
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentList:
    documents: list[dict[str, Any]]
    hidden: int


#: The documents of a casus in upload order, built once (issue 14). Parameters: ``tenant``,
#: ``casus_id``.
_DOCUMENTS = (
    sa.select(Document)
    .where(
        Document.tenant_id == sa.bindparam("tenant", type_=sa.String),
        Document.casus_id == sa.bindparam("casus_id", type_=sa.Uuid),
    )
    .order_by(Document.uploaded_at, Document.id)
)


def list_documents(ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None) -> DocumentList:
    """The documents of a casus this caller may see, decided in one policy query (the casus
    first, then each document as an item of its category); refused ones are counted."""
    casus = ws.load_casus(casus_id)
    purpose = ws.purpose_for(casus, purpose)
    rows = list(ws.session.scalars(_DOCUMENTS, {"tenant": casus.tenant_id, "casus_id": casus.id}))
    items = _items_of(ws, casus, {d.item_id for d in rows if d.item_id})
    rows = [d for d in rows if _known_to_caller(ws, items.get(d.item_id) if d.item_id else None)]
    base = ws.resource(casus, RESOURCE_TYPE)
    # Only the documents' resources carry it: no lookup for a casus without documents.
    restricted = _subject_restricted(ws, casus) if rows else False
    decisions = ws.enforcer.decide_page(
        "list",
        [
            {**base, "type": "casus"},
            *(
                _document_resource(
                    ws, casus, d, items.get(d.item_id) if d.item_id else None, base, restricted
                )
                for d in rows
            ),
        ],
        ws.context(purpose),
        [Target("casus", str(casus.id), casus.id), *(_target(casus, d) for d in rows)],
    )
    if not decisions[0].allow:
        raise AccessDenied(decisions[0], "list")
    shown: list[dict[str, Any]] = []
    hidden = 0
    for document, decision in zip(rows, decisions[1:], strict=True):
        if decision.allow:
            shown.append(document_view(ws, document, decision))
        else:
            hidden += 1
    return DocumentList(shown, hidden)


def _load(
    ws: Workspace,
    casus: Casus,
    document_id: uuid.UUID,
    *,
    content: bool = False,
    for_update: bool = False,
) -> tuple[Document, InformationItem | None]:
    query = sa.select(Document).where(
        Document.tenant_id == casus.tenant_id,
        Document.casus_id == casus.id,
        Document.id == document_id,
    )
    if content:
        query = query.options(undefer(Document.content))
    if for_update:
        query = query.with_for_update()
    document = ws.session.scalars(query).first()
    if document is None:
        raise NotFound(str(document_id))
    item = (
        _items_of(ws, casus, {document.item_id}).get(document.item_id) if document.item_id else None
    )
    if not _known_to_caller(ws, item):
        raise NotFound(str(document_id))
    return document, item


def read_document(
    ws: Workspace, casus_id: uuid.UUID, document_id: uuid.UUID, purpose: str | None = None
) -> tuple[Document, Decision]:
    """The document with its content: an audited read for a purpose. A reduced view or a
    masked category is refused (the content cannot be shown in part)."""
    casus = ws.load_casus(casus_id)
    document, item = _load(ws, casus, document_id, content=True)
    purpose = ws.purpose_for(casus, purpose)
    decision = ws.enforcer.decide(
        "read",
        _document_resource(
            ws,
            casus,
            document,
            item,
            ws.resource(casus, RESOURCE_TYPE),
            _subject_restricted(ws, casus),
        ),
        ws.context(purpose),
        _target(casus, document),
    )
    if decision.view != "full" or document.category in decision.mask:
        raise AccessDenied(decision, "read")
    return document, decision


def delete_document(
    ws: Workspace, casus_id: uuid.UUID, document_id: uuid.UUID, expected_version: int | None
) -> None:
    """Only the source organisation deletes its document (If-Match required)."""
    casus = ws.load_casus(casus_id)
    document, item = _load(ws, casus, document_id, for_update=True)
    ws.enforcer.decide(
        "update",
        _document_resource(
            ws,
            casus,
            document,
            item,
            ws.resource(casus, RESOURCE_TYPE),
            _subject_restricted(ws, casus),
        ),
        ws.context(ws.purpose_for(casus, None)),
        _target(casus, document),
    )
    if not _own(ws, document.tenant_id, document.source_organisation_id):
        raise Conflict(
            "alleen-bron",
            "Alleen de organisatie die het document heeft toegevoegd kan het verwijderen.",
        )
    with ws.changing(document, expected_version):
        ws.session.delete(document)
        ws.event(casus, "document", "Document verwijderd.")


def _set_withheld(
    ws: Workspace,
    casus_id: uuid.UUID,
    document_id: uuid.UUID,
    expected_version: int | None,
    *,
    withhold: bool,
) -> Document:
    """The source withholds its document (for example a lopend onderzoek) or releases it:
    while withheld nobody else finds it (policy rule 5, as for items)."""
    casus = ws.load_casus(casus_id)
    document, _item = _load(ws, casus, document_id, for_update=True)
    action = "withhold" if withhold else "release"
    resource = _document_resource(
        ws,
        casus,
        document,
        None,  # the document's own flag: an item's flag is the item's to change
        ws.resource(casus, RESOURCE_TYPE),
        _subject_restricted(ws, casus),
    )
    ws.enforcer.decide(action, resource, ws.context(document.purpose), _target(casus, document))
    if withhold and document.withheld:
        raise Conflict("al-achtergehouden", "Dit document is al achtergehouden.")
    with ws.changing(document, expected_version, required=False):
        document.withheld = withhold
        ws.event(
            casus,
            "informatie-bron",
            "Document achtergehouden door de bron."
            if withhold
            else "Document vrijgegeven door de bron.",
        )
    return document


def withhold_document(
    ws: Workspace, casus_id: uuid.UUID, document_id: uuid.UUID, expected_version: int | None
) -> Document:
    return _set_withheld(ws, casus_id, document_id, expected_version, withhold=True)


def release_document(
    ws: Workspace, casus_id: uuid.UUID, document_id: uuid.UUID, expected_version: int | None
) -> Document:
    return _set_withheld(ws, casus_id, document_id, expected_version, withhold=False)
