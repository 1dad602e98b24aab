"""Public key lists: which gemeenten exist and to which region each belongs.

Releases group by these known keys (``with_keys``) so that the set of published cells never
depends on the data and no δ is spent on revealing keys. The list is public information
(CBS gemeentecodes); it is configuration, never derived from ingested facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Gemeente:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Geography:
    gemeenten: tuple[Gemeente, ...]
    _by_code: Mapping[str, Gemeente] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = [g.code for g in self.gemeenten]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate gemeentecode in geography")
        object.__setattr__(self, "_by_code", {g.code: g for g in self.gemeenten})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.gemeenten)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({g.region for g in self.gemeenten}))

    def get(self, code: str) -> Gemeente | None:
        return self._by_code.get(code)

    def region_of(self, code: str) -> str:
        return self._by_code[code].region

    def name_of(self, code: str) -> str:
        gemeente = self._by_code.get(code)
        return gemeente.name if gemeente else code

    @classmethod
    def of(cls, items: Iterable[tuple[str, str, str]]) -> Geography:
        return cls(tuple(Gemeente(code, name, region) for code, name, region in items))


#: The demo tenants (docs/reference-data.md): two regions.
DEMO_GEOGRAPHY = Geography.of(
    [
        ("GM0345", "Veenendaal", "Midden-Nederland"),
        ("GM0352", "Wijk bij Duurstede", "Midden-Nederland"),
        ("GM0355", "Zeist", "Midden-Nederland"),
        ("GM0402", "Hilversum", "Midden-Nederland"),
        ("GM0637", "Zoetermeer", "Haaglanden"),
    ]
)


def synthetic_geography(n_gemeenten: int = 342, n_regions: int = 25) -> Geography:
    """Made-up gemeenten GM0001.. spread over made-up regions (benchmarks, simulations)."""
    return Geography.of(
        (f"GM{i + 1:04d}", f"Gemeente {i + 1}", f"Regio {i % n_regions + 1:02d}")
        for i in range(n_gemeenten)
    )
