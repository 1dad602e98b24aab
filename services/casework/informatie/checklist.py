"""The checklist gegevensdeling (docs/policy.md, rule 4): purpose, art. 6 basis, art. 9
exception, beroepsgeheim ground, necessity and transparency, and the check of its codes
(unknown codes are bad input before the policy is asked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.casework.domain.errors import DomainValidationError, FieldProblem
from tenants.reference import BEROEPSGEHEIM_GROUNDS, LEGAL_BASES_ART6, LEGAL_BASES_ART9, PURPOSES


@dataclass(frozen=True)
class Checklist:
    """The checklist gegevensdeling (docs/policy.md, rule 4)."""

    purpose: str | None = None
    legal_basis: str | None = None
    art9_exception: str | None = None
    beroepsgeheim_ground: str | None = None
    necessity: str | None = None
    person_informed: bool | None = None
    not_informed_reason: str | None = None

    def context(self) -> dict[str, Any]:
        """The policy context fields (without purpose and now, which the enforcer adds)."""
        return {
            "legal_basis": self.legal_basis,
            "art9_exception": self.art9_exception,
            "beroepsgeheim_ground": self.beroepsgeheim_ground,
            "necessity": self.necessity,
            "person_informed": self.person_informed,
            "not_informed_reason": self.not_informed_reason,
        }


def code_problems(checklist: Checklist) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if checklist.purpose is not None and checklist.purpose not in PURPOSES:
        problems.append(
            FieldProblem(
                "doel",
                f"Onbekend doel '{checklist.purpose}'; kies uit {', '.join(PURPOSES)}.",
            )
        )
    if checklist.legal_basis == "convenant":
        problems.append(
            FieldProblem(
                "grondslag", "Een convenant is geen grondslag: kies een grondslag uit art. 6 AVG."
            )
        )
    elif checklist.legal_basis is not None and checklist.legal_basis not in LEGAL_BASES_ART6:
        problems.append(
            FieldProblem(
                "grondslag",
                f"Onbekende grondslag; kies uit {', '.join(LEGAL_BASES_ART6)}.",
            )
        )
    if checklist.art9_exception is not None and checklist.art9_exception not in LEGAL_BASES_ART9:
        problems.append(
            FieldProblem(
                "art9_uitzondering",
                f"Onbekende uitzondering; kies uit {', '.join(LEGAL_BASES_ART9)}.",
            )
        )
    if (
        checklist.beroepsgeheim_ground is not None
        and checklist.beroepsgeheim_ground not in BEROEPSGEHEIM_GROUNDS
    ):
        problems.append(
            FieldProblem(
                "beroepsgeheim_grond",
                f"Onbekende grond; kies uit {', '.join(BEROEPSGEHEIM_GROUNDS)}.",
            )
        )
    return problems


def refuse_unknown_codes(checklist: Checklist) -> None:
    """Unknown codes are bad input (422) before the policy is asked. "convenant" is a known
    mistake the policy explains itself ("een convenant is geen grondslag")."""
    problems = [
        p
        for p in code_problems(checklist)
        if not (p.field == "grondslag" and checklist.legal_basis == "convenant")
    ]
    if problems:
        raise DomainValidationError(problems)
