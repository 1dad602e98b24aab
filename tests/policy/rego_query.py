"""Ask the Rego policies for the value of one rule (a code list, a table), through regopy.

The tests compare the Rego's own sets with the Python code lists by evaluating them, never by
parsing the Rego text. The interpreter is built from the same modules the embedded engine
loads (``PolicySource.embedded_modules``) and the fixture policy data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import regopy

from services.platform.policy.source import PACKAGE_PATH, PolicySource, canonical_json

PACKAGE = PACKAGE_PATH.replace("/", ".")
_RULE = re.compile(r"^[a-z_][a-z0-9_]*$")


class RegoQuery:
    """A bundle built for the given rules (entry points); ad-hoc queries over the whole policy
    abort rego-cpp 1.5, bundle entry points do not (the embedded engine uses them too)."""

    def __init__(self, source: PolicySource, rules: Sequence[str]) -> None:
        for rule in rules:
            if not _RULE.fullmatch(rule):
                raise ValueError(f"not a rule name: {rule!r}")
        self._rules = frozenset(rules)
        self._interpreter = regopy.Interpreter()
        for module in source.embedded_modules():
            self._interpreter.add_module(module.name, module.text)
        self._interpreter.add_data_json(canonical_json({"regietafel": dict(source.data)}))
        self._bundle = self._interpreter.build(None, [f"{PACKAGE_PATH}/{r}" for r in rules])
        if not self._bundle.ok():
            raise RuntimeError("the policy bundle does not build")
        self._interpreter.set_input_term("{}")

    def value(self, rule: str) -> Any:
        """The value of ``data.regietafel.authz.<rule>`` (a set comes back as a list)."""
        if rule not in self._rules:
            raise ValueError(f"{rule!r} is not an entry point of this bundle")
        out = self._interpreter.query_bundle_entrypoint(self._bundle, f"{PACKAGE_PATH}/{rule}")
        # Only len() and indexing on a result that may be undefined: rego-cpp aborts otherwise.
        if len(out) == 0 or not out[0].expressions:
            raise LookupError(f"data.{PACKAGE}.{rule} is undefined")
        return out[0].expressions[0]

    def codes(self, rule: str) -> set[str]:
        """A set of codes (or the keys of an object) defined by ``rule``."""
        value = self.value(rule)
        if isinstance(value, dict):
            return set(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TypeError(f"data.{PACKAGE}.{rule} is not a set of codes: {value!r}")
        return set(value)
