"""Every cell of the need-to-know matrix (role × relation to the casus) has a decision-table
case (issue 9, defect 2), and each case tagged with a cell really is that cell.

A case names its cell with ``matrix: [role, relation]`` (``role`` may join roles with ``+``,
e.g. ``adviseur+professional``). The matrix is read from the table under the heading
"Need-to-know matrix" in docs/policy.md when it is there: its header row names the relations,
its first column the roles, as codes (in backticks or plain; the relations may also be the
labels of :data:`RELATION_LABELS`), and a cell may say the view
(``full``, ``pseudoniem``, ``anoniem``) or no access (``—``, ``-``, ``geen``); a cell that says a
view or no access must agree with a ``read`` case of that cell. Without the table the matrix
is every role of tenants/reference.py × :data:`RELATIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from policy_invariants import Facts
from policy_tables import TABLES_DIR

from tenants.reference import ROLES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
HEADING = re.compile(r"^#+\s.*need-to-know matrix", re.IGNORECASE)
#: The relations to a casus (docs/policy.md; need_to_know.rego) when the docs have no table.
RELATIONS = ("regisseur", "deelnemer", "gemeente", "gedeeld", "andere-gemeente", "groepsplan")
VIEWS = ("full", "pseudoniem", "anoniem")
NO_ACCESS = {"—", "-", "–", "geen", "nee", "no", "none", "deny"}

Cell = tuple[str, str]


#: The relation labels of the docs table and their codes in the tables' ``matrix`` metadata
#: (a header cell may instead carry its code in backticks).
RELATION_LABELS = {
    "participating organisation": "deelnemer",
    "own gemeente, no relation": "gemeente",
    "shared with own tenant (bureau)": "gedeeld",
    "other gemeente": "andere-gemeente",
    "group plan (driehoek)": "groepsplan",
}


def _code(cell: str) -> str:
    quoted = re.search(r"`([^`]+)`", cell)
    text = (quoted.group(1) if quoted else cell).strip().strip("*").strip().lower()
    return RELATION_LABELS.get(text, text)


def docs_matrix(text: str) -> dict[Cell, str] | None:
    """The table under the "Need-to-know matrix" heading: (role, relation) -> cell text."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if HEADING.match(line)), None)
    if start is None:
        return None
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.strip().startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    if len(rows) < 3:
        raise AssertionError(f"{DOCS}: the need-to-know matrix heading has no table")
    relations = [_code(c) for c in rows[0][1:]]
    matrix: dict[Cell, str] = {}
    for row in rows[2:]:  # rows[1] is the |---| line
        role = _code(row[0])
        for relation, value in zip(relations, row[1:], strict=False):
            matrix[(role, relation)] = value.strip()
    return matrix


def expected_matrix() -> dict[Cell, str]:
    if DOCS.exists():
        from_docs = docs_matrix(DOCS.read_text(encoding="utf-8"))
        if from_docs is not None:
            return from_docs
    return {(role, relation): "" for role in ROLES for relation in RELATIONS}


def tagged_cases() -> list[tuple[str, dict[str, Any]]]:
    """(table, raw case) for every case with ``matrix`` metadata, personas resolved."""
    personas: Mapping[str, Any] = yaml.safe_load(
        (TABLES_DIR / "personas.yaml").read_text(encoding="utf-8")
    )
    out = []
    for path in sorted(TABLES_DIR.glob("[0-9]*.yaml")):
        table = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in table["cases"]:
            if "matrix" in raw:
                subject = raw["subject"]
                case = {
                    **raw,
                    "subject": personas[subject] if isinstance(subject, str) else subject,
                }
                out.append((path.stem, case))
    return out


MATRIX = expected_matrix()
CASES = tagged_cases()


def test_the_matrix_covers_every_role() -> None:
    roles = {role for role, _ in MATRIX}
    assert roles == set(ROLES), (
        f"roles missing {sorted(set(ROLES) - roles)}, unknown {roles - set(ROLES)}"
    )


