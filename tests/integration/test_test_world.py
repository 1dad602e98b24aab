"""The test world (tests/manifests, tests/people.py): every demo user has a test counterpart
with the same organisation and roles, the constants name users of the test manifests, and the
fixtures apply the test manifests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import people
from litestar import Litestar
from litestar.testing import TestClient
from people import DEMO_TO_TEST, TEST_MANIFESTS_DIR, ZEIST, ZEIST_PGA_EXPERT, ZEIST_PGA_EXPERT_NAME

from tenants.manifest import SHIPPED_MANIFESTS_DIR, Manifest, load_all


def _users(manifests: list[Manifest]) -> dict[tuple[str, str], Any]:
    return {(m.gemeentecode, u.id): u for m in manifests for u in m.users}


def test_every_demo_user_has_a_test_counterpart_with_the_same_organisation_and_roles() -> None:
    demo = load_all(SHIPPED_MANIFESTS_DIR)
    test = _users(load_all(TEST_MANIFESTS_DIR))
    for manifest in demo:
        code = getattr(people, DEMO_TO_TEST[manifest.gemeentecode])
        for user in manifest.users:
            twin = test[(code, getattr(people, DEMO_TO_TEST[user.id]))]
            assert twin.organisation == user.organisation, user.id
            assert sorted(twin.roles) == sorted(user.roles), user.id
            assert twin.name == getattr(people, DEMO_TO_TEST[user.name]), user.id
    assert len(test) == sum(len(m.users) for m in demo)


def test_each_test_tenant_is_its_demo_tenant_but_for_code_region_and_people() -> None:
    """Organisations, convenant grants, meeting types, retention...: as in the demo, so the
    tests exercise the configuration the demo ships."""
    test = {m.gemeentecode: m for m in load_all(TEST_MANIFESTS_DIR)}
    different = {"gemeentecode", "region", "users"}
    for manifest in load_all(SHIPPED_MANIFESTS_DIR):
        twin = test[getattr(people, DEMO_TO_TEST[manifest.gemeentecode])]
        assert twin.model_dump(exclude=different) == manifest.model_dump(exclude=different)
        assert twin.region == getattr(people, DEMO_TO_TEST[manifest.region])


def test_the_test_world_shares_no_code_region_or_user_id_with_the_demo() -> None:
    demo, test = load_all(SHIPPED_MANIFESTS_DIR), load_all(TEST_MANIFESTS_DIR)
    assert not {m.gemeentecode for m in demo} & {m.gemeentecode for m in test}
    assert not {m.region for m in demo} & {m.region for m in test}
    assert not {u.id for m in demo for u in m.users} & {u.id for m in test for u in m.users}
    values = {getattr(people, name) for name in DEMO_TO_TEST.values()}
    assert not values & set(DEMO_TO_TEST), "a constant still holds a demo id"


def test_the_app_knows_the_test_users(
    app: Litestar, token_for: Callable[[str, str], dict[str, str]]
) -> None:
    with TestClient(app) as client:
        me = client.get("/api/v1/mij", headers=token_for(ZEIST, ZEIST_PGA_EXPERT))
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["gebruiker"], body["tenant"]) == (ZEIST_PGA_EXPERT, ZEIST)
    assert body["naam"] == ZEIST_PGA_EXPERT_NAME and body["rollen"] == ["pga-expert"]
