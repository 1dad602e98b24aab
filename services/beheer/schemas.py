"""Response bodies of the operator API (tenants, dead letters)."""

from __future__ import annotations

from typing import Any

from services.platform.http.openapi import Out


class TenantOut(Out):
    code: str
    naam: str
    soort: str
    regio: str | None
    status: str
    status_reden: str | None
    manifest_sha256: str | None


class WijzigingOut(Out):
    actie: str
    onderdeel: str
    sleutel: str
    omschrijving: str
    destructief: str | None = None
    """Why this change destroys something (a rename, a removal); absent or null otherwise."""


class AansluitingOut(Out):
    """The plan (``proefdraai``) or the applied result of a manifest."""

    code: str
    naam: str
    proefdraai: bool
    wijzigingen: list[WijzigingOut]
    destructief: bool


class ExportTenantOut(Out):
    code: str
    name: str
    kind: str
    region: str | None
    status: str
    manifest: Any


class TenantExportOut(Out):
    """Every row of a tenant, per table (format ``regietafel-tenant-export``)."""

    format: str
    format_version: int
    exported_at: str
    tenant: ExportTenantOut
    tables: dict[str, list[dict[str, Any]]]
    row_counts: dict[str, int]


class DoodBerichtOut(Out):
    id: str
    bericht_id: str
    wachtrij: str
    taak: str
    argumenten: list[Any]
    pogingen: int
    fout: str
    mislukt_op: str
    opnieuw_verstuurd_op: str | None


class DodeBerichtenOut(Out):
    aantal: int
    items: list[DoodBerichtOut]


class OpnieuwVerstuurdOut(Out):
    id: str
    bericht_id: str
