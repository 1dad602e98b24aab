"""Optimistic concurrency through SQLAlchemy's ``version_id_col``: a row changed by another
transaction between reading and writing is never silently overwritten (412), and every
change bumps the version that clients get as the ETag."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import REGION_UTRECHT, ZEIST, ZEIST_PGA_EXPERT, ZEIST_PGA_EXPERT_NAME, ZEIST_WIJKAGENT

from services.casework.errors import VersionMismatch
from services.casework.unit_of_work import workspace
from services.platform.identity.principal import Principal
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]

T = ZEIST
PRINCIPAL = Principal(
    user_id=ZEIST_PGA_EXPERT,
    tenant=T,
    tenant_kind="gemeente",
    region=REGION_UTRECHT,
    organisation="gemeente-zeist-oov",
    domain="gemeente-oov",
    roles=frozenset({"pga-expert"}),
    display_name=ZEIST_PGA_EXPERT_NAME,
)


def _some_casus(client: TestClient[Litestar], token_for: Headers) -> uuid.UUID:
    return uuid.UUID(aanmelden(client, token_for(T, ZEIST_WIJKAGENT), "Versietest"))


def test_a_write_based_on_a_stale_read_is_refused(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    casus_id = _some_casus(client, token_for)
    with workspace(runtime.casework, PRINCIPAL) as ws:
        before = ws.load_casus(casus_id).version
    with (  # noqa: PT012 - the refusal comes when the first transaction commits
        pytest.raises(VersionMismatch),
        workspace(runtime.casework, PRINCIPAL) as first,
    ):
        casus = first.load_casus(casus_id)  # read without a lock
        # Another transaction changes the same casus and commits in the meantime.
        with workspace(runtime.casework, PRINCIPAL) as second:
            second.touch(second.load_casus(casus_id))
        first.touch(casus)  # would overwrite the other change: refused
    with workspace(runtime.casework, PRINCIPAL) as ws:
        assert ws.load_casus(casus_id).version == before + 1


def test_touch_bumps_the_version_once_per_transaction(
    runtime: Runtime, client: TestClient[Litestar], token_for: Headers
) -> None:
    casus_id = _some_casus(client, token_for)
    with workspace(runtime.casework, PRINCIPAL) as ws:
        before = ws.load_casus(casus_id).version
    with workspace(runtime.casework, PRINCIPAL) as ws:
        casus = ws.load_casus(casus_id)
        ws.touch(casus)
        ws.touch(casus)  # a second change in the same transaction
    with workspace(runtime.casework, PRINCIPAL) as ws:
        assert ws.load_casus(casus_id).version == before + 1
