"""Review timers: the werkvoorraad (work queue) of due items per casus.

Pure computation from a small :class:`TimerInput` and the tenant's
:class:`tenants.manifest.Review` settings:

- **herijking**: ``herijking_months`` after the plan was made or last re-assessed (person
  casus in plan/uitvoering/monitoring; group casus in stap-5/stap-6);
- **positieve afsluiting**: a proposal to close positively when ``positive_closure_months``
  passed without a new melding (person casus in uitvoering/monitoring only), counted from
  the last melding but never from before the plan was made;
- **toezegging controleren**: ``commitment_check_weeks`` after a partner commitment was made
  (or on its own check date) while it is still open, for any active casus.

Month arithmetic clamps to the end of the month: 31 August + 6 months = 28/29 February.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from tenants.manifest import Review

from . import lifecycle
from .text import format_date_nl


class DueKind(StrEnum):
    """Kinds of due items."""

    HERIJKING = "herijking"
    POSITIEVE_AFSLUITING = "positieve-afsluiting"
    TOEZEGGING_CONTROLEREN = "toezegging-controleren"


#: Commitment status that still needs a check.
OPEN_COMMITMENT: Final = "open"

_HERIJKING_STATES: Final = frozenset(
    {
        (lifecycle.PERSON, lifecycle.PersonState.PLAN.value),
        (lifecycle.PERSON, lifecycle.PersonState.UITVOERING.value),
        (lifecycle.PERSON, lifecycle.PersonState.MONITORING.value),
        (lifecycle.GROUP, lifecycle.GroupState.STAP_5.value),
        (lifecycle.GROUP, lifecycle.GroupState.STAP_6.value),
    }
)
_POSITIVE_CLOSURE_STATES: Final = frozenset(
    {
        (lifecycle.PERSON, lifecycle.PersonState.UITVOERING.value),
        (lifecycle.PERSON, lifecycle.PersonState.MONITORING.value),
    }
)


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, clamped to the last day of the month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last_day))


@dataclass(frozen=True)
class CommitmentTimer:
    """A partner commitment (toezegging) from the plan van aanpak."""

    commitment_id: str
    organisation_id: str
    text: str
    made_on: date
    status: str = OPEN_COMMITMENT
    """``open``, ``nagekomen``, ``niet-nagekomen`` or ``vervallen``; only ``open`` is checked."""
    check_due_on: date | None = None
    """Explicit check date; default ``made_on`` + ``commitment_check_weeks``."""
    organisation_name: str | None = None
    """Display name for the label (falls back to the id)."""


@dataclass(frozen=True)
class TimerInput:
    """What the timers need to know about one casus."""

    casus_id: str
    kind: str
    state: str
    today: date
    plan_created_on: date | None = None
    last_herijking_on: date | None = None
    last_melding_on: date | None = None
    commitments: tuple[CommitmentTimer, ...] = ()


@dataclass(frozen=True)
class DueItem:
    """One item of the werkvoorraad."""

    casus_id: str
    kind: str
    """A :class:`DueKind` value."""
    due_on: date
    overdue: bool
    """Due before today (an item due today is not yet overdue)."""
    label: str
    """Dutch text for the werkvoorraad."""
    subject_id: str | None = None
    """The commitment id for ``toezegging-controleren``; None otherwise."""


def _item(
    inp: TimerInput, kind: DueKind, due_on: date, label: str, subject_id: str | None = None
) -> DueItem:
    overdue = due_on < inp.today
    if overdue:
        label = f"{label} (te laat sinds {format_date_nl(due_on)})"
    else:
        label = f"{label} (uiterlijk {format_date_nl(due_on)})"
    return DueItem(inp.casus_id, kind.value, due_on, overdue, label, subject_id)


#: A due date without its label: (kind, due on, subject id), as :func:`due_dates` gives it.
DueDate = tuple[str, date, str | None]


def due_dates(
    kind: str,
    state: str,
    plan_created_on: date | None,
    last_herijking_on: date | None,
    last_melding_on: date | None,
    commitments: Iterable[tuple[str, str, date, date | None]],
    review: Review,
) -> list[DueDate]:
    """The due dates of one casus, unlabelled and unsorted: ``(kind, due_on, subject_id)``.

    ``commitments``: ``(commitment_id, status, made_on, check_due_on)`` per toezegging. The
    rules of :func:`due_items`, which labels these (the werkvoorraad's facts use them as
    they are, for every running casus: issue 14)."""
    items: list[DueDate] = []
    key = (kind, state)
    if key in _HERIJKING_STATES and plan_created_on is not None:
        base = max(d for d in (plan_created_on, last_herijking_on) if d is not None)
        items.append((DueKind.HERIJKING.value, add_months(base, review.herijking_months), None))
    if key in _POSITIVE_CLOSURE_STATES:
        starts = [d for d in (last_melding_on, plan_created_on) if d is not None]
        if starts:
            months = review.positive_closure_months
            items.append(
                (DueKind.POSITIEVE_AFSLUITING.value, add_months(max(starts), months), None)
            )
    if lifecycle.is_active(kind, state):
        weeks = timedelta(weeks=review.commitment_check_weeks)
        for commitment_id, status, made_on, check_due_on in commitments:
            if status != OPEN_COMMITMENT:
                continue
            due_on = check_due_on or made_on + weeks
            items.append((DueKind.TOEZEGGING_CONTROLEREN.value, due_on, commitment_id))
    return items


def due_items(inp: TimerInput, review: Review, *, horizon_days: int | None = None) -> list[DueItem]:
    """Due items of one casus, sorted by due date (the dates of :func:`due_dates`, labelled).

    ``horizon_days``: only items due on or before ``today + horizon_days`` (None: all).
    """
    # The toezegging dates come in the order of the open commitments.
    open_commitments = iter([c for c in inp.commitments if c.status == OPEN_COMMITMENT])
    items: list[DueItem] = []
    for kind, due_on, subject_id in due_dates(
        inp.kind,
        inp.state,
        inp.plan_created_on,
        inp.last_herijking_on,
        inp.last_melding_on,
        ((c.commitment_id, c.status, c.made_on, c.check_due_on) for c in inp.commitments),
        review,
    ):
        if kind == DueKind.HERIJKING:
            label = f"Herijking plan van aanpak (elke {review.herijking_months} maanden)"
        elif kind == DueKind.POSITIEVE_AFSLUITING:
            months = review.positive_closure_months
            label = f"Voorstel positieve afsluiting: {months} maanden geen nieuwe meldingen"
        else:
            commitment = next(open_commitments)
            who = commitment.organisation_name or commitment.organisation_id
            label = f"Toezegging controleren: {who}: {commitment.text}"
        items.append(_item(inp, DueKind(kind), due_on, label, subject_id))
    if horizon_days is not None:
        limit = inp.today + timedelta(days=horizon_days)
        items = [item for item in items if item.due_on <= limit]
    return sorted(items, key=_sort_key)


def werkvoorraad(
    inputs: Iterable[TimerInput], review: Review, *, horizon_days: int | None = None
) -> list[DueItem]:
    """Due items of many casussen (e.g. all of one regisseur), sorted by due date."""
    items = [item for inp in inputs for item in due_items(inp, review, horizon_days=horizon_days)]
    return sorted(items, key=_sort_key)


def _sort_key(item: DueItem) -> tuple[date, str, str, str]:
    return (item.due_on, item.casus_id, item.kind, item.subject_id or "")
