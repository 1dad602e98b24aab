"""Per-role database credentials: role URLs, secrets from *_FILE files, SCRAM verifiers."""

from __future__ import annotations

import base64
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import URL

from services.platform.config import ConfigurationError, load_settings
from services.platform.db.bootstrap import scram_verifier
from services.platform.db.provision import DatabaseUrls, require_passwords

PRODUCTION = {
    "mode": "production",
    "database_url": "postgresql://db.internal:5432/?sslmode=require",
    "secret_key": "s" * 40,
    "pseudonym_key": "p" * 40,
    "service_token": "t" * 40,
    "oidc_issuer": "https://idp.example",
    "broker_url": "amqp://mq/",
}


def test_our_scram_verifier_equals_libpq_for_the_same_salt(pg_admin_url: URL) -> None:
    """The verifier we send is what libpq's PQencryptPasswordConn computes."""
    conninfo = pg_admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:
        theirs = conn.pgconn.encrypt_password(b"geheim wachtwoord", b"x", b"scram-sha-256")
    salt = base64.b64decode(theirs.decode().split("$")[1].split(":")[1])
    assert scram_verifier("geheim wachtwoord", salt=salt) == theirs.decode()


def test_each_role_connects_with_its_own_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "app"
    secret.write_text("app-geheim\n")
    monkeypatch.setenv("REGIETAFEL_DB_APP_PASSWORD_FILE", str(secret))
    settings = load_settings(**PRODUCTION, db_owner_password="owner-geheim")
    urls = DatabaseUrls.from_settings(settings)
    assert urls.admin is None
    assert (urls.app.username, urls.app.password) == ("regietafel_app", "app-geheim")
    assert (urls.owner.username, urls.owner.password) == ("regietafel_owner", "owner-geheim")
    assert urls.app.host == "db.internal" and urls.app.query == {"sslmode": "require"}
    require_passwords(urls, "app", "owner")
    with pytest.raises(ConfigurationError, match="REGIETAFEL_DB_ANALYTICS_PASSWORD"):
        require_passwords(urls, "analytics")


def test_the_server_url_carries_no_credentials() -> None:
    settings = load_settings(**{**PRODUCTION, "database_url": "postgresql://postgres:x@db/"})
    with pytest.raises(ConfigurationError, match="must not carry credentials"):
        DatabaseUrls.from_settings(settings)


def test_an_unreadable_secret_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIETAFEL_DB_APP_PASSWORD_FILE", "/bestaat/niet")
    with pytest.raises(ConfigurationError, match="REGIETAFEL_DB_APP_PASSWORD_FILE"):
        load_settings(**PRODUCTION)


def test_production_needs_the_database_url() -> None:
    with pytest.raises(ConfigurationError, match="REGIETAFEL_DATABASE_URL"):
        load_settings(**{**PRODUCTION, "database_url": None})
