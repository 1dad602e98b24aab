"""Operators act only on the tenants of their own region, and every operator action is
audited with its purpose (issue 9, defect 9).

Before the fix a platformbeheerder of Haaglanden exported Veenendaal (names, addresses,
special-category texts), suspended it and re-applied its manifest with an extra pga-expert
of their own, and nothing of it was audited.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_HAAGLANDEN,
    REGIO_HAAGLANDEN_PLATFORMBEHEERDER,
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    REGION_HAAGLANDEN,
    REGION_UTRECHT,
    TEST_MANIFESTS_DIR,
    VEENENDAAL,
    VEENENDAAL_PGA_EXPERT,
    WIJK_BIJ_DUURSTEDE,
    ZEIST,
    ZOETERMEER,
)

from services.cli.tenants import add_parser
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
BEHEER = "/api/v1/beheer/tenants"
INTRUDER = "indringer-expert"
EXTRA_EXPERT = f"""
[[users]]
id = "{INTRUDER}"
name = "Indringer Expert"
organisation = "gemeente-veenendaal-oov"
roles = ["pga-expert"]
"""


@pytest.fixture
def engine(runtime: Runtime) -> Iterator[sa.Engine]:
    """The owner role (no RLS) to read every tenant's audit log."""
    owner = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    yield owner
    owner.dispose()


def audit_rows(engine: sa.Engine, request_id: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT tenant_id, user_id, action, resource_id, purpose, legal_basis, "
                    "allowed, reasons, decision_input FROM audit_log WHERE request_id = :r "
                    "ORDER BY tenant_id"
                ),
                {"r": request_id},
            ).all()
        )


def with_request_id(headers: dict[str, str]) -> tuple[dict[str, str], str]:
    request_id = uuid.uuid4().hex
    return {**headers, "X-Request-ID": request_id}, request_id


def veenendaal_manifest() -> str:
    text = (TEST_MANIFESTS_DIR / "gm9345-veenendaal.toml").read_text(encoding="utf-8")
    assert 'id = "gemeente-veenendaal-oov"' in text
    return text


def test_an_operator_of_another_region_cannot_touch_a_gemeente(
    client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    haaglanden = token_for(REGIO_HAAGLANDEN, REGIO_HAAGLANDEN_PLATFORMBEHEERDER)
    veenendaal_user = token_for(VEENENDAAL, VEENENDAAL_PGA_EXPERT)

    headers, request_id = with_request_id(haaglanden)
    export = client.get(
        f"{BEHEER}/{VEENENDAAL}/export",
        params={"doel": "beeindiging-aansluiting", "grondslag": "publieke-taak"},
        headers=headers,
    )
    assert export.status_code == 403, export.text[:300]
    assert export.headers["content-type"].startswith("application/problem+json")
    assert export.json()["code"] == "regio-anders"
    rows = audit_rows(engine, request_id)
    # The refused attempt is on record in Veenendaal's log and in the bureau's own log.
    assert {r.tenant_id for r in rows} == {VEENENDAAL, REGIO_HAAGLANDEN}
    for row in rows:
        assert row.allowed is False
        assert row.action == "tenant-export"
        assert row.user_id == f"{REGIO_HAAGLANDEN}/{REGIO_HAAGLANDEN_PLATFORMBEHEERDER}"
        assert row.reasons == ["regio-anders"]

    suspend = client.post(
        f"{BEHEER}/{VEENENDAAL}/opschorten", json={"reden": "overname"}, headers=haaglanden
    )
    assert suspend.status_code == 403
    assert client.post(f"{BEHEER}/{VEENENDAAL}/heractiveren", headers=haaglanden).status_code == 403
    assert client.get("/api/v1/mij", headers=veenendaal_user).status_code == 200

    for proefdraai in ("true", "false"):
        applied = client.post(
            BEHEER,
            params={"proefdraai": proefdraai},
            content=veenendaal_manifest() + EXTRA_EXPERT,
            headers={**haaglanden, "Content-Type": "application/toml"},
        )
        assert applied.status_code == 403, applied.text
        assert applied.json()["code"] == "regio-anders"
    assert client.get("/api/v1/mij", headers=token_for(VEENENDAAL, INTRUDER)).status_code == 401

    # A manifest of the own region cannot be pointed at another region either.
    moved = veenendaal_manifest().replace(
        f'region = "{REGION_UTRECHT}"', f'region = "{REGION_HAAGLANDEN}"'
    )
    assert moved != veenendaal_manifest()
    response = client.post(
        BEHEER, content=moved, headers={**haaglanden, "Content-Type": "application/toml"}
    )
    assert response.status_code == 403


def test_the_list_holds_only_the_own_region_and_is_audited(
    client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    headers, request_id = with_request_id(
        token_for(REGIO_HAAGLANDEN, REGIO_HAAGLANDEN_PLATFORMBEHEERDER)
    )
    listing = client.get(BEHEER, headers=headers)
    assert listing.status_code == 200
    assert {t["code"] for t in listing.json()} == {ZOETERMEER, REGIO_HAAGLANDEN}
    (row,) = audit_rows(engine, request_id)
    assert (row.tenant_id, row.action, row.purpose, row.allowed) == (
        REGIO_HAAGLANDEN,
        "tenant-list",
        "platformbeheer",
        True,
    )
    assert row.decision_input["tenants"] == [ZOETERMEER, REGIO_HAAGLANDEN]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"doel", "grondslag"}),
        ({"doel": "nieuwsgierigheid", "grondslag": "publieke-taak"}, {"doel"}),
        ({"doel": "inzageverzoek", "grondslag": "gerechtvaardigd-belang"}, {"grondslag"}),
    ],
)
def test_an_export_needs_a_known_purpose_and_legal_basis(
    client: TestClient[Litestar],
    token_for: Headers,
    engine: sa.Engine,
    params: dict[str, str],
    fields: set[str],
) -> None:
    headers, request_id = with_request_id(token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER))
    response = client.get(f"{BEHEER}/{ZEIST}/export", params=params, headers=headers)
    assert response.status_code == 422, response.text[:300]
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert "Zeist" not in response.text
    assert audit_rows(engine, request_id) == []


