"""The policy engine unavailable: 503 problem+json (fail closed), and the attempt audited.

The OPA sidecar is simulated by an address where nothing listens: the real OPA client
fails at the network, as it would when the sidecar is down."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from fake_oidc import free_port
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT

from services.app import create_app
from services.platform.authz.gateway import EMPTY_DATA, PolicyGateway
from services.platform.identity.setup import Identity
from services.platform.policy import PolicyEngine
from services.platform.policy.opa_server import OpaServerEngine
from services.platform.policy.source import PolicySource
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


class SidecarDown(PolicyGateway):
    def engine(self) -> PolicyEngine:
        return OpaServerEngine(
            PolicySource.load(EMPTY_DATA), f"http://127.0.0.1:{free_port()}", timeout=0.5
        )


def test_a_request_fails_closed_with_503_and_the_attempt_is_audited(
    runtime: Runtime, identity: Identity, test_tenants: object, token_for: Headers
) -> None:
    with TestClient(create_app(runtime, identity=identity, start_worker=False)) as working:
        created = working.post(
            "/api/v1/casussen",
            headers=token_for(T, ZEIST_WIJKAGENT),
            json={
                "soort": "persoon",
                "waarom_integraal": "Meerdere leefgebieden tegelijk.",
                "problemen": {"financien": "Schulden."},
                "geinformeerd": True,
                "persoon": {
                    "voornamen": "Beleid",
                    "achternaam": "Weg",
                    "geboortedatum": "1990-01-01",
                },
            },
        )
        assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    down = create_app(
        runtime,
        identity=identity,
        start_worker=False,
        gateway=SidecarDown(runtime.settings, runtime.sessions),
    )
    with TestClient(down) as client:
        response = client.get(
            f"/api/v1/casussen/{casus_id}", headers=token_for(T, ZEIST_PGA_EXPERT)
        )
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "beleid-niet-beschikbaar"
        assert "Bradley" not in response.text and "Beleid" not in response.text
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and "policy" in ready.json()["failed"]
    admin = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT user_id, action, allowed, reasons FROM audit_log "
                f"WHERE casus_id = :c AND user_id = '{ZEIST_PGA_EXPERT}'"
            ),
            {"c": casus_id},
        ).all()
    admin.dispose()
    assert [(r.action, r.allowed, r.reasons) for r in rows] == [
        ("read", False, ["beleid-niet-beschikbaar"])
    ]
