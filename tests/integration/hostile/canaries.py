"""Canaries: unique random markers planted in every free-text and person field of the world,
each tagged with the casus it belongs to and the data categories it falls under.

A response is searched for every marker; the oracle then decides, per marker found, whether
the caller may see it. Markers are lower-case letters only (``zq`` + 14 letters), so no
heuristic for person data (BSN, postcode, dates) fires on them. BSNs and birth dates are
canaries too: a BSN is searched as its nine digits, a birth date in ISO and in Dutch form.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass

from services.casework.domain.text import MONTHS_NL, format_date_nl

TOKEN = re.compile(r"zq[a-z]{14}", re.IGNORECASE)

#: Where a canary was planted; the oracle applies different rules per origin.
ORIGINS = frozenset(
    {
        "casus",  # aanmelding, triage, informeren, afsluiting, timeline reasons
        "person",  # the subject of a person casus (identificerend, bsn)
        "household",  # a household member (derden)
        "member",  # a member on the namenlijst of a group casus
        "group",  # group name and signals of a group casus
        "plan",  # plan van aanpak
        "item",  # an information item (title, body, necessity)
        "meeting",  # agenda briefing and minutes of a casus on an overleg
        "consent",  # scope of a recorded consent
        "urgent",  # the reason of a doorbreekglas grant
    }
)


@dataclass(frozen=True)
class Canary:
    needle: str  # what is searched for (lower case for tokens)
    casus_key: str
    categories: frozenset[str]
    origin: str
    field: str  # human description, e.g. "aanmelding.problemen.justitie"
    item_key: str | None = None
    #: Planted in a free text (a reason, a toelichting, a briefing): free text may name
    #: people, so only the full view shows it (services/casework/free_text.py).
    free_text: bool = False

    def describe(self) -> str:
        cats = "+".join(sorted(self.categories))
        return f"{self.field} [{cats}] of {self.casus_key}"


class Canaries:
    """The registry of planted markers, with one compiled search over all of them."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._by_needle: dict[str, Canary] = {}
        self._used_bsn: set[str] = set()
        self._pattern: re.Pattern[str] | None = None

    def __len__(self) -> int:
        return len({c.field + c.casus_key for c in self._by_needle.values()})

    def all(self) -> list[Canary]:
        return list(self._by_needle.values())

    def _add(self, canary: Canary) -> None:
        assert canary.origin in ORIGINS, canary.origin
        assert canary.needle not in self._by_needle, canary.needle
        self._by_needle[canary.needle] = canary
        self._pattern = None

    def token(
        self,
        casus_key: str,
        categories: Iterable[str],
        origin: str,
        field: str,
        item_key: str | None = None,
        free_text: bool = False,
    ) -> str:
        """A new marker; plant it in a text, e.g. ``f"Schulden {token}."``."""
        while True:
            value = "zq" + "".join(self._rng.choice(string.ascii_lowercase) for _ in range(14))
            if value not in self._by_needle:
                break
        cats = frozenset(categories)
        self._add(Canary(value, casus_key, cats, origin, field, item_key, free_text))
        return value

    def text(
        self,
        casus_key: str,
        categories: Iterable[str],
        origin: str,
        field: str,
        prefix: str = "Tekst",
        item_key: str | None = None,
        free_text: bool = True,
    ) -> str:
        token = self.token(casus_key, categories, origin, field, item_key, free_text=free_text)
        return f"{prefix} {token}."

    def bsn(
        self,
        casus_key: str,
        origin: str,
        field: str,
        categories: frozenset[str] = frozenset({"bsn"}),
    ) -> str:
        """A random valid BSN (elfproef), registered as a ``bsn`` canary."""
        while True:
            digits = [self._rng.randint(1, 9)] + [self._rng.randint(0, 9) for _ in range(7)]
            check = sum(d * (9 - i) for i, d in enumerate(digits)) % 11
            if check == 10:
                continue
            value = "".join(map(str, [*digits, check]))
            if value not in self._used_bsn:
                break
        self._used_bsn.add(value)
        self._add(Canary(value, casus_key, categories, origin, field))
        return value

    def birth_date(
        self, casus_key: str, origin: str, field: str, today: dt.date, categories: Iterable[str]
    ) -> dt.date:
        """A birth date 18-25 years ago, registered in ISO and Dutch form (identificerend)."""
        while True:
            day = today - dt.timedelta(days=self._rng.randint(18 * 366, 25 * 365))
            forms = (day.isoformat(), format_date_nl(day))
            if not any(f in self._by_needle for f in forms):
                break
        cats = frozenset(categories)
        for form in forms:
            self._add(Canary(form, casus_key, cats, origin, field))
        return day

    def _compiled(self) -> re.Pattern[str]:
        """One cheap pattern for every kind of needle: tokens, 9-digit numbers, ISO and Dutch
        dates; candidates are then looked up (a 700-way alternation is ten times slower)."""
        if self._pattern is None:
            months = "|".join(MONTHS_NL)
            self._pattern = re.compile(
                rf"{TOKEN.pattern}|(?<![0-9])(?:[0-9]{{9}}|[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}"
                rf"|[0-9]{{1,2}} (?:{months}) [0-9]{{4}})(?![0-9])",
                re.IGNORECASE,
            )
        return self._pattern

    def found_in(self, text: str) -> list[Canary]:
        """Every registered canary in ``text`` (each once)."""
        seen: dict[str, Canary] = {}
        for match in self._compiled().finditer(text):
            needle = match.group(0)
            canary = self._by_needle.get(needle) or self._by_needle.get(needle.lower())
            if canary is not None:
                seen[canary.needle] = canary
        return list(seen.values())
