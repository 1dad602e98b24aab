"""Gaps of issue 12 closed in the service and API as well as in the browser: archiveren
needs a reason (422 problem+json without one, recorded with the casus); a household member's
membership is ended (date and reason) and shown as ended; actions from a casusoverleg are
done or postponed from the werkvoorraad; a zelfredzaamheid measurement has a toelichting,
shown beside the table and masked like other free text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from test_web_casus_safeguards import EXPERT, Api

Headers = Callable[[str, str], dict[str, str]]
Client = TestClient[Litestar]
T = "GM0355"


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
