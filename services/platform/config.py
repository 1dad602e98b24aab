"""The one place for configuration.

Every setting comes from an environment variable with the ``REGIETAFEL_`` prefix (or a
``.env`` file), is typed, and is validated once at start-up. A bad value stops the process
with a message that names the variable.
"""

from __future__ import annotations

import enum
import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Mode(enum.StrEnum):
    """How the system runs: embedded on a laptop, or against real infrastructure."""

    EMBEDDED = "embedded"
    PRODUCTION = "production"


class PolicyEngineKind(enum.StrEnum):
    EMBEDDED = "embedded"
    OPA = "opa"


Port = Annotated[int, Field(ge=1, le=65535)]

#: Secret settings that may also come from a file: ``REGIETAFEL_<NAME>_FILE=/run/secrets/x``
#: (Docker/Kubernetes secrets). The variable itself wins when both are set.
FILE_SECRETS: tuple[str, ...] = (
    "database_admin_url",
    "db_owner_password",
    "db_app_password",
    "db_analytics_password",
    "db_analytics_owner_password",
    "broker_url",
    "secret_key",
    "pseudonym_key",
    "service_token",
    "oidc_client_secret",
    "smtp_password",
)


def is_loopback_http(url: str) -> bool:
    """``http://`` on a loopback address (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


#: The most ``document_max_bytes`` may be (the request body limit of the upload routes).
DOCUMENT_MAX_CEILING = 50 * 1024 * 1024


class Settings(BaseSettings):
    """Typed settings; see docs/configuration.md for every variable."""

    model_config = SettingsConfigDict(
        env_prefix="REGIETAFEL_", env_file=".env", extra="ignore", frozen=True
    )

    mode: Mode = Mode.EMBEDDED
    data_dir: Path = PROJECT_ROOT / ".regietafel"

    # PostgreSQL. ``database_admin_url`` is a role that may create roles and databases: only
    # ``regietafel db bootstrap`` (and embedded mode) use it. ``database_url`` is the server
    # address without credentials; each role connects with its own password: migrations as
    # ``db_owner_role`` (``regietafel db upgrade``), the casework processes as
    # ``db_app_role`` (no BYPASSRLS), the analytics service as ``db_analytics_role``.
    database_admin_url: str | None = None
    database_url: str | None = None
    db_owner_password: str | None = None
    db_app_password: str | None = None
    db_analytics_password: str | None = None
    db_analytics_owner_password: str | None = None
    database_name: str = "regietafel"
    analytics_database_name: str = "regietafel_analytics"
    db_owner_role: str = "regietafel_owner"
    db_app_role: str = "regietafel_app"
    db_analytics_role: str = "regietafel_analytics"
    # Owns the analytics schema, its budget ledger and functions (migrations only); the
    # services connect as ``db_analytics_role``, which spends budget only through functions.
    db_analytics_owner_role: str = "regietafel_analytics_owner"
    db_pool_size: int = Field(default=5, ge=1, le=100)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)

    # Message broker: "stub" (in-process, embedded), "amqp://..." or "redis://...".
    broker_url: str = "stub"
    # Prefix of every dramatiq queue name (several deployments, or test runs, on one broker).
    queue_prefix: str = Field(default="", pattern=r"^([a-z][a-z0-9_.-]*)?$", max_length=40)
    # The transactional outbox: how often the relay looks for unsent events, how many
    # delivery attempts before a message is dead-lettered, and the backoff bounds.
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    job_max_retries: int = Field(default=8, ge=0, le=50)
    job_min_backoff_ms: int = Field(default=1_000, ge=10)
    job_max_backoff_ms: int = Field(default=15 * 60_000, ge=10)
    # Periodic jobs (one scheduler, however many processes run ``regietafel scheduler``).
    reminder_interval_minutes: float = Field(default=60, ge=0)
    retention_interval_hours: float = Field(default=24, ge=0)
    audit_verify_interval_hours: float = Field(default=24, ge=0)

    # E-mail notifications: SMTP in production; embedded mode writes .eml files to
    # ``data_dir/mail`` unless an SMTP host is configured.
    smtp_host: str | None = None
    smtp_port: Port = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "regietafel@localhost"

    # Policy engine.
    policy_engine: PolicyEngineKind = PolicyEngineKind.EMBEDDED
    opa_url: str | None = None
    # OPA loads the bundle of ``regietafel policy bundle`` itself: only verify its data.
    opa_bundle: bool = False
    policy_timeout_ms: int = Field(default=500, ge=10)

    # HTTP.
    host: str = "127.0.0.1"
    port: Port = 8000
    # Server worker processes of the casework service in production mode (``regietafel
    # run``): each is one Python process with its own database pool and policy engine.
    # Requests are CPU-bound (policy, schema, rendering), so use one to two per core
    # (ADR 0020; docs/benchmarks.md). Embedded mode always serves from one process.
    workers: int = Field(default=1, ge=1, le=64)
    analytics_port: Port = 8001
    public_base_url: str | None = None
    # Where the other service is reached (separate processes in production).
    casework_url: str | None = None
    analytics_url: str | None = None
    # ``Secure`` on the login cookies. Unset: on, except in embedded mode on a plain-http
    # loopback address (a browser will not send a Secure cookie there). It may only be
    # switched off in that case; production always sets it.
    cookie_secure: bool | None = None

    # Secrets. In embedded mode they are generated once and kept in ``data_dir``.
    secret_key: str | None = Field(default=None, min_length=32)
    pseudonym_key: str | None = Field(default=None, min_length=32)
    service_token: str | None = Field(default=None, min_length=32)

    # Identity (OIDC). In embedded mode a development issuer is built in.
    oidc_issuer: str | None = None
    oidc_audience: str = "regietafel"
    oidc_jwks_url: str | None = None
    oidc_clock_skew_seconds: int = Field(default=60, ge=0, le=600)
    # The web UI logs in with the authorization-code flow with PKCE as this client.
    oidc_client_id: str = "regietafel-web"
    oidc_client_secret: str | None = None
    # JWKS: refreshed in the background every ``oidc_jwks_refresh_seconds``; a token with an
    # unknown ``kid`` triggers at most one extra fetch per ``oidc_jwks_min_refresh_seconds``.
    oidc_jwks_refresh_seconds: float = Field(default=300, ge=1)
    oidc_jwks_min_refresh_seconds: float = Field(default=30, ge=0)
    oidc_http_timeout_seconds: float = Field(default=5, gt=0, le=60)
    # Principals (tenant, user, organisation, roles) resolved from a token are kept per
    # process and dropped when PostgreSQL signals a change of their tenant (ADR 0027); this
    # is the longest an entry is served (a backstop for a lost signal). 0 = no cache.
    principal_cache_seconds: float = Field(default=30, ge=0, le=3600)

    # Background jobs: hours between automatic fact exports to analytics (0 = off).
    export_interval_hours: float = Field(default=24, ge=0)

    # Analytics (differential privacy budget and publication).
    # The privacy unit is a person-year: ``analytics_year_rho`` caps everything released
    # about one year (releases, versions, researchers' queries); ``analytics_research_rho``
    # of it is the pool researchers' grants come from, the rest is reserved for releases.
    analytics_year_rho: float = Field(default=2.0, gt=0, le=10)
    analytics_research_rho: float = Field(default=0.5, ge=0, le=10)
    analytics_quarter_release_rho: float = Field(default=0.1, gt=0, le=10)
    analytics_year_release_rho: float = Field(default=0.9, gt=0, le=10)
    analytics_suppression_threshold: int = Field(default=5, ge=1, le=100)
    analytics_max_query_rho: float = Field(default=0.2, gt=0, le=10)
    analytics_max_batch_records: int = Field(default=200_000, ge=1)

    # Documents (attachments) on a casus or item: the largest file accepted, in bytes.
    document_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=DOCUMENT_MAX_CEILING)

    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool = True

    @model_validator(mode="before")
    @classmethod
    def _secrets_from_files(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        for name in FILE_SECRETS:
            variable = f"REGIETAFEL_{name.upper()}_FILE"
            path = os.environ.get(variable)
            if path and not data.get(name):
                try:
                    data[name] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as error:
                    raise ValueError(f"{variable}: cannot read {path}: {error.strerror}") from None
        return data

    @property
    def base_url(self) -> str:
        """Where browsers reach the casework service."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return not (self.mode is Mode.EMBEDDED and is_loopback_http(self.base_url))

    @model_validator(mode="after")
    def _production_needs_real_infrastructure(self) -> Settings:
        if self.cookie_secure is False and not (
            self.mode is Mode.EMBEDDED and is_loopback_http(self.base_url)
        ):
            raise ValueError(
                "REGIETAFEL_COOKIE_SECURE=false is only allowed in embedded mode on a "
                "plain-http loopback address"
            )
        if self.mode is Mode.PRODUCTION:
            missing = [
                name
                for name, value in (
                    ("REGIETAFEL_DATABASE_URL", self.database_url),
                    ("REGIETAFEL_SECRET_KEY", self.secret_key),
                    ("REGIETAFEL_PSEUDONYM_KEY", self.pseudonym_key),
                    ("REGIETAFEL_SERVICE_TOKEN", self.service_token),
                    ("REGIETAFEL_OIDC_ISSUER", self.oidc_issuer),
                )
                if not value
            ]
            if missing:
                raise ValueError("production mode requires " + ", ".join(missing))
            if self.broker_url == "stub":
                raise ValueError(
                    "REGIETAFEL_BROKER_URL must be amqp:// or redis:// in production mode"
                )
        if self.policy_engine is PolicyEngineKind.OPA and not self.opa_url:
            raise ValueError("REGIETAFEL_OPA_URL is required when REGIETAFEL_POLICY_ENGINE=opa")
        if not (
            self.broker_url == "stub"
            or self.broker_url.startswith(("amqp://", "amqps://", "redis://", "rediss://"))
        ):
            raise ValueError("REGIETAFEL_BROKER_URL must be 'stub', amqp://... or redis://...")
        if self.analytics_research_rho > self.analytics_year_rho:
            raise ValueError(
                "REGIETAFEL_ANALYTICS_RESEARCH_RHO cannot exceed REGIETAFEL_ANALYTICS_YEAR_RHO"
            )
        return self


class ConfigurationError(RuntimeError):
    """Raised when the environment holds an invalid setting; the message names it."""


def describe_validation_error(error: ValidationError) -> str:
    lines = ["Ongeldige configuratie / invalid configuration:"]
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        variable = f"REGIETAFEL_{loc.upper()}" if loc else "(settings)"
        lines.append(f"  - {variable}: {item['msg']}")
    return "\n".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, turning validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise ConfigurationError(describe_validation_error(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
