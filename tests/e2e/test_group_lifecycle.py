"""One youth group through the seven steps of the Werkproces problematische jeugdgroepen
(seed 003), each step by the role that does it in real life, with the policy engine deciding
every read and write; and a second group that leaves early after step 2."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_COORDINATOR,
    ZEIST_DRIEHOEK,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)

from services.casework.domain.local_time import local_today
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
CASUSSEN = "/api/v1/casussen"


def _codes(response: Any) -> set[str]:
    return {r["code"] for r in response.json().get("redenen", [])}


def _move(
    client: TestClient[Litestar],
    url: str,
    headers: dict[str, str],
    target: str,
    reason: str | None = None,
) -> Any:
    etag = client.get(url, headers=headers).headers["etag"]
    body: dict[str, Any] = {"naar": target}
    if reason:
        body["reden"] = reason
    return client.post(f"{url}/overgang", json=body, headers={**headers, "If-Match": etag})


def _plan(deadline: str, version: int) -> dict[str, Any]:
    return {
        "doelen": [
            {
                "leefgebied": "tijdsbesteding",
                "probleem": "Groep hangt 's avonds rond zonder dagbesteding.",
                "doel": "Iedere jongere heeft school, werk of een vaste activiteit.",
            },
            {
                "leefgebied": "justitie",
                "probleem": "Vernielingen en intimidatie rond het winkelcentrum.",
                "doel": "Geen nieuwe incidenten rond het winkelcentrum.",
            },
        ],
        "eindcriterium": "Drie maanden geen overlastmeldingen over de groep.",
        "acties": [
            {
                "id": "a1",
                "omschrijving": "Ambulant jongerenwerk op vrijdagavond.",
                "eigenaar_organisatie": "jongerenwerk-zeist",
                "eigenaar_gebruiker": ZEIST_COORDINATOR,
                "deadline": deadline,
                "status": "open" if version == 1 else "loopt",
            }
        ],
        "interventies": [
            {"spoor": "bestuurlijk", "omschrijving": "Cameratoezicht bij het winkelcentrum."},
            {"spoor": "zorg", "omschrijving": "Trajecten naar school en werk."},
        ],
    }


def test_group_through_seven_steps_and_early_exit(
    client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    jongerenwerk = token_for(T, ZEIST_COORDINATOR)  # jongerenwerk; uitvoeringscoordinator
    expert = token_for(T, ZEIST_PGA_EXPERT)  # procesregisseur (gemeente)
    wijkagent = token_for(T, ZEIST_WIJKAGENT)  # politie professional
    wijkteam = token_for(T, ZEIST_CASUSREGISSEUR)  # sociaal wijkteam professional
    driehoek = token_for(T, ZEIST_DRIEHOEK)  # teamchef in de lokale driehoek
    adviseur = token_for(T, ZEIST_ADVISEUR)
    other_tenant = token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)

    # A person casus of one of the youngsters, aangemeld earlier by the wijkagent.
    person_casus = client.post(
        CASUSSEN,
        json={
            "soort": "persoon",
            "waarom_integraal": "Overlast, schooluitval en contacten met een jeugdgroep.",
            "problemen": {"werk-opleiding": "Geen school."},
            "geinformeerd": True,
            "persoon": {
                "voornamen": "Jayden",
                "achternaam": "Groepstest",
                "roepnaam": "Jay",
                "geboortedatum": "2008-04-02",
            },
        },
        headers=wijkagent,
    )
    assert person_casus.status_code == 201, person_casus.text
    person_casus_id = person_casus.json()["id"]

    # Step 1 - aanmelding of the group by the jongerenwerk: group level only.
    with_person = client.post(
        CASUSSEN,
        json={
            "soort": "groep",
            "waarom_integraal": "Groep jongeren veroorzaakt structureel overlast en intimidatie.",
            "geinformeerd": True,
            "groepsnaam": "Groep Winkelcentrum Noord",
            "persoon": {"voornamen": "Milan", "achternaam": "Groepslid"},
        },
        headers=jongerenwerk,
    )
    assert with_person.status_code == 422
    created = client.post(
        CASUSSEN,
        json={
            "soort": "groep",
            "waarom_integraal": "Groep jongeren veroorzaakt structureel overlast en intimidatie.",
            "geinformeerd": True,
            "groepsnaam": "Groep Winkelcentrum Noord",
            "overleg": "groepsoverleg",
        },
        headers=jongerenwerk,
    )
    assert created.status_code == 201, created.text
    assert created.json()["fase"] == "stap-1"
    group_id = created.json()["id"]
    url = f"{CASUSSEN}/{group_id}"
    assert client.get(url, headers=other_tenant).status_code == 404

    # Step 1 - signalen delen (group level), by the jongerenwerk and the procesregisseur.
    signal = client.post(
        f"{url}/signalen",
        json={
            "tekst": "Groep van tien tot vijftien jongeren hangt 's avonds rond; vernielingen.",
            "waargenomen_op": local_today().isoformat(),
            "locatie": "Winkelcentrum Noord",
        },
        headers=jongerenwerk,
    )
    assert signal.status_code == 201, signal.text
    assert signal.json()["stap"] == 1
    assert (
        client.post(
            f"{url}/signalen",
            json={"tekst": "Meldingen van bewoners over intimidatie bij de bushalte."},
            headers=expert,
        ).status_code
        == 201
    )
    personal = client.post(
        f"{url}/signalen",
        json={"tekst": "Jongen van de Dorpsstraat 12, bereikbaar op 06-12345678."},
        headers=expert,
    )
    assert personal.status_code == 422
    assert {e["field"] for e in personal.json()["errors"]} == {"tekst"}
    # Not taking part in the group: no signals from the wijkagent yet.
    assert (
        client.post(
            f"{url}/signalen", json={"tekst": "Overlast bij de bushalte."}, headers=wijkagent
        ).status_code
        == 403
    )

    # Step 1 - no person data: adding a member is refused by the policy.
    member = {"rol": "kern", "persoon": {"voornamen": "Milan", "achternaam": "Groepslid"}}
    refused = client.post(f"{url}/leden", json=member, headers=expert)
    assert refused.status_code == 403, refused.text
    assert "groep-stap1-persoonsgegevens" in _codes(refused)

    # Step 1 -> 2 needs an uitvoeringscoordinator (from here on person data is processed).
    early = _move(client, url, expert, "stap-2")
    assert early.status_code == 409
    assert early.json()["code"] == "uitvoeringscoordinator-vereist"
    appointed = client.put(
        f"{url}/regie",
        json={"rol": "uitvoeringscoordinator", "gebruiker": ZEIST_COORDINATOR},
        headers=expert,
    )
    assert appointed.status_code == 200, appointed.text
    step2 = _move(client, url, expert, "stap-2", "Signalen wegen: informatie verzamelen.")
    assert step2.status_code == 200, step2.text
    assert step2.json()["fase"] == "stap-2"

    # Step 2 - the coordinator builds the agreed namenlijst.
    added = client.post(
        f"{url}/leden",
        json={
            "rol": "kern",
            "persoon": {
                "voornamen": "Milan",
                "achternaam": "Groepslid",
                "roepnaam": "Mil",
                "geboortedatum": "2007-09-12",
            },
        },
        headers=jongerenwerk,
    )
    assert added.status_code == 201, added.text
    assert added.json()["persoon"]["achternaam"] == "Groepslid"
    # Linking a person casus needs access to that casus: the coordinator does not take part.
    link = {"rol": "meeloper", "persoon_casus_id": person_casus_id}
    not_hers = client.post(f"{url}/leden", json=link, headers=jongerenwerk)
    assert not_hers.status_code == 403
    linked = client.post(f"{url}/leden", json=link, headers=expert)
    assert linked.status_code == 201, linked.text
    assert linked.json()["persoon_casus_id"] == person_casus_id
    twice = client.post(f"{url}/leden", json=link, headers=expert)
    assert twice.status_code == 409
    invalid_role = client.post(
        f"{url}/leden",
        json={"rol": "leider", "persoon": {"voornamen": "A", "achternaam": "B"}},
        headers=jongerenwerk,
    )
    assert invalid_role.status_code == 422
    assert {e["field"] for e in invalid_role.json()["errors"]} == {"rol"}

    members = client.get(f"{url}/leden", headers=jongerenwerk)
    assert members.status_code == 200, members.text
    assert members.json()["weergave"] == "full"
    assert {m["persoon"]["achternaam"] for m in members.json()["leden"]} == {
        "Groepslid",
        "Groepstest",
    }
    pseudo = client.get(f"{url}/leden", headers=adviseur)
    assert pseudo.status_code == 200
    assert pseudo.json()["weergave"] == "pseudoniem"
    assert "Groepslid" not in pseudo.text and "Groepstest" not in pseudo.text
    assert all(m["persoon"]["pseudoniem"].startswith("P-") for m in pseudo.json()["leden"])
    assert all(m["persoon_casus_id"] is None for m in pseudo.json()["leden"])
    # A member who turns out not to belong to the group comes off the list, on record.
    milan = added.json()["persoon"]["id"]
    removed = client.post(
        f"{url}/leden/{milan}/verwijderen",
        json={"reden": "Bleek niet bij de groep te horen."},
        headers=jongerenwerk,
    )
    assert removed.status_code == 200, removed.text
    current = client.get(f"{url}/leden", headers=jongerenwerk).json()["leden"]
    assert {m["persoon"]["achternaam"] for m in current} == {"Groepstest"}
    history = client.get(
        f"{url}/leden", params={"ook_verwijderd": "true"}, headers=jongerenwerk
    ).json()["leden"]
    gone = [m for m in history if m["persoon"]["id"] == milan]
    assert gone[0]["verwijderd_op"]
    assert gone[0]["reden_verwijderd"] == "Bleek niet bij de groep te horen."
    again = client.post(
        f"{url}/leden/{milan}/verwijderen", json={"reden": "Nogmaals."}, headers=jongerenwerk
    )
    assert again.status_code == 404
    # Signals stay group level: a member's nickname is refused.
    nickname = client.post(
        f"{url}/signalen", json={"tekst": "Mil zat weer bij de bushalte."}, headers=jongerenwerk
    )
    assert nickname.status_code == 422

    # The sociaal wijkteam joins for the school and work tracks.
    assert (
        client.post(
            f"{url}/deelnemers",
            json={"organisatie": "sociaal-wijkteam-zeist", "rol": "trajecten school en werk"},
            headers=jongerenwerk,
        ).status_code
        == 201
    )
    assert client.get(f"{url}/signalen", headers=wijkteam).status_code == 200
    # A participant is not the regie: the wijkteam cannot move the group on.
    not_regie = _move(client, url, wijkteam, "stap-3")
    assert not_regie.status_code == 403
    assert "transitie-alleen-regie" in _codes(not_regie)
    assert _move(client, url, jongerenwerk, "stap-3").json()["fase"] == "stap-3"

    # Step 3 - integraal beeld and concept plan, by the coordinator. Not clicked through empty.
    steps = f"{url}/groepsstappen"
    empty = _move(client, url, jongerenwerk, "stap-4")
    assert empty.status_code == 409, empty.text
    assert empty.json()["code"] == "groepsstap-onvolledig"
    assert empty.json()["ontbreekt"] == [
        "Leg het integraal beeld van de groep vast.",
        "Stel een conceptplan van aanpak op.",
    ]
    too_short = client.put(
        f"{steps}/integraal-beeld", json={"tekst": "Kort."}, headers=jongerenwerk
    )
    assert too_short.status_code == 422, too_short.text
    assert "ten minste 20 tekens" in too_short.text
    beeld = client.put(
        f"{steps}/integraal-beeld",
        json={"tekst": "Kern van drie jongeren rond Milan; meelopers uit de wijk, 's avonds."},
        headers=jongerenwerk,
    )
    assert beeld.status_code == 200, beeld.text
    assert beeld.json()["ontbreekt_voor_volgende_stap"] == ["Stel een conceptplan van aanpak op."]
    deadline = (local_today() + dt.timedelta(days=60)).isoformat()
    concept = client.put(f"{url}/plan", json=_plan(deadline, 1), headers=jongerenwerk)
    assert concept.status_code == 201, concept.text
    plan_etag = concept.headers["etag"]
    assert _move(client, url, jongerenwerk, "stap-4").json()["fase"] == "stap-4"

    # Step 4 - the driehoek reads the plan, anonymised only; nothing else of the group.
    anon = client.get(f"{url}/plan", headers=driehoek)
    assert anon.status_code == 200, anon.text
    assert anon.json()["weergave"] == "anoniem"
    for secret in (ZEIST_COORDINATOR, "Groepslid", "Groepstest", "Ambulant jongerenwerk"):
        assert secret not in anon.text
    assert {g["leefgebied"] for g in anon.json()["doelen"]} == {"tijdsbesteding", "justitie"}
    for path in ("", "/leden", "/signalen", "/tijdlijn"):
        denied = client.get(f"{url}{path}", headers=driehoek)
        assert denied.status_code == 403, (path, denied.text)
        assert "Groepslid" not in denied.text
    assert "driehoek-alleen-plan" in _codes(client.get(url, headers=driehoek))
    assert client.get(steps, headers=driehoek).status_code == 403
    # Step 4 needs the anonymised voorlegging and the driehoek's advice.
    no_advice = _move(client, url, expert, "stap-5", "Driehoek: geprioriteerd.")
    assert no_advice.status_code == 409, no_advice.text
    assert len(no_advice.json()["ontbreekt"]) == 2
    named = client.put(
        f"{steps}/voorlegging",
        json={"tekst": "Milan en twee anderen intimideren winkelend publiek rond de bushalte."},
        headers=jongerenwerk,
    )
    assert named.status_code == 422, named.text
    assert "groepslid" in named.text
    voorlegging = client.put(
        f"{steps}/voorlegging",
        json={"tekst": "Groep van circa tien jongeren; kern van drie. Overlast en intimidatie."},
        headers=jongerenwerk,
    )
    assert voorlegging.status_code == 200, voorlegging.text
    advice = client.put(
        f"{steps}/advies",
        json={
            "advies": "Integrale aanpak met voorrang; bestuurlijk spoor camera's.",
            "prioriteit": "hoog",
            "besproken_op": local_today().isoformat(),
        },
        headers=expert,
    )
    assert advice.status_code == 200, advice.text
    seen_by_driehoek = client.get(f"{url}/driehoek", headers=driehoek)
    assert seen_by_driehoek.status_code == 200, seen_by_driehoek.text
    assert seen_by_driehoek.json()["advies"]["prioriteit"] == "hoog"
    assert seen_by_driehoek.json()["voorlegging"].startswith("Groep van circa tien")
    for secret in (ZEIST_COORDINATOR, "Groepslid", "Milan", "Groepstest", "Ambulant jongerenwerk"):
        assert secret not in seen_by_driehoek.text
    prioritised = _move(
        client, url, expert, "stap-5", "Driehoek: groep geprioriteerd, integrale aanpak."
    )
    assert prioritised.status_code == 200, prioritised.text

    # Step 5 - the integral plan (new version) by the coordinator.
    integral = client.put(
        f"{url}/plan", json=_plan(deadline, 2), headers={**jongerenwerk, "If-Match": plan_etag}
    )
    assert integral.status_code == 200, integral.text
    assert integral.json()["versie"] == 2
    # Step 5 needs a nulmeting for every spoor of the plan (bestuurlijk and zorg).
    zorg = client.put(
        f"{steps}/nulmeting",
        json={"spoor": "zorg", "indicator": "Jongeren zonder school of werk", "waarde": "6"},
        headers=jongerenwerk,
    )
    assert zorg.status_code == 200, zorg.text
    half = _move(client, url, jongerenwerk, "stap-6")
    assert half.status_code == 409, half.text
    assert half.json()["ontbreekt"] == ["Leg de nulmeting vast voor het spoor bestuurlijk."]
    bestuurlijk = client.put(
        f"{steps}/nulmeting",
        json={"spoor": "bestuurlijk", "indicator": "Overlastmeldingen per maand", "waarde": "14"},
        headers=jongerenwerk,
    )
    assert bestuurlijk.status_code == 200, bestuurlijk.text
    assert _move(client, url, jongerenwerk, "stap-6").json()["fase"] == "stap-6"
    assert _move(client, url, jongerenwerk, "stap-7").json()["code"] == "groepsstap-onvolledig"
    progress = client.post(
        f"{steps}/voortgang",
        json={"spoor": "zorg", "tekst": "Twee jongeren zijn weer naar school; intake werk loopt."},
        headers=jongerenwerk,
    )
    assert progress.status_code == 201, progress.text

    # Step 6 - uitvoeren en monitoren in the groepsoverleg (BOB, actions).
    meeting = client.post(
        "/api/v1/overleggen",
        json={
            "type": "groepsoverleg",
            "datum_tijd": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).isoformat(),
            "agenda": [{"casus_id": group_id, "briefing": "Voortgang na zes weken."}],
        },
        headers=expert,
    )
    assert meeting.status_code == 201, meeting.text
    meeting_url = f"/api/v1/overleggen/{meeting.json()['id']}"
    wrong_kind = client.post(
        f"{meeting_url}/agenda", json={"casus_id": person_casus_id}, headers=expert
    )
    assert wrong_kind.status_code == 422
    minutes = client.put(
        f"{meeting_url}/verslag",
        json={
            "agendapunten": [
                {
                    "casus_id": group_id,
                    "beeldvorming": "Minder meldingen; twee jongeren op school.",
                    "oordeelsvorming": "Aanpak werkt; groepsdynamiek verzwakt.",
                    "besluitvorming": "Doorgaan volgens plan, evaluatie over zes weken.",
                    "besluiten": ["Doorgaan volgens plan."],
                    "acties": [
                        {
                            "omschrijving": "Evaluatie voorbereiden.",
                            "eigenaar_organisatie": "jongerenwerk-zeist",
                            "eigenaar_gebruiker": ZEIST_COORDINATOR,
                            "deadline": deadline,
                        }
                    ],
                }
            ]
        },
        headers={**expert, "If-Match": meeting.headers["etag"]},
    )
    assert minutes.status_code == 200, minutes.text
    seen = client.get(meeting_url, headers=wijkteam).json()
    assert [i["casus_id"] for i in seen["agenda"]] == [group_id]
    assert seen["agenda"][0]["stap"] == 6
    assert seen["agenda"][0]["besluiten"] == ["Doorgaan volgens plan."]
    outside = client.get(meeting_url, headers=wijkagent).json()
    assert outside["agenda"] == [] and outside["verborgen_agendapunten"] == 1
    assert _move(client, url, jongerenwerk, "stap-7").json()["fase"] == "stap-7"

    # Step 7 - afronden en evalueren (with the nameting of both sporen); closed with the
    # bewaartermijn.
    unevaluated = _move(client, url, jongerenwerk, "afgesloten", "Evaluatie: doelen bereikt.")
    assert unevaluated.status_code == 409, unevaluated.text
    assert unevaluated.json()["ontbreekt"] == ["Leg de evaluatie vast."]
    conclusion = "Doelen grotendeels bereikt; de groep is uiteengevallen."
    no_after = client.put(
        f"{steps}/evaluatie", json={"conclusie": conclusion}, headers=jongerenwerk
    )
    assert no_after.status_code == 422, no_after.text
    fields = {e["field"] for e in no_after.json()["errors"]}
    assert fields >= {"nameting.zorg", "nameting.bestuurlijk"}
    evaluated = client.put(
        f"{steps}/evaluatie",
        json={"conclusie": conclusion, "nameting": {"zorg": "2", "bestuurlijk": "3"}},
        headers=jongerenwerk,
    )
    assert evaluated.status_code == 200, evaluated.text
    closed = _move(
        client, url, jongerenwerk, "afgesloten", "Evaluatie: doelen bereikt, restacties belegd."
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["fase"] == "afgesloten"
    detail = client.get(url, headers=expert).json()
    assert detail["afsluiting"]["stap"] == "stap-7"
    assert detail["bewaartermijn_tot"] is not None
    after = client.post(f"{url}/leden", json=member, headers=jongerenwerk)
    assert after.status_code == 409
    assert after.json()["code"] == "groep-afgesloten"
    timeline = [e["soort"] for e in client.get(f"{url}/tijdlijn", headers=expert).json()]
    assert timeline[0] == "aanmelding"
    assert {"signaal", "groepslid", "regie", "plan", "overleg", "fase"} <= set(timeline)

    # A second group leaves early after step 2 (no integral approach needed).
    second = client.post(
        CASUSSEN,
        json={
            "soort": "groep",
            "waarom_integraal": "Signalen van hinderlijk groepsgedrag bij het sportpark.",
            "geinformeerd": True,
            "groepsnaam": "Groep Sportpark",
        },
        headers=wijkagent,
    )
    assert second.status_code == 201, second.text
    second_url = f"{CASUSSEN}/{second.json()['id']}"
    assert (
        client.put(
            f"{second_url}/regie",
            json={"rol": "uitvoeringscoordinator", "gebruiker": ZEIST_COORDINATOR},
            headers=expert,
        ).status_code
        == 200
    )
    assert _move(client, second_url, expert, "stap-2").status_code == 200
    no_reason = _move(client, second_url, jongerenwerk, "afgesloten")
    assert no_reason.status_code == 422
    exited = _move(
        client,
        second_url,
        jongerenwerk,
        "afgesloten",
        "Gerichte actie volstaat: extra toezicht door de wijkagent.",
    )
    assert exited.status_code == 200, exited.text
    closure = client.get(second_url, headers=expert).json()["afsluiting"]
    assert closure["stap"] == "stap-2"
    assert closure["reden"].startswith("Gerichte actie")

    # The refused attempt to record person data in step 1 is on record.
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        rows: list[Any] = conn.execute(
            sa.text(
                "SELECT user_id, allowed, reasons, decision_input::text FROM audit_log "
                "WHERE casus_id = :c AND resource_type = 'group_member'"
            ),
            {"c": group_id},
        ).all()
    engine.dispose()
    assert any(
        r.user_id == ZEIST_PGA_EXPERT
        and not r.allowed
        and "groep-stap1-persoonsgegevens" in r.reasons
        for r in rows
    )
    assert not any("Groepslid" in r.decision_input for r in rows)
