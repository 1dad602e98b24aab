"""Say it in words (issue 12): the tijdlijn names organisations and professionals instead of
ids and says who did what on every line — only in the full view; triage criteria by their
text; the doelbinding on the casus page defaults to what the reader needs in the phase and
explains every purpose in one sentence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from browser_login import login_as
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_CASUSREGISSEUR,
    ZEIST_CASUSREGISSEUR_NAME,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZEIST_WIJKAGENT_NAME,
)

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR, ADVISEUR = (
    ZEIST_WIJKAGENT,
    ZEIST_PGA_EXPERT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_ADVISEUR,
)
POLITIE = "Politie Midden-Nederland, basisteam Zeist"


@pytest.fixture(scope="module")
def casus(app: Litestar, token_for: Headers) -> Iterator[tuple[Client, str]]:
    """A person casus: aangemeld by the wijkagent, triaged by the expert (two criteria),
    the casusregisseur appointed and an organisation invited op afroep."""
    with TestClient(app) as client:
        agent, expert = token_for(T, WIJKAGENT), token_for(T, EXPERT)
        created = client.post(
            "/api/v1/casussen",
            json={
                "soort": "persoon",
                "waarom_integraal": "Overlast en schulden; de politie alleen komt niet verder.",
                "geinformeerd": True,
                "persoon": {
                    "voornamen": "Woordina",
                    "achternaam": "Tijdlijntest",
                    "geboortedatum": "2001-02-03",
                    "adres": {"straat": "Slotlaan", "huisnummer": "9", "woonplaats": "Zeist"},
                },
            },
            headers=agent,
        )
        assert created.status_code == 201, created.text
        url = f"/api/v1/casussen/{created.json()['id']}"

        def etag() -> str:
            return str(client.get(url, headers=expert).headers["etag"])

        moved = client.post(
            f"{url}/overgang", json={"naar": "in_triage"}, headers={**expert, "If-Match": etag()}
        )
        assert moved.status_code == 200, moved.text
        triaged = client.post(
            f"{url}/triage",
            json={
                "criteria": ["overlast-criminaliteit", "politieregistraties"],
                "besluit": "opnemen",
            },
            headers={**expert, "If-Match": etag()},
        )
        assert triaged.status_code == 200, triaged.text
        regie = {"rol": "casusregisseur", "gebruiker": REGISSEUR}
        assert client.put(f"{url}/regie", json=regie, headers=expert).status_code == 200
        invited = client.post(
            f"{url}/deelnemers",
            json={"organisatie": "rsd-krh", "deelname": "op-afroep"},
            headers=expert,
        )
        assert invited.status_code == 201, invited.text
        yield client, str(created.json()["id"])


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def lines(timeline: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", timeline, flags=re.S)


def test_the_tijdlijn_says_who_did_what_in_words(casus: tuple[Client, str]) -> None:
    client, casus_id = casus
    assert login_as(client, T, EXPERT).status_code == 200
    html = client.get(f"/casussen/{casus_id}").text
    timeline = section(html, "kop-tijdlijn")
    assert f"Aangemeld door {POLITIE}." in timeline
    assert f"— door {ZEIST_WIJKAGENT_NAME} (" + POLITIE + ")" in timeline
    assert f"Casusregisseur aangesteld: {ZEIST_CASUSREGISSEUR_NAME}." in timeline
    assert "(op afroep)" in timeline and "op-afroep" not in timeline
    for raw in ("politie-basisteam-zeist", ZEIST_WIJKAGENT, ZEIST_CASUSREGISSEUR, "rsd-krh"):
        assert raw not in timeline, raw
    assert '<span class="tag">Aangemeld</span>' in timeline  # the kind in words
    assert all("— door " in line for line in lines(timeline))  # who, on every line
    triage = section(html, "kop-triage")
    assert "minimaal 2 politieregistraties" in triage
    assert "politieregistraties</li>" not in triage  # the text, not the id


def test_outside_the_full_view_the_tijdlijn_names_nobody(casus: tuple[Client, str]) -> None:
    client, casus_id = casus
    assert login_as(client, T, ADVISEUR).status_code == 200
    html = client.get(f"/casussen/{casus_id}").text
    timeline = section(html, "kop-tijdlijn")
    assert lines(timeline), "the adviseur sees the tijdlijn lines"
    assert all("wie: afgeschermd in deze weergave" in line for line in lines(timeline))
    for name in (
        ZEIST_WIJKAGENT_NAME,
        ZEIST_CASUSREGISSEUR_NAME,
        POLITIE,
        "Tijdlijntest",
        "Woordina",
    ):
        assert name not in timeline


def test_the_doelbinding_defaults_to_what_the_reader_needs(
    casus: tuple[Client, str], token_for: Headers
) -> None:
    client, casus_id = casus
    # The casusregisseur who still has to inform the person: informeren, name and address
    # shown without choosing a purpose.
    assert login_as(client, T, REGISSEUR).status_code == 200
    html = client.get(f"/casussen/{casus_id}").text
    assert (
        '<option value="informeren" selected>Informeren (brief, startgesprek) (aanbevolen)' in html
    )
    assert "Voor de notificatiebrief en het startgesprek: naam, adres en BSN" in html
    assert "Woordina Tijdlijntest" in html and "Slotlaan" in html
    options = re.findall(
        r'<option value="([a-z-]+)"', html.split('id="doel"')[1].split("</select>")[0]
    )
    assert options[0] == "informeren" and len(options) == 12
    # Every purpose explains itself in one sentence.
    explained = html.split("Wat betekenen de doelen?")[1].split("</details>")[0]
    sentences = re.findall(r"<dd>([^<]+)</dd>", explained)
    assert len(sentences) == 12 and all(s.strip().endswith(".") for s in sentences)
    # In the plan phase the plan's purpose, with a reminder while not informed ...
    regisseur = token_for(T, REGISSEUR)
    url = f"/api/v1/casussen/{casus_id}"

    def etag() -> str:
        return str(client.get(url, headers=regisseur).headers["etag"])

    to_plan = client.post(
        f"{url}/overgang", json={"naar": "plan"}, headers={**regisseur, "If-Match": etag()}
    )
    assert to_plan.status_code == 200, to_plan.text
    html = client.get(f"/casussen/{casus_id}").text
    assert '<option value="plan-van-aanpak" selected>Plan van aanpak (aanbevolen)' in html
    assert 'id="doel-herinnering">De persoon is nog niet geïnformeerd' in html
    # ... once informed, no reminder.
    informed = client.put(
        f"{url}/informeren",
        json={"startgesprek": {"datum": "2026-11-21", "notities": "Open gesprek."}},
        headers={**regisseur, "If-Match": etag()},
    )
    assert informed.status_code == 200, informed.text
    html = client.get(f"/casussen/{casus_id}").text
    assert '<option value="plan-van-aanpak" selected>Plan van aanpak (aanbevolen)' in html
    assert "nog niet geïnformeerd" not in html
    # The adviseur discusses casussen in the overleg: casusoverleg.
    assert login_as(client, T, ADVISEUR).status_code == 200
    html = client.get(f"/casussen/{casus_id}").text
    assert '<option value="casusoverleg" selected>Casusoverleg (aanbevolen)' in html


def test_every_kind_of_werkvoorraad_item_reads_in_words() -> None:
    """ "overlegactie" showed as a code in the werkvoorraad."""
    import inspect

    from services.casework.domain.timers import DueKind
    from services.casework.werkvoorraad import service
    from services.casework.werkvoorraad.pages import DUE_KIND_LABELS

    produced = set(re.findall(r'"soort": "([a-z-]+)"', inspect.getsource(service)))
    kinds = {k.value for k in DueKind} | produced
    assert "overlegactie" in kinds
    assert kinds <= set(DUE_KIND_LABELS), kinds - set(DUE_KIND_LABELS)
