"""The look follows the NL Design System: the design tokens come from the npm registry at
install time (`make assets`), are served by us (never a CDN) and every colour role of our
stylesheet reads one of them (ADR 0023)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from services.casework.web import NLDS_THEME_CLASS, NLDS_TOKENS, STATIC, nlds_tokens_installed

pytestmark = pytest.mark.skipif(
    not nlds_tokens_installed(),
    reason="NL Design System tokens not installed: run `make assets` (npm ci; needs npm)",
)


@pytest.fixture(scope="module")
def web(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as client:
        yield client


def _our_roles() -> dict[str, str]:
    css = (STATIC / "regietafel.css").read_text(encoding="utf-8")
    block = re.search(r":root \{(.*?)\}", css, re.DOTALL)
    assert block is not None
    return dict(re.findall(r"(--[a-z-]+):\s*([^;]+);", block.group(1)))


def test_the_tokens_are_served_by_us_and_linked_from_every_page(
    web: TestClient[Litestar],
) -> None:
    css = web.get("/static/nlds/theme.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert f".{NLDS_THEME_CLASS}" in css.text
    page = web.get("/inloggen")
    assert page.status_code == 200
    assert f'<html lang="nl" class="{NLDS_THEME_CLASS}">' in page.text
    # the tokens come before our stylesheet, which reads them
    assert page.text.index("/static/nlds/theme.css") < page.text.index("/static/regietafel.css")
    assert "https://" not in page.text.split("</head>")[0], "nothing from a CDN"


def test_every_colour_role_reads_a_token_that_the_installed_theme_defines() -> None:
    theme = (NLDS_TOKENS / "theme.css").read_text(encoding="utf-8")
    roles = _our_roles()
    assert {"--ink", "--accent", "--field", "--focus-ring", "--bad"} <= roles.keys()
    for role, value in roles.items():
        token = re.match(r"var\((--[a-z0-9-]+),", value)
        assert token is not None, f"{role} does not read a design token: {value}"
        assert f"{token.group(1)}:" in theme, f"{role}: {token.group(1)} is not in the theme"
