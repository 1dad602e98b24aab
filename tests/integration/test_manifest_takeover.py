"""A manifest with another gemeente's code cannot silently take it over (issue 9, defect 11).

Before the fix, applying a manifest for Amersfoort with ``gemeentecode = "GM9355"`` renamed
Zeist and removed its users; the new procesregisseur listed all Zeist casussen. The plan
now flags renames and the removal of organisations and users that have casework as
destructive, and apply refuses them without an explicit, audited override.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    REGION_UTRECHT,
    ZEIST,
    ZEIST_BEHEERDER,
    ZEIST_WIJKAGENT,
)

from services.cli.tenants import add_parser
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
BEHEER = "/api/v1/beheer/tenants"

AMERSFOORT = f"""
gemeentecode = "{{code}}"
name = "Amersfoort"
kind = "gemeente"
region = "{REGION_UTRECHT}"

[age_band]
min = 16
max = 27

[inclusion]
minimum_met = 1

[[inclusion.criteria]]
id = "overlast"
text = "Herhaaldelijk overlast of criminaliteit."

[retention]
default_months = 60

[[organisations]]
id = "gemeente-amersfoort-oov"
name = "Gemeente Amersfoort, OOV"
domain = "gemeente-oov"

[[grants]]
domains = ["gemeente-oov"]
categories = ["algemeen", "identificerend"]
purposes = ["aanmelding", "triage", "casusoverleg"]

[[users]]
id = "{{user}}"
name = "Amy Regisseur"
organisation = "gemeente-amersfoort-oov"
roles = ["pga-expert", "tenantbeheerder"]
"""


@pytest.fixture
def engine(runtime: Runtime) -> Iterator[sa.Engine]:
    owner = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    yield owner
    owner.dispose()


def _casus(client: TestClient[Litestar], headers: dict[str, str]) -> None:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden; één partij alleen komt niet verder.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Over", "achternaam": "Name"},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text


def _tenant(engine: sa.Engine, code: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT name, manifest_sha256 FROM tenants WHERE code = :c"), {"c": code}
        ).one()


def test_a_manifest_with_zeists_code_does_not_take_zeist_over(
    client: TestClient[Litestar],
    token_for: Headers,
    runtime: Runtime,
    engine: sa.Engine,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wijkagent = token_for(ZEIST, ZEIST_WIJKAGENT)
    _casus(client, wijkagent)  # casework that refers to the wijkagent and the politie
    text = AMERSFOORT.format(code=ZEIST, user="amy-regisseur")
    before = _tenant(engine, ZEIST)

    operator = {
        **token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER),
        "Content-Type": "application/toml",
    }

    plan = client.post(BEHEER, params={"proefdraai": "true"}, content=text, headers=operator)
    assert plan.status_code == 200, plan.text
    flagged = {
        (c["onderdeel"], c["sleutel"]) for c in plan.json()["wijzigingen"] if c.get("destructief")
    }
    assert ("tenant", ZEIST) in flagged  # the rename
    assert ("user", ZEIST_WIJKAGENT) in flagged
    assert ("organisation", "politie-basisteam-zeist") in flagged
    assert ("user", ZEIST_BEHEERDER) not in flagged  # removed too, but without casework

    request_id = uuid.uuid4().hex
    refused = client.post(BEHEER, content=text, headers={**operator, "X-Request-ID": request_id})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "destructieve-wijzigingen"
    listed = {(c["onderdeel"], c["sleutel"]) for c in body["destructief"][0]["wijzigingen"]}
    assert ("tenant", ZEIST) in listed
    assert ("user", ZEIST_WIJKAGENT) in listed

    assert _tenant(engine, ZEIST) == before
    assert client.get("/api/v1/mij", headers=wijkagent).status_code == 200
    assert client.get("/api/v1/mij", headers=token_for(ZEIST, "amy-regisseur")).status_code == 401
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT tenant_id, allowed, reasons FROM audit_log "
                "WHERE request_id = :r AND action = 'tenant-apply'"
            ),
            {"r": request_id},
        ).all()
    assert {r.tenant_id for r in rows} == {ZEIST, REGIO_UTRECHT}
    assert all(r.allowed is False and r.reasons == ["destructief-geweigerd"] for r in rows)

    # The command line refuses it the same way (and shows the plan).
    path = runtime.settings.data_dir / "amersfoort-als-zeist.toml"
    path.write_text(text, encoding="utf-8")
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["tenants", "apply", str(path)])
    assert args.func(args, runtime.settings) == 1
    assert "DESTRUCTIEF" in capsys.readouterr().err
    assert _tenant(engine, ZEIST) == before
    args = parser.parse_args(["tenants", "plan", str(path)])
    assert args.func(args, runtime.settings) == 0
    shown = capsys.readouterr().out
    assert f"! ~ tenant {ZEIST} wijzigen" in shown
    assert "--allow-destructive" in shown


def test_an_override_with_a_reason_applies_and_is_audited(
    live_policy_client: TestClient[Litestar], token_for: Headers, engine: sa.Engine
) -> None:
    client = live_policy_client
    code = "GM0313"
    operator = {
        **token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER),
        "Content-Type": "application/toml",
    }
    onboarded = client.post(
        BEHEER, content=AMERSFOORT.format(code=code, user="amy-regisseur"), headers=operator
    )
    assert onboarded.status_code == 201, onboarded.text
    _casus(client, token_for(code, "amy-regisseur"))

    successor = AMERSFOORT.format(code=code, user="bob-opvolger")
    refused = client.post(BEHEER, content=successor, headers=operator)
    assert refused.status_code == 409
    too_short = client.post(
        BEHEER, params={"destructief_reden": "weg"}, content=successor, headers=operator
    )
    assert too_short.status_code == 422
    assert too_short.json()["errors"][0]["field"] == "destructief_reden"

    request_id = uuid.uuid4().hex
    reason = "Amy is uit dienst; Bob neemt haar casussen over (besluit 2026-41)."
    applied = client.post(
        BEHEER,
        params={"destructief_reden": reason},
        content=successor,
        headers={**operator, "X-Request-ID": request_id},
    )
    assert applied.status_code == 201, applied.text
    assert applied.json()["destructief"] is True
    assert client.get("/api/v1/mij", headers=token_for(code, "amy-regisseur")).status_code == 401
    assert client.get("/api/v1/mij", headers=token_for(code, "bob-opvolger")).status_code == 200
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT tenant_id, allowed, reasons, decision_input FROM audit_log "
                "WHERE request_id = :r AND action = 'tenant-apply'"
            ),
            {"r": request_id},
        ).all()
    assert {r.tenant_id for r in rows} == {code, REGIO_UTRECHT}
    for row in rows:
        assert row.allowed is True
        assert row.reasons == ["destructief-bevestigd"]
        assert row.decision_input["destructief_reden"] == reason
        assert {"onderdeel": "user", "sleutel": "amy-regisseur"} in [
            {k: d[k] for k in ("onderdeel", "sleutel")} for d in row.decision_input["destructief"]
        ]
