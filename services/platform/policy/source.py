"""Loading the Rego files and the policy data, and their revisions."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_POLICY_DIR = Path(__file__).resolve().parents[3] / "policies"

#: Rego package of the policies and the entry points (as OPA Data API paths).
PACKAGE_PATH = "regietafel/authz"
DECISION_RULE = "decision"
DECISIONS_RULE = "decisions"

#: Files the embedded engine leaves out: rego-cpp 1.5 cannot compile `with` in reasonable
#: time; the embedded engine evaluates a page resource by resource instead (ADR 0004).
EMBEDDED_EXCLUDE: frozenset[str] = frozenset({"batch.rego"})


#: The encoder ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
#: makes for each call (its other settings are ``JSONEncoder``'s defaults, as in ``dumps``),
#: made once: the decision cache encodes a key per resource (issue 14).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 kept."""
    return _CANONICAL(value)


def data_revision_of(data: Mapping[str, Any]) -> str:
    """The revision field of the data document, or sha256 over its canonical JSON."""
    rev = data.get("revision")
    if isinstance(rev, str) and rev:
        return rev
    return hashlib.sha256(canonical_json(dict(data)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RegoModule:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class PolicySource:
    """The Rego modules and the policy data (the ``data.regietafel`` document)."""

    modules: tuple[RegoModule, ...]
    data: Mapping[str, Any]

    @classmethod
    def load(
        cls,
        data: Mapping[str, Any] | Path,
        policy_dir: Path = DEFAULT_POLICY_DIR,
    ) -> PolicySource:
        if isinstance(data, Path):
            loaded = json.loads(data.read_text(encoding="utf-8"))
            if not isinstance(loaded, dict):
                raise ValueError(f"{data}: policy data must be a JSON object")
            data = loaded
        files = sorted(policy_dir.glob("*.rego"))
        if not files:
            raise FileNotFoundError(f"no .rego files in {policy_dir}")
        modules = tuple(RegoModule(p.name, p.read_text(encoding="utf-8")) for p in files)
        return cls(modules=modules, data=data)

    @property
    def policy_revision(self) -> str:
        """sha256 over all Rego files (name and content, in name order)."""
        h = hashlib.sha256()
        for m in self.modules:
            h.update(m.name.encode())
            h.update(b"\0")
            h.update(m.text.encode())
            h.update(b"\0")
        return h.hexdigest()

    @property
    def data_revision(self) -> str:
        return data_revision_of(self.data)

    def embedded_modules(self) -> tuple[RegoModule, ...]:
        return tuple(m for m in self.modules if m.name not in EMBEDDED_EXCLUDE)
