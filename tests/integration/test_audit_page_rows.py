"""The audit rows of a page (``Enforcer.decide_page``) are built with what they share worked
out once (issue 14); this differential test holds them equal to the rows the one-decision
path (``Enforcer._audit``) records for the same decisions and decision records."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from factories import aanmelden
from litestar import Litestar
from litestar.testing import TestClient
from people import ZEIST, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of, rolled_back

from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Casus
from services.platform.policy.cache import decide_inputs
from services.platform.policy.decision_log import make_decision_records
from services.platform.policy.input import build_inputs
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
#: A casus of another gemeente: the policy refuses it (``tenant-anders``).
OTHER_TENANT = "GM0000"
#: Random per row by design: the row's own span and the sealed subject's nonce.
RANDOM = ("span_id", "data_subject_enc")


@pytest.fixture(scope="module")
def casus_ids(app: Litestar, token_for: Headers) -> list[uuid.UUID]:
    with TestClient(app) as client:
        return [
            uuid.UUID(aanmelden(client, token_for(ZEIST, ZEIST_WIJKAGENT), f"Paginarij{n}"))
            for n in range(4)
        ]


def _page(ws: Workspace, casus_ids: list[uuid.UUID]) -> tuple[list[Any], list[Target]]:
    casussen = [ws.session.get(Casus, (ZEIST, c)) for c in casus_ids]
    resources = ws.resources([c for c in casussen if c is not None])
    # A refused one (another gemeente's casus) and a group member (its own data subject).
    resources.append(
        {
            "type": "casus",
            "tenant": OTHER_TENANT,
            "casus_kind": "persoon",
            "contains_person_identifiers": True,
        }
    )
    resources.append(dict(resources[0]))
    targets = [Target("casus", str(c), c) for c in casus_ids]
    targets.append(Target("casus", "elders", uuid.uuid4()))
    targets.append(Target("group_member", str(uuid.uuid4()), casus_ids[0]))
    return resources, targets


def _comparable(ws: Workspace, row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in RANDOM}
    sealed = row.get("data_subject_enc")
    assert ws.enforcer.subjects is not None
    out["subject"] = None if sealed is None else ws.enforcer.subjects.open(row["tenant_id"], sealed)
    return out


@pytest.mark.parametrize(
    ("user", "purpose", "legal_basis"),
    [
        (ZEIST_PGA_EXPERT, "casusoverleg", None),
        (ZEIST_WIJKAGENT, "uitvoering", None),
        (ZEIST_WIJKAGENT, "casusoverleg", "publieke-taak"),
    ],
)
def test_the_rows_of_a_page_equal_the_rows_of_its_decisions_one_by_one(
    runtime: Runtime,
    casus_ids: list[uuid.UUID],
    user: str,
    purpose: str,
    legal_basis: str | None,
) -> None:
    with rolled_back(runtime, principal_of(runtime, user, ZEIST)) as ws:
        resources, targets = _page(ws, casus_ids)
        context = ws.context(purpose, {"legal_basis": legal_basis})
        enforcer = ws.enforcer
        inputs = build_inputs(enforcer.principal.policy_subject(), "list", context, resources)
        decisions = decide_inputs(enforcer.engine, inputs)
        assert {d.allow for d in decisions} == {True, False}  # both kinds of row
        records = make_decision_records(enforcer.engine, inputs, decisions)

        before = len(enforcer.recorded)
        enforcer._audit_page("list", context, targets, decisions, records)
        page = enforcer.recorded[before:]
        for target, decision, record in zip(targets, decisions, records, strict=True):
            enforcer._audit("list", context, target, decision.allow, decision, record)
        one_by_one = enforcer.recorded[before + len(page) :]

        assert len(page) == len(one_by_one) == len(targets)
        assert [_comparable(ws, r) for r in page] == [_comparable(ws, r) for r in one_by_one]
        assert _comparable(ws, page[0])["subject"] is not None  # a row about a person
        # Nothing shared between rows that a later change of one could reach into another.
        assert len({id(r["roles"]) for r in page}) == len(page)
        assert len({id(r["reasons"]) for r in page}) == len(page)
        denied = [r for r in page if not r["allowed"]]
        assert denied and all(r in enforcer.denied for r in denied)
