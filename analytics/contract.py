"""The facts contract (version 1): one pseudonymous record per person per release period.

The casework side computes these records and delivers them to the analytics service's
ingestion endpoint. They carry no name, BSN or birth date: a keyed pseudonym (HMAC-SHA256
with the deployment's ``pseudonym_key``), an age band, the gemeente and months instead of
dates. Documented in ``docs/analytics-contract.md``; any incompatible change bumps
``contract_version``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tenants.reference import AGE_BANDS, CASUS_TYPES, CLOSURE_REASONS, CODE_PATTERN, ZRM_DOMAINS

CONTRACT_VERSION: Final = "1"

AGE_BAND_CODES: Final[tuple[str, ...]] = tuple(band.code for band in AGE_BANDS)
AGE_BAND_LABELS: Final[dict[str, str]] = {band.code: band.label for band in AGE_BANDS}

#: Doelgroepen (public key list for breakdowns). Extending it is a contract change.
DOELGROEPEN: Final[dict[str, str]] = {
    "jongeren": "Jongeren en jongvolwassenen",
    "volwassenen": "Volwassenen met multiproblematiek",
    "veelplegers": "Veelplegers / high impact crime",
    "huiselijk-geweld": "Huiselijk geweld en kindermishandeling",
    "verward-gedrag": "Personen met verward gedrag",
    "radicalisering": "Radicalisering en extremisme",
}

#: Outcome flags measured at intake, at closure and 12 months after closure.
OUTCOME_FLAGS: Final[dict[str, str]] = {
    "work_or_dagbesteding": "Werk of dagbesteding",
    "school_or_startkwalificatie": "School of startkwalificatie",
    "stable_housing": "Stabiele huisvesting",
    "problematic_debts": "Problematische schulden",
    "benefit": "Uitkering",
}

PERIOD_PATTERN: Final = re.compile(r"^(20\d\d)-Q([1-4])$")
MONTH_PATTERN: Final = r"^20\d\d-(0[1-9]|1[0-2])$"
GEMEENTECODE_PATTERN: Final = r"^GM\d{4}$"

Month = Annotated[str, Field(pattern=MONTH_PATTERN)]
Score = Annotated[int, Field(ge=1, le=5)]
ZrmScores = dict[str, Score]


def pseudonymise(key: bytes, person_ref: str) -> str:
    """HMAC-SHA256 (hex) of a stable person reference under the deployment pseudonym key.

    Without the key the pseudonym cannot be linked back to the person or recomputed from
    a BSN; with the same key it is stable across periods (so a person is counted once).
    """
    if len(key) < 32:
        raise ValueError("pseudonym key must be at least 32 bytes")
    return hmac.new(key, person_ref.encode("utf-8"), hashlib.sha256).hexdigest()


def parse_period(period: str) -> tuple[int, int]:
    """``"2026-Q3"`` -> ``(2026, 3)``; raises ValueError on anything else."""
    match = PERIOD_PATTERN.fullmatch(period)
    if not match:
        raise ValueError(f"period must look like 2026-Q3, got {period!r}")
    return int(match.group(1)), int(match.group(2))


def period_months(period: str) -> tuple[str, str, str]:
    year, quarter = parse_period(period)
    first = 3 * (quarter - 1) + 1
    return tuple(f"{year}-{m:02d}" for m in range(first, first + 3))  # type: ignore[return-value]


class OutcomeFlags(BaseModel):
    """Outcome flags at one moment; ``None`` = not known (not the same as False)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    work_or_dagbesteding: bool | None = None
    school_or_startkwalificatie: bool | None = None
    stable_housing: bool | None = None
    problematic_debts: bool | None = None
    benefit: bool | None = None


class FollowUpFlags(OutcomeFlags):
    """Outcomes 12 months after closure, plus new police registrations in those months."""

    new_police_registrations_12m: bool | None = None


def _check_zrm(scores: dict[str, int] | None) -> dict[str, int] | None:
    if scores is None:
        return None
    unknown = sorted(set(scores) - set(ZRM_DOMAINS))
    if unknown:
        raise ValueError(f"unknown ZRM domain(s): {', '.join(unknown)}")
    return scores


