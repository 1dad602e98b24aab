"""The casussen list and the casus page within their budget (issue 14): how many SQL
statements a page sends does not grow with its rows or sections, and every cheaper query is
checked against the plain one it replaced."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)

from services.casework.casussen import zoeken
from services.casework.unit_of_work import workspace
from services.casework.workspace import REGIE_ROLES, Workspace
from services.platform.db.models import CasusRole, User
from services.platform.identity.directory import PrincipalDirectory
from services.platform.identity.principal import Principal
from services.platform.identity.tokens import Claims
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


@pytest.fixture(scope="module")
def casus_id(app: Litestar, token_for: Headers) -> uuid.UUID:
    with TestClient(app) as client:
        return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Kostenpost"))


@pytest.fixture
def expert(runtime: Runtime) -> Principal:
    return PrincipalDirectory(runtime.sessions).resolve(Claims(ZEIST_PGA_EXPERT, T, {}))


class _Undo(Exception):
    """Raised to end a test's workspace with a rollback."""


@contextlib.contextmanager
def rolled_back(runtime: Runtime, principal: Principal) -> Iterator[Workspace]:
    with contextlib.suppress(_Undo), workspace(runtime.casework, principal) as ws:
        yield ws
        raise _Undo


def _regisseurs_by_exists(ws: Workspace) -> dict[str, str]:
    """The filter's users as the plain EXISTS query found them before issue 14."""
    rows = ws.session.execute(
        sa.select(User.id, User.display_name)
        .where(
            User.tenant_id == ws.principal.tenant,
            sa.exists().where(
                CasusRole.tenant_id == User.tenant_id,
                CasusRole.user_id == User.id,
                CasusRole.role.in_(REGIE_ROLES),
                CasusRole.ended_at.is_(None),
            ),
        )
        .order_by(User.display_name)
    ).all()
    return {row.id: row.display_name for row in rows}


def _role(casus_id: uuid.UUID, role: str, user: str, **extra: Any) -> CasusRole:
    return CasusRole(
        tenant_id=T,
        casus_id=casus_id,
        role=role,
        user_id=user,
        organisation_id="sociaal-wijkteam-zeist",
        **extra,
    )


def test_the_regisseur_filter_lists_whoever_holds_regie_now(
    runtime: Runtime, casus_id: uuid.UUID, expert: Principal
) -> None:
    with rolled_back(runtime, expert) as ws:
        ws.session.add_all(
            [
                _role(casus_id, "casusregisseur", ZEIST_CASUSREGISSEUR),
                _role(casus_id, "procesregisseur", ZEIST_ADVISEUR, ended_at=sa.func.now()),
                _role(casus_id, "uitvoeringscoordinator", ZEIST_COORDINATOR),
            ]
        )
        ws.session.flush()
        found = zoeken.regisseurs(ws)
        assert found == _regisseurs_by_exists(ws)
        assert list(found) == sorted(found, key=found.__getitem__)  # by name, as before
        assert ZEIST_CASUSREGISSEUR in found
        held = set(_regisseurs_by_exists(ws))
        assert (ZEIST_ADVISEUR in found) == (ZEIST_ADVISEUR in held)  # an ended role: no
        assert (ZEIST_COORDINATOR in found) == (ZEIST_COORDINATOR in held)
        ws.session.add(_role(casus_id, "procesregisseur", ZEIST_COORDINATOR))
        ws.session.flush()
        assert ZEIST_COORDINATOR in zoeken.regisseurs(ws)
        assert zoeken.regisseurs(ws) == _regisseurs_by_exists(ws)
