"""Triage / screening: inclusion criteria, age band, triage decision and duplicate check.

The tenant's inclusion criteria (manifest ``[inclusion]``) are shown as "2 van 3 criteria
(minimaal 2)"; the age band (manifest ``[age_band]``) as "19 jaar, binnen 16-27". A decision
``opnemen`` needs the minimum number of criteria (and an age within the band) unless an
explicit override reason is recorded; every other decision needs a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from tenants import reference
from tenants.manifest import AgeBandSetting, Inclusion

from . import lifecycle
from .errors import DomainValidationError, FieldProblem
from .text import is_blank

#: Triage decision code -> next person state (re-exported from :mod:`.lifecycle`).
DECISION_STATES: Final[Mapping[str, str]] = lifecycle.TRIAGE_DECISION_STATES

#: The decision that takes a person into the PGA.
INCLUDE_DECISION: Final = "opnemen"


# --- Inclusion criteria ---------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    """One inclusion criterion and whether it applies."""

    id: str
    text: str
    met: bool

    @property
    def status_label(self) -> str:
        """'voldaan' or 'niet voldaan'."""
        return "voldaan" if self.met else "niet voldaan"


@dataclass(frozen=True)
class InclusionResult:
    """Outcome of the inclusion criteria for one aanmelding."""

    met: int
    total: int
    minimum: int
    included: bool
    """At least ``minimum`` criteria are met."""
    label: str
    """E.g. "2 van 3 criteria (minimaal 2)"."""
    criteria: tuple[CriterionResult, ...]


def evaluate_inclusion(inclusion: Inclusion, met_ids: set[str]) -> InclusionResult:
    """Evaluate the tenant's inclusion criteria given the ids that apply.

    Raises ValueError (Dutch message) for ids that are not criteria of the tenant.
    """
    known = [c.id for c in inclusion.criteria]
    unknown = sorted(set(met_ids) - set(known))
    if unknown:
        names = ", ".join(f"'{u}'" for u in unknown)
        raise ValueError(
            f"Onbekend inclusiecriterium {names}; bekende criteria: {', '.join(known)}."
        )
    results = tuple(CriterionResult(c.id, c.text, c.id in met_ids) for c in inclusion.criteria)
    met = sum(1 for r in results if r.met)
    total = len(results)
    minimum = inclusion.minimum_met
    return InclusionResult(
        met=met,
        total=total,
        minimum=minimum,
        included=met >= minimum,
        label=f"{met} van {total} criteria (minimaal {minimum})",
        criteria=results,
    )


# --- Age band -------------------------------------------------------------------------------


def age_on(birth_date: date, on_date: date) -> int:
    """Age in whole years on ``on_date`` (born 29 February: a year older on 1 March)."""
    if on_date < birth_date:
        raise ValueError("De peildatum ligt vóór de geboortedatum.")
    before_birthday = (on_date.month, on_date.day) < (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - int(before_birthday)


@dataclass(frozen=True)
class AgeCheck:
    """Age against the tenant's age band (inclusive bounds)."""

    age: int
    minimum: int
    maximum: int
    within: bool
    label: str
    """E.g. "19 jaar, binnen 16-27" or "15 jaar, buiten 16-27 (te jong)"."""


def check_age_band(birth_date: date, on_date: date, band: AgeBandSetting) -> AgeCheck:
    """Check the age on ``on_date`` against ``band``."""
    age = age_on(birth_date, on_date)
    bounds = f"{band.min}-{band.max}"
    if age < band.min:
        within, text = False, f"{age} jaar, buiten {bounds} (te jong)"
    elif age > band.max:
        within, text = False, f"{age} jaar, buiten {bounds} (te oud)"
    else:
        within, text = True, f"{age} jaar, binnen {bounds}"
    return AgeCheck(age=age, minimum=band.min, maximum=band.max, within=within, label=text)


# --- Decision -------------------------------------------------------------------------------


def next_state_for_decision(decision: str) -> str:
    """The person state a triage decision leads to (``een-partner`` -> ``doorverwezen``)."""
    try:
        return DECISION_STATES[decision]
    except KeyError:
        raise ValueError(
            f"Onbekend triagebesluit '{decision}'; "
            f"toegestaan: {', '.join(reference.TRIAGE_DECISIONS)}."
        ) from None


