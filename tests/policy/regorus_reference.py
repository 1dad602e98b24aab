"""A second, independent Rego engine for the tests: regorus (Rust, aims at OPA conformance),
through the ``opa-eval`` binding, so the decision tables are checked on an engine other than
the one production embeds. Test-only: see ADR 0004.

Its batch evaluation (``batch.rego``, ``with input.resource as r``) disagreed with its own
single decisions on the tables (2026-11-22: results of other resources came back), so it is
not used to vouch for the batch rule.

``opa-eval`` takes one policy file, so the modules (one package) are joined into one file;
regorus parses v0 by default, hence ``import rego.v1`` in that joined file only.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

import opa_eval

from services.policy.model import Decision, JSONObject
from services.policy.source import DECISION_RULE, PACKAGE_PATH, PolicySource

PACKAGE = PACKAGE_PATH.replace("/", ".")
_PACKAGE_LINE = re.compile(r"^package\s+\S+\s*$", re.MULTILINE)


def joined_policy(source: PolicySource) -> str:
    parts = [f"# --- {m.name}\n" + _PACKAGE_LINE.sub("", m.text) for m in source.modules]
    return f"package {PACKAGE}\n\nimport rego.v1\n\n" + "\n".join(parts)


class RegorusReference:
    def __init__(self, source: PolicySource) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="regorus-")
        path = Path(self._dir.name) / "policy.rego"
        path.write_text(joined_policy(source), encoding="utf-8")
        data = json.dumps({"regietafel": dict(source.data)})
        self._single = opa_eval.OpaEval(str(path), data, f"data.{PACKAGE}.{DECISION_RULE}")
        self._lock = threading.Lock()  # thread safety of the binding is not documented

    def decide(self, input: JSONObject) -> Decision:
        with self._lock:
            raw: Any = self._single.evaluate_parsed(json.dumps(input))
        return Decision.from_result(raw)
