"""Plan van aanpak: validation with Dutch field errors and the change summary."""

from __future__ import annotations

from typing import Any

import pytest

from services.casework.domain.errors import DomainValidationError
from services.casework.domain.plan import PlanContent, diff_plans, validate_plan

ORGS = {"politie-zeist", "ggz", "schuldhulp-zeist", "gemeente-zeist-oov"}


def plan_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "goals": [
            {
                "domain": "financien",
                "problem": "Schulden bij meerdere schuldeisers.",
                "goal": "Schulden in beeld en budgetbeheer.",
            },
            {
                "domain": "justitie",
                "problem": "Drie registraties in een jaar.",
                "goal": "Geen nieuwe registraties.",
            },
        ],
        "end_criterion": "Negen maanden geen meldingen en een vaste hulpverlener.",
        "actions": [
            {
                "id": "a1",
                "description": "Aanmelden bij schuldhulp",
                "owner_organisation_id": "schuldhulp-zeist",
                "deadline": "2026-03-01",
            },
            {
                "id": "a2",
                "description": "Huisbezoek wijkagent",
                "owner_organisation_id": "politie-zeist",
                "owner_user_id": "wijkagent-1",
                "deadline": "2026-02-01",
                "status": "loopt",
            },
        ],
        "interventions": [
            {"track": "zorg", "description": "Ambulante GGZ", "organisation_id": "ggz"},
            {"track": "bestuurlijk", "description": "Waarschuwingsgesprek burgemeester"},
        ],
        "commitments": [
            {"organisation_id": "ggz", "text": "Intake binnen 4 weken", "made_on": "2026-01-10"},
        ],
    }
    data.update(changes)
    return data


def fields(exc: pytest.ExceptionInfo[DomainValidationError]) -> dict[str, str]:
    return {p.field: p.message for p in exc.value.problems}


def test_valid_plan() -> None:
    plan = validate_plan(plan_data(), "zrm", ORGS)
    assert isinstance(plan, PlanContent)
    assert plan.actions[0].status == "open"
    assert plan.actions[1].deadline.isoformat() == "2026-02-01"
    assert validate_plan(plan, "zrm", ORGS) is plan


def test_end_criterion_required() -> None:
    data = plan_data()
    del data["end_criterion"]
    with pytest.raises(DomainValidationError) as info:
        validate_plan(data, "zrm", ORGS)
    assert fields(info) == {"end_criterion": "eindcriterium: verplicht veld ontbreekt"}
    with pytest.raises(DomainValidationError) as info:
        validate_plan(plan_data(end_criterion="   "), "zrm", ORGS)
    assert "end_criterion" in fields(info)


def test_structure_errors_name_the_field() -> None:
    data = plan_data()
    data["actions"][0]["status"] = "klaar"
    data["actions"][1]["deadline"] = "morgen"
    data["interventions"][0]["track"] = "sociaal"
    data["goals"][0]["extra"] = "x"
    with pytest.raises(DomainValidationError) as info:
        validate_plan(data, "zrm", ORGS)
    problems = fields(info)
    assert set(problems) == {
        "actions[0].status",
        "actions[1].deadline",
        "interventions[0].track",
        "goals[0].extra",
    }
    assert problems["actions[0].status"].startswith("ongeldige waarde; toegestaan:")
    assert "datum" in problems["actions[1].deadline"]
    assert "niet toegestaan" in problems["goals[0].extra"]


def test_no_goals() -> None:
    with pytest.raises(DomainValidationError) as info:
        validate_plan(plan_data(goals=[]), "zrm", ORGS)
    assert "goals" in fields(info)


def test_semantic_errors() -> None:
    data = plan_data()
    data["goals"][1]["domain"] = "overlast"  # a leefgebieden-8 domain, not ZRM
    data["actions"][1]["id"] = "a1"
    data["actions"][1]["owner_organisation_id"] = "onbekend"
    data["commitments"][0]["check_due_on"] = "2026-01-01"
    with pytest.raises(DomainValidationError) as info:
        validate_plan(data, "zrm", ORGS)
    problems = fields(info)
    assert set(problems) == {
        "goals[1].domain",
        "actions[1].id",
        "actions[1].owner_organisation_id",
        "commitments[0].check_due_on",
    }
    assert "Leefgebied 'overlast'" in problems["goals[1].domain"]
    assert "Dubbele actie-id 'a1'" in problems["actions[1].id"]
    assert "Onbekende organisatie 'onbekend'" in problems["actions[1].owner_organisation_id"]
    assert validate_plan(
        plan_data(goals=[{"domain": "overlast", "problem": "p", "goal": "g"}]),
        "leefgebieden-8",
        ORGS,
    )