def test_an_export_in_the_own_region_records_purpose_and_legal_basis(
    client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    headers, request_id = with_request_id(token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER))
    response = client.get(
        f"{BEHEER}/{ZEIST}/export",
        params={
            "doel": "beeindiging-aansluiting",
            "grondslag": "publieke-taak",
            "toelichting": "Convenant per 1 januari beëindigd (kenmerk ZVH-2026-17).",
        },
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["tenant"]["code"] == ZEIST
    rows = audit_rows(engine, request_id)
    assert {r.tenant_id for r in rows} == {ZEIST, REGIO_UTRECHT}
    for row in rows:
        assert row.action == "tenant-export"
        assert row.resource_id == ZEIST
        assert row.purpose == "beeindiging-aansluiting"
        assert row.legal_basis == "publieke-taak"
        assert row.allowed is True
        assert row.decision_input["toelichting"].startswith("Convenant per 1 januari")
        assert row.decision_input["beheerder"]["gebruiker"] == REGIO_UTRECHT_PLATFORMBEHEERDER


def test_plan_apply_suspend_and_resume_are_audited(
    client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    operator = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
    text = (TEST_MANIFESTS_DIR / "gm9352-wijk-bij-duurstede.toml").read_text(encoding="utf-8")
    expected: list[tuple[str, Any]] = []
    for action, call in (
        (
            "tenant-plan",
            lambda h: client.post(
                BEHEER,
                params={"proefdraai": "true"},
                content=text,
                headers={**h, "Content-Type": "application/toml"},
            ),
        ),
        (
            "tenant-apply",
            lambda h: client.post(
                BEHEER, content=text, headers={**h, "Content-Type": "application/toml"}
            ),
        ),
        (
            "tenant-suspend",
            lambda h: client.post(
                f"{BEHEER}/{WIJK_BIJ_DUURSTEDE}/opschorten", json={"reden": "test"}, headers=h
            ),
        ),
        (
            "tenant-resume",
            lambda h: client.post(f"{BEHEER}/{WIJK_BIJ_DUURSTEDE}/heractiveren", headers=h),
        ),
    ):
        headers, request_id = with_request_id(operator)
        response = call(headers)
        assert response.status_code in (200, 201), response.text
        expected.append((action, audit_rows(engine, request_id)))
    for action, rows in expected:
        assert {r.tenant_id for r in rows} == {WIJK_BIJ_DUURSTEDE, REGIO_UTRECHT}, action
        for row in rows:
            assert (row.action, row.purpose, row.allowed) == (action, "platformbeheer", True)
            assert row.resource_id == WIJK_BIJ_DUURSTEDE


def _cli(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["tenants", *argv])


def test_the_command_line_is_not_region_bound_but_audits_every_action(
    runtime: Runtime,
    engine: sa.Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    test_tenants: object,
) -> None:
    with pytest.raises(SystemExit):  # an export without purpose and legal basis
        _cli("export", ZOETERMEER)
    capsys.readouterr()

    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT max(at) FROM audit_log")).scalar_one()
    out = tmp_path / "zoetermeer.json"
    args = _cli(
        "export",
        ZOETERMEER,
        "-o",
        str(out),
        "--doel",
        "verzoek-toezichthouder",
        "--grondslag",
        "wettelijke-verplichting",
    )
    assert args.func(args, runtime.settings) == 0
    assert out.stat().st_mode & 0o077 == 0
    args = _cli("list")
    assert args.func(args, runtime.settings) == 0
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT tenant_id, user_id, action, purpose, legal_basis FROM audit_log "
                "WHERE at > :t AND user_id LIKE 'console/%' ORDER BY action, tenant_id"
            ),
            {"t": before},
        ).all()
    exports = [r for r in rows if r.action == "tenant-export"]
    assert {r.tenant_id for r in exports} == {ZOETERMEER, REGIO_HAAGLANDEN}
    assert {(r.purpose, r.legal_basis) for r in exports} == {
        ("verzoek-toezichthouder", "wettelijke-verplichting")
    }
    lists = [r for r in rows if r.action == "tenant-list"]
    # At every regional bureau (the demo's bureaus too, when a demo test shares the database).
    with engine.connect() as conn:
        bureaus = set(conn.scalars(sa.text("SELECT code FROM tenants WHERE kind = 'regio'")))
    assert {REGIO_HAAGLANDEN, REGIO_UTRECHT} <= bureaus
    assert {r.tenant_id for r in lists} == bureaus
    assert ZOETERMEER in capsys.readouterr().out
