"""One person from aanmelding to waakvlam and reopening, each step by the role that does it
in real life, with the policy engine deciding every read and write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from plan_first import ensure_plan

from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST


def test_person_from_aanmelding_to_waakvlam_and_reopen(
    client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    wijkagent = token_for(T, ZEIST_WIJKAGENT)  # politie, aanmelder
    expert = token_for(T, ZEIST_PGA_EXPERT)  # pga-expert / procesregisseur
    regisseur = token_for(T, ZEIST_CASUSREGISSEUR)  # sociaal wijkteam, casusregisseur
    werk = token_for(T, ZEIST_KLANTMANAGER)  # werk & inkomen, not yet involved
    adviseur = token_for(T, ZEIST_ADVISEUR)  # non-involved adviser
    other_tenant = token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT)

    # 1. Aanmelding by the wijkagent.
    created = client.post(
        "/api/v1/casussen",
        json={
            "soort": "persoon",
            "waarom_integraal": "Herhaald overlast, schulden en uitval van school: "
            "politie alleen komt niet verder.",
            "problemen": {
                "financien": "Schulden bij meerdere partijen.",
                "justitie": "Drie registraties wegens overlast.",
                "werk-opleiding": "Geen opleiding, geen werk.",
            },
            "geinformeerd": False,
            "reden_niet_geinformeerd": "Eerst afstemmen met de wijkagent over het moment.",
            "persoon": {
                "voornamen": "Bradley",
                "achternaam": "Testpersoon",
                "roepnaam": "Brad",
                "geboortedatum": "2004-05-17",
                "bsn": "111222333",
                "adres": {"woonplaats": "Zeist"},
            },
        },
        headers=wijkagent,
    )
    assert created.status_code == 201, created.text
    casus_id = created.json()["id"]
    url = f"/api/v1/casussen/{casus_id}"
    etag = created.headers["etag"]

    # Need-to-know: not involved -> 403 with the reason; another gemeente -> 404.
    denied = client.get(url, headers=werk)
    assert denied.status_code == 403, denied.text
    assert "geen-need-to-know" in {r["code"] for r in denied.json()["redenen"]}
    assert client.get(url, headers=other_tenant).status_code == 404

    # The adviseur sees the casus pseudonymised: no name, no BSN.
    pseudo = client.get(url, headers=adviseur)
    assert pseudo.status_code == 200, pseudo.text
    assert pseudo.json()["weergave"] == "pseudoniem"
    assert "Bradley" not in pseudo.text
    assert "111222333" not in pseudo.text
    assert pseudo.json()["persoon"]["pseudoniem"].startswith("P-")

    # 2. Triage by the PGA-expert: BSN visible for the triage purpose.
    read = client.get(url, params={"doel": "triage"}, headers=expert)
    assert read.status_code == 200, read.text
    assert read.json()["persoon"]["bsn"] == "111222333"
    masked = client.get(url, params={"doel": "uitvoering"}, headers=expert)
    assert masked.json()["persoon"]["bsn"].endswith("333")
    assert masked.json()["persoon"]["bsn"] != "111222333"

    # Without a grant for identifying data for this purpose, the person reads pseudonymised.
    # (The police have no identificerend grant for opschaling: that is the region's.)
    informeren = client.get(url, params={"doel": "opschaling"}, headers=wijkagent).json()
    assert informeren["persoon"]["weergave"] == "pseudoniem"
    assert "Bradley" not in str(informeren["persoon"])

    moved = client.post(
        f"{url}/overgang", json={"naar": "in_triage"}, headers={**expert, "If-Match": etag}
    )
    assert moved.status_code == 200, moved.text
    etag = moved.headers["etag"]

    wrong = client.post(
        f"{url}/overgang", json={"naar": "uitvoering"}, headers={**expert, "If-Match": etag}
    )
    assert wrong.status_code == 409
    assert set(wrong.json()["toegestaan"]) == {"niet_opgenomen", "doorverwezen", "opgenomen"}

    preview = client.get(
        f"{url}/triage",
        params={"criteria": "overlast-criminaliteit,politieregistraties"},
        headers=expert,
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["inclusie"]["label"].startswith("2 van 3")
    assert preview.json()["leeftijd"]["binnen_grens"] is True

    triaged = client.post(
        f"{url}/triage",
        json={"criteria": ["overlast-criminaliteit", "politieregistraties"], "besluit": "opnemen"},
        headers={**expert, "If-Match": etag},
    )
    assert triaged.status_code == 200, triaged.text
    assert triaged.json()["fase"] == "opgenomen"
    etag = triaged.headers["etag"]

    # 3. The PGA-expert appoints the casusregisseur and invites werk & inkomen.
    assert (
        client.put(
            f"{url}/regie",
            json={"rol": "casusregisseur", "gebruiker": ZEIST_CASUSREGISSEUR},
            headers=expert,
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{url}/deelnemers",
            json={"organisatie": "rsd-krh", "deelname": "kern", "rol": "schulden en werk"},
            headers=expert,
        ).status_code
        == 201
    )
    assert client.get(url, headers=werk).status_code == 200
    etag = client.get(url, headers=regisseur).headers["etag"]

    # 4. Informeren by the casusregisseur, then plan, uitvoering, monitoring.
    informed = client.put(
        f"{url}/informeren",
        json={
            "notificatiebrief": {
                "ondertekend_door": "Burgemeester van Zeist",
                "overhandigd_door": "Wijkagent",
                "datum": "2026-11-20",
            },
            "startgesprek": {
                "datum": "2026-11-21",
                "notities": "Open gesprek; wil hulp bij schulden.",
            },
        },
        headers={**regisseur, "If-Match": etag},
    )
    assert informed.status_code == 200, informed.text
    etag = informed.headers["etag"]
    for target in ("plan", "uitvoering", "monitoring", "uitvoering", "monitoring"):
        if target == "uitvoering":  # no uitvoering without a plan van aanpak
            ensure_plan(client, url, regisseur)
        step = client.post(
            f"{url}/overgang", json={"naar": target}, headers={**regisseur, "If-Match": etag}
        )
        assert step.status_code == 200, (target, step.text)
        etag = step.headers["etag"]

    # A participant that is not the regie may not change the phase.
    not_regie = client.post(
        f"{url}/overgang", json={"naar": "uitvoering"}, headers={**werk, "If-Match": etag}
    )
    assert not_regie.status_code == 403

    # 5. Afschalen with warme overdracht, then waakvlam.
    closed = client.post(
        f"{url}/afsluiting",
        json={
            "reden": "afgeschaald",
            "ontvangende_organisatie": "sociaal-wijkteam-zeist",
            "eindgesprek": {"datum": "2026-11-22", "notities": "Doelen behaald."},
        },
        headers={**regisseur, "If-Match": etag},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["fase"] == "afgeschaald"
    etag = closed.headers["etag"]
    waakvlam = client.post(
        f"{url}/overgang", json={"naar": "waakvlam"}, headers={**regisseur, "If-Match": etag}
    )
    assert waakvlam.status_code == 200, waakvlam.text
    etag = waakvlam.headers["etag"]
    detail = client.get(url, headers=regisseur).json()
    assert detail["bewaartermijn_tot"] is not None

    # 6. Reopen from waakvlam: back to the plan.
    stale = client.post(
        f"{url}/heropenen",
        json={"reden": "Nieuwe meldingen."},
        headers={**regisseur, "If-Match": '"v1"'},
    )
    assert stale.status_code == 412
    reopened = client.post(
        f"{url}/heropenen",
        json={"reden": "Nieuwe meldingen van overlast."},
        headers={**regisseur, "If-Match": etag},
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["fase"] == "plan"

    # The adviseur's pseudonymised view carries no reasons, ages or conversation notes.
    pseudo_after = client.get(url, headers=adviseur).json()
    assert set(pseudo_after["triage"]) <= {"besluit", "besluit_label", "inclusie", "datum"}
    assert "leeftijd" not in pseudo_after["triage"]
    assert "eindgesprek" not in pseudo_after["afsluiting"]
    assert pseudo_after["informeren"] == {}

    timeline = client.get(f"{url}/tijdlijn", headers=regisseur).json()
    assert next(e["soort"] for e in timeline) == "aanmelding"
    assert "111222333" not in str(timeline)

    # Every read and write was audited, the denied attempts too, with purpose and decision id.
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    with engine.connect() as conn:
        rows: list[Any] = conn.execute(
            sa.text(
                "SELECT user_id, action, allowed, purpose, decision_id, policy_revision, "
                "decision_input::text FROM audit_log WHERE casus_id = :c"
            ),
            {"c": casus_id},
        ).all()
    engine.dispose()
    assert any(r.user_id == ZEIST_KLANTMANAGER and not r.allowed for r in rows)
    assert all(r.decision_id and r.policy_revision for r in rows)
    assert {r.purpose for r in rows if r.action == "read"} >= {"triage", "uitvoering"}
    assert not any("111222333" in r.decision_input or "Bradley" in r.decision_input for r in rows)
