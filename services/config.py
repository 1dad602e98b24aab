"""The one place for configuration.

Every setting comes from an environment variable with the ``REGIETAFEL_`` prefix (or a
``.env`` file), is typed, and is validated once at start-up. A bad value stops the process
with a message that names the variable.
"""

from __future__ import annotations

import enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Mode(enum.StrEnum):
    """How the system runs: embedded on a laptop, or against real infrastructure."""

    EMBEDDED = "embedded"
    PRODUCTION = "production"


class PolicyEngineKind(enum.StrEnum):
    EMBEDDED = "embedded"
    OPA = "opa"


Port = Annotated[int, Field(ge=1, le=65535)]


class Settings(BaseSettings):
    """Typed settings; see docs/configuration.md for every variable."""

    model_config = SettingsConfigDict(
        env_prefix="REGIETAFEL_", env_file=".env", extra="ignore", frozen=True
    )

    mode: Mode = Mode.EMBEDDED
    data_dir: Path = PROJECT_ROOT / ".regietafel"

    # PostgreSQL. ``database_admin_url`` is a role that may create roles and databases
    # (used by ``regietafel db bootstrap``); migrations run as ``db_owner_role`` and the
    # services connect as ``db_app_role``, which has no BYPASSRLS.
    database_admin_url: str | None = None
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

    # Policy engine.
    policy_engine: PolicyEngineKind = PolicyEngineKind.EMBEDDED
    opa_url: str | None = None
    policy_timeout_ms: int = Field(default=500, ge=10)

    # HTTP.
    host: str = "127.0.0.1"
    port: Port = 8000
    analytics_port: Port = 8001
    public_base_url: str | None = None

    # Secrets. In embedded mode they are generated once and kept in ``data_dir``.
    secret_key: str | None = Field(default=None, min_length=32)
    pseudonym_key: str | None = Field(default=None, min_length=32)
    service_token: str | None = Field(default=None, min_length=32)

    # Identity (OIDC). In embedded mode a development issuer is built in.
    oidc_issuer: str | None = None
    oidc_audience: str = "regietafel"
    oidc_jwks_url: str | None = None
    oidc_clock_skew_seconds: int = Field(default=60, ge=0, le=600)

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

    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool = True

    @model_validator(mode="after")
    def _production_needs_real_infrastructure(self) -> Settings:
        if self.mode is Mode.PRODUCTION:
            missing = [
                name
                for name, value in (
                    ("REGIETAFEL_DATABASE_ADMIN_URL", self.database_admin_url),
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
