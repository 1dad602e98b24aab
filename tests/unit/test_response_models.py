"""Response models keep the JSON the views produce (ADR 0022): a key a view leaves out stays
out, a masked None stays None, and a view with an undeclared key is refused."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient
from pydantic import ValidationError

from services.casework.casussen.schemas import PersoonOut
from services.casework.plan.schemas import ActieOut
from services.platform.http.openapi import OPENAPI_PATH, RESPONSE_PLUGIN, openapi_document

PSEUDONYMISED: dict[str, Any] = {
    "id": "p1",
    "pseudoniem": "ab12",
    "leeftijdscategorie": None,
    "weergave": "pseudoniem",
    "gemaskeerd": ["bsn", "identificerend"],
}
FULL: dict[str, Any] = {
    "id": "p1",
    "voornamen": "Bradley",
    "achternaam": "Voorbeeld",
    "roepnaam": None,
    "aliassen": [],
    "geboortedatum": None,
    "leeftijd": None,
    "leeftijdscategorie": "18-23",
    "bsn": "******333",
    "adres": {},
    "weergave": "full",
    "gemaskeerd": ["bsn"],
}


@get("/persoon/{soort:str}", sync_to_thread=False)
def persoon(soort: FromPath[str]) -> PersoonOut:
    return PersoonOut.model_validate(PSEUDONYMISED if soort == "pseudoniem" else FULL)


@get("/actie", sync_to_thread=False)
def anonymised_action() -> ActieOut:
    return ActieOut.model_validate(
        {
            "id": "a1",
            "eigenaar_organisatie": "rsd",
            "deadline": "2026-12-31",
            "status": "open",
            "status_label": "Open",
        }
    )


@pytest.fixture
def client() -> Any:
    app = Litestar([persoon, anonymised_action, openapi_document], plugins=[RESPONSE_PLUGIN])
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("view", [PSEUDONYMISED, FULL], ids=["pseudoniem", "full"])
def test_the_json_is_the_view_exactly(client: Any, view: dict[str, Any]) -> None:
    soort = "pseudoniem" if view is PSEUDONYMISED else "full"
    assert client.get(f"/persoon/{soort}").json() == view


def test_free_text_left_out_stays_out(client: Any) -> None:
    body = client.get("/actie").json()
    assert "omschrijving" not in body
    assert "eigenaar_gebruiker" not in body


def test_a_view_with_an_undeclared_key_is_refused() -> None:
    with pytest.raises(ValidationError):
        PersoonOut.model_validate({**PSEUDONYMISED, "naam": "Bradley"})


def test_the_schema_names_the_optional_keys_but_does_not_require_them(client: Any) -> None:
    schema = client.get(OPENAPI_PATH).json()["components"]["schemas"]["PersoonOut"]
    assert {"voornamen", "pseudoniem", "bsn"} <= set(schema["properties"])
    assert "voornamen" not in schema["required"]
    assert {"id", "gemaskeerd"} <= set(schema["required"])
