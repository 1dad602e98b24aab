"""Tenant manifests: the typed schema, loading and validation.

A manifest is a TOML file describing one tenant (a gemeente, or the regional bureau of a
region). Validation happens in two passes:

1. structure (pydantic, ``extra="forbid"``): types, required fields, formats of ids;
2. meaning (:func:`_check_semantics`): gemeentecode format per kind, codes against
   :mod:`tenants.reference`, duplicate ids, references between sections.

Every problem becomes a :class:`ManifestIssue` naming the file, the field path (for example
``organisations[2].domain``, 0-based indices) and a Dutch and an English message. All issues
of a file (or of a directory) are raised together in one :class:`ManifestError`.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from tenants import reference

GEMEENTECODE_PATTERN: Final = re.compile(r"^GM[0-9]{4}$")
"""CBS gemeentecode: ``GM`` and four digits (e.g. ``GM0355`` Zeist)."""

REGIOCODE_PATTERN: Final = re.compile(r"^RG[A-Z0-9]{2,12}$")
"""Code of a regional bureau: ``RG`` and 2-12 upper-case letters/digits (e.g. ``RGUTRECHT``)."""

MANIFEST_SUFFIX: Final = ".toml"

Slug = Annotated[str, StringConstraints(pattern=reference.CODE_PATTERN.pattern)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


# --- Errors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestIssue:
    """One problem in one manifest."""

    source: str  # file path or upload name
    field: str  # e.g. "organisations[2].domain"; "" for the file as a whole
    message_nl: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.message_nl} ({self.message_en})"


class ManifestError(Exception):
    """A manifest (or a set of manifests) is invalid. Carries every issue found."""

    def __init__(self, issues: Sequence[ManifestIssue]) -> None:
        if not issues:
            raise ValueError("ManifestError needs at least one issue")
        self.issues: tuple[ManifestIssue, ...] = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))

    # Convenience accessors for the first (often the only) issue.
    @property
    def source(self) -> str:
        return self.issues[0].source

    @property
    def field(self) -> str:
        return self.issues[0].field

    @property
    def message_nl(self) -> str:
        return self.issues[0].message_nl

    @property
    def message_en(self) -> str:
        return self.issues[0].message_en

    def as_dicts(self) -> list[dict[str, str]]:
        """The issues as plain dicts (for problem+json responses and CLI output)."""
        return [
            {
                "source": issue.source,
                "field": issue.field,
                "message_nl": issue.message_nl,
                "message_en": issue.message_en,
            }
            for issue in self.issues
        ]


# --- Schema ---------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Organisation(_Model):
    """A partner organisation taking part in the tenant's PGA."""

    id: Slug
    name: Text
    domain: Slug
    receive_only: bool = False
    """Beroepsgeheim partner that only receives through the platform (see docs/tenants.md)."""
    description: Text | None = None


class MeetingType(_Model):
    """A kind of meeting (overleg) as the tenant names it."""

    id: Slug
    name: Text
    frequency_weeks: Annotated[int, Field(ge=1, le=52)] | None = None
    """Structural meetings: every N weeks. None: incidental (per casus)."""
    casus_type: Slug = "persoon"
    description: Text | None = None


class Criterion(_Model):
    id: Slug
    text: Text


class Inclusion(_Model):
    """Inclusion criteria: at least ``minimum_met`` of ``criteria`` must apply."""

    minimum_met: Annotated[int, Field(ge=1)]
    criteria: Annotated[list[Criterion], Field(min_length=1)]


class AgeBandSetting(_Model):
    """The tenant's age band (inclusive)."""

    min: Annotated[int, Field(ge=0, le=120)]
    max: Annotated[int, Field(ge=0, le=120)]


class Retention(_Model):
    """Bewaartermijnen in months: a default plus overrides per casus outcome."""

    default_months: Annotated[int, Field(ge=1, le=600)]
    months: dict[str, Annotated[int, Field(ge=1, le=600)]] = Field(default_factory=dict)

    def months_for(self, outcome: str) -> int:
        return self.months.get(outcome, self.default_months)


