"""Delen in steps: the checklist gegevensdeling (docs/policy.md, rule 4) as a wizard.

1. doel en grondslag (with the art. 9 exception or the ground to break beroepsgeheim when
   the item's category needs it), 2. noodzaak, proportionaliteit en subsidiariteit,
3. transparantie (is the person informed, or why not), 4. the recipients and the summary.

Each step checks its own part: a missing part is a message beside its field in that step
(422), not a refusal by the policy. Every answer travels with the form (plain HTML, no
JavaScript), so going back loses nothing. The last step calls the same service function as
the API (:func:`share_item`); the policy still decides there, with the complete checklist.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import ValidationError

from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.informatie import delen, items
from services.casework.informatie.routes import DelenIn
from services.casework.web import formstate
from services.casework.web.context import Viewer, WebDeps
from services.casework.web.kit import CasusId, Form, submit
from services.casework.web.page_forms import run_form
from services.casework.web.schema_forms import problems_of
from services.casework.web.shell import (
    PHASE_PURPOSE,
    Page,
    Req,
    Web,
    form_token,
    guarded,
    render,
    to_login,
)
from services.casework.workspace import Workspace
from services.platform.db.models import CasusParticipant, Organisation
from services.platform.http.csrf import FIELD as CSRF_FIELD
from services.platform.identity.authn import PUBLIC
from tenants.reference import (
    BEROEPSGEHEIM_GROUNDS,
    LEGAL_BASES_ART6,
    LEGAL_BASES_ART9,
    PURPOSES,
)

ItemId = FromPath[uuid.UUID]

#: Categories whose share needs more than an art. 6 basis (as on the casus page).
ART9_CATEGORY: Final = "bijzonder"
BEROEPSGEHEIM_CATEGORY: Final = "beroepsgeheim"
FORM: Final = "delen"


@dataclass(frozen=True)
class Step:
    code: str
    title: str
    fields: tuple[str, ...]


STEPS: Final[Sequence[Step]] = (
    Step(
        "doel",
        "Doel en grondslag",
        ("doel", "grondslag", "art9_uitzondering", "beroepsgeheim_grond"),
    ),
    Step(
        "noodzaak",
        "Noodzaak, proportionaliteit en subsidiariteit",
        ("noodzaak", "proportionaliteit", "subsidiariteit"),
    ),
    Step("transparantie", "Transparantie", ("persoon_geinformeerd", "reden_niet_geinformeerd")),
    Step("ontvangers", "Ontvangers en bevestigen", ()),
)
ALL_FIELDS: Final = tuple(f for step in STEPS for f in step.fields)
NECESSITY_PARTS: Final = (
    ("noodzaak", "Noodzaak"),
    ("proportionaliteit", "Proportionaliteit"),
    ("subsidiariteit", "Subsidiariteit"),
)


# ---------------------------------------------------------------------------------------------
# The checklist, step by step
# ---------------------------------------------------------------------------------------------


def _answer(answers: Mapping[str, str], name: str) -> str:
    return answers.get(name, "").strip()


def necessity_text(answers: Mapping[str, str]) -> str | None:
    """The three answers of step 2 as the checklist's one ``noodzaak`` text."""
    parts = [
        f"{label}: {_answer(answers, name)}"
        for name, label in NECESSITY_PARTS
        if _answer(answers, name)
    ]
    return "\n".join(parts) or None


def informed(answers: Mapping[str, str]) -> bool | None:
    value = _answer(answers, "persoon_geinformeerd")
    return True if value == "ja" else False if value == "nee" else None


def api_data(answers: Mapping[str, str], category: str) -> dict[str, Any]:
    """The answers as the API's ``DelenIn`` body."""
    told = informed(answers)
    return {
        "doel": _answer(answers, "doel") or None,
        "grondslag": _answer(answers, "grondslag") or None,
        "art9_uitzondering": (_answer(answers, "art9_uitzondering") or None)
        if category == ART9_CATEGORY
        else None,
        "beroepsgeheim_grond": (_answer(answers, "beroepsgeheim_grond") or None)
        if category == BEROEPSGEHEIM_CATEGORY
        else None,
        "noodzaak": necessity_text(answers),
        "persoon_geinformeerd": told,
        "reden_niet_geinformeerd": (_answer(answers, "reden_niet_geinformeerd") or None)
        if told is False
        else None,
    }


