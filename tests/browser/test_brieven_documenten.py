"""Letters and documents with only the browser (issue 12): the casusregisseur makes the
notificatiebrief in the phase informeren and adds a document to the casus; the pages reached
pass the checks of :class:`browsing.Browsing` (axe, reflow, contrast, screenshot)."""

from __future__ import annotations

from walk_steps import (
    CASUSREGISSEUR,
    PROCESREGISSEUR,
    WIJKAGENT,
    Browse,
    T,
    aanmelden,
    flash,
    triage_and_invite,
)


def test_notificatiebrief_and_a_document(browse: Browse) -> None:
    casus_id = aanmelden(browse(T, WIJKAGENT), "Briefwisseling")
    triage_and_invite(browse(T, PROCESREGISSEUR), casus_id)

    b = browse(T, CASUSREGISSEUR)
    b.goto(f"/casussen/{casus_id}", "casus-brieven")
    page = b.page
    with page.expect_download() as download:
        page.get_by_role("button", name="Notificatiebrief maken (PDF)").click()
    letter = download.value
    assert letter.suggested_filename.startswith("notificatiebrief-")
    with open(letter.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"

    # A document without a category: a Dutch error on the form, the description kept.
    section = page.locator("section#documenten")
    section.get_by_text("Document toevoegen", exact=True).first.click()
    form = section.locator("form[enctype='multipart/form-data']")
    form.get_by_label("Bestand").set_input_files(
        {"name": "toestemming.txt", "mimeType": "text/plain", "buffer": b"Toestemming getekend."}
    )
    form.get_by_label("Omschrijving").fill("Getekende toestemming")
    b.submit("Document toevoegen", "casus-document-fout", within=form)
    form = page.locator("section#documenten form[enctype='multipart/form-data']")
    assert "Kies de categorie van de gegevens." in form.inner_text()
    assert form.get_by_label("Omschrijving").input_value() == "Getekende toestemming"

    form.get_by_label("Bestand").set_input_files(
        {"name": "toestemming.txt", "mimeType": "text/plain", "buffer": b"Toestemming getekend."}
    )
    form.get_by_label("Categorie van de gegevens").select_option("algemeen")
    b.submit("Document toevoegen", "casus-document-toegevoegd", within=form)
    assert "Het document is toegevoegd." in flash(b)
    link = page.locator("section#documenten").get_by_role("link", name="Getekende toestemming")
    with page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as file:
        assert file.read() == b"Toestemming getekend."