class Review(_Model):
    """Review timers."""

    herijking_months: Annotated[int, Field(ge=1, le=60)] = 6
    positive_closure_months: Annotated[int, Field(ge=1, le=60)] = 9
    """Close positively after this many months without new meldingen."""
    commitment_check_weeks: Annotated[int, Field(ge=1, le=52)] = 6


class User(_Model):
    """A (demo) user; fictional people only."""

    id: Slug
    name: Text
    organisation: Slug
    roles: Annotated[list[str], Field(min_length=1)]
    title: Text | None = None
    email: Text | None = None


class Grant(_Model):
    """Convenant grant: these domains may receive these categories for these purposes."""

    domains: Annotated[list[str], Field(min_length=1)]
    categories: Annotated[list[str], Field(min_length=1)]
    purposes: Annotated[list[str], Field(min_length=1)]
    description: Text | None = None


#: The placeholders a letter template may use (``{naam}``; ``{{`` and ``}}`` for a brace).
LETTER_PLACEHOLDERS: Final[Mapping[str, str]] = {
    "naam": "naam van de persoon",
    "adres": "adres van de persoon (straat en huisnummer, postcode en woonplaats)",
    "datum": "datum van de brief",
    "gemeente": "naam van de gemeente",
    "burgemeester": "naam van de burgemeester",
    "kenmerk": "kenmerk van de casus",
    "contact": "contactgegevens",
}

#: The letters a tenant can give a template for.
LETTER_KINDS: Final[Mapping[str, str]] = {
    "notificatiebrief": "notificatiebrief (informeren)",
    "afsluitbrief": "afsluitbrief (afsluiting)",
}


class LetterTemplate(_Model):
    """One letter: its subject line and body text with placeholders (LETTER_PLACEHOLDERS).
    ``bestand`` names a text file next to the manifest; loading the manifest reads it into
    ``tekst`` (what is stored and used)."""

    onderwerp: Text | None = None
    tekst: Text | None = None
    bestand: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_./-]{1,200}$")] | None = None


class Letters(_Model):
    """The burgemeester's letters (notificatiebrief, afsluitbrief): who signs, whom to
    contact, and per letter an optional template (a default Dutch text otherwise)."""

    burgemeester: Text | None = None
    contact: Text | None = None
    afzender: Text | None = None
    notificatiebrief: LetterTemplate | None = None
    afsluitbrief: LetterTemplate | None = None


class Manifest(_Model):
    """One tenant's manifest."""

    schema_version: Literal[1] = 1
    gemeentecode: str
    name: Text
    kind: Literal["gemeente", "regio"]
    region: Slug
    region_name: Text | None = None
    description: Text | None = None
    extra_domains: dict[str, Text] = Field(default_factory=dict)
    organisations: Annotated[list[Organisation], Field(min_length=1)]
    meeting_types: list[MeetingType] = Field(default_factory=list)
    inclusion: Inclusion
    age_band: AgeBandSetting
    assessment_instrument: Literal["zrm", "leefgebieden-8"] = "zrm"
    retention: Retention
    review: Review = Field(default_factory=Review)
    bsn_purposes: list[str] = Field(default_factory=lambda: ["aanmelding", "triage", "informeren"])
    users: list[User] = Field(default_factory=list)
    grants: list[Grant] = Field(default_factory=list)
    letters: Letters = Field(default_factory=Letters)

    _source: str = PrivateAttr(default="<manifest>")

    @property
    def source(self) -> str:
        """The file path or upload name the manifest was read from."""
        return self._source

    @property
    def domains(self) -> dict[str, str]:
        """All domain codes known to this tenant (reference list + extra_domains) -> label."""
        return {**reference.ORGANISATION_DOMAINS, **self.extra_domains}

    def organisation(self, org_id: str) -> Organisation:
        for org in self.organisations:
            if org.id == org_id:
                return org
        raise KeyError(org_id)

    def grant_matrix(self) -> dict[str, dict[str, list[str]]]:
        """Grants merged: domain -> category -> sorted purposes (all keys sorted)."""
        merged: dict[str, dict[str, set[str]]] = {}
        for grant in self.grants:
            for domain in grant.domains:
                for category in grant.categories:
                    merged.setdefault(domain, {}).setdefault(category, set()).update(grant.purposes)
        return {
            domain: {cat: sorted(merged[domain][cat]) for cat in sorted(merged[domain])}
            for domain in sorted(merged)
        }


