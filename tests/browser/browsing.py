"""One logged-in browser user and the checks every visited page goes through.

Every page the walk reaches is checked in the browser itself:

* axe-core (the ``axe.min.js`` that the PyPI package ``axe-playwright-python`` ships; nothing
  from a CDN): no violation of impact serious or critical;
* reflow (WCAG 1.4.10): at 320 CSS px (= 1280 px at 400 % zoom) the page does not scroll
  sideways: ``document.scrollingElement.scrollWidth <= 320``;
* non-text contrast (WCAG 1.4.11): the keyboard focus ring of every focusable element and
  the border of every text field and select contrast at least 3:1 with what they sit on;
* a full-page screenshot at 1280 px and at 320 px, kept under ``build/screenshots/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

PROJECT: Final = Path(__file__).resolve().parents[2]
ARTEFACTS: Final = PROJECT / "build"
CHROMIUM: Final = "/usr/bin/chromium"
INSTALL_HINT: Final = "apt-get update && apt-get install -y chromium"
WIDE: Final = {"width": 1280, "height": 900}
NARROW: Final = 320
MIN_CONTRAST: Final = 3.0
#: The main pages whose server time the walk records (docs/benchmarks.md).
#: BROWSER_PROFILE=1 prints how long each check of each page took (with pytest -s).
PROFILE: Final = bool(os.environ.get("BROWSER_PROFILE"))
TIMED: Final = {"casussen", "casus", "werkvoorraad", "overzicht"}


def axe_source() -> str:
    """axe-core as installed from PyPI (axe-playwright-python ships axe.min.js)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


_AXE: dict[str, str] = {}
_CHECKED_LOGIN: list[bool] = []


#: Colour helpers shared by the contrast checks (WCAG relative luminance).
_COLOUR_JS: Final = """
const parse = (c) => {
  const m = /rgba?\\(([^)]+)\\)/.exec(c || "");
  if (!m) return null;
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
};
const lum = ({r, g, b}) => {
  const f = (v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const ratio = (a, b) => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};
const background = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0.99) return c;
  }
  return {r: 255, g: 255, b: 255, a: 1};
};
const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
  + (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "")
  + (el.textContent ? " '" + el.textContent.trim().slice(0, 40) + "'" : "");
"""

_ALL_FOCUS_JS: Final = (
    "() => {"
    + _COLOUR_JS
    + """
  const focusable = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]");
  const bad = [];
  for (const el of focusable) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0 && !el.classList.contains("skip")) continue;
    if (el.disabled || el.tabIndex < 0) continue;
    el.focus();
    if (document.activeElement !== el) continue;
    const s = getComputedStyle(el);
    const width = parseFloat(s.outlineWidth) || 0;
    const colour = parse(s.outlineColor);
    // Drawn outside the element (offset >= 0): the ring sits on the parent's background.
    const under = parseFloat(s.outlineOffset) >= 0 ? background(el.parentElement) : background(el);
    const contrast = s.outlineStyle === "none" || !colour ? 0 : ratio(colour, under);
    if (s.outlineStyle === "none" || width < 2 || contrast < 3) {
      bad.push(describe(el) + ": " + s.outlineStyle + " " + width + "px "
        + contrast.toFixed(2) + ":1");
    }
    if (bad.length >= 10) break;
  }
  return bad;
}"""
)

_BORDERS_JS: Final = (
    "() => {"
    + _COLOUR_JS
    + """
  const fields = document.querySelectorAll(
    "input:not([type]), input[type=text], input[type=date], input[type=search], "
    + "input[type=email], input[type=number], input[type=tel], textarea, select");
  const bad = [];
  let checked = 0;
  for (const el of fields) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    checked += 1;
    const s = getComputedStyle(el);
    const border = parse(s.borderTopColor);
    const contrast = border ? ratio(border, background(el.parentElement)) : 0;
    if (contrast < 3 || parseFloat(s.borderTopWidth) < 1) {
      bad.push(describe(el) + " " + s.borderTopColor + " " + contrast.toFixed(2) + ":1");
    }
  }
  return {checked, bad};
}"""
)

_WIDE_ELEMENTS_JS: Final = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > limit && box.width > 0) {
      const cls = el.className ? "." + String(el.className).split(" ").join(".") : "";
      out.push(el.tagName.toLowerCase() + cls + " right=" + Math.round(box.right));
    }
    if (out.length >= 8) break;
  }
  return out;
}"""

_TIMING_JS: Final = """() => {
  const [n] = performance.getEntriesByType("navigation");
  if (!n) return null;
  return {server: n.responseEnd - n.requestStart, ttfb: n.responseStart - n.requestStart};
}"""


@dataclass
class Timings:
    """Server time per main page (ms): Navigation Timing responseEnd - requestStart."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float) -> None:
        with self._lock:
            self.samples.setdefault(page, []).append(ms)

    def summary(self) -> dict[str, Any]:
        return {
            "measure": "Navigation Timing responseEnd - requestStart (ms), headless Chromium, "
            "uvicorn in the test process, embedded PostgreSQL",
            "pages": {
                page: {
                    "n": len(values),
                    "median_ms": round(statistics.median(values), 1),
                    "max_ms": round(max(values), 1),
                }
                for page, values in sorted(self.samples.items())
            },
        }

    def table(self) -> str:
        lines = ["page timings (browser, responseEnd - requestStart):"]
        for page, row in self.summary()["pages"].items():
            lines.append(
                f"  {page:<13} n={row['n']:<3} median {row['median_ms']:>7.1f} ms"
                f"   max {row['max_ms']:>7.1f} ms"
            )
        return "\n".join(lines)


