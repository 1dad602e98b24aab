"""A small linter that refuses Rego v0 syntax (regopy accepts both v0 and v1).

Rules (on top-level lines, i.e. rule heads, outside comments and strings):
  - every file starts with a ``package`` declaration;
  - no ``import rego.v1`` / ``import future.keywords`` (v1 is the default in OPA 1.x);
  - a rule head that opens a body with ``{`` must use ``if``;
  - partial sets use ``contains`` (``deny[msg] {`` / ``deny[msg] if`` is v0).
Run it with ``python -m services.platform.policy.lint [dir]``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from services.platform.policy.source import DEFAULT_POLICY_DIR


@dataclass(frozen=True, slots=True)
class LintError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')
_HEAD = re.compile(r"^[A-Za-z_][\w.]*")
_V0_PARTIAL = re.compile(r"^[A-Za-z_][\w.]*\[[^\]]*\]\s*(\{|if\b)")
_ASSIGN_OPEN = re.compile(r"^[A-Za-z_][\w.]*(\([^)]*\))?\s*(:=|=)\s*[\[{]\s*$")


def _strip(line: str) -> str:
    line = _STRING.sub('""', line)
    hash_at = line.find("#")
    return (line[:hash_at] if hash_at >= 0 else line).rstrip()


def lint_text(text: str, file: str = "<string>") -> list[LintError]:
    errors: list[LintError] = []
    saw_package = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip(raw)
        if not line or line[0].isspace() or line.startswith("}"):
            continue
        if line.startswith("package "):
            saw_package = True
            continue
        if not saw_package:
            errors.append(LintError(file, number, "the file must start with a package"))
            saw_package = True
        if line.startswith("import "):
            target = line.split()[1] if len(line.split()) > 1 else ""
            if target == "rego.v1" or target.startswith("future."):
                errors.append(
                    LintError(file, number, f"'import {target}' is not needed: write Rego v1")
                )
            continue
        if not _HEAD.match(line) or line.startswith("default "):
            continue
        if _V0_PARTIAL.match(line):
            errors.append(
                LintError(file, number, "v0 partial rule: use 'name contains value if { ... }'")
            )
            continue
        opens_body = line.endswith("{") and not _ASSIGN_OPEN.match(line)
        if opens_body and " if " not in f" {line} " and not re.search(r"\belse\b", line):
            errors.append(LintError(file, number, "v0 rule body: a rule body needs 'if'"))
    if not saw_package:
        errors.append(LintError(file, 1, "the file has no package"))
    return errors


def lint_dir(policy_dir: Path = DEFAULT_POLICY_DIR) -> list[LintError]:
    errors: list[LintError] = []
    for path in sorted(policy_dir.rglob("*.rego")):
        errors.extend(lint_text(path.read_text(encoding="utf-8"), str(path)))
    return errors


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    errors = lint_dir(Path(args[0]) if args else DEFAULT_POLICY_DIR)
    for error in errors:
        print(error)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
