"""Onboarding gemeenten from manifests: CLI functions and the operator API, end to end.

A manifest written here (not shipped, never seen by the code) must onboard a new gemeente
whose users can log in, while the other tenants stay untouched; bad manifests change
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    REGION_UTRECHT,
    WIJK_BIJ_DUURSTEDE,
    WIJK_BIJ_DUURSTEDE_PGA_EXPERT,
    ZEIST,
    ZEIST_BEHEERDER,
    ZOETERMEER,
)

from services.platform.db.models import TenantStatus
from services.platform.db.unit_of_work import platform_transaction
from services.runtime import Runtime
from tenants.manifest import Manifest, ManifestError, validate_text
from tenants.provision import apply_manifests, export_tenant, plan_manifests, set_status

Headers = Callable[[str, str], dict[str, str]]

AMERSFOORT = f"""
gemeentecode = "GM0307"
name = "Amersfoort"
kind = "gemeente"
region = "{REGION_UTRECHT}"

[age_band]
min = 16
max = 27

[inclusion]
minimum_met = 2

[[inclusion.criteria]]
id = "overlast"
text = "Herhaaldelijk overlast of criminaliteit."

[[inclusion.criteria]]
id = "meervoudig"
text = "Problemen op meerdere leefgebieden."

[retention]
default_months = 60

[[meeting_types]]
id = "pga-tafel"
name = "PGA-tafel Amersfoort"
frequency_weeks = 2

[[organisations]]
id = "gemeente-amersfoort-oov"
name = "Gemeente Amersfoort, OOV"
domain = "gemeente-oov"

[[organisations]]
id = "politie-amersfoort"
name = "Politie basisteam Amersfoort"
domain = "politie"

[[grants]]
domains = ["politie", "gemeente-oov"]
categories = ["algemeen", "identificerend"]
purposes = ["triage", "casusoverleg"]

[[users]]
id = "amy-regisseur"
name = "Amy Regisseur"
organisation = "gemeente-amersfoort-oov"
roles = ["pga-expert", "tenantbeheerder"]
"""


def fingerprint(runtime: Runtime) -> dict[str, Any]:
    """Every tenant's manifest hash and row counts per tenant table, via the owner role."""
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        tenants = dict(conn.execute(sa.text("SELECT code, manifest_sha256 FROM tenants")).all())
        counts = {}
        for table in ("organisations", "users", "meeting_types"):
            counts[table] = dict(
                conn.execute(sa.text(f"SELECT tenant_id, count(*) FROM {table} GROUP BY 1")).all()
            )
        revisions = conn.execute(sa.text("SELECT count(*) FROM policy_data")).scalar_one()
    engine.dispose()
    return {"tenants": tenants, "counts": counts, "policy_revisions": revisions}


def test_apply_is_idempotent(runtime: Runtime, test_tenants: list[Manifest]) -> None:
    before = fingerprint(runtime)
    results = apply_manifests(runtime.sessions, test_tenants)
    assert all(not r.changes for r in results)
    assert fingerprint(runtime) == before


