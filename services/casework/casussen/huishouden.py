"""Household members (gezinsleden) on the casus page: who is in the household (third-party
data, under the policy's ``derden`` grant), the form to add one and, per member, the form to
end the membership (date and reason; ended members are shown as ended). Validated with the
API's request models; done through the same service functions as the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Final

from litestar import Controller, Response, post
from litestar.params import FromPath

from services.casework.casussen import gezinsleden
from services.casework.casussen.schemas import GezinslidEindeIn, GezinslidIn, to_person_input
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.plan.form import iso_date
from services.casework.web.kit import Builder, CasusId, Form, casus_form
from services.casework.web.schema_forms import parse_form
from services.casework.web.shell import Page, Req, Web, reasons
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.db.models import Casus
from services.platform.identity.authn import PUBLIC

#: The relations of GezinslidIn, in Dutch.
RELATIONS: Final[Mapping[str, str]] = {
    "ouder": "Ouder",
    "partner": "Partner",
    "kind": "Kind",
    "broer-zus": "Broer of zus",
    "huisgenoot": "Huisgenoot",
    "overig": "Overig",
}
PERSON_FIELDS: Final = ("voornamen", "achternaam", "roepnaam", "geboortedatum", "bsn")
#: Field paths of the API model and the service -> the form's field names.
NAMES: Final[Mapping[str, str]] = {
    **{f"persoon.{f}": f for f in PERSON_FIELDS},
    **{f"gezinslid.{f}": f for f in PERSON_FIELDS},
}


def household_section(
    ws: Workspace, casus: Casus, detail: Mapping[str, Any], purpose: str | None
) -> dict[str, Any] | None:
    """The household of the person of a person casus as this reader may see it."""
    if casus.kind != "persoon":
        return None
    section: dict[str, Any] = {
        "relaties": RELATIONS,
        "formulier": detail.get("weergave") == "full",
        "leden": [],
        "geweigerd": None,
    }
    try:
        section["leden"] = gezinsleden.household(ws, casus.id, purpose)
    except AccessDenied as error:
        section["geweigerd"] = reasons(error.decision)
    return section


def _add(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
    def perform(ws: Workspace) -> str:
        if not form.get("relatie"):
            raise DomainValidationError([FieldProblem("relatie", "Kies de relatie.")])
        person = {f: form.get(f) or None for f in PERSON_FIELDS}
        data = parse_form(
            GezinslidIn,
            {"relatie": form.get("relatie"), "persoon": {k: v for k, v in person.items() if v}},
            names=NAMES,
        )
        try:
            gezinsleden.add_household_member(
                ws, casus_id, to_person_input(data.persoon), data.relatie
            )
        except DomainValidationError as error:
            raise DomainValidationError(
                [FieldProblem(NAMES.get(p.field, p.field), p.message) for p in error.problems]
            ) from None
        return "gezinslid-vastgelegd"

    return perform


def end_form_key(member_id: str) -> str:
    """The key of a member's end form (``gezinslid-einde:<lid>``)."""
    return f"gezinslid-einde:{member_id}"


def _end(member_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace], str]:
        def perform(ws: Workspace) -> str:
            body = {"reden": form.get("reden")}
            if form.get("datum"):
                body["datum"] = iso_date(form.get("datum"))
            data = parse_form(GezinslidEindeIn, body)
            gezinsleden.end_household_member(ws, casus_id, member_id, data.datum, data.reden)
            return "gezinslid-beeindigd"

        return perform

    return build


class HuishoudenPagesController(Controller):
    """Gezinslid vastleggen (casuspagina)."""

    path = "/"
    include_in_schema = False

    @post("/casussen/{casus_id:uuid}/gezinsleden", opt=PUBLIC, status_code=303)
    async def add(self, request: Req, web: Web, viewer: Page, casus_id: CasusId) -> Response[Any]:
        return await casus_form(request, web, viewer, casus_id, lambda form: "gezinslid", _add)

    @post(
        "/casussen/{casus_id:uuid}/gezinsleden/{lid_id:uuid}/beeindigen",
        opt=PUBLIC,
        status_code=303,
    )
    async def end(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, lid_id: FromPath[uuid.UUID]
    ) -> Response[Any]:
        return await casus_form(
            request, web, viewer, casus_id, lambda form: end_form_key(str(lid_id)), _end(lid_id)
        )
