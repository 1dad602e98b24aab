"""The name of a group identifies its members: lists, agendas and search show it only in a
full view whose purpose has the grant for identifying data. The hostile probes found a list
under ``doel=opschaling`` showing it to a participant without that grant."""

from __future__ import annotations

from services.casework.casussen.weergave import group_name_of
from services.platform.db.models import Casus
from services.platform.policy import Decision


def _decision(view: str, mask: tuple[str, ...]) -> Decision:
    return Decision(allow=True, view=view, reasons=(), mask=mask, obligations=())


GROUP = Casus(kind="groep", group_name="Jongeren Stationsplein")


def test_a_full_view_with_the_grant_shows_the_name() -> None:
    assert group_name_of(GROUP, _decision("full", ())) == "Jongeren Stationsplein"
    assert group_name_of(GROUP, _decision("full", ("bsn", "derden"))) == "Jongeren Stationsplein"


def test_identifying_data_masked_for_the_purpose_hides_the_name() -> None:
    assert group_name_of(GROUP, _decision("full", ("identificerend",))) is None


def test_other_views_never_show_the_name() -> None:
    for view in ("pseudonymised", "anonymised"):
        assert group_name_of(GROUP, _decision(view, ())) is None
