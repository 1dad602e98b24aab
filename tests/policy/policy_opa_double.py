"""OpaDataApiTestDouble: a small real HTTP server that imitates OPA's Data API.

It is a TEST DOUBLE, not OPA: it serves ``POST /v1/data/{path}`` for the two policy entry
points by evaluating the same Rego files with regopy (through EmbeddedRegoEngine), and it
can misbehave on purpose (slow, HTTP 500, malformed JSON, undefined result) so the tests
can prove the OPA-server engine's request paths, input envelope, result parsing, timeouts
and fail-closed behaviour.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from services.platform.policy.embedded import EmbeddedRegoEngine
from services.platform.policy.input import build_input
from services.platform.policy.source import DECISION_RULE, DECISIONS_RULE, PACKAGE_PATH

Mode = Literal["ok", "slow", "error", "garbage", "undefined"]


@dataclass
class RecordedRequest:
    method: str
    path: str
    body: Any


class OpaDataApiTestDouble:
    """Start with ``with OpaDataApiTestDouble(engine) as double: double.url``."""

    def __init__(self, engine: EmbeddedRegoEngine, slow_seconds: float = 1.0) -> None:
        self.engine = engine
        self.mode: Mode = "ok"
        self.slow_seconds = slow_seconds
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> OpaDataApiTestDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def evaluate(self, rule_path: str, input: Any) -> tuple[bool, Any]:
        """(defined, value) for a Data API path below /v1/data/."""
        if rule_path == f"{PACKAGE_PATH}/{DECISION_RULE}":
            return True, self.engine.evaluate_raw(input)
        if rule_path == f"{PACKAGE_PATH}/{DECISIONS_RULE}":
            inputs = [
                build_input(input["subject"], input["action"], input.get("context"), r)
                for r in input["resources"]
            ]
            return True, self.engine.evaluate_many_raw(inputs)
        return False, None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    self._send(400, b'{"code":"invalid_parameter","message":"bad json"}')
                    return
                double.requests.append(RecordedRequest("POST", self.path, body))
                if double.mode == "slow":
                    time.sleep(double.slow_seconds)
                if double.mode == "error":
                    self._send(500, b'{"code":"internal_error","message":"boom"}')
                    return
                if double.mode == "garbage":
                    self._send(200, b'{"result": {"allow": tru')
                    return
                if not self.path.startswith("/v1/data/") or "input" not in body:
                    self._send(400, b'{"code":"invalid_parameter"}')
                    return
                defined, value = double.evaluate(self.path.removeprefix("/v1/data/"), body["input"])
                reply: dict[str, Any] = {"decision_id": str(uuid.uuid4())}
                if defined and double.mode != "undefined":
                    reply["result"] = value
                self._send(200, json.dumps(reply).encode())

        return Handler