def step_problems(step: Step, answers: Mapping[str, str], category: str) -> list[FieldProblem]:
    """What is missing or wrong in one step (the same parts the policy asks for)."""
    problems: list[FieldProblem] = []

    def need(name: str, message: str) -> None:
        if not _answer(answers, name):
            problems.append(FieldProblem(name, message))

    if step.code == "doel":
        need("doel", "Kies het doel van de deling (doelbinding).")
        if _answer(answers, "doel") and _answer(answers, "doel") not in PURPOSES:
            problems.append(FieldProblem("doel", "Kies een van de doelen."))
        need("grondslag", "Kies de grondslag (art. 6 AVG) waarop u deelt.")
        basis = _answer(answers, "grondslag")
        if basis == "convenant":
            problems.append(
                FieldProblem(
                    "grondslag",
                    "Een convenant is geen grondslag: kies een grondslag uit art. 6 AVG.",
                )
            )
        elif basis and basis not in LEGAL_BASES_ART6:
            problems.append(FieldProblem("grondslag", "Kies een van de grondslagen."))
        if category == ART9_CATEGORY:
            need(
                "art9_uitzondering",
                "Bijzondere persoonsgegevens (art. 9 AVG) deelt u alleen met een "
                "uitzonderingsgrond: kies die.",
            )
        if category == BEROEPSGEHEIM_CATEGORY:
            need(
                "beroepsgeheim_grond",
                "Gegevens onder beroepsgeheim deelt u alleen met een grond om het "
                "beroepsgeheim te doorbreken: kies die.",
            )
    elif step.code == "noodzaak":
        need("noodzaak", "Leg uit waarom delen nodig is voor het doel.")
        need(
            "proportionaliteit",
            "Leg uit waarom deze gegevens in verhouding staan tot het doel (niet meer dan nodig).",
        )
        need(
            "subsidiariteit",
            "Leg uit waarom het doel niet met minder ingrijpende middelen te bereiken is.",
        )
    elif step.code == "transparantie":
        told = informed(answers)
        if told is None:
            problems.append(
                FieldProblem(
                    "persoon_geinformeerd", "Geef aan of de persoon is geïnformeerd over het delen."
                )
            )
        elif told is False:
            need(
                "reden_niet_geinformeerd",
                "Geef aan waarom de persoon (nog) niet is geïnformeerd.",
            )
    if not problems:
        # The API's own checks (codes, lengths) on this step's fields.
        try:
            DelenIn.model_validate(api_data(answers, category))
        except ValidationError as error:
            mine = set(step.fields)
            problems = [p for p in problems_of(error) if p.field in mine]
    return problems


def first_incomplete(answers: Mapping[str, str], category: str) -> tuple[int, list[FieldProblem]]:
    """The first step with problems (index), or ``(len(STEPS), [])`` when all are complete."""
    for index, step in enumerate(STEPS):
        problems = step_problems(step, answers, category)
        if problems:
            return index, problems
    return len(STEPS), []


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


def _recipients(ws: Workspace, casus_id: uuid.UUID) -> list[str]:
    """The organisations that see the item once it is shared (the other participants)."""
    rows = ws.session.execute(
        sa.select(Organisation.name)
        .join(
            CasusParticipant,
            sa.and_(
                CasusParticipant.tenant_id == Organisation.tenant_id,
                CasusParticipant.organisation_id == Organisation.id,
            ),
        )
        .where(
            CasusParticipant.tenant_id == ws.principal.tenant,
            CasusParticipant.casus_id == casus_id,
            CasusParticipant.active,
            Organisation.id != ws.principal.organisation,
        )
        .order_by(Organisation.name)
    ).all()
    return [row.name for row in rows]


def _answers_of(form: Form) -> dict[str, str]:
    return {name: form.get(name) for name in ALL_FIELDS}


