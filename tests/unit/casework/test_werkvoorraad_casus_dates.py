"""The werkvoorraad's due dates per running casus are remembered
(``kandidaten._casus_dates``, issue 14 ``werk``): the memo must give, for any mix of casussen,
review settings and horizons asked in any order, what the timers' rules give (the reference
``due_items`` of the timers' tests), and a casus asked again is not computed again."""

from __future__ import annotations

import datetime as dt
import random

from test_casework_timers import _random_inputs, _reference_due_items

from services.casework.domain.local_time import local_date
from services.casework.werkvoorraad import kandidaten
from tenants.manifest import Review

REVIEWS = (
    Review(herijking_months=6, positive_closure_months=9, commitment_check_weeks=6),
    Review(herijking_months=3, positive_closure_months=12, commitment_check_weeks=2),
)


def test_remembered_dates_equal_the_reference_in_any_order() -> None:
    rng = random.Random(22)
    inputs = _random_inputs(1500)
    asks = [
        (inp, review, horizon, rng.random() < 0.5)
        for inp in inputs
        for review in REVIEWS
        for horizon in (None, 0, 30)
    ]
    # Twice over in random order: the second round is answered from the memo.
    kandidaten._casus_dates.cache_clear()
    for _ in range(2):
        rng.shuffle(asks)
        for inp, review, horizon, as_moment in asks:
            first_plan = None
            plan_date = inp.plan_created_on
            if as_moment and inp.plan_created_on is not None:
                # A first plan version at 23:30 UTC: a day later in Dutch local time.
                first_plan = dt.datetime.combine(inp.plan_created_on, dt.time(23, 30), dt.UTC)
                plan_date = None
                inp_plan = local_date(first_plan)
                assert inp_plan != inp.plan_created_on
            else:
                inp_plan = inp.plan_created_on
            reference = _reference_due_items(
                inp.__class__(**{**inp.__dict__, "plan_created_on": inp_plan}),
                review,
                horizon_days=horizon,
            )
            limit = inp.today + dt.timedelta(days=horizon) if horizon is not None else None
            got = kandidaten._casus_dates(
                inp.kind,
                inp.state,
                first_plan,
                plan_date,
                inp.last_herijking_on,
                inp.last_melding_on,
                tuple(
                    (c.commitment_id, c.status, c.made_on, c.check_due_on) for c in inp.commitments
                ),
                review,
                limit,
            )
            assert list(got) == [(i.kind, i.due_on, i.subject_id) for i in reference]
    info = kandidaten._casus_dates.cache_info()
    assert info.hits >= len(asks) - info.maxsize
