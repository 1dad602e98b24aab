"""The casus read (``GET /api/v1/casussen/{id}``) builds its response bytes and commits in
the handler's thread (issue 14; ADR 0024, amendment 2). Proven equal to the way it answered
before — the response model handed to Litestar (``model_dump`` + its JSON encoder) and the
commit in the request dependency's own worker thread — byte for byte, with the same ETag and
the same audit rows, for readers with a full, a reduced and no view; and the unit of work
ends once whichever way it ends."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from decided_reads import decided_reads
from factories import aanmelden
from litestar import Litestar
from litestar.serialization import encode_json, get_serializer
from litestar.testing import TestClient
from people import ZEIST, ZEIST_KLANTMANAGER, ZEIST_PGA_EXPERT, ZEIST_WIJKAGENT
from workspaces import principal_of

from services.casework.casussen import routes
from services.casework.casussen.schemas import CasusOut
from services.casework.commands import json_bytes, tagged
from services.casework.unit_of_work import UnitOfWork
from services.casework.workspace import Workspace
from services.runtime import Runtime

Headers = Callable[[str, str], dict[str, str]]
T = ZEIST
#: Free text that JSON encoders might write differently: non-ASCII, quotes, escapes,
#: line separators, markup.
TRICKY = 'Schulden — ë ‘x’ "q" \\ \n\t \u2028\u2029 <script>&amp; 😀 \x7f'


def _the_old_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The route as it was: the model handed to Litestar, committed by the dependency."""
    monkeypatch.setattr(routes, "tagged_json", tagged)
    monkeypatch.setattr(Workspace, "bind_finish", lambda self, finish: None)


@pytest.mark.parametrize(
    ("reader", "doel"),
    [
        (ZEIST_PGA_EXPERT, None),
        (ZEIST_PGA_EXPERT, "opschaling"),
        (ZEIST_WIJKAGENT, None),
        (ZEIST_KLANTMANAGER, None),
        (ZEIST_PGA_EXPERT, "onbekend-doel"),
    ],
    ids=["expert", "expert-opschaling", "aanmelder", "other-org", "bad-purpose"],
)
def test_the_casus_read_answers_and_audits_as_before(
    runtime: Runtime,
    client: TestClient[Litestar],
    token_for: Headers,
    monkeypatch: pytest.MonkeyPatch,
    reader: str,
    doel: str | None,
) -> None:
    casus_id = uuid.UUID(
        aanmelden(
            client,
            token_for(T, ZEIST_WIJKAGENT),
            "Bytes",
            waarom_integraal=TRICKY,
            problemen={"financien": TRICKY, "huisvesting": "Huur 1.5e3 achterstand"},
        )
    )
    path = f"/api/v1/casussen/{casus_id}" + (f"?doel={doel}" if doel else "")
    headers = token_for(T, reader)
    fast = client.get(path, headers=headers)
    with monkeypatch.context() as patched:
        _the_old_way(patched)
        slow = client.get(path, headers=headers)
    assert fast.status_code == slow.status_code
    if fast.status_code == 200:
        assert fast.content == slow.content
    else:  # problem+json: the same but for the request's own id
        assert {**fast.json(), "request_id": None} == {**slow.json(), "request_id": None}
    assert fast.headers.get("etag") == slow.headers.get("etag")
    assert fast.headers.get("content-type") == slow.headers.get("content-type")
    reads = decided_reads(runtime, T, casus_id, with_input=True)
    if doel != "onbekend-doel":  # a purpose that does not exist is a 422 before deciding
        assert len(reads) >= 2
        assert reads[-2] == reads[-1]


def test_json_bytes_equal_litestar_encoding_of_the_model(client: TestClient[Litestar]) -> None:
    """The one-pass encoding equals what the response plugin and Litestar's encoder make of
    the same model: unset defaults left out, extra aanmelding keys kept, numbers and text of
    free JSON as they are."""
    view: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "referentie": "C-1",
        "tenant": T,
        "soort": "persoon",
        "fase": "aangemeld",
        "fase_label": "Aangemeld",
        "aangemeld_op": "2026-11-27",
        "versie": 3,
        "weergave": "full",
        "doelgroep": None,
        "vrijwillig": True,
        "overleg": None,
        "aanmelder_organisatie": "org",
        "aanmelding": {
            "problemen": {"financien": TRICKY, "wonen": None},
            "problemen_afgeschermd": ["wonen"],
            "geinformeerd": None,
            "eigen_veld": {"a": [1, 2.5, 1e16, -0.0, 10**20, True, None]},
        },
        "triage": {"score": 0.1 + 0.2, "groot": 1.5e300, "tekst": TRICKY, "n": [None, {}]},
        "informeren": {},
        "afsluiting": {"datum": "2026-01-01"},
        "tekst_afgeschermd": False,
        "bewaartermijn_tot": None,
        "deelnemers": [{"organisatie": "o", "deelname": "actief", "rol": None}],
        "regie": [],
        "volgende_fasen": [],
        "gemaskeerd": ["identificerend"],
        "redenen": [],
    }
    model = CasusOut.model_validate(view)
    expected = encode_json(model, get_serializer(_encoders_of_the_route(client.app)))
    assert json_bytes(model) == expected


def _encoders_of_the_route(app: Litestar) -> Any:
    """The type encoders Litestar renders the casus route's response with."""
    for route in app.routes:
        if route.path == "/api/v1/casussen/{casus_id:uuid}":
            for handler in getattr(route, "route_handlers", ()):
                if "GET" in handler.http_methods:
                    return handler.resolve_type_encoders()
    raise AssertionError("the casus route is not in the app")


def test_the_unit_ends_once(runtime: Runtime) -> None:
    """``finish`` commits; an abort afterwards (a request cancelled while the handler's
    thread committed) does nothing; one that fails in ``build`` leaves the unit to abort."""
    principal = principal_of(runtime, ZEIST_PGA_EXPERT)
    unit = UnitOfWork(runtime.casework, principal)
    unit.open()
    assert unit.finish(lambda: 42) == 42
    assert unit.ended
    unit.abort(RuntimeError("cancelled"))  # no error: it has ended
    unit.commit()  # nor a second commit
    with pytest.raises(RuntimeError, match="ended"):
        unit.finish(lambda: 1)

    failing = UnitOfWork(runtime.casework, principal)
    failing.open()

    def boom() -> int:
        raise ValueError("handler failed")

    with pytest.raises(ValueError, match="handler failed"):
        failing.finish(boom)
    assert not failing.ended
    failing.abort(ValueError("handler failed"))
    assert failing.ended
    assert failing.open_session() is None
