"""The oracle of the hostile probes, cell by cell of the access matrix (issue 9), on
hand-made casussen: an oracle that is wrong would make the probes prove nothing."""

from __future__ import annotations

import pytest
from people import (
    REGIO_HAAGLANDEN,
    REGIO_HAAGLANDEN_PGA_EXPERT,
    REGIO_HAAGLANDEN_PLATFORMBEHEERDER,
    REGIO_UTRECHT,
    REGIO_UTRECHT_PGA_EXPERT,
    REGIO_UTRECHT_PLATFORMBEHEERDER,
    REGIO_UTRECHT_RECLASSERING,
    TEST_MANIFESTS_DIR,
    VEENENDAAL,
    VEENENDAAL_PGA_EXPERT,
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_BEHEERDER,
    ZEIST_BURGEMEESTER_CONTACT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_DRIEHOEK,
    ZEIST_KLANTMANAGER,
    ZEIST_ONDERZOEKER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZEIST_WOONBEGELEIDER,
)

from tenants.manifest import load_all

from .canaries import Canary
from .model import CasusRecord, ItemRecord, Subject
from .oracle import CORRECTIE, INZAGE, Oracle, View, avg_request
from .subjects import manifest_subjects, manifests_by_code

MANIFESTS = manifests_by_code(load_all(TEST_MANIFESTS_DIR))
ORACLE = Oracle(MANIFESTS)
SUBJECTS = {s.key: s for s in manifest_subjects(MANIFESTS)}


def who(key: str) -> Subject:
    return SUBJECTS[key]


def zeist_casus(**extra: object) -> CasusRecord:
    casus = CasusRecord(
        key=f"{ZEIST}/A",
        tenant=ZEIST,
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
        regisseurs={ZEIST_CASUSREGISSEUR},
        shared_with={REGIO_UTRECHT},
    )
    for name, value in extra.items():
        setattr(casus, name, value)
    return casus


def canary(
    cats: set[str], origin: str = "casus", item: str | None = None, *, free_text: bool = False
) -> Canary:
    return Canary("x", f"{ZEIST}/A", frozenset(cats), origin, "test", item, free_text)


@pytest.mark.parametrize(
    ("subject", "view", "write"),
    [
        (f"{ZEIST}/{ZEIST_CASUSREGISSEUR}", View.FULL, True),  # regisseur
        (f"{ZEIST}/{ZEIST_WIJKAGENT}", View.FULL, True),  # participating professional
        (f"{ZEIST}/{ZEIST_PGA_EXPERT}", View.FULL, True),  # pga-expert, own tenant
        (
            f"{ZEIST}/{ZEIST_KLANTMANAGER}",
            View.NONE,
            False,
        ),  # professional, organisation not taking part
        (f"{ZEIST}/{ZEIST_ADVISEUR}", View.PSEUDO, False),  # adviseur
        (f"{ZEIST}/{ZEIST_BEHEERDER}", View.NONE, False),  # tenantbeheerder of a participant
        (f"{ZEIST}/{ZEIST_BURGEMEESTER_CONTACT}", View.NONE, False),  # burgemeester-contactpersoon
        (f"{ZEIST}/{ZEIST_ONDERZOEKER}", View.NONE, False),  # onderzoeker
        (f"{ZEIST}/{ZEIST_DRIEHOEK}", View.NONE, False),  # driehoek: nothing of a person casus
        (
            f"{REGIO_UTRECHT}/{REGIO_UTRECHT_PGA_EXPERT}",
            View.READ_ONLY,
            False,
        ),  # bureau pga-expert, shared
        (
            f"{REGIO_UTRECHT}/{REGIO_UTRECHT_RECLASSERING}",
            View.NONE,
            False,
        ),  # same organisation id, other tenant
        (f"{REGIO_UTRECHT}/{ZEIST_CASUSREGISSEUR}", View.NONE, False),  # same user id, other tenant
        (
            f"{REGIO_UTRECHT}/{REGIO_UTRECHT_PLATFORMBEHEERDER}",
            View.NONE,
            False,
        ),  # platformbeheerder
        (
            f"{VEENENDAAL}/{VEENENDAAL_PGA_EXPERT}",
            View.NONE,
            False,
        ),  # pga-expert of another gemeente
        (f"{REGIO_HAAGLANDEN}/{REGIO_HAAGLANDEN_PGA_EXPERT}", View.NONE, False),  # another region
    ],
)
def test_relations_give_the_matrix_view(subject: str, view: View, write: bool) -> None:
    access = ORACLE.access(who(subject), zeist_casus())
    assert (access.view, access.write) == (view, write)


