"""Information items, sharing through the checklist gegevensdeling, the source's control
(withhold/release), consent and derden data, through the HTTP API with the policy on.

Every rule the endpoints touch has an allow and a deny case; every denied attempt leaves an
audit row (checked in audit_log as the database owner)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_PSYCHIATER,
    ZEIST_WIJKAGENT,
    ZEIST_WOONBEGELEIDER,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from sqlalchemy.orm import Session

from services.platform.db.models import HouseholdMember, Person
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST

FULL_CHECKLIST: dict[str, Any] = {
    "doel": "casusoverleg",
    "grondslag": "publieke-taak",
    "noodzaak": "Zonder deze informatie kan het overleg geen passende aanpak kiezen.",
    "persoon_geinformeerd": True,
}


@pytest.fixture
def users(token_for: Headers) -> dict[str, dict[str, str]]:
    return {
        "politie": token_for(T, ZEIST_WIJKAGENT),
        "expert": token_for(T, ZEIST_PGA_EXPERT),
        "wijkteam": token_for(T, ZEIST_CASUSREGISSEUR),
        "werk": token_for(T, ZEIST_KLANTMANAGER),
        "zorg": token_for(T, ZEIST_PSYCHIATER),  # altrecht: receive-only
        "wonen": token_for(T, ZEIST_WOONBEGELEIDER),
        "adviseur": token_for(T, ZEIST_ADVISEUR),
        "ander": token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT),
    }


def new_casus(
    client: Client,
    users: dict[str, dict[str, str]],
    *,
    invite: tuple[str, ...] = ("rsd-krh",),
    vrijwillig: bool = True,
) -> str:
    """A person casus by the wijkagent; zeist-casusregisseur (wijkteam) is casusregisseur."""
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast, schulden en zorgen over de gezondheid tegelijk.",
            "problemen": {"financien": "Schulden."},
            "geinformeerd": True,
            "vrijwillig": vrijwillig,
            "persoon": {"voornamen": "Ilse", "achternaam": "Informatietest"},
        },
        headers=users["politie"],
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    regie = client.put(
        f"{url}/regie",
        json={"rol": "casusregisseur", "gebruiker": ZEIST_CASUSREGISSEUR},
        headers=users["expert"],
    )
    assert regie.status_code == 200, regie.text
    for org in invite:
        invited = client.post(
            f"{url}/deelnemers",
            json={"organisatie": org, "deelname": "kern"},
            headers=users["expert"],
        )
        assert invited.status_code == 201, invited.text
    return url


def add_item(
    client: Client, url: str, headers: dict[str, str], categorie: str, **extra: Any
) -> dict[str, Any]:
    body = {
        "categorie": categorie,
        "titel": f"Titel {categorie}",
        "inhoud": f"Geheime inhoud over {categorie} {uuid.uuid4().hex[:6]}",
        "doel": "casusoverleg",
        "grondslag": "publieke-taak",
        **extra,
    }
    response = client.post(f"{url}/informatie", json=body, headers=headers)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    assert response.headers["etag"] == f'"v{item["versie"]}"'
    return item


def codes(response: Any) -> set[str]:
    return {r["code"] for r in response.json().get("redenen", [])}


def audit_rows(runtime: Runtime, url: str) -> list[Any]:
    casus_id = url.rsplit("/", 1)[-1]
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT user_id, action, resource_type, resource_id, allowed, reasons, purpose, "
                "legal_basis, decision_id, decision_input::text AS input FROM audit_log "
                "WHERE casus_id = :c"
            ),
            {"c": casus_id},
        ).all()
    engine.dispose()
    return list(rows)


def denied(runtime: Runtime, url: str, user: str, action: str) -> set[str]:
    """The reason codes of the audited denied attempts of ``user`` doing ``action``."""
    found: set[str] = set()
    for row in audit_rows(runtime, url):
        if row.user_id == user and row.action == action and not row.allowed:
            assert row.decision_id is not None
            found |= set(row.reasons)
    return found


def test_items_stay_with_the_source_until_shared_through_the_checklist(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users)
    item = add_item(client, url, users["wijkteam"], "financieel")
    assert item["bronorganisatie"] == "sociaal-wijkteam-zeist"
    assert item["gedeeld"] is False and item["inhoud"].startswith("Geheime inhoud")
    item_url = f"{url}/informatie/{item['id']}"

    # Not shared yet: it does not exist for the other participants.
    assert client.get(item_url, headers=users["werk"]).status_code == 404
    listed = client.get(f"{url}/informatie", headers=users["werk"]).json()
    assert listed == {"items": [], "niet_zichtbaar": 0, "melding": None}
    own = client.get(f"{url}/informatie", headers=users["wijkteam"]).json()
    assert [i["id"] for i in own["items"]] == [item["id"]]

    # The checklist: every missing part is named (rule 4).
    empty = client.post(f"{item_url}/delen", json={}, headers=users["wijkteam"])
    assert empty.status_code == 403, empty.text
    assert codes(empty) >= {
        "deling-doel-ontbreekt",
        "deling-grondslag-ontbreekt",
        "deling-noodzaak-ontbreekt",
        "deling-transparantie-ontbreekt",
    }
    convenant = client.post(
        f"{item_url}/delen",
        json={**FULL_CHECKLIST, "grondslag": "convenant"},
        headers=users["wijkteam"],
    )
    assert convenant.status_code == 403
    assert "convenant-geen-grondslag" in codes(convenant)
    not_informed = client.post(
        f"{item_url}/delen",
        json={**FULL_CHECKLIST, "persoon_geinformeerd": False},
        headers=users["wijkteam"],
    )
    assert "deling-transparantie-ontbreekt" in codes(not_informed)

    # Only the source shares (rule 5): the politie is a participant, but not the source.
    by_other = client.post(f"{item_url}/delen", json=FULL_CHECKLIST, headers=users["politie"])
    assert by_other.status_code == 404  # not shared: unknown to others

    stale = client.post(
        f"{item_url}/delen", json=FULL_CHECKLIST, headers={**users["wijkteam"], "If-Match": '"v9"'}
    )
    assert stale.status_code == 412
    shared = client.post(
        f"{item_url}/delen",
        json={
            **FULL_CHECKLIST,
            "persoon_geinformeerd": False,
            "reden_niet_geinformeerd": "Informeren zou het lopende hulpverleningscontact schaden.",
        },
        headers={**users["wijkteam"], "If-Match": '"v1"'},
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["gedeeld"] is True and shared.json()["gedeeld_op"]
    assert shared.headers["etag"] == '"v2"'
    again = client.post(f"{item_url}/delen", json=FULL_CHECKLIST, headers=users["politie"])
    assert again.status_code == 403
    assert "deling-alleen-door-bron" in codes(again)

    # Rule 3: werk & inkomen has a grant for financieel; the politie has none.
    read = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["werk"])
    assert read.status_code == 200, read.text
    assert read.json()["inhoud"] == item["inhoud"]
    assert read.json()["grondslag"] == "publieke-taak"
    assert read.json()["reden_niet_geinformeerd"].startswith("Informeren zou")
    no_grant = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["politie"])
    assert no_grant.status_code == 403
    assert "categorie-geen-grant" in codes(no_grant)
    assert item["inhoud"] not in no_grant.text
    politie_list = client.get(
        f"{url}/informatie", params={"doel": "casusoverleg"}, headers=users["politie"]
    )
    assert politie_list.status_code == 200
    assert politie_list.json()["items"] == []
    assert politie_list.json()["niet_zichtbaar"] == 1
    assert politie_list.json()["melding"] == "1 item niet zichtbaar voor u"
    assert item["inhoud"] not in politie_list.text
    werk_list = client.get(
        f"{url}/informatie", params={"doel": "casusoverleg"}, headers=users["werk"]
    ).json()
    assert [i["inhoud"] for i in werk_list["items"]] == [item["inhoud"]]

    # The adviseur sees it pseudonymised: metadata, never content.
    pseudo = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["adviseur"])
    assert pseudo.status_code == 200, pseudo.text
    assert pseudo.json()["weergave"] == "pseudoniem"
    assert pseudo.json()["inhoud"] is None and pseudo.json()["titel"] is None

    # Not participating: the list as a whole is refused; another gemeente gets 404.
    outsider = client.get(f"{url}/informatie", headers=users["wonen"])  # kwintes: not invited
    assert outsider.status_code == 403
    assert "geen-need-to-know" in codes(outsider)
    assert client.get(f"{url}/informatie", headers=users["ander"]).status_code == 404
    assert client.get(item_url, headers=users["ander"]).status_code == 404

    # The timeline records the share without content.
    timeline = client.get(f"{url}/tijdlijn", headers=users["wijkteam"]).json()
    shares = [e["samenvatting"] for e in timeline if e["soort"] == "informatie-gedeeld"]
    assert len(shares) == 1
    assert "doel: casusoverleg" in shares[0] and "grondslag: publieke-taak" in shares[0]
    assert "Financiële gegevens" in shares[0]
    assert item["inhoud"] not in str(timeline)

    # Every denied attempt is on record, with its reasons; no content in the audit input.
    assert {"deling-doel-ontbreekt", "convenant-geen-grondslag"} <= denied(
        runtime, url, ZEIST_CASUSREGISSEUR, "share"
    )
    assert "deling-alleen-door-bron" in denied(runtime, url, ZEIST_WIJKAGENT, "share")
    assert "categorie-geen-grant" in denied(runtime, url, ZEIST_WIJKAGENT, "read")
    assert "categorie-geen-grant" in denied(runtime, url, ZEIST_WIJKAGENT, "list")
    rows = audit_rows(runtime, url)
    assert any(r.action == "share" and r.allowed and r.legal_basis == "publieke-taak" for r in rows)
    assert not any(item["inhoud"] in r.input for r in rows)


def test_special_categories_need_an_art9_exception(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users, invite=("rsd-krh", "altrecht"))
    item = add_item(client, url, users["wijkteam"], "bijzonder")
    item_url = f"{url}/informatie/{item['id']}"

    missing = client.post(f"{item_url}/delen", json=FULL_CHECKLIST, headers=users["wijkteam"])
    assert missing.status_code == 403
    assert codes(missing) == {"deling-art9-ontbreekt"}
    ok = client.post(
        f"{item_url}/delen",
        json={**FULL_CHECKLIST, "art9_uitzondering": "zorg-en-sociale-stelsels"},
        headers=users["wijkteam"],
    )
    assert ok.status_code == 200, ok.text

    # Zorg has a grant for bijzonder; werk & inkomen has none.
    zorg = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["zorg"])
    assert zorg.status_code == 200, zorg.text
    assert zorg.json()["art9_uitzondering"] == "zorg-en-sociale-stelsels"
    werk = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["werk"])
    assert werk.status_code == 403
    assert "categorie-geen-grant" in codes(werk)
    assert "deling-art9-ontbreekt" in denied(runtime, url, ZEIST_CASUSREGISSEUR, "share")
    assert "categorie-geen-grant" in denied(runtime, url, ZEIST_KLANTMANAGER, "read")


def test_beroepsgeheim_needs_a_ground(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users)
    item = add_item(client, url, users["wijkteam"], "beroepsgeheim")
    item_url = f"{url}/informatie/{item['id']}"

    missing = client.post(f"{item_url}/delen", json=FULL_CHECKLIST, headers=users["wijkteam"])
    assert missing.status_code == 403
    assert codes(missing) == {"deling-beroepsgeheim-ontbreekt"}
    ok = client.post(
        f"{item_url}/delen",
        json={**FULL_CHECKLIST, "beroepsgeheim_grond": "conflict-van-plichten"},
        headers=users["wijkteam"],
    )
    assert ok.status_code == 200, ok.text
    # The procesregisseur (gemeente OOV) has a grant for beroepsgeheim; the politie none.
    expert = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["expert"])
    assert expert.status_code == 200, expert.text
    assert expert.json()["inhoud"] == item["inhoud"]
    politie = client.get(item_url, params={"doel": "casusoverleg"}, headers=users["politie"])
    assert "categorie-geen-grant" in codes(politie)
    assert "deling-beroepsgeheim-ontbreekt" in denied(runtime, url, ZEIST_CASUSREGISSEUR, "share")


def test_only_the_source_withholds_and_releases(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users)
    item = add_item(client, url, users["wijkteam"], "algemeen")
    item_url = f"{url}/informatie/{item['id']}"
    assert client.post(
        f"{item_url}/delen", json=FULL_CHECKLIST, headers=users["wijkteam"]
    ).is_success
    assert client.get(item_url, headers=users["werk"]).status_code == 200

    not_source = client.post(f"{item_url}/achterhouden", headers=users["werk"])
    assert not_source.status_code == 403
    assert "alleen-bron-achterhouden" in codes(not_source)
    withheld = client.post(f"{item_url}/achterhouden", headers=users["wijkteam"])
    assert withheld.status_code == 200, withheld.text
    assert withheld.json()["achtergehouden"] is True
    twice = client.post(f"{item_url}/achterhouden", headers=users["wijkteam"])
    assert twice.status_code == 409

    # Invisible to the others: refused with the reason, left out of (but counted in) lists.
    hidden = client.get(item_url, headers=users["werk"])
    assert hidden.status_code == 403
    assert "bron-achtergehouden" in codes(hidden)
    assert item["inhoud"] not in hidden.text
    listed = client.get(f"{url}/informatie", headers=users["werk"]).json()
    assert listed["items"] == [] and listed["niet_zichtbaar"] == 1
    own = client.get(item_url, headers=users["wijkteam"])
    assert own.status_code == 200 and own.json()["achtergehouden"] is True
    reshare = client.post(f"{item_url}/delen", json=FULL_CHECKLIST, headers=users["wijkteam"])
    assert "deling-achtergehouden-item" in codes(reshare)

    # Only the source releases.
    other_release = client.post(f"{item_url}/vrijgeven", headers=users["werk"])
    assert other_release.status_code == 403
    assert "alleen-bron-vrijgeven" in codes(other_release)
    released = client.post(f"{item_url}/vrijgeven", headers=users["wijkteam"])
    assert released.status_code == 200, released.text
    assert released.json()["achtergehouden"] is False
    assert client.get(item_url, headers=users["werk"]).json()["inhoud"] == item["inhoud"]
    not_withheld = client.post(f"{item_url}/vrijgeven", headers=users["wijkteam"])
    assert "niet-achtergehouden" in codes(not_withheld)

    # The regie is informed (informeer-regie), without content.
    timeline = client.get(f"{url}/tijdlijn", headers=users["wijkteam"]).json()
    bron = [e["samenvatting"] for e in timeline if e["soort"] == "informatie-bron"]
    assert len(bron) == 2 and "achtergehouden" in bron[0] and "vrijgegeven" in bron[1]

    assert "alleen-bron-achterhouden" in denied(runtime, url, ZEIST_KLANTMANAGER, "withhold")
    assert "alleen-bron-vrijgeven" in denied(runtime, url, ZEIST_KLANTMANAGER, "release")
    assert "bron-achtergehouden" in denied(runtime, url, ZEIST_KLANTMANAGER, "read")
    assert "bron-achtergehouden" in denied(runtime, url, ZEIST_KLANTMANAGER, "list")
    assert "niet-achtergehouden" in denied(runtime, url, ZEIST_CASUSREGISSEUR, "release")


def test_receive_only_partner_cannot_add_information(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users, invite=("altrecht",))
    refused = client.post(
        f"{url}/informatie",
        json={
            "categorie": "beroepsgeheim",
            "titel": "Diagnose",
            "inhoud": "Vertrouwelijk.",
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
        },
        headers=users["zorg"],
    )
    assert refused.status_code == 403
    assert "alleen-ontvangen" in codes(refused)
    assert "alleen-ontvangen" in denied(runtime, url, ZEIST_PSYCHIATER, "create")
    # A regular participant may add the same.
    add_item(client, url, users["wijkteam"], "beroepsgeheim")


def test_create_validates_codes(client: Client, users: dict[str, dict[str, str]]) -> None:
    url = new_casus(client, users)
    bad = client.post(
        f"{url}/informatie",
        json={
            "categorie": "geheim",
            "titel": "X",
            "inhoud": "Y",
            "doel": "nieuwsgierigheid",
            "grondslag": "convenant",
        },
        headers=users["wijkteam"],
    )
    assert bad.status_code == 422, bad.text
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"categorie", "doel", "grondslag"} <= fields
    unknown = client.post(
        f"{url}/informatie", json={"titel": "X", "onbekend": 1}, headers=users["wijkteam"]
    )
    assert unknown.status_code == 422
    # An art. 9 exception is only checked by the policy for special data; unknown codes are
    # refused anyway, and nothing is shared.
    item = add_item(client, url, users["wijkteam"], "algemeen")
    odd = client.post(
        f"{url}/informatie/{item['id']}/delen",
        json={**FULL_CHECKLIST, "art9_uitzondering": "onbekende-grond"},
        headers=users["wijkteam"],
    )
    assert odd.status_code == 422, odd.text
    assert {e["field"] for e in odd.json()["errors"]} == {"art9_uitzondering"}
    again = client.get(f"{url}/informatie/{item['id']}", headers=users["wijkteam"])
    assert again.json()["gedeeld"] is False


def _record_consent(client: Client, url: str, headers: dict[str, str], doel: str) -> str:
    response = client.post(
        f"{url}/toestemmingen",
        json={"doel": doel, "reikwijdte": "Inkomensgegevens met schuldhulp."},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["geldig"] is True
    return str(response.json()["id"])


def test_consent_is_recorded_purpose_specific_and_revocable(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users)
    consent_share = {**FULL_CHECKLIST, "doel": "plan-van-aanpak", "grondslag": "toestemming"}
    first = add_item(client, url, users["wijkteam"], "financieel")
    second = add_item(client, url, users["wijkteam"], "financieel")
    third = add_item(client, url, users["wijkteam"], "financieel")

    # Consent is never assumed.
    none = client.post(
        f"{url}/informatie/{first['id']}/delen", json=consent_share, headers=users["wijkteam"]
    )
    assert none.status_code == 403
    assert "toestemming-niet-vastgelegd" in codes(none)

    consent_id = _record_consent(client, url, users["wijkteam"], "plan-van-aanpak")
    assert (
        client.post(
            f"{url}/toestemmingen", json={"doel": "onbekend-doel"}, headers=users["wijkteam"]
        ).status_code
        == 422
    )
    listed = client.get(f"{url}/toestemmingen", headers=users["werk"])
    assert listed.status_code == 200, listed.text
    assert [(c["doel"], c["geldig"]) for c in listed.json()] == [("plan-van-aanpak", True)]
    assert client.get(f"{url}/toestemmingen", headers=users["wonen"]).status_code == 403

    ok = client.post(
        f"{url}/informatie/{first['id']}/delen", json=consent_share, headers=users["wijkteam"]
    )
    assert ok.status_code == 200, ok.text
    other_purpose = client.post(
        f"{url}/informatie/{second['id']}/delen",
        json={**consent_share, "doel": "casusoverleg"},
        headers=users["wijkteam"],
    )
    assert other_purpose.status_code == 403
    assert "toestemming-ander-doel" in codes(other_purpose)
    first_url = f"{url}/informatie/{first['id']}"
    read = client.get(first_url, params={"doel": "plan-van-aanpak"}, headers=users["werk"])
    assert read.status_code == 200 and read.json()["inhoud"] == first["inhoud"]

    # Revoked: no longer a basis, for new shares nor for reading what was shared on it.
    revoked = client.post(f"{url}/toestemmingen/{consent_id}/intrekken", headers=users["wijkteam"])
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["geldig"] is False and revoked.json()["ingetrokken_op"]
    twice = client.post(f"{url}/toestemmingen/{consent_id}/intrekken", headers=users["wijkteam"])
    assert twice.status_code == 409
    after = client.post(
        f"{url}/informatie/{third['id']}/delen", json=consent_share, headers=users["wijkteam"]
    )
    assert after.status_code == 403
    assert "toestemming-ingetrokken" in codes(after)
    unread = client.get(first_url, params={"doel": "plan-van-aanpak"}, headers=users["werk"])
    assert unread.status_code == 403
    assert "toestemming-ingetrokken" in codes(unread)
    # The list (one decision context for the page) never shows content shared on consent.
    listed_items = client.get(
        f"{url}/informatie", params={"doel": "plan-van-aanpak"}, headers=users["werk"]
    ).json()["items"]
    assert [(i["id"], i["inhoud"]) for i in listed_items] == [(first["id"], None)]
    # The source keeps its own information.
    own = client.get(first_url, params={"doel": "plan-van-aanpak"}, headers=users["wijkteam"])
    assert own.status_code == 200

    # Re-sharing on another basis is possible.
    public = client.post(
        f"{url}/informatie/{first['id']}/delen",
        json={**consent_share, "grondslag": "publieke-taak"},
        headers=users["wijkteam"],
    )
    assert public.status_code == 200, public.text
    assert client.get(
        first_url, params={"doel": "plan-van-aanpak"}, headers=users["werk"]
    ).is_success

    assert {"toestemming-niet-vastgelegd", "toestemming-ander-doel", "toestemming-ingetrokken"} <= (
        denied(runtime, url, ZEIST_CASUSREGISSEUR, "share")
    )
    assert "toestemming-ingetrokken" in denied(runtime, url, ZEIST_KLANTMANAGER, "read")
    timeline = client.get(f"{url}/tijdlijn", headers=users["wijkteam"]).json()
    assert [e["soort"] for e in timeline].count("toestemming") == 2


def test_consent_is_invalid_under_a_power_imbalance(
    client: Client, users: dict[str, dict[str, str]]
) -> None:
    url = new_casus(client, users, vrijwillig=False)
    _record_consent(client, url, users["wijkteam"], "plan-van-aanpak")
    item = add_item(client, url, users["wijkteam"], "financieel")
    refused = client.post(
        f"{url}/informatie/{item['id']}/delen",
        json={**FULL_CHECKLIST, "doel": "plan-van-aanpak", "grondslag": "toestemming"},
        headers=users["wijkteam"],
    )
    assert refused.status_code == 403
    assert "toestemming-ongelijke-verhouding" in codes(refused)


def test_consent_recorded_under_a_power_imbalance_is_no_basis(
    client: Client, users: dict[str, dict[str, str]]
) -> None:
    url = new_casus(client, users)  # voluntary casus: the imbalance is recorded with consent
    recorded = client.post(
        f"{url}/toestemmingen",
        json={"doel": "plan-van-aanpak", "ongelijke_verhouding": True},
        headers=users["wijkteam"],
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["geldig"] is False
    item = add_item(client, url, users["wijkteam"], "financieel")
    refused = client.post(
        f"{url}/informatie/{item['id']}/delen",
        json={**FULL_CHECKLIST, "doel": "plan-van-aanpak", "grondslag": "toestemming"},
        headers=users["wijkteam"],
    )
    assert refused.status_code == 403
    assert "toestemming-ongelijke-verhouding" in codes(refused)


def _household_member(runtime: Runtime, url: str) -> str:
    """Add a household member to the casus subject (no API for it in this module)."""
    casus_id = url.rsplit("/", 1)[-1]
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    member_id = uuid.uuid4()
    with Session(engine) as session, session.begin():
        subject = session.execute(
            sa.text("SELECT subject_person_id FROM casussen WHERE id = :c"), {"c": casus_id}
        ).scalar_one()
        session.add(
            Person(tenant_id=T, id=member_id, given_names="Broer", surname="Gezinslid", version=1)
        )
        session.flush()
        session.add(
            HouseholdMember(
                tenant_id=T,
                id=uuid.uuid4(),
                person_id=subject,
                member_person_id=member_id,
                relation="broer",
            )
        )
    engine.dispose()
    return str(member_id)


def test_derden_data_is_kept_apart_from_the_subject(
    client: Client, users: dict[str, dict[str, str]], runtime: Runtime
) -> None:
    url = new_casus(client, users)
    member = _household_member(runtime, url)

    without = client.post(
        f"{url}/informatie",
        json={"categorie": "derden", "titel": "Broer", "inhoud": "X", "doel": "casusoverleg"},
        headers=users["wijkteam"],
    )
    assert without.status_code == 422
    assert {e["field"] for e in without.json()["errors"]} == {"over_persoon_id"}
    stranger = client.post(
        f"{url}/informatie",
        json={
            "categorie": "derden",
            "titel": "Iemand",
            "inhoud": "X",
            "doel": "casusoverleg",
            "over_persoon_id": str(uuid.uuid4()),
        },
        headers=users["wijkteam"],
    )
    assert stranger.status_code == 422

    subject_item = add_item(client, url, users["wijkteam"], "algemeen")
    derden = add_item(client, url, users["wijkteam"], "derden", over_persoon_id=member)
    assert derden["over_persoon_id"] == member
    for item in (subject_item, derden):
        shared = client.post(
            f"{url}/informatie/{item['id']}/delen", json=FULL_CHECKLIST, headers=users["wijkteam"]
        )
        assert shared.status_code == 200, shared.text

    # Never in (nor counted in) the subject's list, for the source nor for others.
    for who in ("wijkteam", "werk", "expert"):
        listed = client.get(f"{url}/informatie", headers=users[who]).json()
        assert [i["id"] for i in listed["items"]] == [subject_item["id"]], who
        assert listed["niet_zichtbaar"] == 0
        assert derden["inhoud"] not in str(listed)
    detail = client.get(url, headers=users["wijkteam"])
    assert derden["inhoud"] not in detail.text

    # Apart, per household member: the source sees it; no partner has a derden grant.
    apart = client.get(
        f"{url}/informatie", params={"over_persoon_id": member}, headers=users["wijkteam"]
    ).json()
    assert [i["id"] for i in apart["items"]] == [derden["id"]]
    others = client.get(
        f"{url}/informatie", params={"over_persoon_id": member}, headers=users["werk"]
    ).json()
    assert others["items"] == [] and others["niet_zichtbaar"] == 1
    assert "categorie-geen-grant" in denied(runtime, url, ZEIST_KLANTMANAGER, "list")
