"""A second, independent Rego engine for the tests: regorus (Rust, aims at OPA conformance),
through the ``opa-eval`` binding, so the decision tables are checked on an engine other than
the one production embeds. Test-only: see ADR 0004.

Two entry points are evaluated: ``decision`` (one resource, ``input.resource``) and the batch
rule ``decisions`` of ``batch.rego`` (a page, ``input.resources``), which regopy cannot
compile; the OPA server uses it. On 2026-11-22 regorus' batch results disagreed with its
single decisions (results of other resources came back); with the policies of issue 9 they
agree again, and ``test_policy_differential.py`` checks batch == single == regopy on every run,
so a regression of either the rule or the engine shows up.

``opa-eval`` takes one policy file, so the modules (one package) are joined into one file;
regorus parses v0 by default, hence ``import rego.v1`` in that joined file only.
"""

from __future__ import annotations

import json
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import opa_eval

from services.platform.policy.input import build_inputs
from services.platform.policy.model import Decision, JSONObject
from services.platform.policy.source import (
    DECISION_RULE,
    DECISIONS_RULE,
    PACKAGE_PATH,
    PolicySource,
)

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
        self._batch = opa_eval.OpaEval(str(path), data, f"data.{PACKAGE}.{DECISIONS_RULE}")
        self._lock = threading.Lock()  # thread safety of the binding is not documented

    def evaluate_raw(self, input: JSONObject) -> Any:
        """The raw ``decision`` value for one (canonical) input."""
        with self._lock:
            return self._single.evaluate_parsed(json.dumps(input))

    def decide(self, input: JSONObject) -> Decision:
        return Decision.from_result(self.evaluate_raw(input))

    def evaluate_batch_raw(self, input: JSONObject) -> Any:
        """The raw ``decisions`` value for an input with ``resources`` (a page)."""
        with self._lock:
            return self._batch.evaluate_parsed(json.dumps(input))

    def decide_batch(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        """One page through ``batch.rego``, from the same canonical documents the single
        decisions get (subject, action and context once, ``resources`` in page order)."""
        if not resources:
            return []
        inputs = build_inputs(subject, action, context, resources)
        head = {k: v for k, v in inputs[0].items() if k != "resource"}
        raw = self.evaluate_batch_raw({**head, "resources": [i["resource"] for i in inputs]})
        if not isinstance(raw, list) or len(raw) != len(resources):
            raise ValueError(f"batch gave {raw!r} for {len(resources)} resources")
        return [Decision.from_result(r) for r in raw]
