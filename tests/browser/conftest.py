"""Browser tests: the real app served over HTTP, driven by Debian's Chromium through Playwright.

* Chromium is the operating system's (``/usr/bin/chromium``, the Debian package
  ``chromium``); Playwright never downloads a browser. Without it these tests are skipped
  with the command that installs it (``.ci/run`` installs it on CI).
* The app is the one the other e2e tests use (embedded PostgreSQL, the test tenants of
  ``tests/manifests``), served by uvicorn in a thread on a free port; readiness is
  awaited, never a fixed sleep.
* Every page a test visits is checked by :class:`browsing.Browsing`: axe-core (0 serious or
  critical violations), reflow at 320 CSS px, focus-ring and input-border contrast, and a
  screenshot kept under ``build/screenshots/`` (at 1280 and at 320 px).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import ARTEFACTS, CHROMIUM, INSTALL_HINT, Browsing, Shots, Timings
from litestar import Litestar

from services.app import create_app
from services.platform.identity.setup import Identity
from services.runtime import Runtime
from tenants.manifest import Manifest

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if path is None:
        pytest.skip(f"Chromium is not installed; install it with: {INSTALL_HINT}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - a dev install always has it
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    return path


@pytest.fixture(scope="session")
def browser_app(runtime: Runtime, identity: Identity, test_tenants: list[Manifest]) -> Litestar:
    """An app of its own (no in-process worker: the TestClient tests of this pytest worker
    may run the shared ``app``'s lifespan at the same time)."""
    return create_app(runtime, identity=identity, start_worker=False)


@pytest.fixture(scope="session")
def base_url(browser_app: Litestar, chromium_path: str) -> Iterator[str]:
    """The app served over real HTTP by uvicorn in a thread, once it has started."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        browser_app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="browser-app", daemon=True)
    thread.start()
    while not server.started:  # readiness: uvicorn says it listens (or the thread died)
        if not thread.is_alive():
            raise AssertionError("uvicorn stopped before it started serving")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join()


@pytest.fixture(scope="session")
def playwright_browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """``build/screenshots`` (gitignored); each test empties its own folder when it starts."""
    shots = ARTEFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    return shots


@pytest.fixture(scope="session")
def timings() -> Iterator[Timings]:
    """Server time of the main pages as the browser measured it (Navigation Timing), written
    to ``build/page-timings.json`` at the end of the session."""
    collected = Timings()
    yield collected
    if collected.samples:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        target = ARTEFACTS / (f"page-timings-{worker}.json" if worker else "page-timings.json")
        target.write_text(json.dumps(collected.summary(), indent=2, ensure_ascii=False) + "\n")
        print("\n" + collected.table())


@pytest.fixture
def browse(
    request: pytest.FixtureRequest,
    playwright_browser: Any,
    base_url: str,
    artefacts: Path,
    timings: Timings,
) -> Iterator[Callable[[str, str], Browsing]]:
    """``browse(tenant, user)``: a browser context logged in as that test user through the
    development issuer's login page (each user its own context, so its own cookies)."""
    opened: list[Browsing] = []
    shots = Shots(artefacts / request.node.name)

    def open_as(tenant: str, user: str) -> Browsing:
        browsing = Browsing(playwright_browser, base_url, shots, timings, label=user)
        browsing.login(tenant, user)
        opened.append(browsing)
        return browsing

    yield open_as
    for browsing in opened:
        browsing.close()
