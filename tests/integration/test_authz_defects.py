"""Regression tests for the authorization defects of issue 9, through the real API.

Each test reproduces one defect an adversary found and failed before its fix (see the
numbered list in the issue): tenant-qualified identities (1), need-to-know by role (2),
the source bypassing need-to-know (3), unknown purposes (5), special categories on
composite resources (6), group attributes the server computes (7), engine errors (12),
writes the database refuses (15) and researchers reading overleggen (16).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from people import (
    REGIO_UTRECHT,
    REGIO_UTRECHT_PGA_EXPERT,
    REGIO_UTRECHT_RECLASSERING,
    ZEIST,
    ZEIST_ADVISEUR,
    ZEIST_BEHEERDER,
    ZEIST_BURGEMEESTER_CONTACT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_DRIEHOEK,
    ZEIST_KLANTMANAGER,
    ZEIST_ONDERZOEKER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
)
from plan_first import ensure_plan

from services.platform.db.models import AuditEntry, User
from services.platform.db.unit_of_work import tenant_transaction
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
Z = ZEIST
REGIO = REGIO_UTRECHT

EXPERT = ZEIST_PGA_EXPERT  # pga-expert, gemeente Zeist (OOV)
REGISSEUR = ZEIST_CASUSREGISSEUR  # casusregisseur + professional, sociaal wijkteam
WIJKAGENT = ZEIST_WIJKAGENT  # professional, politie
BEHEERDER = ZEIST_BEHEERDER  # tenantbeheerder, organisation gemeente-zeist-oov
BURGEMEESTER = ZEIST_BURGEMEESTER_CONTACT  # burgemeester-contactpersoon, gemeente-zeist-oov
TEAMCHEF = ZEIST_DRIEHOEK  # driehoek only, organisation politie-basisteam-zeist
ADVISEUR = ZEIST_ADVISEUR  # adviseur, gemeente-zeist-oov
ONDERZOEKER = ZEIST_ONDERZOEKER


def _add_user(runtime: Runtime, tenant: str, user_id: str, org: str, roles: list[str]) -> None:
    with tenant_transaction(runtime.sessions, tenant) as session:
        if session.get(User, (tenant, user_id)) is None:
            session.add(
                User(
                    tenant_id=tenant,
                    id=user_id,
                    display_name=f"Test {user_id}",
                    organisation_id=org,
                    roles=roles,
                )
            )


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[Client]:
    with TestClient(app) as test_client:
        yield test_client


class Casus:
    """A person casus of Zeist, walked to uitvoering by the right people."""

    def __init__(self, client: Client, token_for: Headers, name: str) -> None:
        self.client = client
        self.token_for = token_for
        created = client.post(
            "/api/v1/casussen",
            json={
                "soort": "persoon",
                "waarom_integraal": "Overlast, justitie en zorg tegelijk: integraal nodig.",
                "problemen": {
                    "justitie": "Drie aanhoudingen voor winkeldiefstal.",
                    "geestelijke-gezondheid": "Zorgmijding na opname.",
                    "financien": "Schulden bij de woningcorporatie.",
                },
                "geinformeerd": True,
                "persoon": {
                    "voornamen": name,
                    "achternaam": "Authztest",
                    "geboortedatum": "2003-04-05",
                },
            },
            headers=token_for(Z, WIJKAGENT),
        )
        assert created.status_code == 201, created.text
        self.id = str(created.json()["id"])
        self.url = f"/api/v1/casussen/{self.id}"
        self.etag = created.headers["etag"]
        self.move(EXPERT, "overgang", {"naar": "in_triage"})
        self.move(
            EXPERT,
            "triage",
            {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
        )
        appointed = client.put(
            f"{self.url}/regie",
            json={"rol": "casusregisseur", "gebruiker": REGISSEUR},
            headers=token_for(Z, EXPERT),
        )
        assert appointed.status_code == 200, appointed.text
        self.etag = client.get(self.url, headers=token_for(Z, REGISSEUR)).headers["etag"]
        self.move(REGISSEUR, "overgang", {"naar": "plan"})
        ensure_plan(client, self.url, token_for(Z, REGISSEUR))  # no uitvoering without a plan
        self.move(REGISSEUR, "overgang", {"naar": "uitvoering"})

    def move(self, user: str, path: str, body: dict[str, Any]) -> None:
        response = self.client.post(
            f"{self.url}/{path}",
            json=body,
            headers={**self.token_for(Z, user), "If-Match": self.etag},
        )
        assert response.status_code == 200, response.text
        self.etag = response.headers["etag"]

    def invite(self, organisation: str) -> None:
        response = self.client.post(
            f"{self.url}/deelnemers",
            json={"organisatie": organisation, "deelname": "kern"},
            headers=self.token_for(Z, EXPERT),
        )
        assert response.status_code in (200, 201), response.text

    def opschalen(self) -> None:
        self.move(
            REGISSEUR,
            "afsluiting",
            {"reden": "opgeschaald", "toelichting": "Regionale aanpak nodig."},
        )

    def item(self, user: str, category: str = "algemeen", *, share: bool = True) -> str:
        headers = self.token_for(Z, user)
        created = self.client.post(
            f"{self.url}/informatie",
            json={
                "categorie": category,
                "titel": "Lopend onderzoek",
                "inhoud": "Vertrouwelijk: er loopt een onderzoek.",
                "doel": "casusoverleg",
                "grondslag": "publieke-taak",
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
        item_id = str(created.json()["id"])
        if share:
            shared = self.client.post(
                f"{self.url}/informatie/{item_id}/delen",
                json={
                    "doel": "casusoverleg",
                    "grondslag": "publieke-taak",
                    "noodzaak": "Nodig voor de afstemming in het casusoverleg.",
                    "persoon_geinformeerd": True,
                },
                headers=headers,
            )
            assert shared.status_code == 200, shared.text
        return item_id


# -- 1. Identities are tenant-qualified ----------------------------------------------------------


def test_a_regional_user_with_the_regisseurs_id_gets_nothing(
    module_client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = Casus(module_client, token_for, "Idtest")
    casus.opschalen()
    # A user of the regional bureau whose id equals the Zeist casusregisseur's.
    _add_user(runtime, REGIO, REGISSEUR, "zvh-regio-utrecht", ["professional"])
    response = module_client.get(casus.url, headers=token_for(REGIO, REGISSEUR))
    assert response.status_code in (403, 404), response.text
    assert "Idtest" not in response.text
    assert "2003-04-05" not in response.text


def test_a_regional_organisation_with_a_participants_id_gets_nothing(
    module_client: Client, token_for: Headers
) -> None:
    casus = Casus(module_client, token_for, "Orgtest")
    casus.invite("reclassering-nederland")
    casus.opschalen()
    # REGIO_UTRECHT_RECLASSERING: professional of the bureau's own "reclassering-nederland".
    response = module_client.get(casus.url, headers=token_for(REGIO, REGIO_UTRECHT_RECLASSERING))
    assert response.status_code in (403, 404), response.text
    assert "Orgtest" not in response.text


def test_a_regional_om_user_cannot_release_what_zeists_om_withheld(
    module_client: Client, token_for: Headers, runtime: Runtime
) -> None:
    _add_user(runtime, Z, "om-officier-zeist", "om-midden-nederland", ["professional"])
    _add_user(runtime, REGIO, "om-officier-regio", "om-midden-nederland", ["professional"])
    casus = Casus(module_client, token_for, "Omtest")
    casus.invite("om-midden-nederland")
    item = casus.item("om-officier-zeist", "algemeen")
    withheld = module_client.post(
        f"{casus.url}/informatie/{item}/achterhouden",
        json={},
        headers=token_for(Z, "om-officier-zeist"),
    )
    assert withheld.status_code == 200, withheld.text
    casus.opschalen()
    released = module_client.post(
        f"{casus.url}/informatie/{item}/vrijgeven",
        json={},
        headers=token_for(REGIO, "om-officier-regio"),
    )
    assert released.status_code in (403, 404), released.text
    still = module_client.get(
        f"{casus.url}/informatie/{item}", headers=token_for(Z, "om-officier-zeist")
    )
    assert still.json()["achtergehouden"] is True


# -- 2. Need-to-know follows the role, not only the organisation -------------------------------


@pytest.mark.parametrize("user", [BEHEERDER, BURGEMEESTER, TEAMCHEF])
def test_roles_without_casework_see_no_casus_their_organisation_takes_part_in(
    module_client: Client, token_for: Headers, user: str
) -> None:
    casus = Casus(module_client, token_for, f"Rol{user.split('-')[0].title()}")
    casus.invite("gemeente-zeist-oov")  # the organisation of beheerder and burgemeester
    response = module_client.get(casus.url, headers=token_for(Z, user))
    assert response.status_code == 403, response.text
    assert "Authztest" not in response.text
    listed = module_client.get("/api/v1/casussen", headers=token_for(Z, user))
    assert casus.id not in listed.text


def test_an_adviser_of_a_participating_organisation_sees_the_casus_pseudonymised(
    module_client: Client, token_for: Headers
) -> None:
    casus = Casus(module_client, token_for, "Adviestest")
    casus.invite("gemeente-zeist-oov")  # the adviser's own organisation
    response = module_client.get(casus.url, headers=token_for(Z, ADVISEUR))
    assert response.status_code == 200, response.text
    assert response.json()["weergave"] == "pseudoniem"
    assert "Adviestest" not in response.text


# -- 3. The source organisation does not bypass need-to-know -----------------------------------


def test_a_beheerder_of_the_source_organisation_cannot_touch_its_items(
    module_client: Client, token_for: Headers, runtime: Runtime
) -> None:
    _add_user(runtime, Z, "oov-medewerker", "gemeente-zeist-oov", ["professional"])
    casus = Casus(module_client, token_for, "Brontest")
    casus.invite("gemeente-zeist-oov")
    item = casus.item("oov-medewerker", "algemeen", share=False)
    for user in (BEHEERDER, BURGEMEESTER):
        headers = token_for(Z, user)
        read = module_client.get(f"{casus.url}/informatie/{item}", headers=headers)
        assert read.status_code in (403, 404), read.text
        assert "Vertrouwelijk" not in read.text
        for action in ("achterhouden", "delen"):
            body: dict[str, Any] = (
                {}
                if action == "achterhouden"
                else {
                    "doel": "casusoverleg",
                    "grondslag": "publieke-taak",
                    "noodzaak": "Nodig voor het overleg over deze casus.",
                    "persoon_geinformeerd": True,
                }
            )
            changed = module_client.post(
                f"{casus.url}/informatie/{item}/{action}", json=body, headers=headers
            )
            assert changed.status_code in (403, 404), f"{user} {action}: {changed.text}"


# -- 5. A purpose must be known, and fit -------------------------------------------------------


def test_an_unknown_purpose_is_bad_input(module_client: Client, token_for: Headers) -> None:
    casus = Casus(module_client, token_for, "Doeltest")
    response = module_client.get(
        casus.url, params={"doel": "marketing"}, headers=token_for(Z, REGISSEUR)
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Doeltest" not in response.text
    assert any(e["field"] == "doel" for e in response.json()["errors"])


def test_a_purpose_that_does_not_fit_is_refused(module_client: Client, token_for: Headers) -> None:
    casus = Casus(module_client, token_for, "Verantwoordtest")
    for purpose in ("verantwoording", "aanmelding", "nazorg"):
        response = module_client.get(
            casus.url, params={"doel": purpose}, headers=token_for(Z, REGISSEUR)
        )
        assert response.status_code == 403, f"{purpose}: {response.text}"
        assert "doel-past-niet" in response.text
        assert "Verantwoordtest" not in response.text


# -- 6. Special categories need more than a convenant grant -------------------------------------


def test_the_gemeente_reads_no_special_categories_on_the_casus(
    module_client: Client, token_for: Headers
) -> None:
    casus = Casus(module_client, token_for, "Bijzondertest")
    response = module_client.get(casus.url, headers=token_for(Z, EXPERT))
    assert response.status_code == 200, response.text
    assert {"bijzonder", "beroepsgeheim"} <= set(response.json()["gemaskeerd"])


# -- 15. A write the database would refuse is refused by the policy, and audited ---------------


def test_the_regional_pga_expert_cannot_write_in_a_shared_casus(
    module_client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = Casus(module_client, token_for, "Schrijftest")
    casus.opschalen()
    zvh = token_for(REGIO, REGIO_UTRECHT_PGA_EXPERT)
    assert module_client.get(casus.url, headers=zvh).status_code == 200
    response = module_client.post(
        f"{casus.url}/informatie",
        json={
            "categorie": "algemeen",
            "titel": "Regionale notitie",
            "inhoud": "Notitie van het bureau.",
            "doel": "opschaling",
            "grondslag": "publieke-taak",
        },
        headers=zvh,
    )
    assert response.status_code == 403, response.text
    with tenant_transaction(runtime.sessions, REGIO) as session:
        refused = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.casus_id == uuid.UUID(casus.id),
                AuditEntry.user_id == REGIO_UTRECHT_PGA_EXPERT,
                AuditEntry.action == "create",
                AuditEntry.allowed.is_(False),
            )
        ).all()
    assert refused


# -- 16. Researchers see no casework, not even an overleg ---------------------------------------


def test_a_researcher_reads_no_overleg(module_client: Client, token_for: Headers) -> None:
    meeting = module_client.post(
        "/api/v1/overleggen",
        json={"type": "pga-kernteam", "datum_tijd": "2026-12-01T09:00:00+01:00"},
        headers=token_for(Z, EXPERT),
    )
    assert meeting.status_code == 201, meeting.text
    url = f"/api/v1/overleggen/{meeting.json()['id']}"
    response = module_client.get(url, headers=token_for(Z, ONDERZOEKER))
    assert response.status_code == 403, response.text
    assert EXPERT not in response.text
    assert (
        module_client.get("/api/v1/overleggen", headers=token_for(Z, ONDERZOEKER)).status_code
        == 403
    )
    # Nor may a researcher (or a beheerder) plan one.
    for user in (ONDERZOEKER, BEHEERDER):
        planned = module_client.post(
            "/api/v1/overleggen",
            json={"type": "pga-kernteam", "datum_tijd": "2026-12-02T09:00:00+01:00"},
            headers=token_for(Z, user),
        )
        assert planned.status_code == 403, planned.text


# -- 4. Free text carries a category and is masked with it ------------------------------------


def test_free_text_is_masked_with_its_category(
    module_client: Client, token_for: Headers, runtime: Runtime
) -> None:
    casus = Casus(module_client, token_for, "Tekstest")
    casus.invite("rsd-krh")  # werk en inkomen: no grant for strafrechtelijk or justitieel
    werk = token_for(Z, ZEIST_KLANTMANAGER)
    response = module_client.get(casus.url, headers=werk)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {"strafrechtelijk", "justitieel"} <= set(body["gemaskeerd"])
    assert "Drie aanhoudingen voor winkeldiefstal" not in response.text
    assert body["aanmelding"]["problemen"]["justitie"] is None
    assert "justitie" in body["aanmelding"]["problemen_afgeschermd"]
    # Financial problems are granted to werk en inkomen: shown.
    assert body["aanmelding"]["problemen"]["financien"] == "Schulden bij de woningcorporatie."
    # The aanmelder (police) reads by its grants too: no justitieel or financieel grant.
    own = module_client.get(casus.url, headers=token_for(Z, WIJKAGENT))
    assert "Drie aanhoudingen voor winkeldiefstal" not in own.text
    assert "Schulden bij de woningcorporatie" not in own.text
    # The OM (strafrechtelijk and justitieel granted for uitvoering) reads it.
    casus.invite("om-midden-nederland")
    _add_user(runtime, Z, "om-officier-zeist", "om-midden-nederland", ["professional"])
    om = module_client.get(casus.url, headers=token_for(Z, "om-officier-zeist"))
    assert "Drie aanhoudingen voor winkeldiefstal" in om.text


def test_the_pseudonymised_timeline_names_nobody(module_client: Client, token_for: Headers) -> None:
    casus = Casus(module_client, token_for, "Tijdlijntest")
    response = module_client.get(f"{casus.url}/tijdlijn", headers=token_for(Z, ADVISEUR))
    assert response.status_code == 200, response.text
    lines = response.json() if isinstance(response.json(), list) else response.json()["items"]
    assert lines
    assert all(line["door"] is None for line in lines)
    assert REGISSEUR not in response.text and WIJKAGENT not in response.text


# -- 7. A step-1 signal naming a person known in the gemeente is person data ---------------------


def test_a_step1_signal_naming_a_known_person_is_refused(
    module_client: Client, token_for: Headers
) -> None:
    Casus(module_client, token_for, "Signaaltest")  # makes "Authztest" a known surname
    created = module_client.post(
        "/api/v1/casussen",
        json={
            "soort": "groep",
            "waarom_integraal": "Groep jongeren veroorzaakt structureel overlast.",
            "geinformeerd": True,
            "groepsnaam": "Groep Stationsplein",
            "overleg": "groepsoverleg",
        },
        headers=token_for(Z, EXPERT),
    )
    assert created.status_code == 201, created.text
    url = f"/api/v1/casussen/{created.json()['id']}/signalen"
    named = module_client.post(
        url,
        json={"tekst": "Signaaltest Authztest was er weer bij, samen met de groep."},
        headers=token_for(Z, EXPERT),
    )
    assert named.status_code == 422, named.text
    assert any(e["field"] == "tekst" for e in named.json()["errors"])
    plain = module_client.post(
        url,
        json={"tekst": "Overlast bij de bushalte, elke vrijdagavond."},
        headers=token_for(Z, EXPERT),
    )
    assert plain.status_code in (200, 201), plain.text
