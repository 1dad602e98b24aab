"""The burgemeester's letters (issue 12): the notificatiebrief and the afsluitbrief as PDF.

The PDF is read back with pypdf: the person's name, the gemeente and the date are in it, and
the tenant's own template (Zeist: ``tenants/manifests/brieven/zeist-notificatiebrief.txt``)
is used. Making a letter reads the person's name and address under the policy and is
audited; a reader without a grant for them (the regional bureau on an opgeschaalde casus:
only ``opschaling``) is refused with 403 and on record; another gemeente gets 404, a
non-participant 403 or 404, as everywhere.
"""

from __future__ import annotations

import io
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
    ZEIST,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
    ZEIST_PGA_EXPERT,
    ZEIST_WIJKAGENT,
    ZOETERMEER,
    ZOETERMEER_PGA_EXPERT,
)
from plan_first import ensure_plan
from pypdf import PdfReader

from services.casework.domain.local_time import local_today
from services.casework.domain.text import format_date_nl
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
WIJKAGENT, EXPERT, REGISSEUR, OUTSIDER = (
    ZEIST_WIJKAGENT,
    ZEIST_PGA_EXPERT,
    ZEIST_CASUSREGISSEUR,
    ZEIST_KLANTMANAGER,
)


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture(scope="module")
def module_client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


class Casus:
    def __init__(self, client: TestClient[Litestar], token_for: Headers, name: str) -> None:
        self.client = client
        self.token_for = token_for
        created = client.post(
            "/api/v1/casussen",
            json={
                "soort": "persoon",
                "waarom_integraal": "Overlast en schulden: politie en zorg samen nodig.",
                "problemen": {"financien": "Schulden."},
                "geinformeerd": True,
                "persoon": {
                    "voornamen": "Noor",
                    "achternaam": name,
                    "geboortedatum": "2004-02-03",
                    "adres": {
                        "straat": "Slotlaan",
                        "huisnummer": "12",
                        "postcode": "3701 AB",
                        "woonplaats": "Zeist",
                    },
                },
            },
            headers=token_for(T, WIJKAGENT),
        )
        assert created.status_code == 201, created.text
        self.id = created.json()["id"]
        self.url = f"/api/v1/casussen/{self.id}"
        self.etag = created.headers["etag"]

    def move(self, user: str, path: str, body: dict[str, Any]) -> None:
        response = self.client.post(
            f"{self.url}/{path}",
            json=body,
            headers={**self.token_for(T, user), "If-Match": self.etag},
        )
        assert response.status_code == 200, response.text
        self.etag = response.headers["etag"]

    def include(self) -> None:
        self.move(EXPERT, "overgang", {"naar": "in_triage"})
        self.move(
            EXPERT,
            "triage",
            {"criteria": ["overlast-criminaliteit", "meerdere-organisaties"], "besluit": "opnemen"},
        )
        regie = self.client.put(
            f"{self.url}/regie",
            json={"rol": "casusregisseur", "gebruiker": REGISSEUR},
            headers=self.token_for(T, EXPERT),
        )
        assert regie.status_code == 200, regie.text
        self.etag = self.client.get(self.url, headers=self.token_for(T, REGISSEUR)).headers["etag"]

    def to_uitvoering(self) -> None:
        self.move(REGISSEUR, "overgang", {"naar": "plan"})
        ensure_plan(self.client, self.url, self.token_for(T, REGISSEUR))
        self.etag = self.client.get(self.url, headers=self.token_for(T, REGISSEUR)).headers["etag"]
        self.move(REGISSEUR, "overgang", {"naar": "uitvoering"})


def audit_rows(runtime: Runtime, casus_id: str, user: str) -> list[Any]:
    engine = sa.create_engine(runtime.urls.admin.set(database=runtime.settings.database_name))
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    sa.text(
                        "SELECT tenant_id, resource_type, resource_id, purpose, allowed, reasons "
                        "FROM audit_log WHERE casus_id = :c AND user_id = :u "
                        "AND resource_type = 'brief' ORDER BY at"
                    ),
                    {"c": casus_id, "u": user},
                )
            )
    finally:
        engine.dispose()


