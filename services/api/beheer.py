"""Operator API of the regional bureau: tenants from manifests (role platformbeheerder)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from services.api.guards import require_roles
from services.api.problems import standard_problem
from services.db.models import Tenant, TenantStatus
from tenants.diff import Change
from tenants.manifest import ManifestError, validate_text
from tenants.provision import (
    UnknownTenant,
    apply_manifests,
    export_json,
    export_tenant,
    list_tenants,
    plan_manifests,
    set_status,
)

MAX_MANIFEST_BYTES = 256 * 1024


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reden: Annotated[str, Field(max_length=2_000)] | None = None


def _tenant_json(t: Tenant) -> dict[str, Any]:
    return {
        "code": t.code,
        "naam": t.name,
        "soort": t.kind.value,
        "regio": t.region,
        "status": t.status.value,
        "status_reden": t.status_reason,
        "manifest_sha256": t.manifest_sha256,
    }


def _change_json(c: Change) -> dict[str, Any]:
    return {
        "actie": c.action,
        "onderdeel": c.entity,
        "sleutel": c.key,
        "omschrijving": c.description,
    }


def _manifest_problem(error: ManifestError) -> Exception:
    return standard_problem(
        422,
        code="manifest-ongeldig",
        title="Manifest ongeldig",
        title_en="Invalid manifest",
        detail=f"{error.source}: {error.field or '(bestand)'}: {error.message_nl}. "
        "Er is niets gewijzigd.",
        detail_en=f"{error.source}: {error.field or '(file)'}: {error.message_en}. "
        "Nothing was changed.",
        extra={
            "errors": [
                {
                    "field": i.field,
                    "message": i.message_nl,
                    "message_en": i.message_en,
                    "source": i.source,
                }
                for i in error.issues
            ]
        },
    )


class BeheerController(Controller):
    path = "/api/v1/beheer/tenants"
    tags = ["beheer"]  # noqa: RUF012
    guards = [require_roles("platformbeheerder", regio=True)]  # noqa: RUF012

    @get("/", sync_to_thread=True, summary="Alle tenants")
    def index(self, sessions: NamedDependency[sessionmaker[Session]]) -> list[dict[str, Any]]:
        return [_tenant_json(t) for t in list_tenants(sessions)]

    @post(
        "/",
        summary="Gemeente aansluiten of bijwerken vanuit een manifest (TOML in de body)",
        description="Stuur het manifest als `application/toml` of `text/plain`. "
        "Met `?proefdraai=true` wordt alleen het plan getoond.",
    )
    async def onboard(
        self,
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
        proefdraai: FromQuery[bool] = False,
    ) -> Response[dict[str, Any]]:
        body = await request.body()
        if len(body) > MAX_MANIFEST_BYTES:
            raise standard_problem(413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise standard_problem(
                422, code="manifest-ongeldig", detail="Het manifest is geen UTF-8-tekst."
            ) from None
        try:
            manifest = validate_text(text, "upload")
            if proefdraai:
                results = await anyio.to_thread.run_sync(plan_manifests, sessions, [manifest])
            else:
                results = await anyio.to_thread.run_sync(apply_manifests, sessions, [manifest])
        except ManifestError as error:
            raise _manifest_problem(error) from None
        result = results[0]
        return Response(
            {
                "code": result.code,
                "naam": result.name,
                "proefdraai": proefdraai,
                "wijzigingen": [_change_json(c) for c in result.changes],
            },
            status_code=200 if proefdraai else 201,
        )

    @post(
        "/{code:str}/opschorten",
        sync_to_thread=True,
        status_code=200,
        opt={"voorbeeld": {"reden": "Convenant beëindigd."}},
    )
    def suspend(
        self,
        code: FromPath[str],
        data: JSONBody[StatusChange],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> dict[str, Any]:
        return self._set(sessions, code, TenantStatus.SUSPENDED, data.reden)

    @post("/{code:str}/heractiveren", sync_to_thread=True, status_code=200)
    def resume(
        self, code: FromPath[str], sessions: NamedDependency[sessionmaker[Session]]
    ) -> dict[str, Any]:
        return self._set(sessions, code, TenantStatus.ACTIVE, None)

    @get("/{code:str}/export", sync_to_thread=True, summary="Alle gegevens van een tenant (JSON)")
    def export(
        self, code: FromPath[str], sessions: NamedDependency[sessionmaker[Session]]
    ) -> Response[str]:
        try:
            archive = export_tenant(sessions, code)
        except UnknownTenant:
            raise standard_problem(404) from None
        return Response(
            export_json(archive),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{code}-export.json"'},
        )

    @staticmethod
    def _set(
        sessions: sessionmaker[Session],
        code: FromPath[str],
        status: TenantStatus,
        reason: str | None,
    ) -> dict[str, Any]:
        try:
            return _tenant_json(set_status(sessions, code, status, reason))
        except UnknownTenant:
            raise standard_problem(404) from None
