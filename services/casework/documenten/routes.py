"""Documents (attachments) on a casus or an information item (API).

- ``POST .../documenten`` (multipart/form-data): ``bestand`` (the file), ``categorie``,
  ``omschrijving``, optional ``informatie_id`` and ``doel``. 201 with the document and its
  ETag; 413 when the file is larger than ``REGIETAFEL_DOCUMENT_MAX_BYTES``; 415 when its
  content is not PDF, PNG, JPEG or plain text (or not what was declared); 422 per field.
- ``GET .../documenten``: the documents the caller may see (policy per document).
- ``GET .../documenten/{id}/inhoud``: the file (an audited read for a purpose).
- ``DELETE .../documenten/{id}``: by the source organisation, with If-Match.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import anyio
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from services.casework.commands import Ws
from services.casework.documenten import service as documents
from services.casework.documenten.schemas import (
    DocumentenLijstOut,
    DocumentOut,
    DocumentVerwijderdOut,
)
from services.casework.documenten.sniff import ALLOWED
from services.casework.unit_of_work import CaseworkDeps, request_slots, workspace
from services.platform.config import DOCUMENT_MAX_CEILING, Settings
from services.platform.http.etag import etag, if_match_version
from services.platform.http.openapi import BY_ID, VERSIONED, problem_responses
from services.platform.http.problems import Problem, standard_problem
from services.platform.identity.guards import principal_of

Req = Request[Any, Any, Any]
Deps = NamedDependency[CaseworkDeps]
CasusId = FromPath[uuid.UUID]
DocumentId = FromPath[uuid.UUID]

#: The request body limit of an upload: the largest allowed setting plus the form around it.
UPLOAD_BODY_LIMIT = DOCUMENT_MAX_CEILING + 1024 * 1024


def too_large(error: documents.DocumentTooLarge) -> Problem:
    limit = documents.size_label(error.limit)
    return standard_problem(
        413,
        code="document-te-groot",
        title="Document te groot",
        detail=f"Het bestand is te groot ({documents.size_label(error.size)}); "
        f"het maximum is {limit}.",
        detail_en=f"The file is too large; the maximum is {error.limit} bytes.",
        extra={"errors": [{"field": "bestand", "message": f"Het bestand is groter dan {limit}."}]},
    )


def wrong_type(error: documents.UnsupportedType) -> Problem:
    return standard_problem(
        415,
        code="documenttype-niet-toegestaan",
        title="Bestandstype niet toegestaan",
        detail=error.message,
        detail_en="This file type is not allowed: PDF, PNG, JPEG or plain text only.",
        extra={
            "errors": [{"field": "bestand", "message": error.message}],
            "toegestaan": sorted(ALLOWED),
        },
    )


def content_disposition(filename: str) -> str:
    """An attachment header with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename)
    return (
        f"attachment; filename=\"{ascii_name or 'document'}\"; filename*=UTF-8''{quote(filename)}"
    )


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None


async def read_upload(request: Req) -> documents.Upload:
    """The multipart form as an Upload (missing parts become field problems later)."""
    form = await request.form()
    upload = form.get("bestand")
    content = b""
    filename = ""
    declared: str | None = None
    if isinstance(upload, UploadFile):
        content = await upload.read()
        filename = upload.filename or ""
        declared = upload.content_type
    item = _text(form.get("informatie_id"))
    try:
        item_id = uuid.UUID(item) if item else None
    except ValueError:
        item_id = uuid.UUID(int=0)  # never an item: 404 like any unknown id
    return documents.Upload(
        filename=filename.replace("\x00", ""),
        declared_type=declared,
        content=content,
        category=_text(form.get("categorie")) or None,
        description=(_text(form.get("omschrijving")) or "").replace("\x00", "") or None,
        item_id=item_id,
        purpose=_text(form.get("doel")) or None,
    )


def _out(document: Any, view: dict[str, Any], status: int = 200) -> Response[DocumentOut]:
    return Response(
        DocumentOut.model_validate(view),
        status_code=status,
        headers={"ETag": etag(document.version)},
    )


def _source_action(
    request: Req, ws: Ws, casus_id: uuid.UUID, document_id: uuid.UUID, *, withhold: bool
) -> Response[DocumentOut]:
    """Achterhouden or vrijgeven by the source (If-Match optional)."""
    change = documents.withhold_document if withhold else documents.release_document
    document = change(ws, casus_id, document_id, if_match_version(request))
    return _out(document, documents.document_view(ws, document, None))


