"""The current policy-data revision is explicit: re-applying an earlier manifest (or
resuming a suspended tenant) makes its earlier document current again (issue 9, defect 8).

Before the fix the revision was a content hash and the engine took the newest row by
``created_at``: applying the original manifest after a widened one found its old row,
inserted nothing, and the widened grant stayed in force (fail-open); resuming a suspended
tenant left the engine on the suspended document (the tenant locked out).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    TEST_MANIFESTS_DIR,
    WIJK_BIJ_DUURSTEDE,
    WIJK_BIJ_DUURSTEDE_PGA_EXPERT,
    WIJK_BIJ_DUURSTEDE_WIJKAGENT,
)

Headers = Callable[[str, str], dict[str, str]]
T = WIJK_BIJ_DUURSTEDE
MANIFEST = TEST_MANIFESTS_DIR / "gm9352-wijk-bij-duurstede.toml"
BSN = "123456782"
#: The BSN grant of the convenant and the tenant's BSN purposes, and both widened to
#: ``uitvoering`` (the purpose the test reads under).
ORIGINAL = (
    'bsn_purposes = ["aanmelding", "triage", "informeren"]',
    'categories = ["bsn"]\npurposes = ["aanmelding", "informeren", "triage"]',
)
WIDENED = (
    'bsn_purposes = ["aanmelding", "triage", "informeren", "uitvoering"]',
    'categories = ["bsn"]\npurposes = ["aanmelding", "informeren", "triage", "uitvoering"]',
)


@pytest.fixture
def api(live_policy_client: TestClient[Litestar]) -> TestClient[Litestar]:
    return live_policy_client


def _apply(client: TestClient[Litestar], operator: dict[str, str], text: str) -> None:
    response = client.post(
        "/api/v1/beheer/tenants",
        content=text,
        headers={**operator, "Content-Type": "application/toml"},
    )
    assert response.status_code == 201, response.text


def _casus_with_bsn(client: TestClient[Litestar], token_for: Headers) -> str:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast en schulden: één partij alleen komt niet verder.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Revisie", "achternaam": "Terugzetting", "bsn": BSN},
        },
        headers=token_for(T, WIJK_BIJ_DUURSTEDE_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _bsn(client: TestClient[Litestar], headers: dict[str, str], casus_id: str) -> str:
    read = client.get(
        f"/api/v1/casussen/{casus_id}", params={"doel": "uitvoering"}, headers=headers
    )
    assert read.status_code == 200, read.text
    return str(read.json()["persoon"]["bsn"])


def test_reapplying_the_original_manifest_revokes_a_widened_bsn_grant(
    api: TestClient[Litestar], token_for: Headers
) -> None:
    original = MANIFEST.read_text(encoding="utf-8")
    widened = original
    for before, after in zip(ORIGINAL, WIDENED, strict=True):
        assert before in original
        widened = widened.replace(before, after)
    operator = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
    expert = token_for(T, WIJK_BIJ_DUURSTEDE_PGA_EXPERT)
    casus_id = _casus_with_bsn(api, token_for)

    try:
        assert _bsn(api, expert, casus_id) != BSN  # uitvoering: masked by the manifest
        _apply(api, operator, widened)
        assert _bsn(api, expert, casus_id) == BSN  # the widened grant is in force
        _apply(api, operator, original)
        assert _bsn(api, expert, casus_id) != BSN  # ... and revoked again
        _apply(api, operator, widened)
        assert _bsn(api, expert, casus_id) == BSN  # and every switch takes effect
    finally:
        _apply(api, operator, original)
    assert _bsn(api, expert, casus_id) != BSN


def test_suspend_then_resume_makes_the_tenant_usable_again(
    api: TestClient[Litestar], token_for: Headers
) -> None:
    operator = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PLATFORMBEHEERDER)
    expert = token_for(T, WIJK_BIJ_DUURSTEDE_PGA_EXPERT)
    casus_id = _casus_with_bsn(api, token_for)
    url = f"/api/v1/casussen/{casus_id}"
    assert api.get(url, headers=expert).status_code == 200
    try:
        suspended = api.post(
            f"/api/v1/beheer/tenants/{T}/opschorten", json={"reden": "test"}, headers=operator
        )
        assert suspended.status_code == 200, suspended.text
        assert api.get(url, headers=expert).status_code == 403
    finally:
        resumed = api.post(f"/api/v1/beheer/tenants/{T}/heractiveren", headers=operator)
        assert resumed.status_code == 200, resumed.text
    again = api.get(url, headers=expert)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == casus_id
