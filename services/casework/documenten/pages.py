"""Documents on the casus page: the upload form (file, category, description), the list with
download links, and deleting one's own document. The same service as the API: the policy
decides, every download is an audited read, and problems come back in Dutch on the form
(too large, wrong type, no category)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from services.casework.documenten import service as documents
from services.casework.documenten.routes import UPLOAD_BODY_LIMIT, content_disposition, read_upload
from services.casework.documenten.sniff import ALLOWED
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.web.context import Viewer
from services.casework.web.kit import CasusId, Form, casus_action, submit
from services.casework.web.shell import PHASE_PURPOSE, Page, Req, Web, guarded, to_login
from services.casework.workspace import Workspace
from services.platform.config import Settings
from services.platform.identity.authn import PUBLIC
from tenants.reference import PURPOSES

DocumentId = FromPath[uuid.UUID]


def upload_form() -> dict[str, Any]:
    """What the upload form offers (reference data only)."""
    return {
        "categorieen": documents.CATEGORIES,
        "toegestaan": ", ".join(ALLOWED.values()),
    }


async def _source_action(
    request: Req,
    web: Web,
    viewer: Viewer | None,
    casus_id: uuid.UUID,
    document_id: uuid.UUID,
    *,
    withhold: bool,
) -> Response[Any]:
    def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
        def perform(ws: Workspace) -> str:
            if withhold:
                documents.withhold_document(ws, casus_id, document_id, form.version())
                return "document-achtergehouden"
            documents.release_document(ws, casus_id, document_id, form.version())
            return "document-vrijgegeven"

        key = f"document-{'achterhouden' if withhold else 'vrijgeven'}:{document_id}"
        return casus_action(viewer, web, casus_id, token, key, form, perform)

    return await submit(request, web, viewer, work)


class DocumentenPagesController(Controller):
    """Documenten toevoegen, downloaden en verwijderen vanaf de casuspagina."""

    path = "/"
    include_in_schema = False

    @post(
        "/casussen/{casus_id:uuid}/documenten",
        opt=PUBLIC,
        status_code=303,
        request_max_body_size=UPLOAD_BODY_LIMIT,
    )
    async def add(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        settings: NamedDependency[Settings],
        casus_id: CasusId,
    ) -> Response[Any]:
        data = await read_upload(request)

        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            def perform(ws: Workspace) -> str:
                try:
                    documents.upload(ws, casus_id, data, settings.document_max_bytes)
                except documents.DocumentTooLarge as error:
                    raise DomainValidationError(
                        [
                            FieldProblem(
                                "bestand",
                                f"Het bestand is te groot ({documents.size_label(error.size)}); "
                                f"het maximum is {documents.size_label(error.limit)}.",
                            )
                        ]
                    ) from None
                except documents.UnsupportedType as error:
                    raise DomainValidationError([FieldProblem("bestand", error.message)]) from None
                return "document-toegevoegd"

            return casus_action(viewer, web, casus_id, token, "document", form, perform)

        return await submit(request, web, viewer, work)

    @post(
        "/casussen/{casus_id:uuid}/documenten/{document_id:uuid}/verwijderen",
        opt=PUBLIC,
        status_code=303,
    )
    async def remove(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, document_id: DocumentId
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            def perform(ws: Workspace) -> str:
                documents.delete_document(ws, casus_id, document_id, form.version())
                return "document-verwijderd"

            return casus_action(
                viewer, web, casus_id, token, f"document-verwijderen:{document_id}", form, perform
            )

        return await submit(request, web, viewer, work)

    @post(
        "/casussen/{casus_id:uuid}/documenten/{document_id:uuid}/achterhouden",
        opt=PUBLIC,
        status_code=303,
    )
    async def withhold(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, document_id: DocumentId
    ) -> Response[Any]:
        return await _source_action(request, web, viewer, casus_id, document_id, withhold=True)

    @post(
        "/casussen/{casus_id:uuid}/documenten/{document_id:uuid}/vrijgeven",
        opt=PUBLIC,
        status_code=303,
    )
    async def release(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, document_id: DocumentId
    ) -> Response[Any]:
        return await _source_action(request, web, viewer, casus_id, document_id, withhold=False)

    @get(
        "/casussen/{casus_id:uuid}/documenten/{document_id:uuid}",
        opt=PUBLIC,
        sync_to_thread=True,
    )
    def download(
        self,
        request: Req,
        web: Web,
        viewer: Page,
        casus_id: CasusId,
        document_id: DocumentId,
        doel: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        purpose = doel if doel in PURPOSES else None
        found: list[Response[Any]] = []

        def page() -> Template:
            with viewer.attempt() as ws:
                document, _ = documents.read_document(ws, casus_id, document_id, purpose)
                found.append(
                    Response(
                        document.content,
                        media_type=document.media_type,
                        headers={
                            "Content-Disposition": content_disposition(document.filename),
                            "Cache-Control": "no-store",
                            "X-Content-Type-Options": "nosniff",
                        },
                    )
                )
            return Template("niet_gevonden.html")  # never rendered: the file above is sent

        shown = guarded(viewer, purpose or PHASE_PURPOSE, page)
        return found[0] if found else shown
