"""The embedded engine: Rego evaluated in-process by regopy (rego-cpp)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import regopy

from services.policy.model import (
    Decision,
    JSONObject,
    PolicyEngineUnavailable,
    build_input,
)
from services.policy.source import DECISION_RULE, PACKAGE_PATH, PolicySource, canonical_json

ENTRYPOINT = f"{PACKAGE_PATH}/{DECISION_RULE}"


class EmbeddedRegoEngine:
    """Builds a bundle once and evaluates it with ``query_bundle_entrypoint``.

    One interpreter is shared and guarded by a lock (rego-cpp evaluation is not
    documented as thread-safe). A page of resources is decided under one lock,
    resource by resource, with the same ``decision`` rule the OPA batch rule uses.
    """

    name = "embedded"

    def __init__(self, source: PolicySource) -> None:
        self._source = source
        self._policy_revision = source.policy_revision
        self._data_revision = source.data_revision
        self._lock = threading.Lock()
        self._interpreter = regopy.Interpreter()
        try:
            for module in source.embedded_modules():
                self._interpreter.add_module(module.name, module.text)
            self._interpreter.add_data_json(canonical_json({"regietafel": dict(source.data)}))
            self._bundle = self._interpreter.build(None, [ENTRYPOINT])
        except regopy.RegoError as exc:
            raise PolicyEngineUnavailable(f"policy bundle does not build: {exc}") from exc
        if not self._bundle.ok():
            raise PolicyEngineUnavailable("policy bundle does not build")

    @property
    def policy_revision(self) -> str:
        return self._policy_revision

    @property
    def data_revision(self) -> str:
        return self._data_revision

    @property
    def revision(self) -> str:
        return f"{self._policy_revision}:{self._data_revision}"

    def evaluate_raw(self, input: JSONObject) -> Any:
        """The raw ``decision`` value for one input; PolicyEngineUnavailable if undefined."""
        with self._lock:
            return self._evaluate_locked(input)

    def evaluate_many_raw(self, inputs: Sequence[JSONObject]) -> list[Any]:
        with self._lock:
            return [self._evaluate_locked(i) for i in inputs]

    def _evaluate_locked(self, input: JSONObject) -> Any:
        try:
            self._interpreter.set_input_term(canonical_json(input))
            out = self._interpreter.query_bundle_entrypoint(self._bundle, ENTRYPOINT)
        except regopy.RegoError as exc:
            raise PolicyEngineUnavailable(f"policy evaluation failed: {exc}") from exc
        # Never call anything on an undefined result but len()/indexing: rego-cpp aborts.
        if len(out) == 0:
            raise PolicyEngineUnavailable(f"policy evaluation gave no result: {out}")
        expressions = out[0].expressions
        if not expressions:
            raise PolicyEngineUnavailable("policy decision is undefined")
        return expressions[0]

    def decide(self, input: JSONObject) -> Decision:
        return _parse(self.evaluate_raw(input))

    def decide_many(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        inputs = [build_input(subject, action, context, r) for r in resources]
        return [_parse(raw) for raw in self.evaluate_many_raw(inputs)]


def _parse(raw: Any) -> Decision:
    try:
        return Decision.from_result(raw)
    except ValueError as exc:
        raise PolicyEngineUnavailable(f"policy result is malformed: {exc}") from exc
