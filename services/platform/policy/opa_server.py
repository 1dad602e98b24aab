"""The OPA server engine: decisions from an OPA sidecar through opa-python-client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient
from opa_client.errors import ConnectionsError, QueryExecuteError

from services.platform.policy.input import build_inputs, canonical
from services.platform.policy.model import Decision, JSONObject, PolicyEngineUnavailable
from services.platform.policy.source import (
    DECISION_RULE,
    DECISIONS_RULE,
    PACKAGE_PATH,
    PolicySource,
)

_FAILURES: tuple[type[BaseException], ...] = (
    requests.RequestException,
    ConnectionsError,
    QueryExecuteError,
    ValueError,  # includes malformed JSON
    OSError,
)


class OpaServerEngine:
    """Queries ``POST /v1/data/regietafel/authz/decision[s]`` with a timeout.

    The server must run the same Rego files and the same policy data as ``source``;
    :meth:`publish` uploads both (for a sidecar that is not fed by bundles), and
    :meth:`verify` checks the data revision the server has. Any failure (connection,
    timeout, HTTP error, malformed JSON, undefined or malformed result) raises
    PolicyEngineUnavailable: the caller fails closed.
    """

    name = "opa"

    def __init__(
        self,
        source: PolicySource,
        url: str,
        *,
        timeout: float = 0.5,
        retries: int = 0,
        token: str | None = None,
        bundle_managed: bool = False,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"invalid OPA url: {url!r}")
        self._source = source
        self._bundle_managed = bundle_managed
        self._policy_revision = source.policy_revision
        self._data_revision = source.data_revision
        self.url = url
        self.timeout = timeout
        self._client = OpaClient(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 8181),
            ssl=parts.scheme == "https",
            timeout=timeout,
            retries=retries,
            token=token,
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

    def close(self) -> None:
        self._client.close_connection()

    def _query(self, input: JSONObject, rule: str) -> Any:
        try:
            response = self._client.query_rule(
                input_data=dict(input), package_path=PACKAGE_PATH, rule_name=rule
            )
        except _FAILURES as exc:
            raise PolicyEngineUnavailable(f"OPA query {rule} failed: {exc}") from exc
        if not isinstance(response, dict) or "result" not in response:
            raise PolicyEngineUnavailable(f"OPA returned no result for {rule} (undefined)")
        return response["result"]

    def decide(self, input: JSONObject) -> Decision:
        return _parse(self._query(canonical(input), DECISION_RULE))

    def decide_many(
        self,
        subject: JSONObject,
        action: str,
        context: JSONObject,
        resources: Sequence[JSONObject],
    ) -> list[Decision]:
        if not resources:
            return []
        inputs = build_inputs(subject, action, context, resources)
        envelope: dict[str, Any] = {k: v for k, v in inputs[0].items() if k != "resource"}
        envelope["resources"] = [i["resource"] for i in inputs]
        result = self._query(envelope, DECISIONS_RULE)
        if not isinstance(result, list) or len(result) != len(resources):
            raise PolicyEngineUnavailable("OPA returned a batch of the wrong shape")
        return [_parse(raw) for raw in result]

    def publish(self) -> None:
        """Upload the Rego modules and the policy data to the server (PUT policies, data).

        An OPA fed by a bundle (``regietafel policy bundle``) owns the ``regietafel`` root
        and refuses uploads: then only :meth:`verify` that its bundle carries our data
        revision (until it does, decisions fail closed)."""
        if self._bundle_managed:
            self.verify()
            return
        try:
            for module in self._source.modules:
                policy_id = "regietafel/" + module.name.removesuffix(".rego")
                self._client.update_policy_from_string(module.text, policy_id)
            self._client.update_or_create_data(dict(self._source.data), "regietafel")
        except _FAILURES as exc:
            raise PolicyEngineUnavailable(f"publishing to OPA failed: {exc}") from exc

    def verify(self) -> None:
        """Check that the server holds the expected policy data revision."""
        try:
            response = self._client.get_data("regietafel/revision")
        except _FAILURES as exc:
            raise PolicyEngineUnavailable(f"OPA data check failed: {exc}") from exc
        found = response.get("result") if isinstance(response, dict) else None
        if found != self._data_revision:
            raise PolicyEngineUnavailable(
                f"OPA has policy data {found!r}, expected {self._data_revision!r}"
            )


def _parse(raw: Any) -> Decision:
    try:
        return Decision.from_result(raw)
    except ValueError as exc:
        raise PolicyEngineUnavailable(f"OPA result is malformed: {exc}") from exc
