"""Who does what in the world of the hostile probes: per gemeente the users that register,
invite, take the regie and add information, and per regional bureau the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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


CASTS: tuple[Cast, ...] = (
    Cast(
        tenant="GM0355",
        expert="eline-de-graaf",
        regisseur="robin-visser",
        aanmelder_a="dennis-koster",
        aanmelder_b="yara-benali",
        a_organisations=("rsd-krh", "kwintes", "altrecht", "gemeente-zeist-oov"),
        items=(
            ItemPlan("dennis-koster", "strafrechtelijk"),
            ItemPlan("dennis-koster", "politiegegevens", withhold=True),
            ItemPlan("robin-visser", "bijzonder"),
            ItemPlan("robin-visser", "beroepsgeheim"),
            ItemPlan("robin-visser", "derden", about_household=True),
            ItemPlan("fatima-ouali", "financieel"),
            ItemPlan("fatima-ouali", "financieel", share=False),
            ItemPlan("jasper-huisman", "algemeen"),
            ItemPlan("mirjam-de-lange", "beroepsgeheim", optional=True),
            ItemPlan("eline-de-graaf", "justitieel", optional=True),
        ),
        meeting_type="pga-kernteam",
        group=GroupCast(
            "yara-benali", "yara-benali", ("politie-basisteam-zeist", "sociaal-wijkteam-zeist")
        ),
        shared_organisations=("reclassering-nederland", "politie-basisteam-zeist"),
        urgent_user="fatima-ouali",
    ),
    Cast(
        tenant="GM0637",
        expert="saskia-van-der-meer",
        regisseur="daan-verhoef",
        aanmelder_a="monique-hermans",
        aanmelder_b="marco-de-jong",
        a_organisations=("jeugdbescherming-west", "zzon-leerplicht-rmc", "de-waag", "om-den-haag"),
        items=(
            ItemPlan("monique-hermans", "strafrechtelijk"),
            ItemPlan("monique-hermans", "politiegegevens", withhold=True),
            ItemPlan("stefan-lambert", "justitieel"),
            ItemPlan("stefan-lambert", "bijzonder"),
            ItemPlan("priya-ramsaran", "algemeen"),
            ItemPlan("daan-verhoef", "financieel", share=False),
        ),
        meeting_type="agenderingsoverleg",
        group=GroupCast(
            "marco-de-jong", "ayoub-tahiri", ("politie-basisteam-zoetermeer", "om-den-haag")
        ),
        shared_organisations=("jeugdbescherming-west", "reclassering-nederland"),
        urgent_user="stefan-lambert",
    ),
    Cast(
        tenant="GM0345",
        expert="marieke-van-dam",
        regisseur="jeroen-kuipers",
        aanmelder_a="sander-brouwers",
        aanmelder_b="thijs-vermeer",
        a_organisations=(
            "leger-des-heils-jbr",
            "werk-inkomen-veenendaal",
            "gemeente-veenendaal-oov",
        ),
        items=(
            ItemPlan("sander-brouwers", "strafrechtelijk"),
            ItemPlan("esther-groen", "financieel"),
            ItemPlan("yasmina-bouali", "justitieel", withhold=True),
        ),
        meeting_type="ivt-triage",
    ),
    Cast(
        tenant="GM0352",
        expert="joost-hendriks",
        regisseur="annemiek-prins",
        aanmelder_a="kevin-van-rijn",
        aanmelder_b="mustafa-demir",
        a_organisations=("samen-veilig-mn", "om-midden-nederland", "altrecht", "gemeente-wbd-oov"),
        items=(
            ItemPlan("kevin-van-rijn", "strafrechtelijk"),
            ItemPlan("laura-meijer", "bijzonder"),
        ),
        meeting_type="pga-kernteam",
    ),
    Cast(
        tenant="GM0402",
        expert="ingrid-verbeek",
        regisseur="tamara-hoekstra",
        aanmelder_a="bas-van-leeuwen",
        aanmelder_b="dewi-pattinama",
        a_organisations=(
            "reclassering-nederland",
            "ggz-centraal",
            "om-midden-nederland",
            "gemeente-hilversum-oov",
        ),
        items=(
            ItemPlan("bas-van-leeuwen", "strafrechtelijk"),
            ItemPlan("noor-el-amrani", "justitieel"),
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
        "RGUTRECHT",
        "marco-van-beek",
        "hatice-kaya",
        "olaf-meulenbelt",
        ("politie-midden-nederland", "reclassering-nederland"),
    ),
    BureauCast(
        "RGHAAGLANDEN",
        "jan-willem-roos",
        "chantal-noordam",
        "youssef-amrani",
        ("politie-haaglanden", "jeugdbescherming-west"),
    ),
)

SPECIAL_BASIS: Mapping[str, dict[str, str]] = {
    "bijzonder": {"art9_uitzondering": "zorg-en-sociale-stelsels"},
    "beroepsgeheim": {"beroepsgeheim_grond": "conflict-van-plichten"},
}
