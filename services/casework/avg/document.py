"""The inzage document for the person: readable Dutch, as HTML and as PDF.

Both render the same dict (:func:`services.casework.avg.inzage.inzage`) through one outline
(:func:`sections`), so the HTML and the PDF say the same. The PDF is made with fpdf2 (pure
Python, ADR 0021) and its core fonts, which cover Latin-1: characters outside it (rare in
Dutch) are replaced rather than dropped silently.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpdf import FPDF
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
)

TITLE = "Inzage in uw persoonsgegevens (artikel 15 AVG)"


@dataclass
class Section:
    """One heading with lines ("label: value") and optional sub-sections."""

    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    note: str | None = None


def _date(value: str | None) -> str:
    if not value:
        return "-"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if len(value) <= 10:
        return parsed.strftime("%d-%m-%Y")
    return parsed.strftime("%d-%m-%Y %H:%M")


def _text(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def sections(doc: Mapping[str, Any]) -> list[Section]:
    person = doc["persoon"]
    out = [
        Section(
            "Over dit overzicht",
            [
                ("Verwerkingsverantwoordelijke", doc["verwerkingsverantwoordelijke"]),
                ("Opgesteld op", _date(doc["opgesteld_op"])),
                ("Kenmerk", doc["verzoek_id"]),
            ],
            note=(
                "Dit is een overzicht van alle gegevens die de gemeente in het kader van de "
                "Persoonsgerichte Aanpak over u heeft vastgelegd, waarvoor, van wie ze komen, "
                "aan wie ze zijn verstrekt, wie ze heeft ingezien en hoe lang ze worden "
                "bewaard. Gegevens die wij op grond van de wet niet mogen tonen, staan "
                "vermeld als achtergehouden, met de reden."
            ),
        ),
        Section(
            "Uw persoonsgegevens",
            [
                ("Voornamen", _text(person["voornamen"])),
                ("Achternaam", _text(person["achternaam"])),
                ("Roepnaam", _text(person["roepnaam"])),
                ("Andere namen", _text(person["aliassen"])),
                ("Geboortedatum", _date(person["geboortedatum"])),
                ("BSN (deels afgeschermd)", _text(person["bsn"])),
                ("Adres", _text(person["adres"])),
                ("Bron", _text(person["bron"])),
                ("Verwerking beperkt", _text(person["beperkt"])),
            ],
        ),
    ]
    for casus in doc["casussen"]:
        out.append(_casus_section(casus))
    if doc["gezin"]:
        out.append(
            Section(
                "Gezin en huishouden",
                [(g["relatie"], g["toelichting"]) for g in doc["gezin"]],
            )
        )
    out.append(
        Section(
            "Doelen waarvoor uw gegevens zijn verwerkt",
            [(d["code"], d["label"]) for d in doc["doelen"]],
        )
    )
    out.append(
        Section(
            "Ontvangers van uw gegevens",
            [
                (r["naam"], r["soort"] + (f" - {r['toelichting']}" if r["toelichting"] else ""))
                for r in doc["ontvangers"]
            ],
        )
    )
    out.append(
        Section(
            "Wie heeft uw gegevens ingezien",
            [
                (
                    _date(e["tijdstip"]),
                    f"{e['naam']} ({e['organisatie_naam']}): {e['handeling_label']} - {e['wat']}"
                    f", doel {e['doel_label'] or '-'}"
                    f" - {'toegestaan' if e['toegestaan'] else 'geweigerd'}",
                )
                for e in doc["toegangslog"]
            ],
        )
    )
    if doc["correcties"] or doc["beperkingen"]:
        out.append(
            Section(
                "Correcties en beperkingen",
                [
                    (
                        _date(c["op"]),
                        f"{c['soort']} {c['veld']}: '{_text(c['oude_waarde'])}' werd "
                        f"'{_text(c['nieuwe_waarde'])}' (reden: {c['reden']})",
                    )
                    for c in doc["correcties"]
                ]
                + [
                    (
                        _date(r["op"]),
                        f"verwerking beperkt ({r['soort']}): {r['reden']}"
                        + ("" if r["actief"] else f"; opgeheven {_date(r['opgeheven_op'])}"),
                    )
                    for r in doc["beperkingen"]
                ],
            )
        )
    retention = doc["bewaartermijn"]
    out.append(
        Section(
            "Bewaartermijn",
            [("Standaard", f"{retention['standaard_maanden']} maanden na afsluiting")]
            + [(k, f"{v} maanden") for k, v in retention["per_reden_maanden"].items()],
            note=retention["toelichting"],
        )
    )
    return out


def _casus_section(casus: Mapping[str, Any]) -> Section:
    section = Section(
        f"Casus {casus['referentie']}",
        [
            ("Uw rol", casus["uw_rol_toelichting"]),
            ("Soort", casus["soort"]),
            ("Fase", casus["fase"]),
            ("Aangemeld op", _date(casus["aanmelddatum"])),
            ("Aangemeld door", _text(casus["aanmelder_organisatie"])),
            ("Afgesloten op", _date(casus["afsluitdatum"])),
            ("Deelnemende organisaties", _text(casus["deelnemers"])),
            ("Bewaartermijn", casus["bewaartermijn"]),
        ],
    )
    aanmelding = casus["aanmelding"]
    if aanmelding:
        section.children.append(
            Section(
                "Aanmelding",
                [
                    ("Waarom een integrale aanpak", _text(aanmelding["waarom_integraal"])),
                    *[(f"Probleem {k}", v) for k, v in aanmelding["problemen"].items()],
                    ("Bron", _text(aanmelding["bron"])),
                ],
            )
        )
    for item in casus["items"]:
        section.children.append(
            Section(
                f"Informatie: {item['titel']}",
                [
                    ("Inhoud", item["inhoud"]),
                    ("Soort gegevens", item["categorie_label"]),
                    ("Bron", _text(item["bron"])),
                    ("Doel", _text(item["doel"])),
                    ("Grondslag", _text(item["grondslag"])),
                    ("Vastgelegd op", _date(item["vastgelegd_op"])),
                    ("Verwerking beperkt", _text(item["beperkt"])),
                ],
            )
        )
    for doc in casus.get("documenten", []):
        section.children.append(
            Section(
                f"Document: {doc['omschrijving']}",
                [
                    (
                        "Bestand",
                        f"{doc['bestandsnaam']} ({doc['mediatype']}, {doc['grootte']} bytes)",
                    ),
                    ("Soort gegevens", doc["categorie_label"]),
                    ("Bron", _text(doc["bron"])),
                    ("Doel", _text(doc["doel"])),
                    ("Vastgelegd op", _date(doc["vastgelegd_op"])),
                ],
                note="Een kopie van het bestand krijgt u op verzoek.",
            )
        )
    for plan in casus["plannen"]:
        section.children.append(
            Section(
                f"Plan van aanpak, versie {plan['versie']}",
                [
                    ("Inhoud", json.dumps(plan["inhoud"], ensure_ascii=False)),
                    ("Bron", _text(plan["bron"])),
                    ("Vastgelegd op", _date(plan["vastgelegd_op"])),
                ],
            )
        )
    for meting in casus["metingen"]:
        section.children.append(
            Section(
                f"Meting {meting['instrument']} ({meting['moment']})",
                [
                    ("Datum", _date(meting["datum"])),
                    ("Scores", _text(meting["scores"])),
                    ("Bron", _text(meting["bron"])),
                ],
            )
        )
    for line in casus["overleg"]:
        section.children.append(
            Section(
                f"Besproken in {line['overleg']} ({_date(line['datum'])})",
                [
                    ("Toelichting", _text(line["briefing"])),
                    ("Besluiten", _text(line["besluiten"])),
                    ("Bron", _text(line["bron"])),
                ],
            )
        )
    for held in casus["achtergehouden"]:
        section.children.append(
            Section(
                f"Achtergehouden: {held['wat']}",
                [
                    ("Soort gegevens", held["categorie"]),
                    ("Bron", _text(held["bron"])),
                    ("Vastgelegd op", _date(held["vastgelegd_op"])),
                    ("Reden", held["reden"]),
                ],
            )
        )
    return section


def render_html(doc: Mapping[str, Any]) -> str:
    name = f"{doc['persoon']['voornamen']} {doc['persoon']['achternaam']}"
    return _env.get_template("inzage_document.html").render(
        title=TITLE, name=name, sections=sections(doc)
    )


def _latin1(text: str) -> str:
    replaced = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")


def _walk(items: Sequence[Section], depth: int = 0) -> Iterator[tuple[int, Section]]:
    for section in items:
        yield depth, section
        yield from _walk(section.children, depth + 1)


def render_pdf(doc: Mapping[str, Any]) -> bytes:
    name = f"{doc['persoon']['voornamen']} {doc['persoon']['achternaam']}"
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(TITLE))
    pdf.set_creator("Regietafel")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin1(TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 7, _latin1(f"Voor: {name}"), new_x="LMARGIN", new_y="NEXT")
    for depth, section in _walk(sections(doc)):
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13 if depth == 0 else 11)
        pdf.multi_cell(0, 7, _latin1(section.heading), new_x="LMARGIN", new_y="NEXT")
        if section.note:
            pdf.set_font("Helvetica", "I", 9)
            pdf.multi_cell(0, 5, _latin1(section.note), new_x="LMARGIN", new_y="NEXT")
        for label, value in section.lines:
            pdf.set_font("Helvetica", "B", 9)
            pdf.multi_cell(0, 5, _latin1(f"{label}:"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            pdf.multi_cell(0, 5, _latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
