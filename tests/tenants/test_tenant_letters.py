"""The letters section of a manifest (``[letters]``): placeholders checked, template files
read next to the manifest (never outside it), stored as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from manifest_texts import NEW_GEMEENTE

from tenants.manifest import (
    SHIPPED_MANIFESTS_DIR,
    ManifestError,
    load_manifest,
    parse_manifest,
    template_placeholders,
    validate_text,
)

LETTERS = """
[letters]
burgemeester = "A. Voorbeeld"
contact = "Gemeente Utrecht, 14 030"

[letters.notificatiebrief]
onderwerp = "Uw opname ({gemeente})"
tekst = "Beste {naam}, op {datum} ... {{letterlijk}} {kenmerk}"
"""


def test_letters_with_known_placeholders_validate() -> None:
    manifest = validate_text(NEW_GEMEENTE + LETTERS, "test")
    assert manifest.letters.burgemeester == "A. Voorbeeld"
    assert manifest.letters.notificatiebrief is not None
    assert manifest.letters.afsluitbrief is None
    assert template_placeholders(manifest.letters.notificatiebrief.tekst or "") == [
        "naam",
        "datum",
        "kenmerk",
    ]


def test_a_manifest_without_letters_gets_the_defaults() -> None:
    manifest = validate_text(NEW_GEMEENTE, "test")
    assert manifest.letters.notificatiebrief is None and manifest.letters.contact is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('tekst = "Beste {voornaam}"', "onbekende plaatsaanduiding '{voornaam}'"),
        ('tekst = "Beste {naam!r}"', "ongeldige plaatsaanduiding"),
        ('tekst = "Beste {naam:>10}"', "ongeldige plaatsaanduiding"),
        ('tekst = "Beste {"', "ongeldige plaatsaanduiding"),
        ('onderwerp = "{bsn}"', "onbekende plaatsaanduiding '{bsn}'"),
    ],
)
def test_bad_placeholders_are_named(text: str, message: str) -> None:
    bad = NEW_GEMEENTE + f"\n[letters.afsluitbrief]\n{text}\n"
    with pytest.raises(ManifestError) as caught:
        validate_text(bad, "test")
    issue = caught.value.issues[0]
    assert issue.field.startswith("letters.afsluitbrief.")
    assert message in issue.message_nl


def test_a_template_file_is_read_next_to_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "brieven").mkdir()
    (tmp_path / "brieven" / "afsluit.txt").write_text("Beste {naam}, tot ziens.", "utf-8")
    path = tmp_path / "gm0344.toml"
    path.write_text(
        NEW_GEMEENTE + '\n[letters.afsluitbrief]\nbestand = "brieven/afsluit.txt"\n', "utf-8"
    )
    manifest = load_manifest(path)
    assert manifest.letters.afsluitbrief is not None
    assert manifest.letters.afsluitbrief.tekst == "Beste {naam}, tot ziens."
    # What is stored (the dump) holds the text: the database never reads the file again.
    stored = parse_manifest(manifest.model_dump(mode="json"), "database:GM0344")
    assert stored.letters.afsluitbrief is not None
    assert stored.letters.afsluitbrief.tekst == "Beste {naam}, tot ziens."


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('bestand = "../geheim.txt"', "in de map van het manifest"),
        ('bestand = "bestaat-niet.txt"', "kan niet worden gelezen"),
        ('bestand = "b.txt"\ntekst = "Ook tekst"', "niet allebei"),
    ],
)
def test_bad_template_files_are_refused(tmp_path: Path, section: str, message: str) -> None:
    (tmp_path / "geheim.txt").write_text("x", "utf-8")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "b.txt").write_text("Beste {naam}", "utf-8")
    path = tmp_path / "m" / "gm0344.toml"
    path.write_text(NEW_GEMEENTE + f"\n[letters.notificatiebrief]\n{section}\n", "utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.issues[0].field == "letters.notificatiebrief.bestand"
    assert message in caught.value.issues[0].message_nl


def test_an_uploaded_manifest_cannot_name_a_file() -> None:
    text = NEW_GEMEENTE + '\n[letters.notificatiebrief]\nbestand = "brieven/x.txt"\n'
    with pytest.raises(ManifestError) as caught:
        validate_text(text, "upload")
    assert "niet ingelezen" in caught.value.issues[0].message_nl


def test_zeist_ships_its_own_notificatiebrief() -> None:
    zeist = load_manifest(SHIPPED_MANIFESTS_DIR / "gm0355-zeist.toml")
    template = zeist.letters.notificatiebrief
    assert template is not None and template.tekst and "{naam}" in template.tekst
    assert "Persoonsgerichte Aanpak Zeist" in template.tekst
