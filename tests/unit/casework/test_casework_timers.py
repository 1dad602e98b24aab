"""Timers: herijking, positive closure proposal, commitment checks, month ends."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.casework.domain import lifecycle, timers
from services.casework.domain.timers import (
    CommitmentTimer,
    DueItem,
    DueKind,
    TimerInput,
    add_months,
    due_dates,
    due_items,
    werkvoorraad,
)
from tenants.manifest import Review

REVIEW = Review(herijking_months=6, positive_closure_months=9, commitment_check_weeks=6)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 5, 31), 9, date(2026, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 1, 15), 12, date(2026, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_herijking_after_plan_at_month_end() -> None:
    inp = TimerInput(
        casus_id="c1",
        kind="persoon",
        state="uitvoering",
        today=date(2026, 3, 1),
        plan_created_on=date(2025, 8, 31),
        last_melding_on=date(2026, 1, 10),
    )
    items = due_items(inp, REVIEW)
    herijking = [i for i in items if i.kind == DueKind.HERIJKING]
    assert len(herijking) == 1
    assert herijking[0].due_on == date(2026, 2, 28)
    assert herijking[0].overdue
    assert herijking[0].label.startswith("Herijking plan van aanpak (elke 6 maanden)")
    assert "te laat sinds 28 februari 2026" in herijking[0].label


def test_herijking_counts_from_last_herijking() -> None:
    inp = TimerInput(
        casus_id="c1",
        kind="persoon",
        state="monitoring",
        today=date(2026, 3, 1),
        plan_created_on=date(2025, 1, 10),
        last_herijking_on=date(2025, 12, 31),
    )
    herijking = next(i for i in due_items(inp, REVIEW) if i.kind == DueKind.HERIJKING)
    assert herijking.due_on == date(2026, 6, 30)
    assert not herijking.overdue
    assert "uiterlijk 30 juni 2026" in herijking.label


def test_positive_closure_only_in_uitvoering_and_monitoring() -> None:
    base = TimerInput(
        casus_id="c1",
        kind="persoon",
        state="uitvoering",
        today=date(2026, 3, 1),
        plan_created_on=date(2025, 1, 1),
        last_melding_on=date(2025, 5, 31),
    )
    for state in ("uitvoering", "monitoring"):
        items = due_items(replace(base, state=state), REVIEW)
        closure = [i for i in items if i.kind == DueKind.POSITIEVE_AFSLUITING]
        assert [i.due_on for i in closure] == [date(2026, 2, 28)]
        assert closure[0].overdue
        assert "9 maanden geen nieuwe meldingen" in closure[0].label
    plan_items = due_items(replace(base, state="plan"), REVIEW)
    assert DueKind.POSITIEVE_AFSLUITING not in {i.kind for i in plan_items}
    assert DueKind.HERIJKING in {i.kind for i in plan_items}
    for state in ("aangemeld", "afgeschaald", "waakvlam"):
        assert due_items(replace(base, state=state), REVIEW) == []


def test_positive_closure_never_before_plan() -> None:
    inp = TimerInput(
        casus_id="c1",
        kind="persoon",
        state="uitvoering",
        today=date(2026, 3, 1),
        plan_created_on=date(2025, 10, 1),
        last_melding_on=date(2025, 1, 1),
    )
    closure = [i for i in due_items(inp, REVIEW) if i.kind == DueKind.POSITIEVE_AFSLUITING]
    assert closure[0].due_on == date(2026, 7, 1)


def test_commitment_checks() -> None:
    inp = TimerInput(
        casus_id="c1",
        kind="persoon",
        state="uitvoering",
        today=date(2026, 3, 1),
        commitments=(
            CommitmentTimer("t1", "ggz", "Plant een intake", date(2026, 1, 1)),
            CommitmentTimer("t2", "wonen", "Woonplek", date(2026, 1, 1), status="nagekomen"),
            CommitmentTimer(
                "t3",
                "schuldhulp",
                "Eerste gesprek",
                date(2026, 2, 1),
                check_due_on=date(2026, 3, 1),
                organisation_name="Schuldhulpverlening Zeist",
            ),
        ),
    )
    items = due_items(inp, REVIEW)
    assert [(i.subject_id, i.due_on, i.overdue) for i in items] == [
        ("t1", date(2026, 2, 12), True),
        ("t3", date(2026, 3, 1), False),
    ]
    assert items[1].label.startswith(
        "Toezegging controleren: Schuldhulpverlening Zeist: Eerste gesprek"
    )
    closed = TimerInput("c1", "persoon", "gestopt", date(2026, 3, 1), commitments=inp.commitments)
    assert due_items(closed, REVIEW) == []


def test_group_herijking_and_horizon() -> None:
    inp = TimerInput(
        casus_id="g1",
        kind="groep",
        state="stap-6",
        today=date(2026, 3, 1),
        plan_created_on=date(2025, 11, 30),
    )
    items = due_items(inp, REVIEW)
    assert [(i.kind, i.due_on) for i in items] == [("herijking", date(2026, 5, 30))]
    assert due_items(inp, REVIEW, horizon_days=30) == []
    assert len(due_items(inp, REVIEW, horizon_days=90)) == 1


def test_werkvoorraad_sorted_by_due_date() -> None:
    review = Review(herijking_months=3, positive_closure_months=9, commitment_check_weeks=2)
    inputs = [
        TimerInput("b", "persoon", "plan", date(2026, 3, 1), plan_created_on=date(2026, 1, 31)),
        TimerInput(
            "a",
            "persoon",
            "uitvoering",
            date(2026, 3, 1),
            plan_created_on=date(2025, 11, 30),
            commitments=(CommitmentTimer("t", "o", "x", date(2026, 2, 1)),),
        ),
    ]
    items = werkvoorraad(inputs, review)
    assert [(i.casus_id, i.kind, i.due_on) for i in items] == [
        ("a", "toezegging-controleren", date(2026, 2, 15)),
        ("a", "herijking", date(2026, 2, 28)),
        ("b", "herijking", date(2026, 4, 30)),
        ("a", "positieve-afsluiting", date(2026, 8, 30)),
    ]


def _reference_due_items(
    inp: TimerInput, review: Review, *, horizon_days: int | None = None
) -> list[DueItem]:
    """``due_items`` as it was before ``due_dates`` was split off (issue 14): the new one,
    and the werkvoorraad's facts that use ``due_dates`` unlabelled, must give the same."""
    items: list[DueItem] = []
    key = (inp.kind, inp.state)
    if key in timers._HERIJKING_STATES and inp.plan_created_on is not None:
        base = max(d for d in (inp.plan_created_on, inp.last_herijking_on) if d is not None)
        items.append(
            timers._item(
                inp,
                DueKind.HERIJKING,
                add_months(base, review.herijking_months),
                f"Herijking plan van aanpak (elke {review.herijking_months} maanden)",
            )
        )
    if key in timers._POSITIVE_CLOSURE_STATES:
        starts = [d for d in (inp.last_melding_on, inp.plan_created_on) if d is not None]
        if starts:
            months = review.positive_closure_months
            items.append(
                timers._item(
                    inp,
                    DueKind.POSITIEVE_AFSLUITING,
                    add_months(max(starts), months),
                    f"Voorstel positieve afsluiting: {months} maanden geen nieuwe meldingen",
                )
            )
    if lifecycle.is_active(inp.kind, inp.state):
        for commitment in inp.commitments:
            if commitment.status != timers.OPEN_COMMITMENT:
                continue
            due_on = commitment.check_due_on or commitment.made_on + timedelta(
                weeks=review.commitment_check_weeks
            )
            who = commitment.organisation_name or commitment.organisation_id
            items.append(
                timers._item(
                    inp,
                    DueKind.TOEZEGGING_CONTROLEREN,
                    due_on,
                    f"Toezegging controleren: {who}: {commitment.text}",
                    commitment.commitment_id,
                )
            )
    if horizon_days is not None:
        limit = inp.today + timedelta(days=horizon_days)
        items = [item for item in items if item.due_on <= limit]
    return sorted(items, key=timers._sort_key)


