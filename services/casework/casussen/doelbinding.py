"""The doelbinding on the casus page: which purpose a reader needs by default, and what each
purpose means in one Dutch sentence.

The default follows the phase (:data:`services.casework.workspace.PURPOSE_BY_PHASE`): in the
informeren phase that is ``informeren``, the purpose for which name, address and BSN are
granted — what the casusregisseur writing the notificatiebrief needs. The adviseur, who
discusses casussen without knowing who they are about, reads with ``casusoverleg``. A
casusregisseur whose person was not informed before the plan started is reminded where the
letter's data are, without losing the plan's view. The policy decides as always: a default
never widens what a purpose gives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from services.casework.domain import lifecycle
from services.casework.workspace import Workspace
from services.platform.db.models import Casus
from tenants.reference import PURPOSES

#: One sentence per purpose: what it is for and what it shows.
EXPLANATIONS: Final[Mapping[str, str]] = {
    "aanmelding": "Voor het aanmelden en de dubbelcheck: basisgegevens en het BSN, geen "
    "inhoud uit de aanpak.",
    "triage": "Voor het triagebesluit: de aanmelding, de inclusiecriteria, eerdere casussen "
    "en het BSN voor de dubbelcheck.",
    "informeren": "Voor de notificatiebrief en het startgesprek: naam, adres en BSN van de "
    "persoon, zonder de inhoud van de aanpak.",
    "casusoverleg": "Voor het bespreken in het overleg: wat de deelnemers nodig hebben om "
    "samen te besluiten, het BSN afgeschermd.",
    "plan-van-aanpak": "Voor het opstellen en bijstellen van het plan: doelen, acties en de "
    "gegevens per leefgebied die uw organisatie mag zien.",
    "uitvoering": "Voor het uitvoeren van de acties en interventies uit het plan van aanpak.",
    "monitoring": "Voor het volgen van de voortgang: metingen, acties en toezeggingen.",
    "afsluiting": "Voor het afsluiten: de evaluatie, de afsluitreden en de warme overdracht.",
    "opschaling": "Voor de opschaling naar het Zorg- en Veiligheidshuis van de regio.",
    "nazorg": "Voor de waakvlam na de afsluiting: alleen wat nodig is om een terugval te zien.",
    "inzage": "Voor een inzageverzoek van de persoon zelf (AVG): wat over hem of haar is "
    "vastgelegd.",
    "verantwoording": "Voor verantwoording aan raad en bestuur: alleen gepseudonimiseerde "
    "statistiek, geen casusinhoud.",
}
assert set(EXPLANATIONS) == set(PURPOSES)


def default_purpose(ws: Workspace, casus: Casus) -> str:
    """What this reader needs on this casus now (see the module docstring)."""
    roles = ws.principal.roles
    if "adviseur" in roles and not roles & {"casusregisseur", "pga-expert", "procesregisseur"}:
        return "casusoverleg"
    return ws.purpose_for(casus, None)


def reminder(ws: Workspace, casus: Casus, current: str) -> str | None:
    """For the casusregisseur whose person is not informed yet, once past the informeren
    phase: where the notificatiebrief's data are (one Dutch sentence), else None."""
    if current == "informeren" or casus.kind != lifecycle.PERSON or casus.informing:
        return None
    if casus.state not in ("plan", "uitvoering", "monitoring"):
        return None
    regisseur = any(
        r.role == "casusregisseur" and r.user_id == ws.principal.user_id
        for r in ws.active_roles(casus)
    )
    if not regisseur:
        return None
    return (
        "De persoon is nog niet geïnformeerd: kies 'Informeren' voor de notificatiebrief en "
        "het startgesprek (naam, adres en BSN)."
    )


def selector(current: str, recommended: str, hint: str | None = None) -> dict[str, Any]:
    """The purpose selector: the recommended purpose first, each with its sentence."""
    order = [recommended, *(p for p in PURPOSES if p != recommended)]
    return {
        "aanbevolen": recommended,
        "herinnering": hint,
        "uitleg": EXPLANATIONS.get(current, ""),
        "opties": [
            {
                "code": code,
                "label": PURPOSES[code] + (" (aanbevolen)" if code == recommended else ""),
                "uitleg": EXPLANATIONS[code],
            }
            for code in order
        ],
    }
