"""The workspace reads a casus and the rows of its policy resource once per transaction
(issue 14: the casus page's sections each decided on the same casus, with five queries each)
— and never serves them after something in the transaction changed them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_CASUSREGISSEUR, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of, rolled_back, statements_in_this_thread

from services.casework.page_reads import organisation_names, page_reads
from services.casework.unit_of_work import workspace
from services.casework.workspace import Workspace
from services.platform.authz.audit import AuditRecord, append_audit
from services.platform.db.models import AuditEntry, CasusParticipant, CasusRole
from services.platform.identity.principal import Principal
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


@pytest.fixture(scope="module")
def casus_id(app: Litestar, token_for: Headers) -> uuid.UUID:
    with TestClient(app) as client:
        return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Geheugen"))


@pytest.fixture
def expert(runtime: Runtime) -> Principal:
    return principal_of(runtime, ZEIST_PGA_EXPERT, T)


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with statements_in_this_thread() as seen:
        yield seen


def _orgs(resource: dict[str, Any]) -> set[str]:
    return {r["id"] for r in resource["participants"]}


def test_sections_of_one_transaction_read_the_casus_once(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    with workspace(runtime.casework, expert) as ws:
        first = ws.resource(ws.load_casus(casus_id))
        before = len(statements)
        again = ws.resource(ws.load_casus(casus_id))
        assert again == first
        assert len(statements) == before  # no query: read once in this transaction


def test_a_pending_or_flushed_change_is_seen(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws:
        casus = ws.load_casus(casus_id)
        assert "kwintes" not in _orgs(ws.resource(casus))
        ws.session.add(
            CasusParticipant(
                tenant_id=T, casus_id=casus_id, organisation_id="kwintes", invited_by="x"
            )
        )
        assert "kwintes" in _orgs(ws.resource(casus))  # pending: not from the memo
        ws.session.flush()
        assert "kwintes" in _orgs(ws.resource(ws.load_casus(casus_id)))


def test_a_bulk_write_is_seen(runtime: Runtime, casus_id: uuid.UUID, expert: Principal) -> None:
    with rolled_back(runtime, expert) as ws:
        casus = ws.load_casus(casus_id)
        ws.session.add(
            CasusRole(
                tenant_id=T,
                casus_id=casus_id,
                role="casusregisseur",
                user_id=ZEIST_CASUSREGISSEUR,
                organisation_id="sociaal-wijkteam-zeist",
            )
        )
        ws.session.flush()
        assert ws.resource(casus)["regisseurs"] == [{"tenant": T, "id": ZEIST_CASUSREGISSEUR}]
        ws.session.execute(
            sa.update(CasusRole)
            .where(CasusRole.tenant_id == T, CasusRole.casus_id == casus_id)
            .values(ended_at=sa.func.now())
            .execution_options(synchronize_session=False)
        )
        assert ws.resource(casus)["regisseurs"] == []  # the memo was emptied by the UPDATE


def test_an_audit_row_in_the_session_empties_the_memos(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal, statements: list[str]
) -> None:
    """The enforcer keeps its audit rows outside the session (ADR 0018, amended); only the
    administrative writer (services/platform/authz/audit.py) still adds ``AuditEntry``
    objects, and it sets the tenant with statements of its own around them, which empty the
    workspace's memo and switch the page's read phase off anyway. So a pending audit row is
    no longer treated apart: it is a change like any other (flushed before a read, memos
    emptied), whoever adds it."""

    def read_both(ws: Workspace) -> int:
        before = len(statements)
        ws.load_casus(casus_id)
        organisation_names(ws.session, T)
        return len(statements) - before

    record = AuditRecord.by(expert, "read", "verwerkingsregister", T, purpose="verantwoording")
    with rolled_back(runtime, expert) as ws, page_reads(ws.session):
        assert read_both(ws) == 2
        assert read_both(ws) == 0  # both remembered
        append_audit(ws.session, record)
        assert read_both(ws) == 2  # the administrative writer: both read again
    with rolled_back(runtime, expert) as ws, page_reads(ws.session):
        assert read_both(ws) == 2
        ws.session.add(
            AuditEntry(
                tenant_id=T,
                id=uuid.uuid4(),
                user_id=expert.user_id,
                organisation_id=expert.organisation,
                action="read",
                resource_type="verwerkingsregister",
                resource_id=T,
                allowed=True,
            )
        )
        before = len(statements)
        assert read_both(ws) == 3  # the pending row is flushed first, then both are read
        assert statements[before].startswith("INSERT INTO audit_log"), statements[before:]
