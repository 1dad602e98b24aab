"""ZRM scores are masked by the categories of their domain; a domain that is not a known
leefgebied counts as ``algemeen`` (a reader without a grant for it saw the scores before)."""

from __future__ import annotations

from services.casework.zelfredzaamheid.service import _masked_domains
from services.platform.policy import Decision

DOMAINS = {"financien": "Financiën", "basale-adl": "Basale ADL"}


def _decision(mask: tuple[str, ...]) -> Decision:
    return Decision(allow=True, view=None, reasons=(), mask=mask, obligations=())


def test_an_unknown_domain_is_algemeen_and_masked_with_it() -> None:
    assert "basale-adl" in _masked_domains(DOMAINS, _decision(("algemeen",)))


def test_nothing_masked_without_a_mask() -> None:
    assert _masked_domains(DOMAINS, _decision(())) == set()
