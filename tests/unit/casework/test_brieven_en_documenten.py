"""Pure parts of the letters and documents: filling in a template, drawing the PDF, the
Dutch date, and finding a file's type by its content."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from services.casework.brieven.service import address_lines, render_pdf
from services.casework.brieven.templates import DEFAULT_SUBJECTS, DEFAULT_TEXTS, fill
from services.casework.documenten.sniff import declared, sniff
from services.casework.domain.text import format_date_nl
from tenants.manifest import LETTER_PLACEHOLDERS, template_placeholders


def test_the_default_texts_use_only_known_placeholders() -> None:
    for kind in ("notificatiebrief", "afsluitbrief"):
        for text in (DEFAULT_TEXTS[kind], DEFAULT_SUBJECTS[kind]):
            assert set(template_placeholders(text)) <= set(LETTER_PLACEHOLDERS)
        assert "{naam}" in DEFAULT_TEXTS[kind] and "{burgemeester}" in DEFAULT_TEXTS[kind]


def test_fill_replaces_known_names_and_keeps_literal_braces() -> None:
    text = fill("Beste {naam} {{x}} uit {gemeente}", {"naam": "Ada", "gemeente": "Zeist"})
    assert text == "Beste Ada {x} uit Zeist"
    # A value with braces is not a template itself.
    assert fill("{naam}", {"naam": "{gemeente}"}) == "{gemeente}"


def test_dutch_date_and_address() -> None:
    assert format_date_nl(dt.date(2026, 3, 4)) == "4 maart 2026"
    assert address_lines({"straat": "Slotlaan", "huisnummer": "1", "postcode": "3701 AA"}) == [
        "Slotlaan 1",
        "3701 AA",
    ]
    assert address_lines({}) == []


def test_the_letter_pdf_reads_back() -> None:
    pdf = render_pdf(
        sender="Gemeente Zeist",
        addressee=["Zoë Ünal", "Slotlaan 1", "3701 AA Zeist"],
        place_date="Zeist, 4 maart 2026",
        reference="PGA-2026-0001",
        subject="Uw opname \u2014 PGA",
        body="Beste Zoë,\n\nTekst met \u201caanhalingstekens\u201d en \u20ac.\n",
        title="Notificatiebrief",
    )
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Zoë Ünal" in text and "PGA-2026-0001" in text and "4 maart 2026" in text
    assert reader.metadata is not None and reader.metadata.title == "Notificatiebrief"


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 3)).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (_image("PNG"), "image/png"),
        (_image("JPEG"), "image/jpeg"),
        ("Gewone tekst met ë en een\ttab.\r\n".encode(), "text/plain"),
        (b"", None),
        (b"MZ\x90\x00", None),  # an executable
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, None),  # a PNG header without an image
        (b"\xff\xd8\xff\xe0garbage", None),
        (b"tekst met een NUL\x00", None),
        (b"<html>\x1b[31m</html>", None),  # control characters
        (b"\xc3\x28 geen utf-8", None),
        (_image("GIF"), None),  # GIF is not allowed
    ],
)
def test_sniff(content: bytes, expected: str | None) -> None:
    assert sniff(content) == expected


def test_declared_type_without_parameters() -> None:
    assert declared("Text/Plain; charset=utf-8") == "text/plain"
    assert declared(None) == ""