def wizard_page(
    viewer: Viewer,
    web: WebDeps,
    casus_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    token: str,
    step: int = 0,
    state: formstate.FormState | None = None,
    status: int = 200,
) -> Template:
    with viewer.attempt() as ws:
        item, decision = items.read_item(ws, casus_id, item_id)
        view = items.item_view(ws, item, decision)
        recipients = _recipients(ws, casus_id)
    answers: dict[str, str | list[str]] = {
        "doel": view["doel"] or "",
        "grondslag": view["grondslag"] or "",
        "art9_uitzondering": view["art9_uitzondering"] or "",
        "beroepsgeheim_grond": view["beroepsgeheim_grond"] or "",
    }
    if state is not None:
        answers = dict(state.values)
    flat = {k: (v[0] if isinstance(v, list) and v else v) for k, v in answers.items()}
    return render(
        viewer,
        "delen.html",
        {
            "c": {"id": str(casus_id)},
            "it": view,
            "stap": step,
            "stappen": STEPS,
            "waarden": flat,
            "ontvangers": recipients,
            "noodzaak_tekst": necessity_text({k: str(v) for k, v in flat.items()}),
            "keuzes": {
                "doelen": PURPOSES,
                "grondslagen": LEGAL_BASES_ART6,
                "art9": LEGAL_BASES_ART9,
                "beroepsgeheim": BEROEPSGEHEIM_GROUNDS,
                "art9_categorie": ART9_CATEGORY,
                "beroepsgeheim_categorie": BEROEPSGEHEIM_CATEGORY,
            },
            "f": formstate.FormView(state),
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
        },
        doel=PHASE_PURPOSE,
        active="casussen",
        status=status,
    )


class DelenWizardController(Controller):
    """Delen via de checklist gegevensdeling, stap voor stap."""

    path = "/"
    include_in_schema = False

    @get(
        "/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/delen", opt=PUBLIC, sync_to_thread=True
    )
    def start(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, item_id: ItemId
    ) -> Response[Any]:
        if viewer is None:
            return to_login()
        token = form_token(request, web.csrf)
        return guarded(
            viewer,
            PHASE_PURPOSE,
            lambda: wizard_page(viewer, web, casus_id, item_id, token=token),
        )

    @post("/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/delen", opt=PUBLIC, status_code=303)
    async def step(
        self, request: Req, web: Web, viewer: Page, casus_id: CasusId, item_id: ItemId
    ) -> Response[Any]:
        """``stap`` is the step the form was on; ``knop`` is ``verder``, ``terug`` or
        ``delen``. Without ``stap`` (a form of its own), every step is checked at once."""

        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            answers = _answers_of(form)
            raw_step = form.get("stap")
            current = int(raw_step) if raw_step.isdigit() else len(STEPS) - 1
            current = min(max(current, 0), len(STEPS) - 1)
            button = form.get("knop") or ("delen" if not raw_step else "verder")
            shown = {"step": current}

            def page(state: formstate.FormState, status: int) -> Template:
                return wizard_page(
                    viewer,
                    web,
                    casus_id,
                    item_id,
                    token=token,
                    step=shown["step"],
                    state=state,
                    status=status,
                )

            def change() -> Response[Any]:
                with viewer.attempt() as ws:
                    item, _ = items.read_item(ws, casus_id, item_id)
                    category = item.category
                if button == "terug":
                    shown["step"] = max(current - 1, 0)
                    return page(formstate.FormState(FORM, form.values()), 200)
                if button != "delen":
                    problems = step_problems(STEPS[current], answers, category)
                    if problems:
                        raise DomainValidationError(problems)
                    shown["step"] = min(current + 1, len(STEPS) - 1)
                    return page(formstate.FormState(FORM, form.values()), 200)
                index, problems = first_incomplete(answers, category)
                if problems:
                    shown["step"] = index
                    raise DomainValidationError(problems)
                shown["step"] = len(STEPS) - 1
                data = DelenIn.model_validate(api_data(answers, category))
                version = form.get("versie")
                with viewer.attempt() as ws:
                    delen.share_item(
                        ws,
                        casus_id,
                        item_id,
                        data.checklist(),
                        int(version) if version.isdigit() else None,
                    )
                return Redirect(f"/casussen/{casus_id}?melding=gedeeld", status_code=303)

            return run_form(viewer, FORM, form, change, page, doel=PHASE_PURPOSE, fields=ALL_FIELDS)

        return await submit(request, web, viewer, work)
