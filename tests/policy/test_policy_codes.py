"""policies/codes.rego and the Python code lists name the same codes (issue 9, defect 14).

The Rego sets are evaluated (regopy, bundle entry points), not parsed from the text: what is
compared is what the policy actually computes. The Python side is THE place where codes are
defined (tenants/reference.py) plus the policy input schema (services/policy/input.py) and
the action list of the decision model (services/policy/model.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from rego_query import RegoQuery

from services.platform.policy.input import AVG_TYPES, CASUS_TYPES, PHASES, RESOURCE_TYPES
from services.platform.policy.model import ACTIONS
from services.platform.policy.source import PolicySource
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    DATA_CATEGORIES,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    ORGANISATION_DOMAINS,
    PURPOSES,
    ROLES,
)

#: Rego set -> the Python code list it must equal.
SAME_CODES: Mapping[str, frozenset[str]] = {
    "role_codes": frozenset(ROLES),
    "purposes": frozenset(PURPOSES),
    "art6_bases": frozenset(LEGAL_BASES_ART6),
    "art9_exceptions": frozenset(LEGAL_BASES_ART9),
    "beroepsgeheim_grounds": frozenset(BEROEPSGEHEIM_GROUNDS),
    "data_categories": frozenset(DATA_CATEGORIES),
    "known_actions": ACTIONS,
    "casus_types": CASUS_TYPES,
    "aggregate_types": frozenset(RESOURCE_TYPES - CASUS_TYPES - AVG_TYPES - {"overleg"}),
    "avg_types": AVG_TYPES,
    "phase_purposes": PHASES,  # its keys: one entry per phase
}
#: Rego set -> the Python code list it must be part of.
SUBSETS: Mapping[str, frozenset[str]] = {
    "casework_roles": frozenset(ROLES),
    "inzage_roles": frozenset(ROLES),
    "aggregate_reader_roles": frozenset(ROLES),
    "operational_purposes": frozenset(PURPOSES),
    "read_actions": ACTIONS,
    "content_actions": ACTIONS,
    "public_domains": frozenset(ORGANISATION_DOMAINS),
    "art9_statutory_domains": frozenset(ORGANISATION_DOMAINS),
}


@pytest.fixture(scope="module")
def rego(policy_source: PolicySource) -> RegoQuery:
    return RegoQuery(policy_source, [*SAME_CODES, *SUBSETS, "person_categories"])


@pytest.mark.parametrize("rule", sorted(SAME_CODES))
def test_rego_and_python_list_the_same_codes(rule: str, rego: RegoQuery) -> None:
    in_rego = rego.codes(rule)
    python = SAME_CODES[rule]
    assert in_rego == python, (
        f"data.regietafel.authz.{rule}: only in Rego {sorted(in_rego - python)}, "
        f"only in Python {sorted(python - in_rego)}"
    )


@pytest.mark.parametrize("rule", sorted(SUBSETS))
def test_rego_subsets_use_known_codes(rule: str, rego: RegoQuery) -> None:
    unknown = rego.codes(rule) - SUBSETS[rule]
    assert not unknown, f"data.regietafel.authz.{rule} holds unknown codes {sorted(unknown)}"


def test_phase_purposes_are_purposes(rego: RegoQuery) -> None:
    table = rego.value("phase_purposes")
    assert isinstance(table, dict)
    for phase, purposes in table.items():
        unknown = set(purposes) - set(PURPOSES)
        assert not unknown, f"phase {phase}: unknown purposes {sorted(unknown)}"
    # Statistics only: no phase opens casework for verantwoording (docs/policy.md).
    assert all("verantwoording" not in purposes for purposes in table.values())


def test_person_categories_are_all_but_algemeen(rego: RegoQuery) -> None:
    assert rego.codes("person_categories") == set(DATA_CATEGORIES) - {"algemeen"}


def test_the_helper_refuses_what_it_was_not_built_for(rego: RegoQuery) -> None:
    with pytest.raises(ValueError, match="not an entry point"):
        rego.value("decision")
