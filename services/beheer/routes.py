"""Operator API of the regional bureau: tenants from manifests (role platformbeheerder).

An operator acts only on the tenants of the bureau's own region; every action is audited
(:mod:`services.beheer.tenants`). An export needs ``doel`` and ``grondslag``; a manifest
whose plan is destructive is applied only with ``destructief_reden``.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session, sessionmaker

from services.beheer import tenants as ops
from services.beheer.schemas import AansluitingOut, TenantExportOut, TenantOut
from services.platform.db.models import Tenant, TenantStatus
from services.platform.http.openapi import BY_ID, WITH_BODY, problem_responses, success
from services.platform.http.problems import Problem, standard_problem
from services.platform.identity.guards import principal_of, require_roles
from tenants.diff import Change
from tenants.manifest import ManifestError, validate_text
from tenants.provision import ApplyResult, export_json

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
        "destructief": c.destructive,
    }


def _refused(error: ops.OperatorRefused) -> Problem:
    extra: dict[str, Any] = {}
    if isinstance(error, ops.DestructiveRefused):
        extra["destructief"] = [
            {"tenant": r.code, "wijzigingen": [_change_json(c) for c in r.destructive]}
            for r in error.results
        ]
    return standard_problem(
        error.status,
        code=error.code,
        detail=error.message_nl,
        detail_en=error.message_en,
        extra=extra,
    )


def _invalid(error: ops.InvalidRequest) -> Problem:
    return standard_problem(
        422,
        code="ongeldige-invoer",
        detail=" ".join(e.message_nl for e in error.errors) + " Er is niets gewijzigd.",
        detail_en=" ".join(e.message_en for e in error.errors) + " Nothing was changed.",
        extra={
            "errors": [
                {"field": e.field, "message": e.message_nl, "message_en": e.message_en}
                for e in error.errors
            ]
        },
    )


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

    @get(
        "/",
        sync_to_thread=True,
        summary="De tenants van de eigen regio",
        responses=problem_responses(),
    )
    def index(
        self, request: Request[Any, Any, Any], sessions: NamedDependency[sessionmaker[Session]]
    ) -> list[TenantOut]:
        operator = ops.Operator.of(principal_of(request))
        return [
            TenantOut.model_validate(_tenant_json(t)) for t in ops.list_tenants(sessions, operator)
        ]

    @post(
        "/",
        summary="Gemeente van de eigen regio aansluiten of bijwerken vanuit een manifest",
        description="Stuur het manifest (TOML) als `application/toml` of `text/plain`. "
        "Met `?proefdraai=true` wordt alleen het plan getoond. Een plan met destructieve "
        "wijzigingen (hernoemen of verplaatsen van een gemeente, verwijderen van organisaties "
        "of gebruikers met casuswerk) wordt alleen toegepast met `destructief_reden`.",
        responses={
            **problem_responses(409, 413, *WITH_BODY),
            200: success(AansluitingOut, "Proefdraai: alleen het plan, er is niets gewijzigd"),
        },
    )
    async def onboard(
        self,
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
        proefdraai: FromQuery[bool] = False,
        destructief_reden: FromQuery[str | None] = None,
    ) -> Response[AansluitingOut]:
        operator = ops.Operator.of(principal_of(request))
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
            results: list[ApplyResult]
            if proefdraai:
                results = await anyio.to_thread.run_sync(ops.plan, sessions, operator, [manifest])
            else:
                results = await anyio.to_thread.run_sync(
                    lambda: ops.apply(
                        sessions, operator, [manifest], allow_destructive=destructief_reden
                    )
                )
        except ManifestError as error:
            raise _manifest_problem(error) from None
        except ops.OperatorRefused as error:
            raise _refused(error) from None
        except ops.InvalidRequest as error:
            raise _invalid(error) from None
        result = results[0]
        return Response(
            AansluitingOut.model_validate(
                {
                    "code": result.code,
                    "naam": result.name,
                    "proefdraai": proefdraai,
                    "wijzigingen": [_change_json(c) for c in result.changes],
                    "destructief": bool(result.destructive),
                }
            ),
            status_code=200 if proefdraai else 201,
        )

    @post(
        "/{code:str}/opschorten",
        sync_to_thread=True,
        status_code=200,
        opt={"voorbeeld": {"reden": "Convenant beëindigd."}},
        responses=problem_responses(*BY_ID, 409, *WITH_BODY),
    )
    def suspend(
        self,
        code: FromPath[str],
        data: JSONBody[StatusChange],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> TenantOut:
        return self._set(request, sessions, code, TenantStatus.SUSPENDED, data.reden)

    @post(
        "/{code:str}/heractiveren",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(*BY_ID, 409),
    )
    def resume(
        self,
        code: FromPath[str],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
    ) -> TenantOut:
        return self._set(request, sessions, code, TenantStatus.ACTIVE, None)

    @get(
        "/{code:str}/export",
        sync_to_thread=True,
        summary="Alle gegevens van een tenant (JSON), met doel en grondslag",
        description="`doel`: een exportdoel (bijv. `beeindiging-aansluiting`); `grondslag`: "
        "`wettelijke-verplichting`, `publieke-taak` of `overeenkomst`; optioneel "
        "`toelichting`. Doel en grondslag komen in het auditlog van de gemeente en van het "
        "regionale bureau.",
        responses=problem_responses(*BY_ID, 409),
    )
    def export(
        self,
        code: FromPath[str],
        request: Request[Any, Any, Any],
        sessions: NamedDependency[sessionmaker[Session]],
        doel: FromQuery[str | None] = None,
        grondslag: FromQuery[str | None] = None,
        toelichting: FromQuery[str | None] = None,
    ) -> Response[TenantExportOut]:
        operator = ops.Operator.of(principal_of(request))
        try:
            archive = ops.export(
                sessions,
                operator,
                code,
                purpose=doel,
                legal_basis=grondslag,
                explanation=toelichting,
            )
        except ops.OperatorRefused as error:
            raise _refused(error) from None
        except ops.InvalidRequest as error:
            raise _invalid(error) from None
        # The archive as written to disk by the CLI (sorted keys, indented); its shape is
        # TenantExportOut.
        body: Any = export_json(archive)
        return Response(
            body,
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{code}-export.json"'},
        )

    @staticmethod
    def _set(
        request: Request[Any, Any, Any],
        sessions: sessionmaker[Session],
        code: str,
        status: TenantStatus,
        reason: str | None,
    ) -> TenantOut:
        operator = ops.Operator.of(principal_of(request))
        try:
            tenant = ops.set_status(sessions, operator, code, status, reason)
            return TenantOut.model_validate(_tenant_json(tenant))
        except ops.OperatorRefused as error:
            raise _refused(error) from None
