"""Zelfredzaamheid (ZRM / leefgebieden-8) assessments of a person casus, under policy.

Resource type ``assessment``, purpose ``monitoring`` unless the caller names another. The
instrument is that of the casus' own tenant; scores are validated by
:mod:`services.casework.domain.assessments` (every domain 1-5, errors name the domain).

Some domains say something sensitive (health, addiction, justice, money): when the policy
masks the data category for this reader and purpose, those scores are left out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa

from services.casework import free_text
from services.casework.domain import lifecycle
from services.casework.domain.assessments import (
    MOMENT_LABELS,
    Assessment,
    history_change,
    improved_domains,
    instrument_domains,
    make_assessment,
    mean_change,
)
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import Assessment as AssessmentRow
from services.platform.db.models import Casus
from services.platform.policy import Decision
from tenants.reference import ASSESSMENT_INSTRUMENTS, ASSESSMENT_SCALE

ASSESSMENT_PURPOSE: Final = "monitoring"


#: States before inclusion or after archiving: no assessments.
_NO_ASSESSMENT_STATES: Final = frozenset(
    {"aangemeld", "in_triage", "niet_opgenomen", "doorverwezen", "gearchiveerd"}
)


@dataclass(frozen=True)
class AssessmentInput:
    moment: str
    scores: Mapping[str, object]
    taken_on: dt.date | None = None
    #: Free-text toelichting: general text of the casus (its text categories).
    explanation: str | None = None


def _authorize(ws: Workspace, casus: Casus, action: str, purpose: str | None) -> Decision:
    return ws.enforcer.decide(
        action,
        ws.resource(casus, "assessment"),
        ws.context(purpose or ASSESSMENT_PURPOSE),
        Target("assessment", str(casus.id), casus.id),
    )


def record_assessment(
    ws: Workspace, casus_id: uuid.UUID, data: AssessmentInput, purpose: str | None = None
) -> AssessmentRow:
    casus = ws.load_casus(casus_id, for_update=True)
    _authorize(ws, casus, "create", purpose)
    if casus.kind != lifecycle.PERSON:
        raise Conflict("alleen-persoon", "Een zelfredzaamheidsmeting hoort bij een persoonscasus.")
    if casus.state in _NO_ASSESSMENT_STATES:
        raise Conflict(
            "meting-niet-in-deze-fase",
            f"In de fase '{lifecycle.state_label(casus.kind, casus.state)}' wordt geen "
            "zelfredzaamheid gemeten.",
            fase=casus.state,
        )
    taken_on = data.taken_on or ws.today
    if taken_on > ws.today:
        raise DomainValidationError(
            [FieldProblem("datum", "De datum van de meting ligt in de toekomst.")]
        )
    instrument = ws.manifest_of(casus.tenant_id).assessment_instrument
    assessment = make_assessment(instrument, data.moment, taken_on, data.scores)
    row = AssessmentRow(
        tenant_id=casus.tenant_id,
        id=uuid.uuid4(),
        casus_id=casus.id,
        instrument=assessment.instrument,
        moment=assessment.moment,
        taken_on=assessment.taken_on,
        scores=dict(assessment.scores),
        assessor_user_id=ws.principal.user_id,
        explanation=(data.explanation or "").strip() or None,
        created_at=ws.enforcer.now,
    )
    ws.session.add(row)
    ws.event(
        casus,
        "zelfredzaamheid",
        f"{MOMENT_LABELS[assessment.moment]} vastgelegd "
        f"({ASSESSMENT_INSTRUMENTS[assessment.instrument]}).",
    )
    ws.session.flush()
    return row


#: The assessments of a casus in date order, built once (issue 14). Parameters: ``tenant``,
#: ``casus_id``.
_ASSESSMENTS = (
    sa.select(AssessmentRow)
    .where(
        AssessmentRow.tenant_id == sa.bindparam("tenant", type_=sa.String),
        AssessmentRow.casus_id == sa.bindparam("casus_id", type_=sa.Uuid),
    )
    .order_by(AssessmentRow.taken_on, AssessmentRow.created_at)
)


def assessments_of(ws: Workspace, casus: Casus) -> list[AssessmentRow]:
    """Stored assessments of a casus in date order (no policy check: callers decide)."""
    return list(ws.session.scalars(_ASSESSMENTS, {"tenant": casus.tenant_id, "casus_id": casus.id}))


def _masked_domains(domains: Mapping[str, str], decision: Decision) -> set[str]:
    """The domains whose categories the decision masks. A domain of the instrument that is
    not a known leefgebied (the ZRM's ``basale-adl``, say) is ``algemeen``, as free text on
    it is (free_text.leefgebied_categories): it was never masked before, so a reader without
    a grant for ``algemeen`` saw its scores (found by the hostile probes)."""
    mask = set(decision.mask)
    return {code for code in domains if free_text.leefgebied_categories(code) & mask}


def history(ws: Workspace, casus_id: uuid.UUID, purpose: str | None = None) -> dict[str, Any]:
    """All assessments, and per domain the first and latest score and the change."""
    casus = ws.load_casus(casus_id)
    decision = _authorize(ws, casus, "read", purpose)
    instrument = ws.manifest_of(casus.tenant_id).assessment_instrument
    domains = instrument_domains(instrument)
    masked = _masked_domains(domains, decision)
    full = decision.view == "full"
    text_categories = free_text.casus_text_categories(casus)
    rows = assessments_of(ws, casus)
    comparable = [
        Assessment(r.instrument, r.moment, r.taken_on, r.scores)
        for r in rows
        if r.instrument == instrument
    ]

    def scores(values: Mapping[str, Any]) -> dict[str, int | None]:
        return {code: None if code in masked else values.get(code) for code in values}

    measurements = [
        {
            "id": str(r.id),
            "instrument": r.instrument,
            "moment": r.moment,
            "moment_label": MOMENT_LABELS.get(r.moment, r.moment),
            "datum": r.taken_on.isoformat(),
            "scores": scores(r.scores),
            "gemiddelde": _mean([v for k, v in r.scores.items() if k not in masked]),
            "door": r.assessor_user_id if full else None,
            "toelichting": free_text.text_or_none(decision, text_categories, r.explanation),
        }
        for r in rows
    ]
    changes = [
        {
            "domein": c.domain,
            "label": c.label,
            "eerste": None if c.domain in masked else c.first,
            "laatste": None if c.domain in masked else c.latest,
            "verandering": None if c.domain in masked else c.change,
            "verbeterd": None if c.domain in masked else c.improved,
        }
        for c in history_change(comparable)
    ]
    improved: list[str] = []
    mean: float | None = None
    if len(comparable) >= 2:
        ordered = sorted(comparable, key=lambda a: a.taken_on)
        first, latest = ordered[0], ordered[-1]
        improved = [d for d in improved_domains(first, latest) if d not in masked]
        if masked:  # only what this reader may see goes into the mean
            mean = _mean([latest.scores[d] - first.scores[d] for d in domains if d not in masked])
        else:
            mean = round(mean_change(first, latest), 2)
    return {
        "casus_id": str(casus.id),
        "instrument": instrument,
        "instrument_label": ASSESSMENT_INSTRUMENTS[instrument],
        "domeinen": [{"domein": code, "label": label} for code, label in domains.items()],
        "schaal": {str(k): v for k, v in ASSESSMENT_SCALE.items()},
        "metingen": measurements,
        "ontwikkeling": changes,
        "verbeterde_domeinen": improved,
        "gemiddelde_verandering": mean,
        "weergave": decision.view,
        "gemaskeerd": sorted(masked),
    }


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def last_review_on(ws: Workspace, casus: Casus) -> dt.date | None:
    """Date of the latest tussentijdse meting (the last herijking), for the timers."""
    return ws.session.scalars(
        sa.select(sa.func.max(AssessmentRow.taken_on)).where(
            AssessmentRow.tenant_id == casus.tenant_id,
            AssessmentRow.casus_id == casus.id,
            AssessmentRow.moment == "tussentijds",
        )
    ).first()
