"""A 9-digit number in a decision record is masked as a possible BSN, but not the digits of an
id: CI found a casus id ``30c767f3-b2f9-45b0-a41e-808771077a2e`` recorded as
``30c767f3-b2f9-45b0-a41e-***a2e`` in the audit log's decision record."""

from __future__ import annotations

import uuid

from masking_oracle import oracle_mask_for_log

from services.platform.policy.decision_log import MASK, mask_bsns, mask_for_log

ID = "30c767f3-b2f9-45b0-a41e-808771077a2e"


def test_a_uuid_with_nine_digits_in_a_row_is_kept() -> None:
    record = {"resource": {"casus_id": ID, "tenant": "GM9355"}, "ids": [ID, ID.upper()]}
    assert mask_for_log(record) == record
    assert oracle_mask_for_log(record) == record


def test_a_bsn_is_still_masked_wherever_it_stands() -> None:
    for text, masked in (
        ("123456782", MASK),
        ("bsn 123456782 gemeld", f"bsn {MASK} gemeld"),
        # An id inside a text: the whole text is masked as before, its digits too.
        (f"{ID} 123456782", f"30c767f3-b2f9-45b0-a41e-{MASK}a2e {MASK}"),
        ("30c767f3-808771077", f"30c767f3-{MASK}"),  # not an id
        ("30c767f3-b2f9-45b0-a41e-808771077a2", f"30c767f3-b2f9-45b0-a41e-{MASK}a2"),
    ):
        assert mask_bsns(text) == masked, text
        assert mask_for_log({"x": text}) == {"x": masked}


def test_random_ids_are_never_masked() -> None:
    ids = [str(uuid.uuid4()) for _ in range(2000)]
    assert mask_for_log({"ids": ids}) == {"ids": ids}
