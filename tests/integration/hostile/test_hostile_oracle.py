"""The oracle of the hostile probes, cell by cell of the access matrix (issue 9), on
hand-made casussen: an oracle that is wrong would make the probes prove nothing."""

from __future__ import annotations

import pytest

from tenants.manifest import SHIPPED_MANIFESTS_DIR, load_all

from .canaries import Canary
from .model import CasusRecord, ItemRecord, Subject
from .oracle import Oracle, View
from .subjects import demo_subjects, manifests_by_code

MANIFESTS = manifests_by_code(load_all(SHIPPED_MANIFESTS_DIR))
ORACLE = Oracle(MANIFESTS)
SUBJECTS = {s.key: s for s in demo_subjects(MANIFESTS)}


def who(key: str) -> Subject:
    return SUBJECTS[key]


def zeist_casus(**extra: object) -> CasusRecord:
    casus = CasusRecord(
        key="GM0355/A",
        tenant="GM0355",
        id="a",
        kind="persoon",
        label="A",
        state="uitvoering",
        phase="uitvoering",
        participants={
            "politie-basisteam-zeist",
            "sociaal-wijkteam-zeist",
            "gemeente-zeist-oov",
            "kwintes",
            "reclassering-nederland",
        },
        regisseurs={"robin-visser"},
        shared_with={"RGUTRECHT"},
    )
    for name, value in extra.items():
        setattr(casus, name, value)
    return casus


def canary(cats: set[str], origin: str = "casus", item: str | None = None) -> Canary:
    return Canary("x", "GM0355/A", frozenset(cats), origin, "test", item)


@pytest.mark.parametrize(
    ("subject", "view", "write"),
    [
        ("GM0355/robin-visser", View.FULL, True),  # regisseur
        ("GM0355/dennis-koster", View.FULL, True),  # participating professional
        ("GM0355/eline-de-graaf", View.FULL, True),  # pga-expert, own tenant
        ("GM0355/fatima-ouali", View.NONE, False),  # professional, organisation not taking part
        ("GM0355/vincent-peeters", View.PSEUDO, False),  # adviseur
        ("GM0355/koen-bosman", View.NONE, False),  # tenantbeheerder of a participant
        ("GM0355/carla-timmer", View.NONE, False),  # burgemeester-contactpersoon
        ("GM0355/julia-van-es", View.NONE, False),  # onderzoeker
        ("GM0355/rob-van-den-berg", View.NONE, False),  # driehoek: nothing of a person casus
        ("RGUTRECHT/marco-van-beek", View.READ_ONLY, False),  # bureau pga-expert, shared
        ("RGUTRECHT/renee-janssen", View.NONE, False),  # same organisation id, other tenant
        ("RGUTRECHT/robin-visser", View.NONE, False),  # same user id, other tenant
        ("RGUTRECHT/bram-de-ruiter", View.NONE, False),  # platformbeheerder
        ("GM0345/marieke-van-dam", View.NONE, False),  # pga-expert of another gemeente
        ("RGHAAGLANDEN/jan-willem-roos", View.NONE, False),  # another region
    ],
)
def test_relations_give_the_matrix_view(subject: str, view: View, write: bool) -> None:
    access = ORACLE.access(who(subject), zeist_casus())
    assert (access.view, access.write) == (view, write)


def test_driehoek_sees_only_the_anonymised_plan_of_a_group() -> None:
    group = zeist_casus(kind="groep", coordinator="yara-benali")
    driehoek = who("GM0355/rob-van-den-berg")
    assert ORACLE.access(driehoek, group).view is View.ANON_PLAN
    assert ORACLE.may_see(driehoek, canary({"algemeen"}, "plan"), group, ["plan-van-aanpak"])
    assert not ORACLE.may_see(driehoek, canary({"financieel"}, "plan"), group, ["plan-van-aanpak"])
    assert not ORACLE.may_see(driehoek, canary({"algemeen"}, "group"), group, ["plan-van-aanpak"])
    assert ORACLE.access(who("GM0355/yara-benali"), group).relation == "uitvoeringscoordinator"


