"""The register of processing activities (art. 30 AVG) of one tenant, from its manifest.

Every audit row names the processing activity it belongs to (``processing_activity``, the
``dpl.core.processing_activity_id`` of Logboek Dataverwerkingen): a code in this register.
The register is generated, never edited by hand: one activity per purpose (doelbinding) of
the PGA, one for casework actions without a specific purpose, and the two administrative
activities. Per activity: the purpose, the legal basis (art. 6 AVG) with its statutory
ground, the categories of data (from the convenant grants of the manifest) and of persons,
the recipients (the partner organisations granted data for that purpose) and the
bewaartermijn (from the manifest). docs/logboek-dataverwerkingen.md describes the mapping.

The legal basis of an *allowed* decision (:func:`legal_basis_for`) comes from the decision:
a share carries the basis the checklist gegevensdeling checked, a decision allowed on valid
consent rests on consent, an urgent access (doorbreekglas) on vital interest; every other
allowed decision rests on the legal basis of its processing activity.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from tenants import reference
from tenants.manifest import Manifest

#: The activity of a casework action that names no purpose (a list, an explanation).
GENERAL_ACTIVITY: Final = "pga-algemeen"

#: The namespace of activity URIs (``dpl.core.processing_activity_id`` must be a URI).
URN_PREFIX: Final = "urn:regietafel:verwerkingsactiviteit"

_PGA_GROUND: Final = (
    "Gemeentewet art. 160 en 172 (regie openbare orde en veiligheid); Wmo 2015 art. 2.1.1 en "
    "Jeugdwet art. 2.1 (ondersteuning); Wet politiegegevens art. 20 en Wjsg art. 8a/39f "
    "(verstrekking aan samenwerkingsverbanden); het convenant PGA legt afspraken vast en is "
    "zelf geen grondslag."
)

#: (label, legal basis art. 6, statutory ground) per activity; purposes not listed use the
#: PGA row. The codes are those of tenants.reference.
_LEGAL: Final[Mapping[str, tuple[str, str]]] = {
    "inzage": ("wettelijke-verplichting", "AVG art. 15 (recht op inzage)."),
    "verantwoording": (
        "publieke-taak",
        "Gemeentewet art. 172 en 180 (verantwoording); alleen gepseudonimiseerde statistiek.",
    ),
    "platformbeheer": (
        "wettelijke-verplichting",
        "AVG art. 28 en 32 (verwerker, beveiliging): aansluiten, bijwerken en opschorten.",
    ),
    "gebruikersbeheer": (
        "wettelijke-verplichting",
        "AVG art. 32 (beveiliging): toegangsbeheer van de gemeente.",
    ),
}

_PERSONS_CASEWORK: Final = (
    "Betrokkenen in de persoonsgerichte aanpak (jongeren en volwassenen)",
    "Gezinsleden en andere derden die in een casus worden genoemd",
    "Professionals van de deelnemende partnerorganisaties",
)
_PERSONS_ADMIN: Final = ("Gebruikers: professionals en beheerders van de gemeente en partners",)
_ADMIN_CATEGORIES: Final = ("Naam, organisatie, functie, e-mailadres en rollen van gebruikers",)


@dataclass(frozen=True)
class ProcessingActivity:
    code: str
    uri: str
    name: str
    purpose: str
    legal_basis: str
    legal_basis_label: str
    statutory_ground: str
    data_categories: tuple[str, ...]
    person_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Register:
    tenant: str
    controller: str
    activities: tuple[ProcessingActivity, ...]

    def activity(self, code: str) -> ProcessingActivity | None:
        return next((a for a in self.activities if a.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "verwerkingsverantwoordelijke": self.controller,
            "activiteiten": [a.as_dict() for a in self.activities],
        }


def activity_code(purpose: str | None) -> str:
    """The activity of an audit row with this purpose."""
    if purpose and (purpose in reference.PURPOSES or purpose in reference.ADMIN_PURPOSES):
        return purpose
    if purpose in reference.EXPORT_PURPOSES:
        return "platformbeheer"
    return GENERAL_ACTIVITY


def activity_legal_basis(code: str) -> str:
    return _LEGAL.get(code, ("publieke-taak", _PGA_GROUND))[0]


def legal_basis_for(
    allowed: bool, allow_codes: Collection[str], claimed: str | None, activity: str
) -> str | None:
    """The legal basis to record with a decision: for a refusal the basis that was claimed
    (if any); for an allowed decision the basis that carried it (see the module text)."""
    if not allowed:
        return claimed
    if claimed in reference.LEGAL_BASES_ART6:
        return claimed
    if "toestemming-geldig" in allow_codes:
        return "toestemming"
    if "doorbreekglas" in allow_codes:
        return "vitaal-belang"
    return activity_legal_basis(activity)


def uri(tenant: str, code: str) -> str:
    return f"{URN_PREFIX}:{tenant}:{code}"


def _retention(manifest: Manifest) -> str:
    parts = [f"{manifest.retention.default_months} maanden na afsluiting"]
    for outcome, months in sorted(manifest.retention.months.items()):
        parts.append(f"{reference.label(reference.RETENTION_OUTCOMES, outcome)}: {months} maanden")
    return "; ".join(parts) + ". Het auditlog kent een eigen, langere termijn."


def build_register(manifest: Manifest) -> Register:
    """The register of ``manifest``'s tenant."""
    tenant = manifest.gemeentecode
    grants = manifest.grant_matrix()
    retention = _retention(manifest)
    activities: list[ProcessingActivity] = []

    def add(
        code: str,
        name: str,
        purpose: str,
        categories: list[str],
        persons: tuple[str, ...],
        recipients: list[str],
        term: str,
    ) -> None:
        basis, ground = _LEGAL.get(code, ("publieke-taak", _PGA_GROUND))
        activities.append(
            ProcessingActivity(
                code=code,
                uri=uri(tenant, code),
                name=name,
                purpose=purpose,
                legal_basis=basis,
                legal_basis_label=reference.label(reference.LEGAL_BASES_ART6, basis),
                statutory_ground=ground,
                data_categories=tuple(categories),
                person_categories=persons,
                recipients=tuple(recipients),
                retention=term,
            )
        )

    def casework(purposes: Collection[str]) -> tuple[list[str], list[str]]:
        categories = {"identificerend", "algemeen"}
        domains = set()
        for domain, by_category in grants.items():
            for category, granted in by_category.items():
                if set(granted) & set(purposes):
                    categories.add(category)
                    domains.add(domain)
        if set(manifest.bsn_purposes) & set(purposes):
            categories.add("bsn")
        labels = [reference.label(reference.DATA_CATEGORIES, c) for c in sorted(categories)]
        recipients = [
            f"{org.name} ({manifest.domains.get(org.domain, org.domain)})"
            for org in manifest.organisations
            if org.domain in domains
        ]
        return labels, recipients

    for code, label in reference.PURPOSES.items():
        if code == "verantwoording":
            add(
                code,
                label,
                "Effectcijfers van de aanpak: alleen gepseudonimiseerde feiten naar de "
                "analysedienst, uitkomsten met differentiële privacy.",
                [reference.DATA_CATEGORIES["algemeen"] + " (gepseudonimiseerd)"],
                ("Betrokkenen in de persoonsgerichte aanpak (gepseudonimiseerd)",),
                ["Analysedienst Regietafel (alleen geaggregeerde uitkomsten)"],
                "Gepseudonimiseerde feiten: zolang de verantwoording dat vraagt.",
            )
            continue
        categories, recipients = casework([code])
        add(
            code,
            label,
            f"Persoonsgerichte aanpak, fase of doel '{label}'.",
            categories,
            _PERSONS_CASEWORK,
            recipients,
            retention,
        )
    categories, recipients = casework(reference.PURPOSES)
    add(
        GENERAL_ACTIVITY,
        "Persoonsgerichte aanpak: overzichten en uitleg",
        "Werkvoorraad, casuslijsten en uitleg van beslissingen, zonder specifiek doel.",
        categories,
        _PERSONS_CASEWORK,
        recipients,
        retention,
    )
    for code, label in reference.ADMIN_PURPOSES.items():
        add(
            code,
            label,
            label + ".",
            list(_ADMIN_CATEGORIES),
            _PERSONS_ADMIN,
            ["Regionaal bureau (verwerker)"] if code == "platformbeheer" else [],
            "Zolang het account bestaat; de auditregels volgen de termijn van het auditlog.",
        )
    return Register(tenant=tenant, controller=manifest.name, activities=tuple(activities))
