"""The typed policy input (issue 9, defect 13): one schema; anything else is refused before
evaluation, so no engine ever sees a value that could change a decision by its spelling."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import PolicyInputInvalid, build_input, canonical

SUBJECT = {
    "kind": "user",
    "tenant": "GM0355",
    "user_id": "u-wijkagent",
    "organisation": "politie-utrecht",
    "roles": ["professional"],
}
GROUP_ITEM = {
    "type": "informatie_item",
    "tenant": "GM0355",
    "casus_id": "groep-zeist-01",
    "casus_kind": "groep",
    "phase": "aanmelding",
    "group_step": 1,
    "participants": [{"tenant": "GM0355", "id": "politie-utrecht"}],
    "category": "identificerend",
    "source_organisation": {"tenant": "GM0355", "id": "politie-utrecht"},
    "contains_person_identifiers": True,
}
VALID = {
    "subject": SUBJECT,
    "action": "create",
    "context": {"purpose": "aanmelding", "now": "2026-11-20T10:00:00Z"},
    "resource": GROUP_ITEM,
}


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(VALID)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # Each of these changed a decision on one engine or the other before the schema.
        (("resource", "group_step"), "1"),
        (("resource", "group_step"), None),
        (("resource", "group_step"), 0),
        (("resource", "group_step"), _DELETE),
        (("resource", "contains_person_identifiers"), "false"),
        (("resource", "contains_person_identifiers"), _DELETE),
        (("subject", "roles"), "professional"),
        (("subject", "roles"), ["professional", "professional"]),
        (("subject", "roles"), ["superuser"]),
        (("context", "now"), "2026-11-20T10:00:00z"),
        (("context", "now"), "20 november 2026"),
        (("context", "purpose"), "marketing"),
        (("context", "legal_basis"), "omdat-het-kan"),
        (("resource", "participants"), ["politie-utrecht"]),
        (("resource", "source_organisation"), "politie-utrecht"),
        (("resource", "source_organisation"), {"id": "politie-utrecht"}),
        (("resource", "tenant"), "gm0355"),
        (("resource", "category"), "geheim"),
        (("resource", "type"), "tenant-instellingen"),
        (("resource", "shared_with"), ["RGUTRECHT"]),
        (("subject", "domain"), "politie"),
        (("action",), "delete"),
    ],
)
def test_anything_off_schema_is_refused_before_evaluation(
    path: tuple[str, ...], value: Any, embedded_engine: EmbeddedRegoEngine
) -> None:
    with pytest.raises(PolicyInputInvalid):
        embedded_engine.decide(_with(path, value))


def test_the_valid_input_is_decided(embedded_engine: EmbeddedRegoEngine) -> None:
    decision = embedded_engine.decide(VALID)
    assert decision.allow is False
    assert "groep-stap1-persoonsgegevens" in decision.codes


def test_canonical_form_is_one_spelling() -> None:
    a = canonical(_with(("context", "now"), "2026-11-20T11:00:00+01:00"))
    b = canonical(VALID)
    assert a == b
    assert a["context"]["now"] == "2026-11-20T10:00:00Z"
    assert "shared_with_tenants" in a["resource"]


def test_build_input_validates_too() -> None:
    with pytest.raises(PolicyInputInvalid, match="purpose"):
        build_input(SUBJECT, "read", {"purpose": "marketing", "now": "2026-01-01T00:00:00Z"})
