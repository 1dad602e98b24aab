"""Free text carries data categories, and the decision's masks apply to it (issue 9, defect 4).

Structured fields are masked by their category (persons, BSN, scores per leefgebied). Free
text cannot be inspected, so it is classified where it is written:

- a text about one leefgebied (a problem in the aanmelding, a goal in the plan) has the
  categories of that leefgebied (``tenants.reference.LEEFGEBIED_CATEGORIES``);
- every other free text of a casus (why an integral approach is needed, triage reasons, the
  startgesprek, closure notes, reasons on the tijdlijn, overleg briefings and verslagen, plan
  actions) carries the categories its writer chose for the casus's text
  (``aanmelding.tekst_categorieen``; ``algemeen`` when none were chosen). Write what belongs
  to a leefgebied under that leefgebied.

A reader sees a free text only in the full view and only when none of its categories is
masked for them; otherwise the text is left out (``None``) and the view says it is
afgeschermd.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from services.casework.casus_relations import CasusRecord
from services.platform.db.models import Casus
from services.platform.policy import Decision
from tenants.reference import LEEFGEBIED_CATEGORIES

GENERAL = frozenset({"algemeen"})


def leefgebied_categories(code: str) -> frozenset[str]:
    return LEEFGEBIED_CATEGORIES.get(code, GENERAL)


def categories_of_leefgebieden(codes: Iterable[str]) -> frozenset[str]:
    found = set(GENERAL)
    for code in codes:
        found |= leefgebied_categories(code)
    return frozenset(found)


def casus_text_categories(casus: Casus | CasusRecord) -> frozenset[str]:
    """The categories of a casus's general free text, as its writer chose them."""
    aanmelding: Mapping[str, Any] = casus.aanmelding or {}
    chosen = aanmelding.get("tekst_categorieen") or []
    return GENERAL | frozenset(str(c) for c in chosen)


def shows(decision: Decision, categories: Iterable[str]) -> bool:
    """Whether this reader may see a free text of these categories."""
    return decision.view == "full" and not (set(categories) & set(decision.mask))


def text_or_none(decision: Decision, categories: Iterable[str], text: Any) -> Any:
    return text if shows(decision, categories) else None