def test_new_gemeente_onboards_without_code_change(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    before = fingerprint(runtime)
    admin = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)

    dry = client.post(
        "/api/v1/beheer/tenants?proefdraai=true",
        content=AMERSFOORT,
        headers={**admin, "Content-Type": "application/toml"},
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["wijzigingen"][0]["onderdeel"] == "tenant"
    assert fingerprint(runtime) == before

    created = client.post(
        "/api/v1/beheer/tenants",
        content=AMERSFOORT,
        headers={**admin, "Content-Type": "application/toml"},
    )
    assert created.status_code == 201, created.text

    me = client.get("/api/v1/mij", headers=token_for("GM0307", "amy-regisseur"))
    assert me.status_code == 200, me.text
    assert me.json()["tenant"] == "GM0307"
    assert me.json()["organisatie"] == "gemeente-amersfoort-oov"

    after = fingerprint(runtime)
    for code, sha in before["tenants"].items():
        assert after["tenants"][code] == sha
    for table, per_tenant in before["counts"].items():
        for code, count in per_tenant.items():
            assert after["counts"][table][code] == count
    assert after["counts"]["users"]["GM0307"] == 1

    with platform_transaction(runtime.sessions) as session:
        document = session.execute(
            sa.text(
                "SELECT d.document FROM policy_data_activations a "
                "JOIN policy_data d USING (revision) ORDER BY a.seq DESC LIMIT 1"
            )
        ).scalar_one()
    assert "GM0307" in document["tenants"]
    assert "GM0307" in document["regions"][REGION_UTRECHT]["tenants"]


@pytest.mark.parametrize(
    ("replace", "by", "field"),
    [
        ('domain = "politie"', 'domain = "ruimtevaart"', "organisations[1].domain"),
        ('id = "politie-amersfoort"', 'id = "gemeente-amersfoort-oov"', "organisations[1].id"),
        ('gemeentecode = "GM0307"', 'gemeentecode = "GM307"', "gemeentecode"),
        ('name = "Amersfoort"\n', "\n", "name"),
        ('categories = ["algemeen", "identificerend"]', 'categories = ["geheim"]', "grants[0]"),
    ],
)
def test_bad_manifest_names_the_problem_and_changes_nothing(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    replace: str,
    by: str,
    field: str,
) -> None:
    # A gemeente that does not exist yet, so a wrongly accepted manifest would show as a change.
    text = AMERSFOORT.replace(replace, by, 1).replace('"GM0307"', '"GM0308"', 1)
    assert text != AMERSFOORT.replace('"GM0307"', '"GM0308"', 1)
    before = fingerprint(runtime)
    with pytest.raises(ManifestError) as raised:
        validate_text(text, "test.toml")
    assert raised.value.source == "test.toml"
    assert raised.value.field.startswith(field)

    response = client.post(
        "/api/v1/beheer/tenants",
        content=text,
        headers={
            **token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER),
            "Content-Type": "application/toml",
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["errors"][0]["field"].startswith(field)
    assert body["errors"][0]["message"]
    assert fingerprint(runtime) == before


def test_conflicting_manifest_in_a_batch_changes_nothing(
    runtime: Runtime, test_tenants: list[Manifest]
) -> None:
    before = fingerprint(runtime)
    second_bureau = validate_text(
        AMERSFOORT.replace('"GM0307"', '"RGTWEEDE"').replace('kind = "gemeente"', 'kind = "regio"'),
        "tweede-bureau.toml",
    )
    with pytest.raises(ManifestError, match=r"regionaal bureau|regional bureau"):
        apply_manifests(runtime.sessions, [second_bureau])
    with pytest.raises(ManifestError):
        plan_manifests(runtime.sessions, [second_bureau])
    assert fingerprint(runtime) == before


def test_operator_api_needs_platformbeheerder(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    assert client.get("/api/v1/beheer/tenants").status_code == 401
    denied = client.get("/api/v1/beheer/tenants", headers=token_for(ZEIST, ZEIST_BEHEERDER))
    assert denied.status_code == 403
    assert denied.json()["code"] == "rol-vereist"
    listing = client.get(
        "/api/v1/beheer/tenants", headers=token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
    )
    assert listing.status_code == 200
    codes = {t["code"] for t in listing.json()}
    assert {ZEIST, REGIO_UTRECHT} <= codes
    assert ZOETERMEER not in codes  # another region


def test_suspend_blocks_login_and_keeps_data(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    admin = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
    user = token_for(WIJK_BIJ_DUURSTEDE, WIJK_BIJ_DUURSTEDE_PGA_EXPERT)
    before = fingerprint(runtime)["counts"]
    try:
        response = client.post(
            f"/api/v1/beheer/tenants/{WIJK_BIJ_DUURSTEDE}/opschorten",
            json={"reden": "test"},
            headers=admin,
        )
        assert response.status_code == 200
        assert response.json()["status"] == "opgeschort"
        refused = client.get("/api/v1/mij", headers=user)
        assert refused.status_code == 403
        assert refused.json()["code"] == "tenant-opgeschort"
        assert fingerprint(runtime)["counts"] == before
    finally:
        set_status(runtime.sessions, WIJK_BIJ_DUURSTEDE, TenantStatus.ACTIVE, None)
    assert client.get("/api/v1/mij", headers=user).status_code == 200


def test_export_holds_all_of_one_tenants_rows(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    archive = export_tenant(runtime.sessions, ZEIST)
    assert archive["tenant"]["code"] == ZEIST
    assert {"organisations", "users", "meeting_types"} <= set(archive["tables"])
    for rows in archive["tables"].values():
        assert all(row["tenant_id"] == ZEIST for row in rows)
    assert archive["row_counts"]["users"] == fingerprint(runtime)["counts"]["users"][ZEIST]

    stated = {"doel": "beeindiging-aansluiting", "grondslag": "publieke-taak"}
    response = client.get(
        f"/api/v1/beheer/tenants/{ZEIST}/export",
        params=stated,
        headers=token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER),
    )
    assert response.status_code == 200
    assert response.json()["row_counts"] == archive["row_counts"]
    missing = client.get(
        "/api/v1/beheer/tenants/GM9999/export",
        params=stated,
        headers=token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER),
    )
    assert missing.status_code == 404
