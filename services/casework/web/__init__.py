"""Server-rendered Dutch UI: templates and our own static files (no CDN, no third-party assets)."""

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