# --- Pydantic errors in Dutch ---------------------------------------------------------------

_PYDANTIC_NL: Final[Mapping[str, str]] = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld; dit veld is niet toegestaan",
    "string_type": "moet tekst zijn",
    "string_too_short": "mag niet leeg zijn",
    "string_pattern_mismatch": (
        "ongeldig formaat: gebruik kleine letters, cijfers en koppeltekens (bijv. 'politie-zeist')"
    ),
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een tabel zijn",
    "model_type": "moet een tabel zijn",
    "model_attributes_type": "moet een tabel zijn",
    "too_short": "bevat te weinig elementen",
    "greater_than_equal": "waarde is te klein",
    "less_than_equal": "waarde is te groot",
    "literal_error": "ongeldige waarde",
}


def format_loc(loc: Iterable[int | str]) -> str:
    """A pydantic error location as a field path: ``organisations[2].domain``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def _issues_from_pydantic(exc: PydanticValidationError, source: str) -> list[ManifestIssue]:
    issues = []
    for err in exc.errors(include_url=False):
        nl = _PYDANTIC_NL.get(err["type"], "ongeldige waarde")
        ctx = err.get("ctx") or {}
        if err["type"] == "literal_error" and "expected" in ctx:
            nl = f"{nl}; toegestaan: {ctx['expected']}"
        elif err["type"] in ("greater_than_equal", "less_than_equal"):
            bound = ctx.get("ge", ctx.get("le"))
            nl = f"{nl} (grens: {bound})"
        elif err["type"] == "too_short" and "min_length" in ctx:
            nl = f"{nl}; minimaal {ctx['min_length']}"
        issues.append(ManifestIssue(source, format_loc(err["loc"]), nl, err["msg"]))
    return issues


# --- Semantic checks ------------------------------------------------------------------------


def _known(
    issues: list[ManifestIssue],
    source: str,
    field: str,
    value: str,
    codes: Mapping[str, str],
    what_nl: str,
    what_en: str,
) -> None:
    if value not in codes:
        allowed = ", ".join(codes)
        issues.append(
            ManifestIssue(
                source,
                field,
                f"{what_nl} '{value}'; toegestaan: {allowed}",
                f"unknown {what_en} '{value}'; allowed: {allowed}",
            )
        )


def _unique(
    issues: list[ManifestIssue], source: str, section: str, ids: Sequence[str], what_nl: str
) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(ids):
        if value in seen:
            issues.append(
                ManifestIssue(
                    source,
                    f"{section}[{index}].id",
                    f"dubbele {what_nl} '{value}' (ook in {section}[{seen[value]}])",
                    f"duplicate id '{value}' (also at {section}[{seen[value]}])",
                )
            )
        else:
            seen[value] = index


def _check_semantics(m: Manifest, source: str) -> list[ManifestIssue]:
    issues: list[ManifestIssue] = []

    def add(field: str, nl: str, en: str) -> None:
        issues.append(ManifestIssue(source, field, nl, en))

    # Tenant code per kind.
    if m.kind == "gemeente" and not GEMEENTECODE_PATTERN.fullmatch(m.gemeentecode):
        add(
            "gemeentecode",
            f"ongeldige gemeentecode '{m.gemeentecode}': verwacht 'GM' en 4 cijfers (bijv. GM0355)",
            f"invalid gemeentecode '{m.gemeentecode}': expected 'GM' and 4 digits (e.g. GM0355)",
        )
    if m.kind == "regio" and not REGIOCODE_PATTERN.fullmatch(m.gemeentecode):
        add(
            "gemeentecode",
            f"ongeldige regiocode '{m.gemeentecode}': verwacht 'RG' en 2-12 hoofdletters of "
            "cijfers (bijv. RGUTRECHT)",
            f"invalid regional code '{m.gemeentecode}': expected 'RG' and 2-12 upper-case "
            "letters or digits (e.g. RGUTRECHT)",
        )

    # Extra domains may add codes, never redefine the reference list.
    for code in m.extra_domains:
        field = f"extra_domains.{code}"
        if not reference.CODE_PATTERN.fullmatch(code):
            add(
                field,
                f"ongeldige domeincode '{code}': gebruik kleine letters, cijfers en koppeltekens",
                f"invalid domain code '{code}': use lower-case letters, digits and hyphens",
            )
        elif code in reference.ORGANISATION_DOMAINS:
            add(
                field,
                f"domein '{code}' bestaat al in de referentielijst; codes mogen niet worden "
                "hernoemd of opnieuw gedefinieerd",
                f"domain '{code}' already exists in the reference list; codes may not be "
                "renamed or redefined",
            )
    domains = m.domains

    # Organisations.
    _unique(issues, source, "organisations", [o.id for o in m.organisations], "organisatie-id")
    for i, org in enumerate(m.organisations):
        _known(
            issues,
            source,
            f"organisations[{i}].domain",
            org.domain,
            domains,
            "onbekend domein",
            "domain",
        )

    # Meeting types.
    _unique(issues, source, "meeting_types", [t.id for t in m.meeting_types], "overleg-id")
    for i, meeting in enumerate(m.meeting_types):
        _known(
            issues,
            source,
            f"meeting_types[{i}].casus_type",
            meeting.casus_type,
            reference.CASUS_TYPES,
            "onbekend casustype",
            "casus type",
        )

    # Inclusion criteria and age band.
    _unique(
        issues, source, "inclusion.criteria", [c.id for c in m.inclusion.criteria], "criterium-id"
    )
    if m.inclusion.minimum_met > len(m.inclusion.criteria):
        add(
            "inclusion.minimum_met",
            f"minimum_met ({m.inclusion.minimum_met}) is groter dan het aantal criteria "
            f"({len(m.inclusion.criteria)})",
            f"minimum_met ({m.inclusion.minimum_met}) exceeds the number of criteria "
            f"({len(m.inclusion.criteria)})",
        )
    if m.age_band.min > m.age_band.max:
        add(
            "age_band",
            f"minimumleeftijd ({m.age_band.min}) is hoger dan maximumleeftijd ({m.age_band.max})",
            f"minimum age ({m.age_band.min}) exceeds maximum age ({m.age_band.max})",
        )

    # Retention and BSN purposes.
    for outcome in m.retention.months:
        _known(
            issues,
            source,
            f"retention.months.{outcome}",
            outcome,
            reference.RETENTION_OUTCOMES,
            "onbekende casusuitkomst",
            "casus outcome",
        )
    for i, purpose in enumerate(m.bsn_purposes):
        _known(
            issues,
            source,
            f"bsn_purposes[{i}]",
            purpose,
            reference.PURPOSES,
            "onbekend doel",
            "purpose",
        )

    # Users.
    _unique(issues, source, "users", [u.id for u in m.users], "gebruikers-id")
    org_ids = {o.id for o in m.organisations}
    for i, user in enumerate(m.users):
        if user.organisation not in org_ids:
            add(
                f"users[{i}].organisation",
                f"gebruiker '{user.id}' verwijst naar onbekende organisatie '{user.organisation}'",
                f"user '{user.id}' references unknown organisation '{user.organisation}'",
            )
        for j, role in enumerate(user.roles):
            field = f"users[{i}].roles[{j}]"
            _known(issues, source, field, role, reference.ROLES, "onbekende rol", "role")
            if role in reference.REGIO_ONLY_ROLES and m.kind != "regio":
                add(
                    field,
                    f"rol '{role}' is alleen toegestaan bij een regionaal bureau (kind = 'regio')",
                    f"role '{role}' is only allowed in a regional bureau (kind = 'regio')",
                )

    # Grants.
    for i, grant in enumerate(m.grants):
        for j, domain in enumerate(grant.domains):
            _known(
                issues,
                source,
                f"grants[{i}].domains[{j}]",
                domain,
                domains,
                "onbekend domein",
                "domain",
            )
        for j, category in enumerate(grant.categories):
            _known(
                issues,
                source,
                f"grants[{i}].categories[{j}]",
                category,
                reference.DATA_CATEGORIES,
                "onbekende gegevenscategorie",
                "data category",
            )
        for j, purpose in enumerate(grant.purposes):
            _known(
                issues,
                source,
                f"grants[{i}].purposes[{j}]",
                purpose,
                reference.PURPOSES,
                "onbekend doel",
                "purpose",
            )
    issues.extend(_letter_issues(m, source))
    return issues


def template_placeholders(text: str) -> list[str]:
    """The placeholder names in a letter template; ValueError for a malformed one."""
    names: list[str] = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion or not name:
            raise ValueError(name or "{}")
        names.append(name)
    return names


def _letter_issues(m: Manifest, source: str) -> list[ManifestIssue]:
    issues: list[ManifestIssue] = []
    known = ", ".join("{" + name + "}" for name in LETTER_PLACEHOLDERS)
    for kind in LETTER_KINDS:
        template: LetterTemplate | None = getattr(m.letters, kind)
        if template is None:
            continue
        where = f"letters.{kind}"
        if template.tekst is None and template.bestand is not None:
            issues.append(
                ManifestIssue(
                    source,
                    f"{where}.bestand",
                    f"het bestand '{template.bestand}' is niet ingelezen: het wordt alleen "
                    "gelezen bij een manifest uit een map; neem de tekst op in 'tekst'",
                    f"the file '{template.bestand}' was not read: files are read only for a "
                    "manifest loaded from a directory; put the text in 'tekst'",
                )
            )
        for part in ("onderwerp", "tekst"):
            text = getattr(template, part)
            if text is None:
                continue
            try:
                names = template_placeholders(text)
            except ValueError as error:
                issues.append(
                    ManifestIssue(
                        source,
                        f"{where}.{part}",
                        f"ongeldige plaatsaanduiding '{{{error}}}': gebruik {known}; "
                        "schrijf een accolade als '{{' of '}}'",
                        f"invalid placeholder '{{{error}}}'; use {known}",
                    )
                )
                continue
            for name in names:
                if name not in LETTER_PLACEHOLDERS:
                    issues.append(
                        ManifestIssue(
                            source,
                            f"{where}.{part}",
                            f"onbekende plaatsaanduiding '{{{name}}}': gebruik {known}",
                            f"unknown placeholder '{{{name}}}'; use {known}",
                        )
                    )
    return issues


def _read_letter_files(data: dict[str, Any], base_dir: Path, source: str) -> None:
    """Read the template files a manifest names (``letters.<brief>.bestand``, relative to
    the manifest's directory, never outside it) into ``tekst``."""
    letters = data.get("letters")
    if not isinstance(letters, dict):
        return
    issues: list[ManifestIssue] = []
    for kind in LETTER_KINDS:
        template = letters.get(kind)
        if not isinstance(template, dict) or not isinstance(template.get("bestand"), str):
            continue
        where = f"letters.{kind}.bestand"
        if template.get("tekst") is not None:
            issues.append(
                ManifestIssue(
                    source,
                    where,
                    "geef 'tekst' of 'bestand', niet allebei",
                    "give 'tekst' or 'bestand', not both",
                )
            )
            continue
        root = base_dir.resolve()
        path = (root / template["bestand"]).resolve()
        if not path.is_relative_to(root):
            issues.append(
                ManifestIssue(
                    source,
                    where,
                    "het bestand moet in de map van het manifest staan",
                    "the file must be in the manifest's directory",
                )
            )
            continue
        try:
            template["tekst"] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(
                ManifestIssue(
                    source,
                    where,
                    f"bestand kan niet worden gelezen: {exc}",
                    f"cannot read the file: {exc}",
                )
            )
    if issues:
        raise ManifestError(issues)


# --- Public API -----------------------------------------------------------------------------


def parse_manifest(data: Mapping[str, Any], source: str) -> Manifest:
    """Validate already-parsed TOML data. Raises :class:`ManifestError`."""
    try:
        manifest = Manifest.model_validate(dict(data))
    except PydanticValidationError as exc:
        raise ManifestError(_issues_from_pydantic(exc, source)) from None
    issues = _check_semantics(manifest, source)
    if issues:
        raise ManifestError(issues)
    manifest._source = source
    return manifest


def validate_text(text: str, source_name: str, base_dir: Path | None = None) -> Manifest:
    """Validate a manifest given as TOML text (e.g. an uploaded file). With ``base_dir``
    (a manifest from a directory) the letter template files it names are read in."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(
            [ManifestIssue(source_name, "", f"geen geldige TOML: {exc}", f"invalid TOML: {exc}")]
        ) from None
    if base_dir is not None:
        _read_letter_files(data, base_dir, source_name)
    return parse_manifest(data, source_name)


def load_manifest(path: str | Path) -> Manifest:
    """Load and validate one manifest file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(
            [
                ManifestIssue(
                    str(path), "", f"bestand kan niet worden gelezen: {exc}", f"cannot read: {exc}"
                )
            ]
        ) from None
    return validate_text(text, str(path), base_dir=path.parent)


def check_set(manifests: Sequence[Manifest]) -> None:
    """Checks across manifests: unique tenant codes, one regional bureau per region.

    Use it for an uploaded manifest too: ``check_set([*others, new])``.
    """
    issues: list[ManifestIssue] = []
    by_code: dict[str, Manifest] = {}
    bureau: dict[str, Manifest] = {}
    for m in manifests:
        if m.gemeentecode in by_code:
            first = by_code[m.gemeentecode].source
            issues.append(
                ManifestIssue(
                    m.source,
                    "gemeentecode",
                    f"gemeentecode '{m.gemeentecode}' komt ook voor in {first}",
                    f"gemeentecode '{m.gemeentecode}' is also used in {first}",
                )
            )
        else:
            by_code[m.gemeentecode] = m
        if m.kind == "regio":
            if m.region in bureau:
                first = bureau[m.region].source
                issues.append(
                    ManifestIssue(
                        m.source,
                        "region",
                        f"regio '{m.region}' heeft al een regionaal bureau ({first})",
                        f"region '{m.region}' already has a regional bureau ({first})",
                    )
                )
            else:
                bureau[m.region] = m
    if issues:
        raise ManifestError(issues)


def load_all(directory: str | Path) -> list[Manifest]:
    """Load every ``*.toml`` in ``directory`` (sorted by file name) and check them as a set.

    All issues of all files are reported together. Returns the manifests sorted by code.
    """
    directory = Path(directory)
    issues: list[ManifestIssue] = []
    manifests: list[Manifest] = []
    for path in sorted(directory.glob(f"*{MANIFEST_SUFFIX}")):
        try:
            manifests.append(load_manifest(path))
        except ManifestError as exc:
            issues.extend(exc.issues)
    try:
        check_set(manifests)
    except ManifestError as exc:
        issues.extend(exc.issues)
    if issues:
        raise ManifestError(issues)
    return sorted(manifests, key=lambda m: m.gemeentecode)


#: The manifests shipped with the platform.
SHIPPED_MANIFESTS_DIR: Final = Path(__file__).parent / "manifests"