@dataclass(frozen=True)
class TriageDecision:
    """A checked triage decision."""

    decision: str
    label: str
    next_state: str
    reason: str | None
    override: bool
    """``opnemen`` although the criteria or the age band were not met."""
    override_reason: str | None


def decide(
    decision: str,
    inclusion: InclusionResult,
    *,
    age: AgeCheck | None = None,
    reason: str | None = None,
    override_reason: str | None = None,
) -> TriageDecision:
    """Check a triage decision against the triage outcome.

    - ``opnemen`` needs ``inclusion.included`` (and ``age.within`` when given), unless a
      non-empty ``override_reason`` is given;
    - every other decision needs a non-empty ``reason``.

    Raises :class:`~.errors.DomainValidationError` naming ``decision``, ``reason`` or
    ``override_reason``.
    """
    if decision not in DECISION_STATES:
        raise DomainValidationError(
            [
                FieldProblem(
                    "decision",
                    f"Onbekend triagebesluit '{decision}'; "
                    f"toegestaan: {', '.join(reference.TRIAGE_DECISIONS)}.",
                )
            ]
        )
    override = False
    if decision == INCLUDE_DECISION:
        shortfalls: list[str] = []
        if not inclusion.included:
            shortfalls.append(f"aan {inclusion.label} voldaan")
        if age is not None and not age.within:
            shortfalls.append(f"leeftijd {age.label}")
        if shortfalls:
            if is_blank(override_reason):
                raise DomainValidationError(
                    [
                        FieldProblem(
                            "override_reason",
                            "Opnemen is alleen mogelijk als aan de inclusiecriteria en de "
                            f"leeftijdsgrens is voldaan ({'; '.join(shortfalls)}). "
                            "Geef een reden op om hiervan af te wijken.",
                        )
                    ]
                )
            override = True
    elif is_blank(reason):
        raise DomainValidationError(
            [
                FieldProblem(
                    "reason",
                    f"Geef een reden op voor het besluit "
                    f"'{reference.TRIAGE_DECISIONS[decision].lower()}'.",
                )
            ]
        )
    return TriageDecision(
        decision=decision,
        label=reference.TRIAGE_DECISIONS[decision],
        next_state=DECISION_STATES[decision],
        reason=reason.strip() if reason is not None and reason.strip() else None,
        override=override,
        override_reason=override_reason.strip() if override and override_reason else None,
    )


# --- Duplicate check ------------------------------------------------------------------------


@dataclass(frozen=True)
class ExistingCasus:
    """Another casus of the same person (input of :func:`find_duplicates`)."""

    casus_id: str
    kind: str
    state: str
    meeting_name: str | None = None
    """Name of the overleg the casus is discussed in (tenant meeting type name)."""
    tenant_name: str | None = None
    """Set when the casus belongs to another tenant (e.g. after opschaling)."""


@dataclass(frozen=True)
class DuplicateFinding:
    """The person is already known in another casus or overleg."""

    casus_id: str
    state: str
    meeting_name: str | None
    text: str
    """Dutch text for the triage screen."""


def find_duplicates(
    existing: Iterable[ExistingCasus], *, exclude_casus_id: str | None = None
) -> list[DuplicateFinding]:
    """Findings for casussen that are active or in waakvlam (sorted by casus id).

    A casus in waakvlam is reported too, because it should be reopened rather than duplicated.
    """
    findings: list[DuplicateFinding] = []
    for casus in existing:
        if casus.casus_id == exclude_casus_id:
            continue
        active = lifecycle.is_active(casus.kind, casus.state)
        reopenable = lifecycle.is_reopenable(casus.kind, casus.state)
        if not (active or reopenable):
            continue
        where = f" in overleg '{casus.meeting_name}'" if casus.meeting_name else ""
        tenant = f" bij {casus.tenant_name}" if casus.tenant_name else ""
        label = lifecycle.state_label(casus.kind, casus.state)
        kind_label = "groepscasus" if casus.kind == lifecycle.GROUP else "casus"
        if active:
            text = (
                f"Al besproken in actieve {kind_label} {casus.casus_id}{tenant}{where} "
                f"(fase: {label})."
            )
        else:
            text = (
                f"Bekend in {kind_label} {casus.casus_id}{tenant}{where} in waakvlam; "
                "overweeg heropenen in plaats van een nieuwe casus."
            )
        findings.append(DuplicateFinding(casus.casus_id, casus.state, casus.meeting_name, text))
    return sorted(findings, key=lambda f: f.casus_id)