def test_every_matrix_cell_has_a_case() -> None:
    covered = {(c["matrix"][0], c["matrix"][1]) for _, c in CASES}
    missing = sorted(set(MATRIX) - covered)
    assert not missing, f"{len(missing)} of {len(MATRIX)} matrix cells have no case: {missing}"


@pytest.mark.parametrize(
    ("table", "case"), CASES, ids=[f"{t}: {c['name']}" for t, c in CASES] or None
)
def test_a_tagged_case_is_its_cell(table: str, case: dict[str, Any]) -> None:
    """The metadata names known codes, the subject holds exactly those roles, and the
    resource stands in that relation to the subject (tenant-qualified)."""
    tag = case["matrix"]
    assert isinstance(tag, list) and len(tag) == 2, f"matrix: [role, relation], got {tag!r}"
    role, relation = tag
    roles = set(role.split("+"))
    relations = {r for _, r in MATRIX}
    assert roles <= set(ROLES), f"unknown role(s) {sorted(roles - set(ROLES))}"
    assert relation in relations, f"unknown relation {relation!r} (known: {sorted(relations)})"
    f = Facts({**case, "context": case.get("context") or {}})
    assert set(f.roles) == roles, f"the subject's roles {sorted(f.roles)} are not {role}"
    groep_plan = f.type == "plan" and f.resource.get("casus_kind") == "groep"
    holds = {
        "regisseur": f.same_tenant and f.regisseur,
        "deelnemer": f.same_tenant and f.participant and not f.regisseur,
        "gemeente": f.same_tenant and not (f.participant or f.regisseur or f.coordinator),
        "gedeeld": f.shared,
        "andere-gemeente": not f.same_tenant and not f.shared,
        "groepsplan": f.same_tenant and groep_plan,
    }
    if relation in holds:
        assert holds[relation], f"the case's resource is not in relation {relation!r}"


def _cell_view(text: str) -> str | None:
    """What a docs cell says for reading: a view, "deny", or None (not said)."""
    text = text.split("(")[0]  # "— (own group casus: full)": the remark is not the cell
    words = set(re.findall(r"[\w—–-]+", text.lower()))
    views = [v for v in VIEWS if v in words]
    if views:
        return views[0]
    if text.strip().lower() in NO_ACCESS or words & {"geen", "deny"}:
        return "deny"
    return None


def test_docs_cells_agree_with_their_read_cases() -> None:
    said = {cell: _cell_view(text) for cell, text in MATRIX.items() if _cell_view(text)}
    disagree = []
    for cell, view in sorted(said.items()):
        reads = [c for _, c in CASES if tuple(c["matrix"]) == cell and c["action"] == "read"]
        outcomes = {(c["expect"].get("view") if c["expect"]["allow"] else "deny") for c in reads}
        if reads and view not in outcomes:
            disagree.append(
                f"{cell}: docs say {view!r}, read cases expect {sorted(map(str, outcomes))}"
            )
    assert not disagree, "\n".join(disagree)


def test_the_docs_table_format_is_read() -> None:
    """The parser of the docs table (the table is the lead's; this pins the format)."""
    sample = "\n".join(
        [
            "## Need-to-know matrix",
            "",
            "| Rol \\ relatie | `regisseur` | `gedeeld` |",
            "|---|---|---|",
            "| `professional` | full | — |",
            "| **adviseur** | pseudoniem (alleen lezen) | geen |",
            "",
            "## Next",
        ]
    )
    matrix = docs_matrix(sample)
    assert matrix is not None
    assert set(matrix) == {
        ("professional", "regisseur"),
        ("professional", "gedeeld"),
        ("adviseur", "regisseur"),
        ("adviseur", "gedeeld"),
    }
    assert _cell_view(matrix[("professional", "regisseur")]) == "full"
    assert _cell_view(matrix[("professional", "gedeeld")]) == "deny"
    assert _cell_view(matrix[("adviseur", "regisseur")]) == "pseudoniem"
    assert _cell_view(matrix[("adviseur", "gedeeld")]) == "deny"
    assert docs_matrix("# Policy\n\nno matrix here\n") is None
