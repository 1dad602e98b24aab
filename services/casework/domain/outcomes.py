"""Outcome flags of a person casus (intake, afsluiting, 12 months after): the measurements
the effect indicators rest on (docs/analytics-contract.md, ``outcomes_*``).

Dutch API names map to the contract's field names in one place; each flag has the data
category it reveals, so a reader without a grant for that category does not see it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .errors import DomainValidationError, FieldProblem


@dataclass(frozen=True)
class OutcomeFlag:
    api_name: str
    contract_name: str
    label: str
    category: str
    follow_up_only: bool = False


FLAGS: Final[tuple[OutcomeFlag, ...]] = (
    OutcomeFlag("werk_of_dagbesteding", "work_or_dagbesteding", "Werk of dagbesteding", "algemeen"),
    OutcomeFlag(
        "school_of_startkwalificatie",
        "school_or_startkwalificatie",
        "School of startkwalificatie",
        "algemeen",
    ),
    OutcomeFlag("stabiele_huisvesting", "stable_housing", "Stabiele huisvesting", "algemeen"),
    OutcomeFlag(
        "problematische_schulden", "problematic_debts", "Problematische schulden", "financieel"
    ),
    OutcomeFlag("uitkering", "benefit", "Uitkering", "financieel"),
    OutcomeFlag(
        "nieuwe_politieregistraties",
        "new_police_registrations_12m",
        "Nieuwe politieregistraties in 12 maanden",
        "strafrechtelijk",
        follow_up_only=True,
    ),
)

BY_API_NAME: Final[Mapping[str, OutcomeFlag]] = MappingProxyType({f.api_name: f for f in FLAGS})

MOMENTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "intake": "Bij de start (intake)",
        "afsluiting": "Bij afsluiting",
        "nameting-12m": "Twaalf maanden na afsluiting",
    }
)


def validate_flags(moment: str, flags: Mapping[str, bool | None]) -> dict[str, bool]:
    """Flags by contract name; unknown moments or flags give Dutch errors naming the field.

    A flag that is left out (or None) is unknown — not the same as False.
    """
    problems: list[FieldProblem] = []
    if moment not in MOMENTS:
        problems.append(FieldProblem("moment", f"Kies een moment: {', '.join(MOMENTS)}."))
    result: dict[str, bool] = {}
    for name, value in flags.items():
        flag = BY_API_NAME.get(name)
        if flag is None:
            problems.append(FieldProblem(f"uitkomsten.{name}", "Onbekende uitkomst."))
            continue
        if flag.follow_up_only and moment != "nameting-12m" and value is not None:
            problems.append(
                FieldProblem(
                    f"uitkomsten.{name}",
                    "Nieuwe politieregistraties worden alleen bij de nameting na 12 maanden "
                    "vastgelegd.",
                )
            )
            continue
        if value is not None:
            result[flag.contract_name] = bool(value)
    if not result and not problems:
        problems.append(FieldProblem("uitkomsten", "Vul minstens één uitkomst in."))
    if problems:
        raise DomainValidationError(problems)
    return result
