"""The default Dutch texts of the burgemeester's letters and filling in a template.

A tenant may give its own subject line and text per letter in its manifest
(``[letters.notificatiebrief]``, ``[letters.afsluitbrief]``; docs/tenants.md). The
placeholders are :data:`tenants.manifest.LETTER_PLACEHOLDERS` (``{naam}``, ``{adres}``, ...);
the manifest validation refuses unknown ones, so filling in never fails on a stored manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from tenants.manifest import LETTER_PLACEHOLDERS

DEFAULT_SUBJECTS: Final[Mapping[str, str]] = {
    "notificatiebrief": "Persoonsgerichte Aanpak: u bent opgenomen",
    "afsluitbrief": "Persoonsgerichte Aanpak: afsluiting",
}

DEFAULT_TEXTS: Final[Mapping[str, str]] = {
    "notificatiebrief": """Beste {naam},

Met deze brief laat ik u weten dat u bent opgenomen in de Persoonsgerichte Aanpak (PGA) van \
de gemeente {gemeente}. In de PGA werken de gemeente, de politie, zorgorganisaties en andere \
partners samen. Samen met u willen zij werken aan uw situatie, zodat problemen en overlast \
afnemen.

Wat betekent dit voor u?
U krijgt een vaste contactpersoon: de casusregisseur. Die nodigt u uit voor een startgesprek. \
In dat gesprek hoort u waarom u bent aangemeld, welke gegevens de organisaties met elkaar \
delen en welke rechten u hebt. Wij horen ook graag hoe u zelf naar uw situatie kijkt en wat \
volgens u zou helpen.

Uw gegevens
De organisaties delen alleen de gegevens die voor de aanpak nodig zijn, volgens de wet (AVG). \
U hebt het recht te weten welke gegevens over u zijn vastgelegd en onjuiste gegevens te laten \
verbeteren. Noem bij uw vraag het kenmerk van deze brief: {kenmerk}.

Contact
{contact}

Met vriendelijke groet,

{burgemeester}
""",
    "afsluitbrief": """Beste {naam},

Met deze brief laat ik u weten dat de Persoonsgerichte Aanpak (PGA) van de gemeente \
{gemeente} voor u is afgesloten. U neemt niet langer deel aan de aanpak.

Hoe nu verder?
Hebt u nog vragen of hulp nodig, dan kunt u terecht bij de gemeente. Uw gegevens worden niet \
langer gedeeld dan nodig is en na afloop van de bewaartermijn verwijderd. U hebt het recht te \
weten welke gegevens over u zijn vastgelegd. Noem bij uw vraag het kenmerk van deze brief: \
{kenmerk}.

Contact
{contact}

Met vriendelijke groet,

{burgemeester}
""",
}


class _Values(dict[str, str]):
    """Unknown placeholders stay as they are (a stored manifest was validated already)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders filled in (only the known names)."""
    known = _Values({k: v for k, v in values.items() if k in LETTER_PLACEHOLDERS})
    return template.format_map(known)
