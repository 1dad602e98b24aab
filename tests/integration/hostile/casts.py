"""Who does what in the world of the hostile probes: per gemeente the users that register,
invite, take the regie and add information, and per regional bureau the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from people import (
    HILVERSUM,
    HILVERSUM_CASUSREGISSEUR,
    HILVERSUM_JONGERENWERKER,
    HILVERSUM_PGA_EXPERT,
    HILVERSUM_RECLASSERING,
    HILVERSUM_WIJKAGENT,
    REGIO_HAAGLANDEN,
    REGIO_HAAGLANDEN_CASUSREGISSEUR,
    REGIO_HAAGLANDEN_PGA_EXPERT,
    REGIO_HAAGLANDEN_POLITIE,
    REGIO_UTRECHT,
    REGIO_UTRECHT_CASUSREGISSEUR,
    REGIO_UTRECHT_PGA_EXPERT,
    REGIO_UTRECHT_POLITIE,
    VEENENDAAL,
    VEENENDAAL_CASUSREGISSEUR,
    VEENENDAAL_KLANTMANAGER,
    VEENENDAAL_PGA_EXPERT,
    VEENENDAAL_RECLASSERING,
    VEENENDAAL_WIJKAGENT,
    VEENENDAAL_WOONBEGELEIDER,
    WIJK_BIJ_DUURSTEDE,
    WIJK_BIJ_DUURSTEDE_CASUSREGISSEUR,
    WIJK_BIJ_DUURSTEDE_JEUGDRECLASSERING,
    WIJK_BIJ_DUURSTEDE_JONGERENWERKER,
    WIJK_BIJ_DUURSTEDE_PGA_EXPERT,
    WIJK_BIJ_DUURSTEDE_WIJKAGENT,
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
    ZEIST_WOONBEGELEIDER,
    ZOETERMEER,
    ZOETERMEER_CASUSREGISSEUR,
    ZOETERMEER_GROEPSREGISSEUR,
    ZOETERMEER_JEUGDAGENT,
    ZOETERMEER_JEUGDBESCHERMER,
    ZOETERMEER_JONGERENWERKER,
    ZOETERMEER_LEERPLICHT,
    ZOETERMEER_PGA_EXPERT,
)

from tenants.reference import LEEFGEBIED_CATEGORIES

#: Leefgebieden used for problem descriptions and plan goals, per instrument: every data
#: category of LEEFGEBIED_CATEGORIES plus a plain one.
PROBLEM_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "zrm": ("financien", "geestelijke-gezondheid", "justitie", "middelengebruik", "huisvesting"),
    "leefgebieden-8": ("financien-hulpverlening", "gezondheid", "delictgedrag", "overlast"),
}


def leefgebied_categories(code: str) -> frozenset[str]:
    return frozenset(LEEFGEBIED_CATEGORIES.get(code, {"algemeen"}))


@dataclass(frozen=True)
class ItemPlan:
    source: str  # user id
    category: str
    share: bool = True
    withhold: bool = False
    about_household: bool = False
    optional: bool = False  # the current policy may refuse it (e.g. receive-only partner)


@dataclass(frozen=True)
class GroupCast:
    aanmelder: str
    coordinator: str
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class Cast:
    """Who does what in one gemeente."""

    tenant: str
    expert: str
    regisseur: str
    aanmelder_a: str
    aanmelder_b: str
    a_organisations: tuple[str, ...]
    items: tuple[ItemPlan, ...]
    meeting_type: str
    group: GroupCast | None = None
    shared_organisations: tuple[str, ...] = ()  # set: also build the opgeschaalde casus S
    urgent_user: str | None = None  # doorbreekglas on B
    #: Beperking (art. 18 AVG) in the opgeschaalde casus S: its subject and one shared
    #: ``algemeen`` item are restricted by the pga-expert after the casus was shared.
    restrict_s: bool = False


CASTS: tuple[Cast, ...] = (
    Cast(
        tenant=ZEIST,
        expert=ZEIST_PGA_EXPERT,
        regisseur=ZEIST_CASUSREGISSEUR,
        aanmelder_a=ZEIST_WIJKAGENT,
        aanmelder_b=ZEIST_COORDINATOR,
        a_organisations=("rsd-krh", "kwintes", "altrecht", "gemeente-zeist-oov"),
        items=(
            ItemPlan(ZEIST_WIJKAGENT, "strafrechtelijk"),
            ItemPlan(ZEIST_WIJKAGENT, "politiegegevens", withhold=True),
            ItemPlan(ZEIST_CASUSREGISSEUR, "bijzonder"),
            ItemPlan(ZEIST_CASUSREGISSEUR, "beroepsgeheim"),
            ItemPlan(ZEIST_CASUSREGISSEUR, "derden", about_household=True),
            ItemPlan(ZEIST_KLANTMANAGER, "financieel"),
            ItemPlan(ZEIST_KLANTMANAGER, "financieel", share=False),
            ItemPlan(ZEIST_WOONBEGELEIDER, "algemeen"),
            ItemPlan(ZEIST_PSYCHIATER, "beroepsgeheim", optional=True),
            ItemPlan(ZEIST_PGA_EXPERT, "justitieel", optional=True),
        ),
        meeting_type="pga-kernteam",
        group=GroupCast(
            ZEIST_COORDINATOR,
            ZEIST_COORDINATOR,
            ("politie-basisteam-zeist", "sociaal-wijkteam-zeist"),
        ),
        shared_organisations=("reclassering-nederland", "politie-basisteam-zeist"),
        urgent_user=ZEIST_KLANTMANAGER,
        restrict_s=True,
    ),
    Cast(
        tenant=ZOETERMEER,
        expert=ZOETERMEER_PGA_EXPERT,
        regisseur=ZOETERMEER_CASUSREGISSEUR,
        aanmelder_a=ZOETERMEER_JEUGDAGENT,
        aanmelder_b=ZOETERMEER_JONGERENWERKER,
        a_organisations=("jeugdbescherming-west", "zzon-leerplicht-rmc", "de-waag", "om-den-haag"),
        items=(
            ItemPlan(ZOETERMEER_JEUGDAGENT, "strafrechtelijk"),
            ItemPlan(ZOETERMEER_JEUGDAGENT, "politiegegevens", withhold=True),
            ItemPlan(ZOETERMEER_JEUGDBESCHERMER, "justitieel"),
            ItemPlan(ZOETERMEER_JEUGDBESCHERMER, "bijzonder"),
            ItemPlan(ZOETERMEER_LEERPLICHT, "algemeen"),
            ItemPlan(ZOETERMEER_CASUSREGISSEUR, "financieel", share=False),
        ),
        meeting_type="agenderingsoverleg",
        group=GroupCast(
            ZOETERMEER_JONGERENWERKER,
            ZOETERMEER_GROEPSREGISSEUR,
            ("politie-basisteam-zoetermeer", "om-den-haag"),
        ),
        shared_organisations=("jeugdbescherming-west", "reclassering-nederland"),
        urgent_user=ZOETERMEER_JEUGDBESCHERMER,
    ),
    Cast(
        tenant=VEENENDAAL,
        expert=VEENENDAAL_PGA_EXPERT,
        regisseur=VEENENDAAL_CASUSREGISSEUR,
        aanmelder_a=VEENENDAAL_WIJKAGENT,
        aanmelder_b=VEENENDAAL_WOONBEGELEIDER,
        a_organisations=(
            "leger-des-heils-jbr",
            "werk-inkomen-veenendaal",
            "gemeente-veenendaal-oov",
        ),
        items=(
            ItemPlan(VEENENDAAL_WIJKAGENT, "strafrechtelijk"),
            ItemPlan(VEENENDAAL_KLANTMANAGER, "financieel"),
            ItemPlan(VEENENDAAL_RECLASSERING, "justitieel", withhold=True),
        ),
        meeting_type="ivt-triage",
    ),
    Cast(
        tenant=WIJK_BIJ_DUURSTEDE,
        expert=WIJK_BIJ_DUURSTEDE_PGA_EXPERT,
        regisseur=WIJK_BIJ_DUURSTEDE_CASUSREGISSEUR,
        aanmelder_a=WIJK_BIJ_DUURSTEDE_WIJKAGENT,
        aanmelder_b=WIJK_BIJ_DUURSTEDE_JONGERENWERKER,
        a_organisations=("samen-veilig-mn", "om-midden-nederland", "altrecht", "gemeente-wbd-oov"),
        items=(
            ItemPlan(WIJK_BIJ_DUURSTEDE_WIJKAGENT, "strafrechtelijk"),
            ItemPlan(WIJK_BIJ_DUURSTEDE_JEUGDRECLASSERING, "bijzonder"),
        ),
        meeting_type="pga-kernteam",
    ),
    Cast(
        tenant=HILVERSUM,
        expert=HILVERSUM_PGA_EXPERT,
        regisseur=HILVERSUM_CASUSREGISSEUR,
        aanmelder_a=HILVERSUM_WIJKAGENT,
        aanmelder_b=HILVERSUM_JONGERENWERKER,
        a_organisations=(
            "reclassering-nederland",
            "ggz-centraal",
            "om-midden-nederland",
            "gemeente-hilversum-oov",
        ),
        items=(
            ItemPlan(HILVERSUM_WIJKAGENT, "strafrechtelijk"),
            ItemPlan(HILVERSUM_RECLASSERING, "justitieel"),
        ),
        meeting_type="screening",
    ),
)


@dataclass(frozen=True)
class BureauCast:
    tenant: str
    expert: str
    regisseur: str
    professional: str
    organisations: tuple[str, ...]


BUREAUS: tuple[BureauCast, ...] = (
    BureauCast(
        REGIO_UTRECHT,
        REGIO_UTRECHT_PGA_EXPERT,
        REGIO_UTRECHT_CASUSREGISSEUR,
        REGIO_UTRECHT_POLITIE,
        ("politie-midden-nederland", "reclassering-nederland"),
    ),
    BureauCast(
        REGIO_HAAGLANDEN,
        REGIO_HAAGLANDEN_PGA_EXPERT,
        REGIO_HAAGLANDEN_CASUSREGISSEUR,
        REGIO_HAAGLANDEN_POLITIE,
        ("politie-haaglanden", "jeugdbescherming-west"),
    ),
)

SPECIAL_BASIS: Mapping[str, dict[str, str]] = {
    "bijzonder": {"art9_uitzondering": "zorg-en-sociale-stelsels"},
    "beroepsgeheim": {"beroepsgeheim_grond": "conflict-van-plichten"},
}
