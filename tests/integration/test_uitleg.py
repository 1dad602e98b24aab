"""Uitleg ("mag ik dit delen?"): the policy explains in Dutch which rules decide and what is
still missing, for a casus (hypothetical item) and for an existing item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST


def _casus(client: Client, token_for: Headers) -> str:
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Zorgen over gezondheid en overlast: meerdere partners nodig.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Uri", "achternaam": "Uitlegtest"},
        },
        headers=token_for(T, ZEIST_WIJKAGENT),
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}"
    assert (
        client.put(
            f"{url}/regie",
            json={"rol": "casusregisseur", "gebruiker": ZEIST_CASUSREGISSEUR},
            headers=token_for(T, ZEIST_PGA_EXPERT),
        ).status_code
        == 200
    )
    return url


def _codes(reasons: list[dict[str, Any]]) -> set[str]:
    return {r["code"] for r in reasons}


def test_uitleg_names_what_is_missing_for_a_share(
    client: Client, token_for: Headers, runtime: Runtime
) -> None:
    url = _casus(client, token_for)
    regisseur = token_for(T, ZEIST_CASUSREGISSEUR)

    partial = client.get(
        f"{url}/uitleg",
        params={
            "actie": "share",
            "categorie": "bijzonder",
            "doel": "plan-van-aanpak",
            "grondslag": "publieke-taak",
        },
        headers=regisseur,
    )
    assert partial.status_code == 200, partial.text
    body = partial.json()
    assert body["toegestaan"] is False
    assert _codes(body["geweigerd_door"]) == {
        "deling-art9-ontbreekt",
        "deling-noodzaak-ontbreekt",
        "deling-transparantie-ontbreekt",
    }
    assert "een uitzonderingsgrond uit art. 9 AVG" in body["ontbreekt"]
    assert any("noodzaak" in m for m in body["ontbreekt"])
    assert body["samenvatting"].startswith("Niet toegestaan")
    assert "Nog nodig:" in body["samenvatting"]
    assert "eigen-bron" in _codes(body["toegestaan_door"])

    complete = client.get(
        f"{url}/uitleg",
        params={
            "actie": "share",
            "categorie": "bijzonder",
            "doel": "plan-van-aanpak",
            "grondslag": "publieke-taak",
            "art9_uitzondering": "zorg-en-sociale-stelsels",
            "noodzaak": "Zonder deze gegevens kan de zorgpartner geen passend aanbod doen.",
            "persoon_geinformeerd": "true",
        },
        headers=regisseur,
    ).json()
    assert complete["toegestaan"] is True
    assert complete["ontbreekt"] == []
    assert "checklist-compleet" in _codes(complete["toegestaan_door"])
    assert "registreer-deling" in {o["code"] for o in complete["verplichtingen"]}
    assert complete["samenvatting"].startswith("Toegestaan")

    # Consent as a basis without a recorded consent, and a convenant as "basis".
    consent = client.get(
        f"{url}/uitleg",
        params={
            "categorie": "financieel",
            "doel": "plan-van-aanpak",
            "grondslag": "toestemming",
            "noodzaak": "Nodig voor de betalingsregeling.",
            "persoon_geinformeerd": "true",
        },
        headers=regisseur,
    ).json()
    assert consent["actie"] == "share"
    assert "toestemming-niet-vastgelegd" in _codes(consent["geweigerd_door"])
    assert "vastgelegde toestemming" in consent["ontbreekt"]
    convenant = client.get(
        f"{url}/uitleg",
        params={"categorie": "algemeen", "grondslag": "convenant"},
        headers=regisseur,
    ).json()
    assert {"convenant-geen-grondslag", "deling-doel-ontbreekt"} <= _codes(
        convenant["geweigerd_door"]
    )

    # Reading: a category without a grant for the caller's domain.
    politie = client.get(
        f"{url}/uitleg",
        params={"actie": "read", "categorie": "beroepsgeheim", "doel": "casusoverleg"},
        headers=token_for(T, ZEIST_WIJKAGENT),
    ).json()
    assert politie["toegestaan"] is False
    # No grant, and (issue 9) no ground to break the beroepsgeheim either.
    assert _codes(politie["geweigerd_door"]) == {
        "categorie-geen-grant",
        "beroepsgeheim-grond-ontbreekt",
    }

    # Asking needs only membership of the gemeente; the answer holds no content.
    outsider = client.get(
        f"{url}/uitleg",
        params={"categorie": "algemeen", "doel": "casusoverleg"},
        headers=token_for(T, ZEIST_KLANTMANAGER),
    )
    assert outsider.status_code == 200
    assert outsider.json()["toegestaan"] is False
    assert {"geen-need-to-know", "deling-alleen-door-bron"} <= _codes(
        outsider.json()["geweigerd_door"]
    )
    assert "Uitlegtest" not in outsider.text
    assert (
        client.get(
            f"{url}/uitleg", headers=token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)
        ).status_code
        == 404
    )
    invalid = client.get(f"{url}/uitleg", params={"actie": "verwijderen"}, headers=regisseur)
    assert invalid.status_code == 422
    assert {e["field"] for e in invalid.json()["errors"]} == {"actie"}

    # Asking is audited.
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        asked = conn.execute(
            sa.text(
                "SELECT count(*) FROM audit_log WHERE casus_id = :c AND action = 'explain' "
                "AND allowed"
            ),
            {"c": url.rsplit("/", 1)[-1]},
        ).scalar_one()
    engine.dispose()
    assert asked >= 6


def test_uitleg_for_an_existing_item(client: Client, token_for: Headers) -> None:
    url = _casus(client, token_for)
    regisseur = token_for(T, ZEIST_CASUSREGISSEUR)
    created = client.post(
        f"{url}/informatie",
        json={
            "categorie": "beroepsgeheim",
            "titel": "Behandeling",
            "inhoud": "Vertrouwelijke behandelinformatie.",
            "doel": "casusoverleg",
        },
        headers=regisseur,
    )
    assert created.status_code == 201, created.text
    item_url = f"{url}/informatie/{created.json()['id']}"

    missing = client.get(
        f"{item_url}/uitleg",
        params={
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "persoon_geinformeerd": "true",
        },
        headers=regisseur,
    ).json()
    assert missing["toegestaan"] is False
    assert _codes(missing["geweigerd_door"]) == {
        "deling-beroepsgeheim-ontbreekt",
        "deling-noodzaak-ontbreekt",
    }
    assert len(missing["ontbreekt"]) == 2
    assert "Vertrouwelijke" not in str(missing)

    complete = client.get(
        f"{item_url}/uitleg",
        params={
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "beroepsgeheim_grond": "conflict-van-plichten",
            "noodzaak": "Acuut gevaar voor de persoon zelf.",
            "persoon_geinformeerd": "true",
        },
        headers=regisseur,
    ).json()
    assert complete["toegestaan"] is True

    # Not shared yet: the item does not exist for others.
    assert (
        client.get(f"{item_url}/uitleg", headers=token_for(T, ZEIST_WIJKAGENT)).status_code == 404
    )
    shared = client.post(
        f"{item_url}/delen",
        json={
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "beroepsgeheim_grond": "conflict-van-plichten",
            "noodzaak": "Acuut gevaar voor de persoon zelf.",
            "persoon_geinformeerd": True,
        },
        headers=regisseur,
    )
    assert shared.status_code == 200, shared.text
    read = client.get(
        f"{item_url}/uitleg",
        params={"actie": "read", "doel": "casusoverleg"},
        headers=token_for(T, ZEIST_WIJKAGENT),
    ).json()
    assert read["toegestaan"] is False
    assert "categorie-geen-grant" in _codes(read["geweigerd_door"])
    expert = client.get(
        f"{item_url}/uitleg",
        params={"actie": "read", "doel": "casusoverleg"},
        headers=token_for(T, ZEIST_PGA_EXPERT),
    ).json()
    assert expert["toegestaan"] is True and expert["weergave"] == "full"
