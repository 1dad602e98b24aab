"""The plan: differences between a manifest and a snapshot of the current state."""

from __future__ import annotations

import dataclasses

import pytest
from manifest_texts import NEW_GEMEENTE

from tenants.diff import (
    Change,
    MeetingTypeState,
    OrganisationState,
    TenantState,
    UserState,
    destructive_changes,
    format_plan,
    manifest_settings,
    plan,
    state_from_manifest,
)
from tenants.manifest import Manifest, validate_text


@pytest.fixture
def manifest() -> Manifest:
    return validate_text(NEW_GEMEENTE, "gm0344-utrecht.toml")


def _keys(changes: list[Change], action: str, entity: str) -> list[str]:
    return [c.key for c in changes if c.action == action and c.entity == entity]


def test_new_tenant_adds_everything(manifest: Manifest) -> None:
    changes = plan(manifest, None)
    assert changes[0].action == "add"
    assert changes[0].entity == "tenant"
    assert "GM0344" in changes[0].description
    assert "aanmaken" in changes[0].description
    assert _keys(changes, "add", "organisation") == [
        "gemeente-utrecht-oov",
        "huisartsen-utrecht",
        "politie-utrecht",
    ]
    assert _keys(changes, "add", "user") == ["test-huisarts", "test-procesregisseur"]
    assert _keys(changes, "add", "meeting_type") == ["pga-overleg"]
    assert "gemeente-oov/algemeen" in _keys(changes, "add", "grant")
    assert {c.action for c in changes} == {"add"}


def test_no_changes_when_state_matches(manifest: Manifest) -> None:
    assert plan(manifest, state_from_manifest(manifest)) == []
    assert "Geen wijzigingen" in format_plan([])


def test_detects_updates_and_removals(manifest: Manifest) -> None:
    state = state_from_manifest(manifest)
    current = dataclasses.replace(
        state,
        name="Utrecht (oud)",
        organisations={
            **state.organisations,
            "politie-utrecht": OrganisationState("Politie oud", "politie"),
            "oude-partner": OrganisationState("Oude partner", "wonen"),
        },
        meeting_types={"pga-overleg": MeetingTypeState("PGA-overleg Utrecht", 4)},
        users={
            **{k: v for k, v in state.users.items() if k != "test-huisarts"},
            "vertrokken": UserState("Vertrokken Collega", "oude-partner", frozenset({"adviseur"})),
        },
        grants={
            "politie": {"algemeen": ["triage"], "strafrechtelijk": ["triage"]},
            "gemeente-oov": state.grants["gemeente-oov"],
            "huisarts": state.grants["huisarts"],
        },
        settings={**state.settings, "age_band": {"min": 16, "max": 27}},
    )
    changes = plan(manifest, current)

    assert _keys(changes, "update", "tenant") == ["GM0344"]
    assert "Utrecht (oud)" in changes[0].description
    assert _keys(changes, "update", "setting") == ["age_band"]
    assert _keys(changes, "update", "organisation") == ["politie-utrecht"]
    assert _keys(changes, "remove", "organisation") == ["oude-partner"]
    assert _keys(changes, "update", "meeting_type") == ["pga-overleg"]
    assert _keys(changes, "add", "user") == ["test-huisarts"]
    assert _keys(changes, "remove", "user") == ["vertrokken"]
    assert _keys(changes, "update", "grant") == ["politie/algemeen"]
    assert _keys(changes, "add", "grant") == ["politie/identificerend"]
    assert _keys(changes, "remove", "grant") == ["politie/strafrechtelijk"]

    # Removing an organisation comes after removing its users.
    order = [(c.action, c.entity) for c in changes]
    assert order.index(("remove", "user")) < order.index(("remove", "organisation"))
    text = format_plan(changes)
    assert "verwijderen" in text
    assert "wijzigen" in text
    assert "Plan: 2 toevoegen, 5 wijzigen, 3 verwijderen." in text
    # The rename is destructive (a manifest with another gemeente's code would take it
    # over); the removals are not, since nothing refers to them.
    assert [(c.entity, c.key) for c in destructive_changes(changes)] == [("tenant", "GM0344")]
    assert text.splitlines()[0].startswith("! ~ tenant GM0344")
    assert "destructieve wijziging" in text.splitlines()[-1]


def test_removing_what_casework_refers_to_is_destructive(manifest: Manifest) -> None:
    state = state_from_manifest(manifest)
    current = dataclasses.replace(
        state,
        organisations={
            **state.organisations,
            "oude-partner": OrganisationState("Oude partner", "wonen"),
            "lege-partner": OrganisationState("Lege partner", "wonen"),
        },
        users={
            **state.users,
            "regisseur-met-casussen": UserState("R", "oude-partner", frozenset({"casusregisseur"})),
            "nooit-actief": UserState("N", "oude-partner", frozenset({"adviseur"})),
        },
        organisations_in_use=frozenset({"oude-partner"}),
        users_in_use=frozenset({"regisseur-met-casussen"}),
    )
    changes = plan(manifest, current)
    assert {(c.entity, c.key) for c in changes} == {
        ("organisation", "oude-partner"),
        ("organisation", "lege-partner"),
        ("user", "regisseur-met-casussen"),
        ("user", "nooit-actief"),
    }
    assert [(c.entity, c.key) for c in destructive_changes(changes)] == [
        ("user", "regisseur-met-casussen"),
        ("organisation", "oude-partner"),
    ]
    # Adding or changing is never destructive; a region change is.
    moved = dataclasses.replace(state, region="elders")
    (change,) = plan(manifest, moved)
    assert change.destructive and "regio" in change.destructive
    assert not any(c.destructive for c in plan(manifest, None))


def test_user_role_change_is_an_update(manifest: Manifest) -> None:
    state = state_from_manifest(manifest)
    users = dict(state.users)
    users["test-huisarts"] = dataclasses.replace(
        users["test-huisarts"], roles=frozenset({"adviseur"})
    )
    changes = plan(manifest, dataclasses.replace(state, users=users))
    assert len(changes) == 1
    change = changes[0]
    assert (change.action, change.entity, change.key) == ("update", "user", "test-huisarts")
    assert "professional" in change.description
    assert "adviseur" in change.description


def test_snapshot_of_other_tenant_is_rejected(manifest: Manifest) -> None:
    with pytest.raises(ValueError, match="GM0355"):
        plan(manifest, TenantState("GM0355", "Zeist", "gemeente", "regio-utrecht"))


def test_settings_are_json_values(manifest: Manifest) -> None:
    settings = manifest_settings(manifest)
    assert settings["age_band"] == {"min": 18, "max": 35}
    assert settings["retention"] == {"default_months": 48, "months": {"niet-opnemen": 3}}
    assert settings["review"] == {
        "herijking_months": 6,
        "positive_closure_months": 9,
        "commitment_check_weeks": 6,
    }
    assert settings["extra_domains"] == {"huisarts": "Huisartsenzorg"}
