"""The development OIDC issuer of embedded mode.

It signs tokens for the demo users with an RSA key kept in the data directory and publishes
its JWKS, so tokens are verified exactly as in production. It refuses to exist in
production mode.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.config import Mode, Settings

KID = "regietafel-dev-1"


class DevIssuerNotAllowed(RuntimeError):
    pass


class DevIssuer:
    def __init__(self, settings: Settings, issuer_url: str) -> None:
        if settings.mode is Mode.PRODUCTION:
            raise DevIssuerNotAllowed(
                "De ontwikkel-inlog is niet toegestaan in productie; "
                "configureer REGIETAFEL_OIDC_ISSUER."
            )
        self.issuer = issuer_url
        self.audience = settings.oidc_audience
        self._key = _load_or_create_key(settings.data_dir / "dev-issuer-key.pem")

    def public_key(self, kid: str) -> Any:
        if kid != KID:
            raise KeyError(kid)
        return self._key.public_key()

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": KID, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def issue(self, *, tenant: str, user_id: str, lifetime_seconds: int = 8 * 3600) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": user_id,
            "tenant": tenant,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID})


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} holds no RSA key")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    return key