@dataclass
class Shots:
    """Numbering of the screenshots of one test (several users share the folder)."""

    folder: Path
    count: int = 0

    def __post_init__(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)  # this run's screenshots only

    def next(self, label: str, name: str) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^a-z0-9-]+", "-", f"{label}-{name}".lower()).strip("-")
        return self.folder / f"{self.count:02d}-{safe}.png"


#: How long a wait for a page event may take before the test calls it a hang (ms).
HANG_MS = 180_000


class Browsing:
    """A browser context (own cookies) for one test user (``people.py``), and the per-page
    checks."""

    def __init__(
        self, browser: Any, base_url: str, shots: Shots, timings: Timings, *, label: str
    ) -> None:
        self.base_url = base_url
        self.shots = shots
        self.timings = timings
        self.label = label
        self.context = browser.new_context(
            base_url=base_url, viewport=WIDE, locale="nl-NL", timezone_id="Europe/Amsterdam"
        )
        # A hang detector, not a deadline: on CI's two shared cores under a full suite a form
        # post and its navigation took over 20 s once (load average ~25) and the walk failed
        # with nothing wrong. Every wait here is on a page event (navigation, load, a
        # selector); only a page that never comes fails, after this long.
        self.context.set_default_timeout(HANG_MS)
        self.page = self.context.new_page()
        self.visited: list[str] = []

    def close(self) -> None:
        self.context.close()

    # --- navigation -----------------------------------------------------------------------

    def login(self, tenant: str, user: str) -> None:
        """The development issuer's login screen, as a person uses it: choose the user."""
        self.page.goto("/inloggen")
        self.choose_user(self.page, tenant, user)
        self.check("overzicht")

    def choose_user(self, page: Any, tenant: str, user: str) -> None:
        """On the login screen in ``page`` (this tab or another of this context): pick the
        user; the login lands on the overzicht (ingelogd.html forwards there)."""
        page.wait_for_selector("h1:has-text('Inloggen: kies een fictieve gebruiker')")
        if page is self.page and not _CHECKED_LOGIN:  # the development login page: once a run
            self.check("inloggen")
            _CHECKED_LOGIN.append(True)
        form = page.locator(
            f"form:has(input[name=tenant][value='{tenant}']):has(input[name=user][value='{user}'])"
        )
        form.get_by_role("button").click()
        page.wait_for_url("**/overzicht")
        page.wait_for_selector("nav[aria-label=Hoofdmenu]")

    def login_in_another_tab(self, tenant: str, user: str) -> None:
        """Log in again in a second tab of this browser: the cookie changes, so every form
        already open in the first tab now carries a stale token."""
        other = self.context.new_page()
        other.goto("/inloggen")
        self.choose_user(other, tenant, user)
        other.close()

    def goto(self, path: str, name: str) -> None:
        self.page.goto(path)
        self.check(name)

    def submit(self, button: str, name: str, *, within: Any = None) -> None:
        """Click a submit button (by its visible name) and check the page that comes back."""
        scope = within if within is not None else self.page
        with self.page.expect_navigation():
            scope.get_by_role("button", name=button, exact=True).click()
        self.check(name)

    def submit_matching(self, button: Any, name: str, *, within: Any = None) -> None:
        """Like :meth:`submit`, for a button whose name matches a pattern."""
        scope = within if within is not None else self.page
        with self.page.expect_navigation():
            scope.get_by_role("button", name=button).click()
        self.check(name)

    # --- the checks of every page ---------------------------------------------------------

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.visited.append(page.url)
        page.screenshot(path=str(self.shots.next(self.label, name)), full_page=True)
        self._timing(name)
        for step in (self._axe, self._borders, self._focus, self._reflow):
            started = time.perf_counter()
            step(name)
            if PROFILE:
                print(f"{name} {step.__name__} {time.perf_counter() - started:.2f}s")

    def _timing(self, name: str) -> None:
        if name not in TIMED:
            return
        measured = self.page.evaluate(_TIMING_JS)
        if measured and measured["server"] > 0:
            self.timings.add(name, float(measured["server"]))

    def _axe(self, name: str) -> None:
        if "source" not in _AXE:
            _AXE["source"] = axe_source()
        # page.evaluate runs outside the page's CSP (script-src 'none').
        self.page.evaluate(_AXE["source"])
        result = self.page.evaluate(
            """async () => {
              const r = await axe.run(document, {resultTypes: ["violations"]});
              return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
            }"""
        )
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not serious, f"axe on {name} ({self.page.url}):\n" + json.dumps(serious, indent=1)

    def _borders(self, name: str) -> None:
        found = self.page.evaluate(_BORDERS_JS)
        assert not found["bad"], f"input borders under {MIN_CONTRAST}:1 on {name}: {found['bad']}"

    def _focus(self, name: str) -> None:
        """Every focusable element shows a keyboard focus ring of at least 2 px that contrasts
        3:1 with what it is drawn on. One Tab puts the page in keyboard modality; from then on
        a focus moved by script matches ``:focus-visible`` too, so one round trip checks all."""
        page = self.page
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        page.keyboard.press("Tab")
        problems = page.evaluate(_ALL_FOCUS_JS)
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
        assert not problems, f"focus rings on {name}: {problems}"

    def _reflow(self, name: str) -> None:
        page = self.page
        page.set_viewport_size({"width": NARROW, "height": 800})
        try:
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            if width > NARROW:
                wide = page.evaluate(_WIDE_ELEMENTS_JS, NARROW)
                raise AssertionError(
                    f"{name} scrolls sideways at {NARROW} px: {width} px wide; {wide}"
                )
            page.screenshot(path=str(self.shots.next(self.label, name + "-320px")), full_page=True)
        finally:
            page.set_viewport_size(WIDE)