class DocumentenController(Controller):
    """Documenten (bijlagen) bij een casus of informatie-item."""

    path = "/api/v1/casussen/{casus_id:uuid}/documenten"
    tags = ["documenten"]  # noqa: RUF012

    @post(
        "/",
        status_code=201,
        request_max_body_size=UPLOAD_BODY_LIMIT,
        responses=problem_responses(*BY_ID, 409, 413, 415),
        summary="Document toevoegen (multipart/form-data)",
        description=(
            "Stuur `multipart/form-data` met `bestand` (het bestand), `categorie` (de "
            "gegevenscategorie, zie de referentielijst), `omschrijving` en optioneel "
            "`informatie_id` (bijlage bij een informatie-item; dan geldt de categorie van het "
            "item) en `doel` (doelbinding; standaard het doel van de fase). Toegestaan: PDF, "
            "PNG, JPEG en platte tekst (UTF-8), vastgesteld aan de inhoud; groter dan "
            "`REGIETAFEL_DOCUMENT_MAX_BYTES` (standaard 10 MiB) is 413. Het document valt "
            "onder hetzelfde beleid als een informatie-item van die categorie."
        ),
    )
    async def upload(
        self, request: Req, casework: Deps, settings: NamedDependency[Settings], casus_id: CasusId
    ) -> Response[DocumentOut]:
        data = await read_upload(request)
        principal = principal_of(request)

        def run() -> Response[DocumentOut]:
            try:
                with workspace(casework, principal) as ws:
                    document = documents.upload(ws, casus_id, data, settings.document_max_bytes)
                    decision_view = documents.document_view(ws, document, None)
                    return _out(document, decision_view, 201)
            except documents.DocumentTooLarge as error:
                raise too_large(error) from None
            except documents.UnsupportedType as error:
                raise wrong_type(error) from None

        # The file is read first (no connection held during a slow upload); then the
        # request takes its slot before a connection, as every casework request does.
        async with request_slots(casework):
            return await anyio.to_thread.run_sync(run)

    @get(
        "/",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID),
        summary="Documenten van de casus die u mag zien",
    )
    def index(
        self, ws: Ws, casus_id: CasusId, doel: FromQuery[str | None] = None
    ) -> DocumentenLijstOut:
        found = documents.list_documents(ws, casus_id, doel)
        return DocumentenLijstOut.model_validate(
            {"items": found.documents, "niet_zichtbaar": found.hidden}
        )

    @get(
        "/{document_id:uuid}/inhoud",
        sync_to_thread=True,
        responses=problem_responses(*BY_ID),
        summary="Het bestand downloaden (gelogd, met doelbinding)",
        media_type="application/octet-stream",
    )
    def content(
        self,
        ws: Ws,
        casus_id: CasusId,
        document_id: DocumentId,
        doel: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        document, _ = documents.read_document(ws, casus_id, document_id, doel)
        body, name, version = document.content, document.filename, document.version
        return Response(
            body,
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": content_disposition(name),
                "ETag": etag(version),
                "Cache-Control": "no-store",
            },
        )

    @post(
        "/{document_id:uuid}/achterhouden",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID, *VERSIONED),
        summary="Document achterhouden (de bron beslist; If-Match optioneel)",
    )
    def withhold(
        self, request: Req, ws: Ws, casus_id: CasusId, document_id: DocumentId
    ) -> Response[DocumentOut]:
        return _source_action(request, ws, casus_id, document_id, withhold=True)

    @post(
        "/{document_id:uuid}/vrijgeven",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID, *VERSIONED),
        summary="Achtergehouden document vrijgeven (alleen de bron; If-Match optioneel)",
    )
    def release(
        self, request: Req, ws: Ws, casus_id: CasusId, document_id: DocumentId
    ) -> Response[DocumentOut]:
        return _source_action(request, ws, casus_id, document_id, withhold=False)

    @delete(
        "/{document_id:uuid}",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID, *VERSIONED),
        summary="Document verwijderen (door de bronorganisatie; If-Match vereist)",
    )
    def remove(
        self, request: Req, ws: Ws, casus_id: CasusId, document_id: DocumentId
    ) -> DocumentVerwijderdOut:
        documents.delete_document(ws, casus_id, document_id, if_match_version(request))
        return DocumentVerwijderdOut(id=str(document_id), casus_id=str(casus_id), verwijderd=True)
