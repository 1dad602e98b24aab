"""Gaps of issue 12 closed in the service and API as well as in the browser: archiveren
needs a reason (422 problem+json without one, recorded with the casus); a household member's
membership is ended (date and reason) and shown as ended; actions from a casusoverleg are
done or postponed from the werkvoorraad; a zelfredzaamheid measurement has a toelichting,
shown beside the table and masked like other free text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    VEENENDAAL,
    VEENENDAAL_KLANTMANAGER,
    VEENENDAAL_PGA_EXPERT,
    VEENENDAAL_WIJKAGENT,
    ZEIST,
    ZEIST_ADVISEUR,
)
from test_web_casus_safeguards import (
    EXPERT,
    OUTSIDER,
    REGISSEUR,
    Api,
    get,
    login,
    post,
    token,
)

from services.casework.domain.local_time import local_today
from tenants.reference import ZRM_DOMAINS

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
ADVISEUR = ZEIST_ADVISEUR
V, V_WIJKAGENT, V_EXPERT, V_OUTSIDER = (
    VEENENDAAL,
    VEENENDAAL_WIJKAGENT,
    VEENENDAAL_PGA_EXPERT,
    VEENENDAAL_KLANTMANAGER,
)


@pytest.fixture
def api(client: Client, token_for: Headers) -> Api:
    return Api(client, token_for)


def test_archiveren_needs_a_reason_in_the_api_too(client: Client, api: Api) -> None:
    casus_id = api.casus("Archiefapi", to="niet_opgenomen")
    url = f"/casussen/{casus_id}"
    api.etag = client.get(f"/api/v1{url}", headers=api.token_for(T, EXPERT)).headers["etag"]
    for body in ({"naar": "gearchiveerd"}, {"naar": "gearchiveerd", "reden": "   "}):
        problem = client.post(
            f"/api/v1{url}/overgang",
            json=body,
            headers={**api.token_for(T, EXPERT), "If-Match": api.etag},
        )
        assert problem.status_code == 422, problem.text
        assert problem.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in problem.json()["errors"]] == ["reden"]
        if "reden" not in body:
            assert "archiveren" in problem.json()["errors"][0]["message"]
    assert api.call("GET", url, EXPERT)["fase"] == "niet_opgenomen"

    moved = api.call(
        "POST", f"{url}/overgang", EXPERT, {"naar": "gearchiveerd", "reden": "Dossier compleet."}
    )
    assert moved["fase"] == "gearchiveerd"
    casus = api.call("GET", url, EXPERT)
    assert casus["afsluiting"]["archiveer_reden"] == "Dossier compleet."
    timeline = api.call("GET", f"{url}/tijdlijn", EXPERT)
    assert any("Dossier compleet." in e["samenvatting"] for e in timeline)


def test_overleg_actions_are_done_or_postponed_from_the_werkvoorraad(
    client: Client, api: Api, token_for: Headers
) -> None:
    # In Veenendaal, with a meeting type no other test holds meetings of ("vorig overleg" is
    # per type and tenant: test_casework_meetings and test_web_overleg count on theirs).
    today = local_today()
    wijkagent, expert = token_for(V, V_WIJKAGENT), token_for(V, V_EXPERT)
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast: een integrale aanpak is nodig.",
            "geinformeerd": True,
            "persoon": {"voornamen": "Olaf", "achternaam": "Overlegactie"},
        },
        headers=wijkagent,
    )
    assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    held_at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    meeting = client.post(
        "/api/v1/overleggen",
        json={"type": "mdo", "datum_tijd": held_at, "agenda": [{"casus_id": casus_id}]},
        headers=expert,
    )
    assert meeting.status_code == 201, meeting.text
    meeting_id = meeting.json()["id"]
    url = f"/api/v1/overleggen/{meeting_id}"
    later = [(today + dt.timedelta(days=d)).isoformat() for d in (3, 7)]
    minutes = {
        "agendapunten": [
            {
                "casus_id": casus_id,
                "besluitvorming": "Stopgesprek en huisbezoek.",
                "acties": [
                    {
                        "omschrijving": "Stopgesprek voeren.",
                        "eigenaar_organisatie": "politie-basisteam-veenendaal",
                        "eigenaar_gebruiker": V_WIJKAGENT,
                        "deadline": later[0],
                    },
                    {
                        "omschrijving": "Huisbezoek afleggen.",
                        "eigenaar_organisatie": "politie-basisteam-veenendaal",
                        "deadline": later[1],
                    },
                ],
            }
        ]
    }
    version = client.get(url, headers=expert).headers["etag"]
    recorded = client.put(f"{url}/verslag", json=minutes, headers={**expert, "If-Match": version})
    assert recorded.status_code == 200, recorded.text

    def items() -> dict[str, dict[str, Any]]:
        queue = client.get("/api/v1/werkvoorraad", headers=wijkagent).json()["items"]
        return {
            i["onderwerp"]: i
            for i in queue
            if i["soort"] == "overlegactie" and i["casus_id"] == casus_id
        }

    listed = items()
    assert set(listed) == {f"{meeting_id}-1", f"{meeting_id}-2"}
    first = listed[f"{meeting_id}-1"]
    assert first["status"] == "open" and first["plan_versie"] >= 1
    body = {
        "casus_id": casus_id,
        "soort": "overlegactie",
        "onderwerp": first["onderwerp"],
        "plan_versie": first["plan_versie"],
    }
    # Someone whose organisation takes no part: refused, nothing changes.
    refused = client.post(
        "/api/v1/werkvoorraad/gereed", json=body, headers=token_for(V, V_OUTSIDER)
    )
    assert refused.status_code in (403, 404), refused.text
    unknown = client.post(
        "/api/v1/werkvoorraad/gereed",
        json={**body, "onderwerp": f"{meeting_id}-9"},
        headers=wijkagent,
    )
    assert unknown.status_code == 404, unknown.text
    assert set(items()) == set(listed)

    done = client.post("/api/v1/werkvoorraad/gereed", json=body, headers=wijkagent)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "gereed" and done.json()["soort"] == "overlegactie"
    assert set(items()) == {f"{meeting_id}-2"}
    stale = client.post("/api/v1/werkvoorraad/gereed", json=body, headers=wijkagent)
    assert stale.status_code in (409, 412), stale.text
    again = client.post(
        "/api/v1/werkvoorraad/gereed",
        json={**body, "plan_versie": done.json()["plan_versie"]},
        headers=wijkagent,
    )
    assert again.status_code == 409 and again.json()["code"] == "actie-afgehandeld"

    # The second one is postponed in the browser: a reason is needed, the input is kept.
    second = items()[f"{meeting_id}-2"]
    assert login_as(client, V, V_WIJKAGENT).status_code == 200
    html = get(client, "/werkvoorraad")
    assert f'id="uitstellen-overlegactie-{casus_id}-{meeting_id}-2"' in html
    form = {
        "csrf_token": token(html),
        "casus_id": casus_id,
        "soort": "overlegactie",
        "onderwerp": second["onderwerp"],
        "plan_versie": str(second["plan_versie"]),
        "nieuwe_datum": (today + dt.timedelta(days=21)).isoformat(),
    }
    missing = post(client, "/werkvoorraad/uitstellen", form, status=422).text
    assert "Geef de reden van het uitstel." in missing or "reden" in missing
    assert (today + dt.timedelta(days=21)).isoformat() in missing
    moved = post(client, "/werkvoorraad/uitstellen", {**form, "reden": "Betrokkene is opgenomen."})
    assert moved.headers["location"] == "/werkvoorraad?melding=werk-uitgesteld"
    assert items()[f"{meeting_id}-2"]["datum"] == (today + dt.timedelta(days=21)).isoformat()
    verslag = client.get(url, headers=expert).json()
    (line,) = [a for a in verslag["agenda"] if a["casus_id"] == casus_id]
    assert line["acties"][0]["status"] == "gereed"
    assert line["acties"][1]["uitstel"][0]["reden"] == "Betrokkene is opgenomen."
    # Correcting the verslag keeps what became of its actions.
    version = client.get(url, headers=expert).headers["etag"]
    corrected = client.put(f"{url}/verslag", json=minutes, headers={**expert, "If-Match": version})
    assert corrected.status_code == 200, corrected.text
    (line,) = client.get(url, headers=expert).json()["agenda"]
    assert [a["status"] for a in line["acties"]] == ["gereed", "open"]
    assert line["acties"][1]["uitstel"][0]["reden"] == "Betrokkene is opgenomen."
    assert set(items()) == {f"{meeting_id}-2"}
    timeline = client.get(f"/api/v1/casussen/{casus_id}/tijdlijn", headers=expert).json()
    summaries = [e["samenvatting"] for e in timeline]
    assert any("gereed" in s and "Actie uit het overleg" in s for s in summaries)
    assert any("uitgesteld tot" in s for s in summaries)


def test_a_household_member_is_ended_and_shown_as_ended(client: Client, api: Api) -> None:
    casus_id = api.casus("Huishoudeneinde")
    url = f"/casussen/{casus_id}"
    for first in ("Petra", "Bram"):
        api.call(
            "POST",
            f"{url}/gezinsleden",
            REGISSEUR,
            {"relatie": "partner", "persoon": {"voornamen": first, "achternaam": "Lid"}},
            status=201,
        )
    members = {
        m["persoon"]["voornamen"]: m for m in api.call("GET", f"{url}/gezinsleden", REGISSEUR)
    }
    petra, bram = members["Petra"], members["Bram"]
    assert petra["beeindigd_op"] is None and petra["reden_einde"] is None
    end = f"/api/v1{url}/gezinsleden/{petra['id']}/beeindigen"
    headers = api.token_for(T, REGISSEUR)
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    missing = client.post(end, json={"datum": tomorrow}, headers=headers)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "reden"
    future = client.post(end, json={"datum": tomorrow, "reden": "Verhuisd."}, headers=headers)
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "datum"
    outsider = client.post(end, json={"reden": "Verhuisd."}, headers=api.token_for(T, OUTSIDER))
    assert outsider.status_code in (403, 404), outsider.text
    foreign = client.post(
        f"/api/v1{url}/gezinsleden/{casus_id}/beeindigen",
        json={"reden": "Verhuisd."},
        headers=headers,
    )
    assert foreign.status_code == 404
    assert all(m["beeindigd_op"] is None for m in api.call("GET", f"{url}/gezinsleden", REGISSEUR))

    ended = client.post(end, json={"reden": "Verhuisd naar een eigen woning."}, headers=headers)
    assert ended.status_code == 200, ended.text
    assert ended.json()["beeindigd_op"] == local_today().isoformat()
    again = client.post(end, json={"reden": "Nogmaals."}, headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "gezinslid-al-beeindigd"
    members = {
        m["persoon"]["voornamen"]: m for m in api.call("GET", f"{url}/gezinsleden", REGISSEUR)
    }
    assert members["Petra"]["beeindigd_op"] == local_today().isoformat()
    assert members["Petra"]["reden_einde"] == "Verhuisd naar een eigen woning."
    assert members["Bram"]["beeindigd_op"] is None

    # In the browser: the household section shows the ended member as ended, and ends Bram.
    login(client, REGISSEUR)
    html = get(client, url)
    assert f'id="gezinslid-{petra["id"]}-beeindigd">Beëindigd op' in html
    form_url = f"{url}/gezinsleden/{bram['id']}/beeindigen"
    assert f'action="{form_url}#gezinslid-{bram["id"]}-einde"' in html
    refused = post(client, form_url, {"csrf_token": token(html), "datum": "01-11-2026"}, 422).text
    assert "01-11-2026" in refused  # the input is kept
    assert f'id="gezinslid-{bram["id"]}-einde" open' in refused
    done = post(
        client,
        form_url,
        {"csrf_token": token(html), "datum": "01-11-2026", "reden": "Uit huis geplaatst."},
    )
    assert done.headers["location"] == f"{url}?melding=gezinslid-beeindigd"
    html = get(client, url)
    assert f'id="gezinslid-{bram["id"]}-beeindigd">Beëindigd op 1 november 2026' in html


def test_a_zrm_measurement_has_a_toelichting_masked_like_free_text(
    client: Client, api: Api
) -> None:
    casus_id = api.casus("Zrmtoelichting")
    url = f"/casussen/{casus_id}/zelfredzaamheid"
    scores = dict.fromkeys(ZRM_DOMAINS, 3)
    text = "Afgenomen samen met de klantmanager; schulden drukken de score."
    recorded = api.call(
        "POST",
        url,
        REGISSEUR,
        {"moment": "intake", "scores": scores, "toelichting": text},
        status=201,
    )
    assert recorded["toelichting"] == text
    history = api.call("GET", url, REGISSEUR)
    assert [m["toelichting"] for m in history["metingen"]] == [text]
    # The adviseur's pseudonymised view shows no free text of the casus.
    pseudo = api.call("GET", url, ADVISEUR)
    assert [m["toelichting"] for m in pseudo["metingen"]] == [None]
    assert text not in str(pseudo)

    # In the browser: the field in the form, the toelichting beside the table.
    login(client, REGISSEUR)
    html = get(client, url)
    assert 'for="zrm-toelichting">Toelichting (optioneel)' in html
    assert f">{text}</dd>" in html
    form = {"csrf_token": token(html), "moment": "tussentijds", "toelichting": "Tweede keer."}
    refused = post(client, url, form, status=422).text  # no scores: the input is kept
    assert "Tweede keer.</textarea>" in refused
    done = post(client, url, {**form, **{f"scores.{d}": "4" for d in ZRM_DOMAINS}})
    assert done.headers["location"] == f"{url}?melding=zrm-vastgelegd"
    html = get(client, url)
    assert ">Tweede keer.</dd>" in html
    login(client, ADVISEUR)
    assert "Tweede keer." not in get(client, url)