def _random_inputs(count: int) -> list[TimerInput]:
    rng = random.Random(14)
    today = date(2026, 3, 1)

    def day() -> date | None:
        return None if rng.random() < 0.2 else today + timedelta(days=rng.randint(-500, 200))

    inputs = []
    for n in range(count):
        kind = rng.choice((lifecycle.PERSON, lifecycle.GROUP))
        commitments = tuple(
            CommitmentTimer(
                # Ids repeat now and then: the labels must follow the commitments' order.
                commitment_id=f"toezegging-{rng.randint(1, 3)}",
                organisation_id=rng.choice(("org-a", "org-b")),
                text=f"tekst {n}-{i}",
                made_on=today + timedelta(days=rng.randint(-200, 20)),
                status=rng.choice(("open", "open", "nagekomen", "vervallen")),
                check_due_on=day() if rng.random() < 0.3 else None,
                organisation_name=rng.choice((None, "Organisatie A")),
            )
            for i in range(rng.randint(0, 4))
        )
        inputs.append(
            TimerInput(
                casus_id=f"c{n}",
                kind=kind,
                state=rng.choice(lifecycle.states(kind)),
                today=today,
                plan_created_on=day(),
                last_herijking_on=day(),
                last_melding_on=day(),
                commitments=commitments,
            )
        )
    return inputs


@pytest.mark.parametrize("horizon_days", [None, 0, 30])
def test_due_items_and_due_dates_equal_the_reference(horizon_days: int | None) -> None:
    """Differential (issue 14): ``due_items`` (labelled) and ``due_dates`` (the bare dates
    the werkvoorraad's facts use for every running casus) give what the reference gives, for
    2,000 random casussen of every kind and state."""
    for inp in _random_inputs(2000):
        expected = _reference_due_items(inp, REVIEW, horizon_days=horizon_days)
        assert due_items(inp, REVIEW, horizon_days=horizon_days) == expected
        dates = due_dates(
            inp.kind,
            inp.state,
            inp.plan_created_on,
            inp.last_herijking_on,
            inp.last_melding_on,
            [(c.commitment_id, c.status, c.made_on, c.check_due_on) for c in inp.commitments],
            REVIEW,
        )
        if horizon_days is not None:
            dates = [d for d in dates if d[1] <= inp.today + timedelta(days=horizon_days)]
        got = sorted(dates, key=lambda d: (d[1], d[0], d[2] or ""))
        assert got == [(i.kind, i.due_on, i.subject_id) for i in expected]