def test_diff_plans() -> None:
    old = validate_plan(plan_data(), "zrm", ORGS)
    data = plan_data(end_criterion="Zes maanden geen registraties.")
    data["goals"][0]["goal"] = "Budgetbeheer loopt."
    data["goals"].append({"domain": "huisvesting", "problem": "Dakloos.", "goal": "Woonplek."})
    data["actions"][0]["status"] = "gereed"
    data["actions"][1]["deadline"] = "2026-02-15"
    data["actions"].append(
        {
            "id": "a3",
            "description": "Intake GGZ",
            "owner_organisation_id": "ggz",
            "deadline": "2026-04-01",
        }
    )
    data["interventions"].pop()
    data["commitments"][0]["status"] = "nagekomen"
    new = validate_plan(data, "zrm", ORGS)
    changes = diff_plans(old, new, {"ggz": "GGZ Centraal"})
    assert changes == [
        "Doel bij Financiën gewijzigd: Budgetbeheer loopt.",
        "Nieuw doel bij Huisvesting: Woonplek.",
        "Eindcriterium gewijzigd: Zes maanden geen registraties.",
        "Actie 'Aanmelden bij schuldhulp': status open → gereed.",
        "Actie 'Huisbezoek wijkagent': deadline van 1 februari 2026 naar 15 februari 2026.",
        "Nieuwe actie 'Intake GGZ' (GGZ Centraal, deadline 1 april 2026).",
        "Interventie (bestuurlijk) vervallen: Waarschuwingsgesprek burgemeester",
        "Toezegging van GGZ Centraal (Intake binnen 4 weken): open → nagekomen.",
    ]
    assert diff_plans(old, old) == []
    assert diff_plans(None, old) == [
        "Eerste versie van het plan van aanpak: 2 doel(en), 2 actie(s)."
    ]
    removed = validate_plan(plan_data(actions=[]), "zrm", ORGS)
    assert "Actie 'Huisbezoek wijkagent' verwijderd." in diff_plans(old, removed)


def test_diff_plans_reports_a_new_check_date_of_a_commitment() -> None:
    """Issue 12: postponing the check of a toezegging (or correcting its date) is a change;
    it used to be no change at all, so the editor stored nothing."""
    old = validate_plan(plan_data(), "zrm", ORGS)
    data = plan_data()
    data["commitments"][0]["check_due_on"] = "2026-03-15"
    data["commitments"][0]["made_on"] = "2026-01-12"
    later = validate_plan(data, "zrm", ORGS)
    assert diff_plans(old, later, {"ggz": "GGZ Centraal"}) == [
        "Toezegging van GGZ Centraal (Intake binnen 4 weken): toegezegd op 12 januari 2026.",
        "Toezegging van GGZ Centraal (Intake binnen 4 weken): controle op 15 maart 2026.",
    ]
    assert diff_plans(later, old, {"ggz": "GGZ Centraal"})[-1] == (
        "Toezegging van GGZ Centraal (Intake binnen 4 weken): controle op de standaardtermijn."
    )


def test_diff_plans_reports_the_status_of_a_goal() -> None:
    """Issue 12: goals get a status (open, loopt, behaald, niet behaald), default open."""
    old = validate_plan(plan_data(), "zrm", ORGS)
    assert [g.status for g in old.goals] == ["open", "open"]
    data = plan_data()
    data["goals"][0]["status"] = "behaald"
    assert diff_plans(old, validate_plan(data, "zrm", ORGS)) == [
        "Doel bij Financiën (Schulden in beeld en budgetbeheer.): status open → behaald."
    ]
    data["goals"][0]["status"] = "gehaald"
    with pytest.raises(DomainValidationError):
        validate_plan(data, "zrm", ORGS)