def test_driehoek_sees_only_the_anonymised_plan_of_a_group() -> None:
    group = zeist_casus(kind="groep", coordinator=ZEIST_COORDINATOR)
    driehoek = who(f"{ZEIST}/{ZEIST_DRIEHOEK}")
    assert ORACLE.access(driehoek, group).view is View.ANON_PLAN
    assert ORACLE.may_see(driehoek, canary({"algemeen"}, "plan"), group, ["plan-van-aanpak"])
    assert not ORACLE.may_see(driehoek, canary({"financieel"}, "plan"), group, ["plan-van-aanpak"])
    assert not ORACLE.may_see(driehoek, canary({"algemeen"}, "group"), group, ["plan-van-aanpak"])
    assert (
        ORACLE.access(who(f"{ZEIST}/{ZEIST_COORDINATOR}"), group).relation
        == "uitvoeringscoordinator"
    )


def test_categories_follow_the_convenant_purpose_and_bsn_purposes() -> None:
    casus = zeist_casus()
    police, wonen = who(f"{ZEIST}/{ZEIST_WIJKAGENT}"), who(f"{ZEIST}/{ZEIST_WOONBEGELEIDER}")
    assert ORACLE.may_see(police, canary({"strafrechtelijk"}), casus, ["uitvoering"])
    assert not ORACLE.may_see(police, canary({"financieel"}), casus, ["uitvoering"])
    assert ORACLE.may_see(police, canary({"bsn"}, "person"), casus, ["triage"])
    assert not ORACLE.may_see(police, canary({"bsn"}, "person"), casus, ["uitvoering"])
    assert not ORACLE.may_see(police, canary({"algemeen"}), casus, ["marketing"])
    # Special categories on a composite view: wonen has a grant but no statutory exception.
    assert not ORACLE.may_see(wonen, canary({"bijzonder"}), casus, ["uitvoering"])
    assert not ORACLE.may_see(wonen, canary({"derden"}), casus, ["uitvoering"])
    adviseur = who(f"{ZEIST}/{ZEIST_ADVISEUR}")
    assert ORACLE.may_see(adviseur, canary({"algemeen"}), casus, ["uitvoering"])
    # ... but no free text (a toelichting may name people), which the full view shows.
    text = canary({"algemeen"}, free_text=True)
    assert not ORACLE.may_see(adviseur, text, casus, ["uitvoering"])
    assert ORACLE.may_see(police, text, casus, ["uitvoering"])
    assert not ORACLE.may_see(adviseur, canary({"identificerend"}, "person"), casus, ["uitvoering"])


def test_items_need_sharing_a_grant_and_the_recorded_basis() -> None:
    withheld = ItemRecord(
        "i1", "1", f"{ZEIST}/A", "politiegegevens", "politie-basisteam-zeist", True, True
    )
    bijzonder = ItemRecord("i2", "2", f"{ZEIST}/A", "bijzonder", "sociaal-wijkteam-zeist", True)
    casus = zeist_casus(items=[withheld, bijzonder])
    source, other = who(f"{ZEIST}/{ZEIST_WIJKAGENT}"), who(f"{ZEIST}/{ZEIST_CASUSREGISSEUR}")
    seen = canary({"politiegegevens"}, "item", "i1")
    assert ORACLE.may_see(source, seen, casus, ["uitvoering"], withheld)  # own, also withheld
    assert not ORACLE.may_see(other, seen, casus, ["casusoverleg"], withheld)
    driehoek = who(f"{ZEIST}/{ZEIST_DRIEHOEK}")  # same organisation as the source
    assert not ORACLE.may_see(driehoek, seen, casus, ["casusoverleg"], withheld)
    withheld.withheld = False
    assert not ORACLE.may_see(other, seen, casus, ["casusoverleg"], withheld)  # no grant
    reclassering = who(f"{REGIO_UTRECHT}/{REGIO_UTRECHT_RECLASSERING}")
    assert not ORACLE.may_see(reclassering, seen, casus, ["casusoverleg"], withheld)
    special = canary({"bijzonder"}, "item", "i2")
    wonen = who(f"{ZEIST}/{ZEIST_WOONBEGELEIDER}")
    assert not ORACLE.may_see(wonen, special, casus, ["uitvoering"], bijzonder)  # no art. 9
    bijzonder.art9_exception = "zorg-en-sociale-stelsels"
    assert ORACLE.may_see(wonen, special, casus, ["uitvoering"], bijzonder)


