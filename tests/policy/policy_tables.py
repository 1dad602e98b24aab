"""Loading the decision tables in policies/tests/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.platform.policy.model import Decision

TABLES_DIR = Path(__file__).resolve().parents[2] / "policies" / "tests"
PERSONAS_FILE = TABLES_DIR / "personas.yaml"


@dataclass(frozen=True)
class Case:
    table: str
    rule: int
    name: str
    subject: dict[str, Any]
    action: str
    resource: dict[str, Any]
    context: dict[str, Any]
    expect: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.table}: {self.name}"

    def input(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "action": self.action,
            "context": self.context,
            "resource": self.resource,
        }


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_cases() -> list[Case]:
    personas: dict[str, dict[str, Any]] = _load_yaml(PERSONAS_FILE)
    cases: list[Case] = []
    for path in sorted(TABLES_DIR.glob("[0-9]*.yaml")):
        table = _load_yaml(path)
        defaults = table.get("context", {}) or {}
        for raw in table["cases"]:
            subject = raw["subject"]
            if isinstance(subject, str):
                subject = personas[subject]
            context = {**defaults, **(raw.get("context") or {})}
            context = {k: v for k, v in context.items() if v is not None}
            cases.append(
                Case(
                    table=path.stem,
                    rule=int(table["rule"]),
                    name=raw["name"],
                    subject=dict(subject),
                    action=raw["action"],
                    resource=dict(raw["resource"]),
                    context=context,
                    expect=dict(raw["expect"]),
                )
            )
    return cases


def check(case: Case, decision: Decision) -> None:
    """Assert the decision meets the case's expectations, with a readable message."""
    exp = case.expect
    shown = f"{case.id}\n  got: {decision.to_dict()}"
    assert decision.allow is exp["allow"], f"allow should be {exp['allow']}: {shown}"
    if "view" in exp:
        assert decision.view == exp["view"], f"view should be {exp['view']}: {shown}"
    missing = set(exp.get("reasons", [])) - decision.codes
    assert not missing, f"missing reason codes {sorted(missing)}: {shown}"
    unwanted = set(exp.get("not_reasons", [])) & decision.codes
    assert not unwanted, f"reason codes that should not be given {sorted(unwanted)}: {shown}"
    if not exp["allow"]:
        assert decision.denied_by, f"a denial must say why: {shown}"
    absent_mask = set(exp.get("mask", [])) - set(decision.mask)
    assert not absent_mask, f"should mask {sorted(absent_mask)}: {shown}"
    wrongly_masked = set(exp.get("mask_excludes", [])) & set(decision.mask)
    assert not wrongly_masked, f"should not mask {sorted(wrongly_masked)}: {shown}"
    absent_obl = set(exp.get("obligations", [])) - decision.obligation_codes
    assert not absent_obl, f"missing obligations {sorted(absent_obl)}: {shown}"
