"""An OIDC provider on loopback for tests: discovery and JWKS, tokens signed by its key.

The named test double for an organisation's identity provider (an external service that
cannot run here). ``gate`` lets a test hold the JWKS answer while it is cleared.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from people import ZEIST, ZEIST_PGA_EXPERT

KID = "idp-key-1"
ROTATED_KID = "idp-key-2"
HANG_GUARD = 60.0  # seconds: turns a hang into a failure; never reached when it works


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class FakeProvider:
    """Discovery + JWKS on loopback; ``gate`` holds JWKS answers while it is cleared."""

    port: int
    keys: dict[str, rsa.RSAPrivateKey]
    gate: threading.Event = field(default_factory=threading.Event)
    fetch_seen: threading.Event = field(default_factory=threading.Event)
    jwks_fetches: int = 0

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def jwks(self) -> dict[str, Any]:
        out = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update(kid=kid, use="sig", alg="RS256")
            out.append(jwk)
        return {"keys": out}

    def sign(
        self,
        kid: str,
        key: rsa.RSAPrivateKey | None = None,
        sub: str = ZEIST_PGA_EXPERT,
        tenant: str = ZEIST,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": "regietafel",
            "sub": sub,
            "tenant": tenant,
            "iat": now,
            "exp": now + 600,
        }
        return jwt.encode(claims, key or self.keys[KID], algorithm="RS256", headers={"kid": kid})


def serve_provider(provider: FakeProvider) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                body = {
                    "issuer": provider.issuer,
                    "jwks_uri": provider.issuer + "/jwks.json",
                    "authorization_endpoint": provider.issuer + "/authorize",
                    "token_endpoint": provider.issuer + "/token",
                }
            elif self.path == "/jwks.json":
                provider.jwks_fetches += 1
                provider.fetch_seen.set()
                provider.gate.wait(HANG_GUARD)
                body = provider.jwks()
            else:
                self.send_error(404)
                return
            raw = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", provider.port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
