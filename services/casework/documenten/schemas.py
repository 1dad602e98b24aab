"""Response bodies of the documenten endpoints (the upload is multipart/form-data)."""

from __future__ import annotations

from services.platform.http.openapi import Out


class DocumentOut(Out):
    """A document as the reader may see it: the file name, description and checksum are None
    when the category is masked or the view is reduced (a name can identify a person)."""

    id: str
    casus_id: str
    informatie_id: str | None
    categorie: str
    categorie_label: str
    bronorganisatie: str
    eigen_bron: bool
    doel: str
    bestandsnaam: str | None
    omschrijving: str | None
    mediatype: str
    grootte: int
    grootte_label: str
    sha256: str | None
    achtergehouden: bool
    geupload_door: str | None
    geupload_op: str
    versie: int
    inhoud_zichtbaar: bool
    gemaskeerd: list[str]


class DocumentenLijstOut(Out):
    """The documents the reader may see; ``niet_zichtbaar`` counts the refused ones."""

    items: list[DocumentOut]
    niet_zichtbaar: int


class DocumentVerwijderdOut(Out):
    """The answer to deleting a document."""

    id: str
    casus_id: str
    verwijderd: bool
