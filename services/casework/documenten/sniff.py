"""What a file is, by its content (not by the name or the type the client declared).

Accepted: PDF, PNG, JPEG and plain text (UTF-8). Images are opened with Pillow to check that
they are what their first bytes say; text must decode as UTF-8 without control characters
other than tab, line feed, carriage return and form feed.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Final

#: Accepted media types and their Dutch names.
ALLOWED: Final[Mapping[str, str]] = {
    "application/pdf": "PDF",
    "image/png": "PNG-afbeelding",
    "image/jpeg": "JPEG-afbeelding",
    "text/plain": "platte tekst",
}

#: Declared types that say nothing about the content (browsers send them for unknown files).
GENERIC: Final = frozenset({"", "application/octet-stream", "binary/octet-stream"})

_TEXT_CONTROLS: Final = frozenset({"\t", "\n", "\r", "\f"})


def _image_ok(content: bytes, fmt: str) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != fmt:
                return False
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False
    return True


def _text_ok(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ch < " " and ch not in _TEXT_CONTROLS for ch in text) and "\x7f" not in text


def sniff(content: bytes) -> str | None:
    """The media type of ``content`` if it is one of :data:`ALLOWED`, else None."""
    if not content:
        return None
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png" if _image_ok(content, "PNG") else None
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg" if _image_ok(content, "JPEG") else None
    if _text_ok(content):
        return "text/plain"
    return None


def declared(media_type: str | None) -> str:
    """The declared type without parameters, lower case ('' when none)."""
    return (media_type or "").split(";", 1)[0].strip().lower()