def test_notificatiebrief_uses_the_tenant_template_and_is_audited(
    module_client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    tag = uuid.uuid4().hex[:6]
    casus = Casus(module_client, token_for, f"Brieftest{tag}")
    casus.include()
    regisseur = token_for(T, REGISSEUR)

    response = module_client.get(f"{casus.url}/brieven/notificatiebrief", headers=regisseur)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert f"Noor Brieftest{tag}" in text
    assert "Slotlaan 12" in text and "3701 AB Zeist" in text
    assert "Zeist" in text
    # The tenant's template (a file next to Zeist's manifest) and its [letters] settings.
    assert "Persoonsgerichte Aanpak Zeist" in text
    assert "M. de Wit, burgemeester van Zeist" in text
    assert "Gemeente Zeist - Veiligheid en Zorg" in text
    reference = module_client.get(casus.url, headers=regisseur).json()["referentie"]
    assert reference in text
    # Today's date in Dutch words (nothing recorded yet).
    assert format_date_nl(local_today()) in text

    # Sending is recorded as before (informeren); the letter then carries that date and signer.
    recorded = module_client.put(
        f"{casus.url}/informeren",
        json={
            "notificatiebrief": {
                "ondertekend_door": "Loco-burgemeester P. Jansen",
                "overhandigd_door": "de wijkagent",
                "datum": "2026-03-04",
            }
        },
        headers={**regisseur, "If-Match": casus.etag},
    )
    assert recorded.status_code == 200, recorded.text
    again = pdf_text(
        module_client.get(f"{casus.url}/brieven/notificatiebrief", headers=regisseur).content
    )
    assert "4 maart 2026" in again
    assert "Loco-burgemeester P. Jansen" in again

    rows = audit_rows(runtime, casus.id, REGISSEUR)
    assert len(rows) == 2
    assert all(r.allowed and r.purpose == "informeren" for r in rows)
    assert {r.resource_id for r in rows} == {"notificatiebrief"}

    # Not yet closed: no afsluitbrief (409, problem+json, still audited).
    early = module_client.get(f"{casus.url}/brieven/afsluitbrief", headers=regisseur)
    assert early.status_code == 409, early.text
    assert early.headers["content-type"].startswith("application/problem+json")
    assert early.json()["code"] == "brief-past-niet-bij-fase"


def test_afsluitbrief_default_text_after_closure(
    module_client: TestClient[Litestar], token_for: Headers
) -> None:
    tag = uuid.uuid4().hex[:6]
    casus = Casus(module_client, token_for, f"Afsluittest{tag}")
    casus.include()
    casus.to_uitvoering()
    casus.move(
        REGISSEUR,
        "afsluiting",
        {
            "reden": "gestopt-verhuisd",
            "toelichting": "Verhuisd naar een andere gemeente.",
            "afsluitbrief_datum": "2026-05-06",
        },
    )
    regisseur = token_for(T, REGISSEUR)
    response = module_client.get(f"{casus.url}/brieven/afsluitbrief", headers=regisseur)
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert f"Noor Afsluittest{tag}" in text
    assert "6 mei 2026" in text  # the date recorded with the closure
    assert "Zeist" in text
    # Zeist gives no afsluitbrief template: the default Dutch text.
    assert "voor u is afgesloten" in text
    # The notificatiebrief belongs to the running casus, not after closure.
    late = module_client.get(f"{casus.url}/brieven/notificatiebrief", headers=regisseur)
    assert late.status_code == 409


def test_reader_without_a_grant_for_name_and_address_is_refused_and_audited(
    module_client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    """The regional bureau reads an opgeschaalde casus for 'opschaling' only: its convenant
    grant gives no name and address for 'afsluiting', so it cannot make the afsluitbrief."""
    tag = uuid.uuid4().hex[:6]
    casus = Casus(module_client, token_for, f"Opschaalbrief{tag}")
    casus.include()
    casus.to_uitvoering()
    casus.move(REGISSEUR, "afsluiting", {"reden": "opgeschaald", "toelichting": "Bovenlokaal."})
    zvh = token_for(REGIO_UTRECHT, REGIO_UTRECHT_PGA_EXPERT)
    assert (
        module_client.get(casus.url, params={"doel": "opschaling"}, headers=zvh).status_code == 200
    )
    refused = module_client.get(f"{casus.url}/brieven/afsluitbrief", headers=zvh)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "categorie-geen-grant" in {r["code"] for r in refused.json()["redenen"]}
    assert f"Opschaalbrief{tag}" not in refused.text
    rows = audit_rows(runtime, casus.id, REGIO_UTRECHT_PGA_EXPERT)
    assert rows and not any(r.allowed for r in rows)
    assert "categorie-geen-grant" in rows[-1].reasons


def test_other_gemeente_404_non_participant_refused(
    module_client: TestClient[Litestar], token_for: Headers, runtime: Runtime
) -> None:
    tag = uuid.uuid4().hex[:6]
    casus = Casus(module_client, token_for, f"Buitenstaander{tag}")
    casus.include()
    foreign = module_client.get(
        f"{casus.url}/brieven/notificatiebrief",
        headers=token_for(ZOETERMEER, ZOETERMEER_PGA_EXPERT),
    )
    assert foreign.status_code == 404
    assert foreign.headers["content-type"].startswith("application/problem+json")
    outsider = module_client.get(
        f"{casus.url}/brieven/notificatiebrief", headers=token_for(T, OUTSIDER)
    )
    assert outsider.status_code in (403, 404)
    assert f"Buitenstaander{tag}" not in outsider.text
    rows = audit_rows(runtime, casus.id, OUTSIDER)
    assert rows and not any(r.allowed for r in rows)
    unknown = module_client.get(
        f"/api/v1/casussen/{uuid.uuid4()}/brieven/afsluitbrief", headers=token_for(T, REGISSEUR)
    )
    assert unknown.status_code == 404


def test_restricted_person_gets_no_letter(
    module_client: TestClient[Litestar], token_for: Headers
) -> None:
    """Beperking (art. 18 AVG): the person's data are kept, not processed: no letter."""
    tag = uuid.uuid4().hex[:6]
    casus = Casus(module_client, token_for, f"Beperkt{tag}")
    casus.include()
    regisseur = token_for(T, REGISSEUR)
    person = module_client.get(casus.url, headers=regisseur).json()["persoon"]
    person_etag = '"v1"'
    restricted = module_client.patch(
        f"/api/v1/personen/{person['id']}/beperking",
        json={"beperkt": True, "reden": "Betrokkene betwist de juistheid (art. 18 AVG)."},
        headers={**regisseur, "If-Match": person_etag},
    )
    assert restricted.status_code == 200, restricted.text
    refused = module_client.get(f"{casus.url}/brieven/notificatiebrief", headers=regisseur)
    assert refused.status_code == 403, refused.text
    assert "verwerking-beperkt" in {r["code"] for r in refused.json()["redenen"]}
