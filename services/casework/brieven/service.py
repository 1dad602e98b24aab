"""The burgemeester's letters to the person as PDF: the notificatiebrief (informeren) and
the afsluitbrief (afsluiting).

A letter holds the person's name and address, so making one is a read of the person's
identifying data under the policy: resource ``person`` with category ``identificerend``, for
the purpose of the letter (``informeren`` or ``afsluiting``, the doelbinding of the phase). A
reader without a convenant grant for that category and purpose is refused (403), and every
attempt is audited (target ``brief``).

Nothing is stored: the letter is drawn on demand from the casus and the tenant's template
(``[letters]`` in the manifest, or the default text). That the letter was sent is recorded
as before: the notificatiebrief through *informeren* (signed by, handed over by, date) and
the afsluitbrief with the closure (``afsluitbrief_datum``). The letter uses what was recorded
there (the date and the signer) when it is made again later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from fpdf import FPDF

from services.casework.brieven.templates import DEFAULT_SUBJECTS, DEFAULT_TEXTS, fill
from services.casework.domain import lifecycle
from services.casework.domain.text import format_date_nl
from services.casework.errors import Conflict
from services.casework.subjects import is_restricted
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied, Target
from services.platform.db.models import Casus, Person
from tenants.manifest import LetterTemplate, Manifest

#: The letters, their purpose (doelbinding) and the states of a person casus they fit.
PURPOSES: Final[Mapping[str, str]] = {
    "notificatiebrief": "informeren",
    "afsluitbrief": "afsluiting",
}
_PS = lifecycle.PersonState
STATES: Final[Mapping[str, frozenset[str]]] = {
    "notificatiebrief": frozenset({_PS.OPGENOMEN, _PS.PLAN, _PS.UITVOERING, _PS.MONITORING}),
    "afsluitbrief": frozenset({_PS.AFGESCHAALD, _PS.OPGESCHAALD, _PS.GESTOPT, _PS.WAAKVLAM}),
}
TITLES: Final[Mapping[str, str]] = {
    "notificatiebrief": "Notificatiebrief",
    "afsluitbrief": "Afsluitbrief",
}
WHEN: Final[Mapping[str, str]] = {
    "notificatiebrief": "vanaf de opname in de aanpak tot de afsluiting (fase informeren)",
    "afsluitbrief": "na de afsluiting (afgeschaald, opgeschaald, gestopt of waakvlam)",
}

#: The category of a person's name and address (tenants/reference.py).
IDENTIFYING: Final = "identificerend"


@dataclass(frozen=True)
class Letter:
    kind: str
    filename: str
    pdf: bytes
    #: What was filled in (for tests and the page; no need to parse the PDF).
    values: Mapping[str, str]


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def address_lines(address: Mapping[str, Any]) -> list[str]:
    street = " ".join(
        str(address[k]).strip() for k in ("straat", "huisnummer") if address.get(k)
    ).strip()
    place = " ".join(
        str(address[k]).strip() for k in ("postcode", "woonplaats") if address.get(k)
    ).strip()
    return [line for line in (street, place) if line]


def _recorded(casus: Casus, kind: str) -> tuple[dt.date | None, str | None]:
    """The date and signer recorded for this letter (informeren / afsluiting), if any."""
    if kind == "notificatiebrief":
        brief = (casus.informing or {}).get("notificatiebrief") or {}
        return _parse_date(brief.get("datum")), (brief.get("ondertekend_door") or None)
    return _parse_date((casus.closure or {}).get("afsluitbrief_datum")), None


def _template(manifest: Manifest, kind: str) -> tuple[str, str]:
    own: LetterTemplate | None = getattr(manifest.letters, kind)
    subject = (own.onderwerp if own else None) or DEFAULT_SUBJECTS[kind]
    text = (own.tekst if own else None) or DEFAULT_TEXTS[kind]
    return subject, text


def _subject_person(ws: Workspace, casus: Casus) -> Person:
    person = (
        ws.session.get(Person, (casus.tenant_id, casus.subject_person_id))
        if casus.subject_person_id
        else None
    )
    if person is None:  # pragma: no cover - a person casus always has its subject
        raise Conflict("alleen-persoon", "Een brief hoort bij een persoonscasus.")
    return person


def make_letter(ws: Workspace, casus_id: uuid.UUID, kind: str) -> Letter:
    """The letter ``kind`` for the subject of the casus, as PDF (policy first, audited)."""
    casus = ws.load_casus(casus_id)
    purpose = PURPOSES[kind]
    person = _subject_person(ws, casus) if casus.kind == lifecycle.PERSON else None
    resource = ws.resource(casus, "person", category=IDENTIFYING)
    if person is not None and is_restricted(ws, "persoon", str(person.id), tenant=person.tenant_id):
        # Beperking (art. 18 AVG): the person's data are kept, not processed.
        resource["restricted"] = True
    decision = ws.enforcer.decide(
        "read", resource, ws.context(purpose), Target("brief", kind, casus.id)
    )
    if decision.view != "full" or IDENTIFYING in decision.mask:
        # Allowed only a reduced view: no name or address for a letter.
        raise AccessDenied(decision, "read")
    if person is None:
        raise Conflict("alleen-persoon", "Een brief aan de persoon hoort bij een persoonscasus.")
    if casus.state not in STATES[kind]:
        raise Conflict(
            "brief-past-niet-bij-fase",
            f"De {TITLES[kind].lower()} hoort {WHEN[kind]}; deze casus is "
            f"{lifecycle.state_label(casus.kind, casus.state).lower()}.",
        )
    manifest = ws.manifest_of(casus.tenant_id)
    recorded_date, recorded_signer = _recorded(casus, kind)
    gemeente = manifest.name
    values = {
        "naam": f"{person.given_names} {person.surname}".strip(),
        "adres": ", ".join(address_lines(person.address)) or "(adres onbekend)",
        "datum": format_date_nl(recorded_date or ws.today),
        "gemeente": gemeente,
        "burgemeester": recorded_signer
        or manifest.letters.burgemeester
        or f"De burgemeester van {gemeente}",
        "kenmerk": casus.reference,
        "contact": manifest.letters.contact or f"Gemeente {gemeente}",
    }
    subject, text = _template(manifest, kind)
    pdf = render_pdf(
        sender=manifest.letters.afzender or f"Gemeente {gemeente}",
        addressee=[values["naam"], *address_lines(person.address)],
        place_date=f"{gemeente}, {values['datum']}",
        reference=values["kenmerk"],
        subject=fill(subject, values),
        body=fill(text, values),
        title=f"{TITLES[kind]} {values['kenmerk']}",
    )
    return Letter(kind, f"{kind}-{casus.reference}.pdf", pdf, values)


def _latin1(text: str) -> str:
    """The core PDF fonts cover Latin-1: other characters are replaced, not dropped."""
    replaced = (
        text.replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("\u2018", "'")
        .replace("\u2019", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return replaced.encode("latin-1", "replace").decode("latin-1")


def render_pdf(
    *,
    sender: str,
    addressee: list[str],
    place_date: str,
    reference: str,
    subject: str,
    body: str,
    title: str,
) -> bytes:
    """An A4 letter: sender, addressee, date and reference, subject, the text."""
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_creator("Regietafel")
    # Uncompressed: a few kB more, and the text stays findable (tests, the hostile probes'
    # canaries: a leak in a letter would be seen like one in JSON).
    pdf.set_compression(False)
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(sender), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("Helvetica", "", 11)
    for line in addressee:
        pdf.multi_cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _latin1(place_date), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, _latin1(f"Ons kenmerk: {reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, _latin1(f"Onderwerp: {subject}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 11)
    for paragraph in body.strip("\n").split("\n"):
        if paragraph.strip():
            pdf.multi_cell(0, 6, _latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(4)
    return bytes(pdf.output())
