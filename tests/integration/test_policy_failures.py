"""An engine that cannot decide fails closed with 503 and the attempt is audited (issue 9,
defect 12); requests that used to break the engine now get a decision."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import REGION_UTRECHT, ZEIST, ZEIST_PGA_EXPERT, ZEIST_PGA_EXPERT_NAME, ZEIST_WIJKAGENT

from services.casework.domain.bsn import BsnVault
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.platform.authz.enforce import ENGINE_FAILURE, Target
from services.platform.authz.gateway import PolicyGateway
from services.platform.db.models import AuditEntry
from services.platform.db.unit_of_work import tenant_transaction
from services.platform.identity.principal import Principal
from services.platform.policy import Decision, PolicyEngineUnavailable
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


@dataclass
class GarbageEngine:
    """Fault injection (not a stand-in for a real engine): answers like a broken engine."""

    error: Exception
    policy_revision: str = "p-kapot"
    data_revision: str = "d-kapot"

    @property
    def revision(self) -> str:
        return f"{self.policy_revision}:{self.data_revision}"

    def decide(self, input: Any) -> Decision:
        raise self.error

    def decide_many(
        self, subject: Any, action: str, context: Any, resources: Sequence[Any]
    ) -> list[Decision]:
        raise self.error


class BrokenGateway(PolicyGateway):
    def __init__(self, engine: GarbageEngine) -> None:
        self._broken = engine

    def engine(self) -> Any:
        return self._broken


@pytest.mark.parametrize(
    "error",
    [ValueError("Expecting value: line 1 column 1 (char 0)"), PolicyEngineUnavailable("down")],
    ids=["invalid-json", "unavailable"],
)
def test_an_engine_failure_fails_closed_and_is_audited(
    runtime: Runtime, test_tenants: object, error: Exception
) -> None:
    assert runtime.settings.secret_key and runtime.settings.pseudonym_key
    deps = CaseworkDeps(
        runtime.sessions,
        BrokenGateway(GarbageEngine(error)),
        BsnVault(runtime.settings.secret_key),
        runtime.settings.pseudonym_key,
    )
    principal = Principal(
        user_id=ZEIST_PGA_EXPERT,
        tenant=T,
        tenant_kind="gemeente",
        region=REGION_UTRECHT,
        organisation="gemeente-zeist-oov",
        domain="gemeente-oov",
        roles=frozenset({"pga-expert"}),
        display_name=ZEIST_PGA_EXPERT_NAME,
    )
    marker = uuid.uuid4()
    with (
        pytest.raises(PolicyEngineUnavailable, match=r"ValueError|down"),
        workspace(deps, principal) as ws,
    ):
        ws.enforcer.decide(
            "read",
            {
                "type": "casus",
                "tenant": T,
                "casus_kind": "persoon",
                "contains_person_identifiers": True,
            },
            ws.context("triage"),
            Target("casus", str(marker), marker),
        )
    with tenant_transaction(runtime.sessions, T) as session:
        rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.casus_id == marker)).all()
    assert len(rows) == 1
    assert rows[0].allowed is False
    assert rows[0].reasons == [ENGINE_FAILURE]
    assert rows[0].purpose == "triage"


def test_consent_questions_without_a_purpose_get_an_answer(
    client: TestClient[Litestar], token_for: Headers
) -> None:
    """Before: sprintf over a null purpose made regopy emit invalid JSON -> HTTP 500."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Schulden en overlast: integraal nodig.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "persoon": {"voornamen": "Murat", "achternaam": "Storingtest"},
        },
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    answer = client.get(
        f"{url}/uitleg",
        params={"actie": "share", "categorie": "algemeen", "grondslag": "toestemming"},
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["toegestaan"] is False