class FactRecordV1(BaseModel):
    """One person in the PGA during one release period (contract version 1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contract_version: Literal["1"] = "1"
    pseudonym: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    gemeentecode: Annotated[str, Field(pattern=GEMEENTECODE_PATTERN)]
    region: Annotated[str, Field(min_length=1, max_length=80)]
    period: Annotated[str, Field(pattern=PERIOD_PATTERN.pattern)]
    age_band: Literal["onder-18", "18-22", "23-27", "ouder-dan-27"]
    casus_kind: Literal["persoon", "groep"] = "persoon"
    doelgroep: Annotated[str, Field(max_length=40)]
    voluntary: bool
    aanmelding_month: Month | None = None
    plan_month: Month | None = None
    closure_month: Month | None = None
    days_aanmelding_to_plan: Annotated[int, Field(ge=0, le=3650)] | None = None
    aanmelding_source_domain: Annotated[str, Field(max_length=40)] | None = None
    included: bool
    closure_reason: str | None = None
    zrm_intake: ZrmScores | None = None
    zrm_latest: ZrmScores | None = None
    zrm_closure: ZrmScores | None = None
    outcomes_intake: OutcomeFlags = Field(default_factory=OutcomeFlags)
    outcomes_closure: OutcomeFlags = Field(default_factory=OutcomeFlags)
    outcomes_12m: FollowUpFlags = Field(default_factory=FollowUpFlags)

    @field_validator("doelgroep")
    @classmethod
    def _doelgroep(cls, value: str) -> str:
        if value not in DOELGROEPEN:
            raise ValueError(f"unknown doelgroep {value!r}")
        return value

    @field_validator("aanmelding_source_domain")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        if value is not None and not CODE_PATTERN.fullmatch(value):
            raise ValueError("source domain must be a lower-case hyphenated code")
        return value

    @field_validator("closure_reason")
    @classmethod
    def _closure(cls, value: str | None) -> str | None:
        if value is not None and value not in CLOSURE_REASONS:
            raise ValueError(f"unknown closure reason {value!r}")
        return value

    @field_validator("zrm_intake", "zrm_latest", "zrm_closure")
    @classmethod
    def _zrm(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        return _check_zrm(value)

    @model_validator(mode="after")
    def _consistent(self) -> FactRecordV1:
        if (self.closure_month is None) != (self.closure_reason is None):
            raise ValueError("closure_month and closure_reason go together")
        if self.casus_kind not in CASUS_TYPES:  # pragma: no cover - Literal already checks
            raise ValueError("unknown casus kind")
        return self

    def to_row(self) -> dict[str, Any]:
        """Flatten to the stored/measured row (see ``FACT_COLUMNS``): ZRM derived here."""
        row: dict[str, Any] = {
            "pseudonym": self.pseudonym,
            "gemeentecode": self.gemeentecode,
            "region": self.region,
            "period": self.period,
            "age_band": self.age_band,
            "casus_kind": self.casus_kind,
            "doelgroep": self.doelgroep,
            "voluntary": self.voluntary,
            "aanmelding_month": self.aanmelding_month,
            "plan_month": self.plan_month,
            "closure_month": self.closure_month,
            "days_aanmelding_to_plan": self.days_aanmelding_to_plan,
            "aanmelding_source_domain": self.aanmelding_source_domain,
            "included": self.included,
            "closure_reason": self.closure_reason,
        }
        row.update(zrm_summary(self.zrm_intake, self.zrm_closure or self.zrm_latest))
        for moment, flags in (
            ("intake", self.outcomes_intake),
            ("closure", self.outcomes_closure),
            ("12m", self.outcomes_12m),
        ):
            for name in OUTCOME_FLAGS:
                row[f"{name}_{moment}"] = getattr(flags, name)
        row["new_police_registrations_12m"] = self.outcomes_12m.new_police_registrations_12m
        return row


def zrm_summary(intake: dict[str, int] | None, later: dict[str, int] | None) -> dict[str, Any]:
    """Per person: whether intake and a later score exist for a shared domain, whether at
    least one domain improved, and the mean change over shared domains in tenths of a point
    (an integer in [-40, 40])."""
    if not intake or not later:
        return {"zrm_pair": False, "zrm_improved": None, "zrm_change_tenths": None}
    shared = [d for d in intake if d in later]
    if not shared:
        return {"zrm_pair": False, "zrm_improved": None, "zrm_change_tenths": None}
    changes = [later[d] - intake[d] for d in shared]
    mean_tenths = round(10 * sum(changes) / len(changes))
    return {
        "zrm_pair": True,
        "zrm_improved": any(c > 0 for c in changes),
        "zrm_change_tenths": max(-40, min(40, mean_tenths)),
    }


#: Columns of a stored fact row, with their polars-compatible kinds.
FACT_COLUMNS: Final[dict[str, str]] = {
    "pseudonym": "str",
    "gemeentecode": "str",
    "region": "str",
    "period": "str",
    "age_band": "str",
    "casus_kind": "str",
    "doelgroep": "str",
    "voluntary": "bool",
    "aanmelding_month": "str",
    "plan_month": "str",
    "closure_month": "str",
    "days_aanmelding_to_plan": "int",
    "aanmelding_source_domain": "str",
    "included": "bool",
    "closure_reason": "str",
    "zrm_pair": "bool",
    "zrm_improved": "bool",
    "zrm_change_tenths": "int",
    **{f"{name}_{m}": "bool" for m in ("intake", "closure", "12m") for name in OUTCOME_FLAGS},
    "new_police_registrations_12m": "bool",
}


class FactBatchV1(BaseModel):
    """What the casework export posts: all facts of one gemeente for one period.

    A batch replaces the previous batch for (gemeentecode, period): rerunning the export is
    idempotent.
    """

    model_config = ConfigDict(extra="forbid")

    contract_version: Literal["1"] = "1"
    gemeentecode: Annotated[str, Field(pattern=GEMEENTECODE_PATTERN)]
    period: Annotated[str, Field(pattern=PERIOD_PATTERN.pattern)]
    records: Annotated[list[FactRecordV1], Field(max_length=200_000)]

    @model_validator(mode="after")
    def _same_key(self) -> FactBatchV1:
        for record in self.records:
            if record.gemeentecode != self.gemeentecode or record.period != self.period:
                raise ValueError("every record must carry the batch's gemeentecode and period")
        return self


# ---------------------------------------------------------------------------------------------
# Geography: Public key lists: which gemeenten exist and to which region each belongs.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Geography:
    gemeenten: tuple[Gemeente, ...]
    _by_code: Mapping[str, Gemeente] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = [g.code for g in self.gemeenten]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate gemeentecode in geography")
        object.__setattr__(self, "_by_code", {g.code: g for g in self.gemeenten})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.gemeenten)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({g.region for g in self.gemeenten}))

    def get(self, code: str) -> Gemeente | None:
        return self._by_code.get(code)

    def region_of(self, code: str) -> str:
        return self._by_code[code].region

    def name_of(self, code: str) -> str:
        gemeente = self._by_code.get(code)
        return gemeente.name if gemeente else code

    @classmethod
    def of(cls, items: Iterable[tuple[str, str, str]]) -> Geography:
        return cls(tuple(Gemeente(code, name, region) for code, name, region in items))


#: The demo tenants (docs/reference-data.md): two regions.
DEMO_GEOGRAPHY = Geography.of(
    [
        ("GM0345", "Veenendaal", "Midden-Nederland"),
        ("GM0352", "Wijk bij Duurstede", "Midden-Nederland"),
        ("GM0355", "Zeist", "Midden-Nederland"),
        ("GM0402", "Hilversum", "Midden-Nederland"),
        ("GM0637", "Zoetermeer", "Haaglanden"),
    ]
)


def synthetic_geography(n_gemeenten: int = 342, n_regions: int = 25) -> Geography:
    """Made-up gemeenten GM0001.. spread over made-up regions (benchmarks, simulations)."""
    return Geography.of(
        (f"GM{i + 1:04d}", f"Gemeente {i + 1}", f"Regio {i % n_regions + 1:02d}")
        for i in range(n_gemeenten)
    )
