"""Assessments with the tenant's instrument: ZRM (13 domains) or leefgebieden-8.

Every domain of the instrument is scored on the shared 1-5 scale
(:data:`tenants.reference.ASSESSMENT_SCALE`); an assessment is taken at a moment
(``intake``, ``tussentijds``, ``afsluiting``). History: per domain the first and latest
score and the change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from tenants import reference

from .errors import DomainValidationError, FieldProblem

SCORE_MIN: Final = min(reference.ASSESSMENT_SCALE)
SCORE_MAX: Final = max(reference.ASSESSMENT_SCALE)


class Moment(StrEnum):
    """When an assessment is taken."""

    INTAKE = "intake"
    TUSSENTIJDS = "tussentijds"
    AFSLUITING = "afsluiting"


MOMENT_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        Moment.INTAKE: "Intake (nulmeting)",
        Moment.TUSSENTIJDS: "Tussentijdse meting",
        Moment.AFSLUITING: "Afsluiting (eindmeting)",
    }
)


def instrument_domains(instrument: str) -> Mapping[str, str]:
    """Domain code -> Dutch label of an instrument; ValueError for an unknown instrument."""
    try:
        return reference.INSTRUMENT_DOMAINS[instrument]
    except KeyError:
        raise ValueError(
            f"Onbekend instrument '{instrument}'; "
            f"toegestaan: {', '.join(reference.ASSESSMENT_INSTRUMENTS)}."
        ) from None


def validate_scores(instrument: str, scores: Mapping[str, object]) -> dict[str, int]:
    """Check that every domain of ``instrument`` has a score 1-5 and nothing else is scored.

    Returns the scores in the instrument's domain order. Raises
    :class:`~.errors.DomainValidationError` with one problem per wrong domain
    (field ``scores.<domain>``), naming the domain in Dutch.
    """
    try:
        domains = instrument_domains(instrument)
    except ValueError as exc:
        raise DomainValidationError([FieldProblem("instrument", str(exc))]) from None
    problems: list[FieldProblem] = []
    for code in scores:
        if code not in domains:
            problems.append(
                FieldProblem(
                    f"scores.{code}",
                    f"'{code}' is geen domein van {reference.ASSESSMENT_INSTRUMENTS[instrument]}.",
                )
            )
    result: dict[str, int] = {}
    for code, label in domains.items():
        field = f"scores.{code}"
        if code not in scores:
            problems.append(FieldProblem(field, f"Score ontbreekt voor domein '{label}'."))
            continue
        value = scores[code]
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(
                FieldProblem(field, f"Score voor domein '{label}' moet een geheel getal zijn.")
            )
        elif not SCORE_MIN <= value <= SCORE_MAX:
            problems.append(
                FieldProblem(
                    field,
                    f"Score voor domein '{label}' moet tussen {SCORE_MIN} en {SCORE_MAX} "
                    f"liggen (was {value}).",
                )
            )
        else:
            result[code] = value
    if problems:
        raise DomainValidationError(problems)
    return result


@dataclass(frozen=True)
class Assessment:
    """One scored assessment (use :func:`make_assessment` to validate)."""

    instrument: str
    moment: str
    taken_on: date
    scores: Mapping[str, int]

    @property
    def mean(self) -> float:
        """Mean score over all domains."""
        return sum(self.scores.values()) / len(self.scores)


def make_assessment(
    instrument: str, moment: str, taken_on: date, scores: Mapping[str, object]
) -> Assessment:
    """Validate and build an :class:`Assessment` (errors name ``moment`` or the domain)."""
    if moment not in {m.value for m in Moment}:
        raise DomainValidationError(
            [
                FieldProblem(
                    "moment",
                    f"Onbekend meetmoment '{moment}'; toegestaan: "
                    f"{', '.join(m.value for m in Moment)}.",
                )
            ]
        )
    valid = validate_scores(instrument, scores)
    return Assessment(instrument, moment, taken_on, MappingProxyType(valid))


@dataclass(frozen=True)
class DomainChange:
    """First and latest score of one domain over an assessment history."""

    domain: str
    label: str
    first: int
    latest: int
    change: int
    """``latest - first``; positive is an improvement (higher is more zelfredzaam)."""
    first_on: date
    latest_on: date

    @property
    def improved(self) -> bool:
        return self.change > 0


def _same_instrument(assessments: Sequence[Assessment]) -> str:
    instruments = {a.instrument for a in assessments}
    if len(instruments) != 1:
        raise ValueError(
            "Metingen met verschillende instrumenten kunnen niet worden vergeleken: "
            f"{', '.join(sorted(instruments))}."
        )
    return instruments.pop()


def history_change(assessments: Sequence[Assessment]) -> list[DomainChange]:
    """Per domain (instrument order): first and latest score and the change.

    The assessments are ordered by ``taken_on`` (stable for equal dates); empty input gives
    an empty list; mixed instruments raise ValueError.
    """
    if not assessments:
        return []
    instrument = _same_instrument(assessments)
    ordered = sorted(assessments, key=lambda a: a.taken_on)
    first, latest = ordered[0], ordered[-1]
    return [
        DomainChange(
            domain=code,
            label=label,
            first=first.scores[code],
            latest=latest.scores[code],
            change=latest.scores[code] - first.scores[code],
            first_on=first.taken_on,
            latest_on=latest.taken_on,
        )
        for code, label in instrument_domains(instrument).items()
    ]


def improved_domains(first: Assessment, latest: Assessment) -> list[str]:
    """Domain codes (instrument order) whose score went up from ``first`` to ``latest``."""
    instrument = _same_instrument([first, latest])
    return [
        code for code in instrument_domains(instrument) if latest.scores[code] > first.scores[code]
    ]


def mean_change(first: Assessment, latest: Assessment) -> float:
    """Mean over all domains of ``latest - first``."""
    instrument = _same_instrument([first, latest])
    codes = list(instrument_domains(instrument))
    return sum(latest.scores[c] - first.scores[c] for c in codes) / len(codes)
