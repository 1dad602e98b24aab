"""Server-rendered Dutch UI: templates, our own static files, and the NL Design System
design tokens installed from the npm registry at install time (no CDN, nothing committed)."""

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
# `make assets` runs `npm ci` in THEME; the tokens' CSS is served from /static/nlds/.
THEME = Path(__file__).parent / "theme"
NLDS_TOKENS = (
    THEME / "node_modules" / "@nl-design-system-unstable" / "voorbeeld-design-tokens" / "dist"
)
# The theme class the tokens are scoped to (set on <html> by base.html).
NLDS_THEME_CLASS = "voorbeeld-theme"


def nlds_tokens_installed() -> bool:
    """True when the design tokens were installed (`make assets`); without npm the pages
    use the fallback values in regietafel.css, which are the same colours' roles."""
    return (NLDS_TOKENS / "theme.css").is_file()
