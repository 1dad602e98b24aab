"""The embedded engine: Rego evaluated in-process by regopy (rego-cpp)."""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import regopy

from services.platform.policy.input import CanonicalInput, build_inputs, canonical
from services.platform.policy.model import Decision, JSONObject, PolicyEngineUnavailable
from services.platform.policy.source import (
    DECISION_RULE,
    PACKAGE_PATH,
    PolicySource,
    canonical_json,
)

ENTRYPOINT = f"{PACKAGE_PATH}/{DECISION_RULE}"


class _Slot:
    """One interpreter with its built bundle; used by one thread at a time."""

    def __init__(self, source: PolicySource) -> None:
        self.lock = threading.Lock()
        self.interpreter = regopy.Interpreter()
        try:
            for module in source.embedded_modules():
                self.interpreter.add_module(module.name, module.text)
            self.interpreter.add_data_json(canonical_json({"regietafel": dict(source.data)}))
            self.bundle = self.interpreter.build(None, [ENTRYPOINT])
        except regopy.RegoError as exc:
            raise PolicyEngineUnavailable(f"policy bundle does not build: {exc}") from exc
        if not self.bundle.ok():
            raise PolicyEngineUnavailable("policy bundle does not build")


def default_pool_size() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


class EmbeddedRegoEngine:
    """Builds the bundle once per interpreter and evaluates with ``query_bundle_entrypoint``.

    rego-cpp evaluation is not documented as thread-safe, so each interpreter is used by one
    thread at a time; it releases the GIL while evaluating, so a small pool (one interpreter
    per core) lets concurrent requests — and the chunks of one page — run in parallel.
    A page is decided resource by resource with the same ``decision`` rule the OPA batch
    rule uses (regopy cannot compile the batch rule, see ADR 0004).
    """

    name = "embedded"
    MIN_CHUNK = 8  # below this a page is not worth splitting over threads

    def __init__(self, source: PolicySource, pool_size: int | None = None) -> None:
        self._source = source
        self._policy_revision = source.policy_revision
        self._data_revision = source.data_revision
        size = pool_size or default_pool_size()
        self._slots = [_Slot(source) for _ in range(size)]
        self._next = itertools.count()
        self._executor = (
            ThreadPoolExecutor(max_workers=size, thread_name_prefix="rego") if size > 1 else None
        )

    @property
    def policy_revision(self) -> str:
        return self._policy_revision

    @property
    def data_revision(self) -> str:
        return self._data_revision

    @property
    def revision(self) -> str:
        return f"{self._policy_revision}:{self._data_revision}"

    def _slot(self) -> _Slot:
        """A free interpreter if there is one, else wait for the next in turn."""
        for slot in self._slots:
            if slot.lock.acquire(blocking=False):
                return slot
        slot = self._slots[next(self._next) % len(self._slots)]
        slot.lock.acquire()
        return slot

    def _run(self, inputs: Sequence[JSONObject]) -> list[Any]:
        slot = self._slot()
        try:
            return [self._evaluate_on(slot, i) for i in inputs]
        finally:
            slot.lock.release()

    def evaluate_raw(self, input: JSONObject) -> Any:
        """The raw ``decision`` value for one input; PolicyEngineUnavailable if undefined."""
        return self._run([input])[0]

    def evaluate_many_raw(self, inputs: Sequence[JSONObject]) -> list[Any]:
        if self._executor is None or len(inputs) < self.MIN_CHUNK:
            return self._run(inputs)
        parts = len(self._slots)
        size = -(-len(inputs) // parts)
        chunks = [inputs[i : i + size] for i in range(0, len(inputs), size)]
        results: list[Any] = []
        for chunk_result in self._executor.map(self._run, chunks):
            results.extend(chunk_result)
        return results

    @staticmethod
    def _evaluate_on(slot: _Slot, input: JSONObject) -> Any:
        try:
            slot.interpreter.set_input_term(canonical_json(input))
            out = slot.interpreter.query_bundle_entrypoint(slot.bundle, ENTRYPOINT)
            # Never call anything on an undefined result but len()/indexing: rego-cpp aborts.
            if len(out) == 0:
                raise PolicyEngineUnavailable(f"policy evaluation gave no result: {out}")
            expressions = out[0].expressions
        except PolicyEngineUnavailable:
            raise
        except Exception as exc:  # RegoError, or invalid JSON from the engine (ValueError)
            raise PolicyEngineUnavailable(f"policy evaluation failed: {exc}") from exc
        if not expressions:
            raise PolicyEngineUnavailable("policy decision is undefined")
        return expressions[0]

    def decide(self, input: JSONObject) -> Decision:
        return _parse(self.evaluate_raw(canonical(input)))

    def decide_many(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        return self.decide_inputs(build_inputs(subject, action, context, resources))

    def decide_inputs(self, inputs: Sequence[CanonicalInput]) -> list[Decision]:
        """Validated inputs (``build_inputs``), evaluated as they are."""
        return [_parse(raw) for raw in self.evaluate_many_raw(inputs)]


def _parse(raw: Any) -> Decision:
    try:
        return Decision.from_result(raw)
    except ValueError as exc:
        raise PolicyEngineUnavailable(f"policy result is malformed: {exc}") from exc