def test_who_may_change_what() -> None:
    s = who(f"{ZEIST}/{ZEIST_BEHEERDER}")
    assert ORACLE.may_change_user(s, ZEIST, ZEIST_WIJKAGENT, {"rollen"})
    assert not ORACLE.may_change_user(s, ZEIST, ZEIST_BEHEERDER, {"rollen"})
    assert ORACLE.may_change_user(s, ZEIST, ZEIST_BEHEERDER, set())
    assert not ORACLE.may_change_user(s, VEENENDAAL, VEENENDAAL_PGA_EXPERT, set())
    assert ORACLE.may_operate_tenant(
        who(f"{REGIO_UTRECHT}/{REGIO_UTRECHT_PLATFORMBEHEERDER}"), VEENENDAAL
    )
    assert not ORACLE.may_operate_tenant(
        who(f"{REGIO_HAAGLANDEN}/{REGIO_HAAGLANDEN_PLATFORMBEHEERDER}"), VEENENDAAL
    )
    assert not ORACLE.may_operate_tenant(
        who(f"{REGIO_UTRECHT}/{REGIO_UTRECHT_PGA_EXPERT}"), VEENENDAAL
    )


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


def test_a_restriction_hides_the_person_and_the_item_from_every_casework_view() -> None:
    """Beperking (art. 18 AVG): the owning gemeente's pga-expert still sees the data in an
    inzage, the regie and pga-expert in a correctie; nobody else, nowhere else, and nobody of
    the tenant the casus was shared with (policies/avg.rego)."""
    item = ItemRecord("i1", "1", f"{ZEIST}/A", "algemeen", "politie-basisteam-zeist", True)
    casus = zeist_casus(items=[item])
    name, text = canary({"identificerend"}, "person"), canary({"algemeen"}, "item", "i1")
    everyone = [
        who(f"{ZEIST}/{u}")
        for u in (ZEIST_CASUSREGISSEUR, ZEIST_WIJKAGENT, ZEIST_PGA_EXPERT, ZEIST_ADVISEUR)
    ] + [who(f"{REGIO_UTRECHT}/{REGIO_UTRECHT_PGA_EXPERT}")]
    expert, regisseur = who(f"{ZEIST}/{ZEIST_PGA_EXPERT}"), who(f"{ZEIST}/{ZEIST_CASUSREGISSEUR}")
    purposes = ["uitvoering", "inzage"]
    # Unrestricted, the regisseur and the source see both.
    assert ORACLE.may_see(regisseur, name, casus, purposes)
    assert ORACLE.may_see(who(f"{ZEIST}/{ZEIST_WIJKAGENT}"), text, casus, purposes, item)
    casus.subject_restricted, item.restricted = True, True
    for s in everyone:
        for request in (None, INZAGE, CORRECTIE):
            rule = {None: False, INZAGE: s == expert, CORRECTIE: s in (expert, regisseur)}
            allowed = rule[request]
            assert ORACLE.may_see(s, name, casus, purposes, None, request) == allowed, (s, request)
            seen = ORACLE.may_see(s, text, casus, purposes, item, request)
            assert not seen or allowed, (s, request)
    # Data of others in the casus (casus text, household members) is not restricted.
    assert ORACLE.may_see(regisseur, canary({"algemeen"}), casus, purposes)
    assert avg_request("/api/v1/personen/{persoon_id}/inzage/html") == INZAGE
    assert avg_request("/personen/{persoon_id}/avg") == CORRECTIE
    assert avg_request("/api/v1/personen/{persoon_id}/toegangslog") is None
    assert avg_request("/api/v1/casussen/{casus_id}") is None
