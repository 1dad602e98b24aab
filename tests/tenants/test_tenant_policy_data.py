"""Policy data generated from the manifests: exact shape, deterministic, revisioned."""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

import pytest

from tenants import reference
from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest, ManifestError, load_all
from tenants.policy_data import build_policy_data, canonical_json, policy_data_json


@pytest.fixture(scope="module")
def manifests() -> list[Manifest]:
    return load_all(SHIPPED_MANIFESTS_DIR)


def test_shape(manifests: list[Manifest]) -> None:
    data = build_policy_data(manifests, suspended=set())
    assert set(data) == {"revision", "tenants", "regions"}
    zeist = data["tenants"]["GM0355"]
    assert set(zeist) == {
        "kind",
        "region",
        "active",
        "organisations",
        "grants",
        "bsn_purposes",
    }
    assert zeist["kind"] == "gemeente"
    assert zeist["region"] == "regio-utrecht"
    assert zeist["active"] is True
    assert zeist["organisations"]["politie-basisteam-zeist"] == {
        "domain": "politie",
        "receive_only": False,
    }
    assert zeist["organisations"]["altrecht"] == {"domain": "zorg", "receive_only": True}
    assert zeist["bsn_purposes"] == ["aanmelding", "informeren", "triage"]
    for domain, by_category in zeist["grants"].items():
        assert domain in reference.ORGANISATION_DOMAINS
        for category, purposes in by_category.items():
            assert category in reference.DATA_CATEGORIES
            assert purposes == sorted(set(purposes))
            assert set(purposes) <= set(reference.PURPOSES)
    assert "triage" in zeist["grants"]["politie"]["strafrechtelijk"]
    assert data["regions"] == {
        "haaglanden": {"bureau_tenant": "RGHAAGLANDEN", "tenants": ["GM0637"]},
        "regio-utrecht": {
            "bureau_tenant": "RGUTRECHT",
            "tenants": ["GM0345", "GM0352", "GM0355", "GM0402"],
        },
    }
    assert data["tenants"]["RGUTRECHT"]["kind"] == "regio"


def test_grants_merge_across_entries(manifests: list[Manifest]) -> None:
    data = build_policy_data(manifests, suspended=set())
    oov = data["tenants"]["GM0402"]["grants"]["gemeente-oov"]["algemeen"]
    # from the common grant, the informeren grant and the verantwoording grant
    assert {"triage", "informeren", "verantwoording"} <= set(oov)


def test_revision_is_sha256_of_canonical_rest(manifests: list[Manifest]) -> None:
    data = build_policy_data(manifests, suspended=set())
    rest = {k: v for k, v in data.items() if k != "revision"}
    expected = hashlib.sha256(
        json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert data["revision"] == expected
    assert canonical_json(rest).encode() == json.dumps(
        rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def test_deterministic_regardless_of_order(manifests: list[Manifest]) -> None:
    first = build_policy_data(manifests, suspended={"GM0352"})
    shuffled = list(manifests)
    random.Random(7).shuffle(shuffled)
    second = build_policy_data(shuffled, suspended={"GM0352"})
    assert policy_data_json(first) == policy_data_json(second)
    assert json.dumps(first) == json.dumps(second)  # also the dict insertion order


def test_suspension_changes_active_and_revision(manifests: list[Manifest]) -> None:
    active = build_policy_data(manifests, suspended=set())
    suspended = build_policy_data(manifests, suspended={"GM0637", "GM9999"})
    assert suspended["tenants"]["GM0637"]["active"] is False
    assert suspended["tenants"]["GM0355"]["active"] is True
    assert "GM9999" not in suspended["tenants"]
    assert suspended["revision"] != active["revision"]


def test_output_is_plain_json(manifests: list[Manifest]) -> None:
    data = build_policy_data(manifests, suspended=set())
    round_trip: dict[str, Any] = json.loads(policy_data_json(data))
    assert round_trip == data


def test_conflicting_set_is_rejected(manifests: list[Manifest]) -> None:
    with pytest.raises(ManifestError):
        build_policy_data([*manifests, manifests[0]], suspended=set())