def test_categories_follow_the_convenant_purpose_and_bsn_purposes() -> None:
    casus = zeist_casus()
    police, wonen = who("GM0355/dennis-koster"), who("GM0355/jasper-huisman")
    assert ORACLE.may_see(police, canary({"strafrechtelijk"}), casus, ["uitvoering"])
    assert not ORACLE.may_see(police, canary({"financieel"}), casus, ["uitvoering"])
    assert ORACLE.may_see(police, canary({"bsn"}, "person"), casus, ["triage"])
    assert not ORACLE.may_see(police, canary({"bsn"}, "person"), casus, ["uitvoering"])
    assert not ORACLE.may_see(police, canary({"algemeen"}), casus, ["marketing"])
    # Special categories on a composite view: wonen has a grant but no statutory exception.
    assert not ORACLE.may_see(wonen, canary({"bijzonder"}), casus, ["uitvoering"])
    assert not ORACLE.may_see(wonen, canary({"derden"}), casus, ["uitvoering"])
    adviseur = who("GM0355/vincent-peeters")
    assert ORACLE.may_see(adviseur, canary({"algemeen"}), casus, ["uitvoering"])
    assert not ORACLE.may_see(adviseur, canary({"identificerend"}, "person"), casus, ["uitvoering"])


def test_items_need_sharing_a_grant_and_the_recorded_basis() -> None:
    withheld = ItemRecord(
        "i1", "1", "GM0355/A", "politiegegevens", "politie-basisteam-zeist", True, True
    )
    bijzonder = ItemRecord("i2", "2", "GM0355/A", "bijzonder", "sociaal-wijkteam-zeist", True)
    casus = zeist_casus(items=[withheld, bijzonder])
    source, other = who("GM0355/dennis-koster"), who("GM0355/robin-visser")
    seen = canary({"politiegegevens"}, "item", "i1")
    assert ORACLE.may_see(source, seen, casus, ["uitvoering"], withheld)  # own, also withheld
    assert not ORACLE.may_see(other, seen, casus, ["casusoverleg"], withheld)
    driehoek = who("GM0355/rob-van-den-berg")  # same organisation as the source
    assert not ORACLE.may_see(driehoek, seen, casus, ["casusoverleg"], withheld)
    withheld.withheld = False
    assert not ORACLE.may_see(other, seen, casus, ["casusoverleg"], withheld)  # no grant
    reclassering = who("RGUTRECHT/renee-janssen")
    assert not ORACLE.may_see(reclassering, seen, casus, ["casusoverleg"], withheld)
    special = canary({"bijzonder"}, "item", "i2")
    wonen = who("GM0355/jasper-huisman")
    assert not ORACLE.may_see(wonen, special, casus, ["uitvoering"], bijzonder)  # no art. 9
    bijzonder.art9_exception = "zorg-en-sociale-stelsels"
    assert ORACLE.may_see(wonen, special, casus, ["uitvoering"], bijzonder)


def test_who_may_change_what() -> None:
    s = who("GM0355/koen-bosman")
    assert ORACLE.may_change_user(s, "GM0355", "dennis-koster", {"rollen"})
    assert not ORACLE.may_change_user(s, "GM0355", "koen-bosman", {"rollen"})
    assert ORACLE.may_change_user(s, "GM0355", "koen-bosman", set())
    assert not ORACLE.may_change_user(s, "GM0345", "marieke-van-dam", set())
    assert ORACLE.may_operate_tenant(who("RGUTRECHT/bram-de-ruiter"), "GM0345")
    assert not ORACLE.may_operate_tenant(who("RGHAAGLANDEN/ahmed-benali"), "GM0345")
    assert not ORACLE.may_operate_tenant(who("RGUTRECHT/marco-van-beek"), "GM0345")


def test_canaries_are_found_in_json_and_html_and_only_there() -> None:
    import datetime as dt
    import random

    from .canaries import Canaries

    reg = Canaries(random.Random(1))
    token = reg.token("K", {"algemeen"}, "casus", "tekst")
    bsn = reg.bsn("K", "person", "persoon.bsn")
    born = reg.birth_date("K", "person", "geboortedatum", dt.date(2026, 11, 27), {"identificerend"})
    page = f'<td>{token.upper()}</td> {{"bsn": "{bsn}"}} geboren {born.day} '
    found = {c.field for c in reg.found_in(page + born.strftime("%Y") + " " + born.isoformat())}
    assert found == {"tekst", "persoon.bsn", "geboortedatum"}
    assert not reg.found_in(f"1{bsn} {bsn}0 ******{bsn[-3:]} zq{token[2:-1]}")
