"""Settings are validated at start-up with a message naming the bad variable."""

from __future__ import annotations

import pytest

from services.platform.config import ConfigurationError, Mode, load_settings


def test_defaults_are_embedded_and_valid() -> None:
    settings = load_settings()
    assert settings.mode is Mode.EMBEDDED
    assert settings.broker_url == "stub"


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"port": 0}, "REGIETAFEL_PORT"),
        ({"policy_engine": "magic"}, "REGIETAFEL_POLICY_ENGINE"),
        ({"broker_url": "kafka://x"}, "REGIETAFEL_BROKER_URL"),
        ({"policy_engine": "opa"}, "REGIETAFEL_OPA_URL"),
        ({"mode": "production"}, "REGIETAFEL_DATABASE_URL"),
        ({"secret_key": "short"}, "REGIETAFEL_SECRET_KEY"),
    ],
)
def test_bad_setting_is_named(overrides: dict[str, object], variable: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        load_settings(**overrides)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGIETAFEL_PORT", "not-a-number")
    with pytest.raises(ConfigurationError, match="REGIETAFEL_PORT"):
        load_settings()
