"""The Dutch web forms: doing the daily work, not only reading it.

Plain HTML forms (no JavaScript): aanmelden (person and group), phase transitions, the
triage decision, informeren, afsluiten, heropenen, adding and sharing information (checklist
gegevensdeling, achterhouden, vrijgeven), deelnemers and regie, and the group approach
(signals, the namenlijst). Every form calls the same casework service
function as the JSON API, inside the same unit of work, so the policy decides and audits
exactly as it does for the API.

- Success: 303 back to the casus page with a fixed flash message (``?melding=<code>``).
- Invalid input: the page again (422) with the entered values and a Dutch message per field.
- A stale version (someone else changed the casus): 303 back with the message that the casus
  was changed in the meantime; nothing is changed.
- A refusal by the policy: the page again (403) with the policy's Dutch reasons.
- CSRF: besides the SameSite=Strict cookie, every POST must carry the hidden token derived
  from the login cookie (:mod:`services.web.csrf`); otherwise a Dutch 403 page.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from services.casework.casussen import service as svc
from services.casework.domain import lifecycle
from services.casework.domain.assessments import instrument_domains
from services.casework.domain.bsn import is_valid_bsn, normalize_bsn
from services.casework.domain.errors import DomainValidationError, FieldProblem
from services.casework.errors import Conflict, NotFound, VersionMismatch, VersionRequired
from services.casework.groepsaanpak import service as groups
from services.casework.informatie import service as information
from services.casework.personen.service import PersonInput
from services.casework.unit_of_work import CaseworkDeps, workspace
from services.casework.workspace import Workspace
from services.platform.authz.enforce import AccessDenied
from services.platform.identity.authn import COOKIE, PUBLIC
from services.platform.policy import PolicyEngineUnavailable
from services.web import acties
from services.web.context import WebDeps
from services.web.csrf import FIELD as CSRF_FIELD
from services.web.pages import (
    PHASE_PURPOSE,
    Viewer,
    _guarded,
    _not_found,
    _reasons,
    _render,
    _to_login,
    _viewer,
    casus_page,
)
from tenants.reference import DATA_CATEGORIES, PURPOSES

Req = Request[Any, Any, Any]
Web = NamedDependency[WebDeps]
CasusId = FromPath[uuid.UUID]
ItemId = FromPath[uuid.UUID]
PersonId = FromPath[uuid.UUID]

SHORT: Final = 300
LONG: Final = 10_000
ITEM_BODY: Final = 20_000
AANMELDING_PURPOSE: Final = "aanmelding"
PROBLEM_PREFIX: Final = "probleem_"

#: Service field names of the aanmelding -> the form's field names.
AANMELD_FIELDS: Final[Mapping[str, str]] = {
    "persoon.bsn": "bsn",
    "persoon.geboortedatum": "geboortedatum",
    "persoon.voornamen": "voornamen",
    "persoon.achternaam": "achternaam",
    "persoon.roepnaam": "roepnaam",
}
#: What the writer can say the general free text is about (free_text.py): it is masked for
#: readers to whom that category is masked. Leefgebied texts carry their own categories.
TEXT_CATEGORY_CHOICES: Final[Mapping[str, str]] = {
    code: DATA_CATEGORIES[code]
    for code in (
        "strafrechtelijk",
        "politiegegevens",
        "justitieel",
        "bijzonder",
        "beroepsgeheim",
        "financieel",
    )
}

AANMELD_FORM_FIELDS: Final = frozenset(
    {
        "tekst_categorie",
        "voornamen",
        "achternaam",
        "roepnaam",
        "geboortedatum",
        "bsn",
        "waarom_integraal",
        "problemen",
        "geinformeerd",
        "reden_niet_geinformeerd",
        "overleg",
        "vrijwillig",
    }
)
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


# ---------------------------------------------------------------------------------------------
# Reading and checking a form
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """The fields of a posted form (text values only)."""

    fields: Mapping[str, list[str]]

    def get(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0].strip() if values else ""

    def getall(self, name: str) -> list[str]:
        return [v.strip() for v in self.fields.get(name, []) if v.strip()]

    def values(self) -> dict[str, str | list[str]]:
        """What was entered, to put back in the form (never the CSRF token)."""
        kept: dict[str, str | list[str]] = {}
        for name, values in self.fields.items():
            if name == CSRF_FIELD:
                continue
            kept[name] = values[0] if len(values) == 1 else list(values)
        return kept


async def _read_form(request: Req) -> Form:
    raw = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in raw.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return Form(fields)


class Checks:
    """Syntax checks of the form itself (the service checks the domain rules)."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.problems: list[FieldProblem] = []

    def text(
        self,
        name: str,
        *,
        required: str | None = None,
        max_length: int = LONG,
        min_length: int = 0,
        too_short: str = "",
    ) -> str | None:
        value = self.form.get(name)
        if not value:
            if required:
                self.problems.append(FieldProblem(name, required))
            return None
        if len(value) > max_length:
            self.problems.append(
                FieldProblem(name, f"Dit veld is te lang (maximaal {max_length} tekens).")
            )
        elif len(value) < min_length:
            self.problems.append(FieldProblem(name, too_short))
        return value

    def date(self, name: str) -> dt.date | None:
        value = self.form.get(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
        match = _DUTCH_DATE.fullmatch(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                pass
        self.problems.append(FieldProblem(name, "Vul een geldige datum in (dd-mm-jjjj)."))
        return None

    def version(self) -> int | None:
        """The casus version the form was made for (None: the service answers 'required')."""
        value = self.form.get("versie")
        return int(value) if value.isdigit() else None

    def done(self) -> None:
        if self.problems:
            raise DomainValidationError(self.problems)


# ---------------------------------------------------------------------------------------------
# Shared handling
# ---------------------------------------------------------------------------------------------


def _refused(viewer: Viewer) -> Template:
    return _render(viewer, "formulier_ongeldig.html", {}, doel=None, status=403)


async def _submit(
    request: Req,
    web: WebDeps,
    work: Callable[[Viewer, Form, str], Response[Any]],
) -> Response[Any]:
    """Read the form, then (in a worker thread) check the login and the CSRF token first."""
    form = await _read_form(request)

    def run() -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()
        cookie = request.cookies.get(COOKIE)
        if not web.csrf.valid(cookie, form.get(CSRF_FIELD)):
            return _refused(viewer)
        assert cookie is not None
        return work(viewer, form, web.csrf.token(cookie))

    return await anyio.to_thread.run_sync(run)


def _back(casus_id: uuid.UUID, melding: str) -> Redirect:
    return Redirect(f"/casussen/{casus_id}?melding={melding}", status_code=303)


def _casus_action(
    viewer: Viewer,
    casework: CaseworkDeps,
    casus_id: uuid.UUID,
    token: str,
    form_key: str,
    form: Form,
    perform: Callable[[Workspace, Checks], str],
) -> Response[Any]:
    """Run one casus form in one unit of work; turn every outcome into a page."""
    values = form.values()

    def page(state: acties.FormState, status: int) -> Template:
        return casus_page(viewer, casework, casus_id, None, token=token, state=state, status=status)

    state: acties.FormState
    status: int
    try:
        with workspace(casework, viewer.principal) as ws:
            melding = perform(ws, Checks(form))
        return _back(casus_id, melding)
    except (VersionMismatch, VersionRequired):
        return _back(casus_id, acties.STALE)
    except AccessDenied as error:
        if "tenant-anders" in error.decision.codes:
            return _not_found(viewer, PHASE_PURPOSE)
        reasons = tuple(r["message"] for r in _reasons(error.decision))
        state, status = acties.FormState(form_key, values, general=reasons, denied=True), 403
    except DomainValidationError as error:
        state, status = acties.state_from_problems(form_key, values, error.problems), 422
    except lifecycle.InvalidTransition as error:
        state, status = acties.FormState(form_key, values, general=(error.message,)), 409
    except Conflict as error:
        state, status = acties.FormState(form_key, values, general=(error.message,)), 409
    except NotFound:
        return _not_found(viewer, PHASE_PURPOSE)
    except PolicyEngineUnavailable:
        return _render(viewer, "storing.html", {}, doel=PHASE_PURPOSE, status=503)
    return _guarded(viewer, PHASE_PURPOSE, lambda: page(state, status))


# ---------------------------------------------------------------------------------------------
# Aanmelden
# ---------------------------------------------------------------------------------------------


def _registration_page(
    viewer: Viewer,
    casework: CaseworkDeps,
    token: str,
    *,
    kind: str,
    form_name: str,
    template: str,
    state: acties.FormState | None,
    status: int,
) -> Template:
    """The aanmeld form of a person or a group: the tenant's leefgebieden and the meeting
    types of that casus kind."""
    with workspace(casework, viewer.principal) as ws:
        manifest = ws.manifest
    meetings = [
        {"id": m.id, "naam": m.name} for m in manifest.meeting_types if m.casus_type == kind
    ]
    return _render(
        viewer,
        template,
        {
            "f": acties.FormView(state or acties.FormState(form_name)),
            "leefgebieden": instrument_domains(manifest.assessment_instrument),
            "prefix": PROBLEM_PREFIX,
            "overleggen": meetings,
            "tekstcategorieen": TEXT_CATEGORY_CHOICES,
            "csrf_veld": CSRF_FIELD,
            "csrf_token": token,
            "geweigerd": bool(state and state.denied),
        },
        doel=AANMELDING_PURPOSE,
        active="aanmelden",
        status=status,
    )


def _aanmeld_page(
    viewer: Viewer,
    casework: CaseworkDeps,
    token: str,
    state: acties.FormState | None = None,
    status: int = 200,
) -> Template:
    return _registration_page(
        viewer,
        casework,
        token,
        kind=lifecycle.PERSON,
        form_name="aanmelden",
        template="aanmelden.html",
        state=state,
        status=status,
    )


def _person_from(checks: Checks) -> PersonInput | None:
    """The person fields of a form (voornamen, achternaam, roepnaam, geboortedatum, BSN);
    None when a required part is missing (the problem is then in ``checks``)."""
    form = checks.form
    given = checks.text("voornamen", required="Vul de voornamen in.", max_length=SHORT)
    surname = checks.text("achternaam", required="Vul de achternaam in.", max_length=SHORT)
    roepnaam = checks.text("roepnaam", max_length=SHORT)
    birth = checks.date("geboortedatum")
    bsn = form.get("bsn")
    if bsn:
        bsn = normalize_bsn(bsn)
        if not bsn.isdigit() or len(bsn) != 9:
            checks.problems.append(FieldProblem("bsn", "Een BSN bestaat uit 9 cijfers."))
        elif not is_valid_bsn(bsn):
            checks.problems.append(FieldProblem("bsn", "Dit is geen geldig BSN (elfproef)."))
    if not (given and surname):
        return None
    return PersonInput(
        given_names=given, surname=surname, roepnaam=roepnaam, birth_date=birth, bsn=bsn or None
    )


def _aanmelding_from(form: Form, domains: Mapping[str, str]) -> svc.Aanmelding:
    """The form as an Aanmelding; raises DomainValidationError for the form's own checks."""
    checks = Checks(form)
    person = _person_from(checks)
    why = checks.text(
        "waarom_integraal",
        required="Leg uit waarom een integrale aanpak nodig is.",
        min_length=10,
        too_short="Leg in ten minste 10 tekens uit waarom een integrale aanpak nodig is.",
    )
    problems: dict[str, str] = {}
    for code in domains:
        text = checks.text(PROBLEM_PREFIX + code)
        if text:
            problems[code] = text
    informed = form.get("geinformeerd")
    if informed not in ("ja", "nee"):
        checks.problems.append(
            FieldProblem("geinformeerd", "Geef aan of de persoon is geïnformeerd.")
        )
    reason = checks.text("reden_niet_geinformeerd")
    if informed == "nee" and not reason:
        checks.problems.append(
            FieldProblem(
                "reden_niet_geinformeerd",
                "Geef aan waarom de persoon (nog) niet is geïnformeerd over de aanmelding.",
            )
        )
    category = form.get("tekst_categorie") or ""
    if category and category not in TEXT_CATEGORY_CHOICES:
        checks.problems.append(
            FieldProblem("tekst_categorie", "Kies een van de genoemde soorten gegevens.")
        )
    checks.done()
    assert person and why
    return svc.Aanmelding(
        kind=lifecycle.PERSON,
        text_categories=(category,) if category else (),
        waarom_integraal=why,
        problemen=problems,
        geinformeerd=informed == "ja",
        reden_niet_geinformeerd=reason if informed == "nee" else None,
        person=person,
        vrijwillig=form.get("vrijwillig") != "nee",
        meeting_type=form.get("overleg") or None,
    )


# ---------------------------------------------------------------------------------------------
# Aanmelden of a group (groepsaanpak, step 1: group level only)
# ---------------------------------------------------------------------------------------------

GROUP_FORM: Final = "aanmelden-groep"
GROUP_FORM_FIELDS: Final = frozenset({"groepsnaam", "waarom_integraal", "problemen", "overleg"})
#: Step 1 is about the group as a whole: nobody has been informed, no person is known yet.
GROUP_NOT_INFORMED: Final = "Stap 1 gaat over de groep; personen nog niet bekend."


def _group_page(
    viewer: Viewer,
    casework: CaseworkDeps,
    token: str,
    state: acties.FormState | None = None,
    status: int = 200,
) -> Template:
    return _registration_page(
        viewer,
        casework,
        token,
        kind=lifecycle.GROUP,
        form_name=GROUP_FORM,
        template="aanmelden_groep.html",
        state=state,
        status=status,
    )


def _no_person_data(checks: Checks, name: str, value: str | None) -> None:
    """Group-level text only (the same heuristic as the signals of step 1)."""
    found = groups.person_identifiers_in(value or "")
    if found:
        checks.problems.append(
            FieldProblem(
                name,
                "Stap 1 gaat over de groep als geheel: geen persoonsgegevens "
                f"(gevonden: {', '.join(found)}).",
            )
        )


def _group_aanmelding_from(form: Form, domains: Mapping[str, str]) -> svc.Aanmelding:
    checks = Checks(form)
    name = checks.text(
        "groepsnaam", required="Geef de (werk)naam van de groep op.", max_length=SHORT
    )
    why = checks.text(
        "waarom_integraal",
        required="Beschrijf de signalen over de groep.",
        min_length=10,
        too_short="Beschrijf de signalen over de groep in ten minste 10 tekens.",
    )
    _no_person_data(checks, "waarom_integraal", why)
    problems: dict[str, str] = {}
    for code in domains:
        text = checks.text(PROBLEM_PREFIX + code)
        _no_person_data(checks, PROBLEM_PREFIX + code, text)
        if text:
            problems[code] = text
    checks.done()
    assert name and why
    return svc.Aanmelding(
        kind=lifecycle.GROUP,
        waarom_integraal=why,
        problemen=problems,
        geinformeerd=False,
        reden_niet_geinformeerd=GROUP_NOT_INFORMED,
        group_name=name,
        meeting_type=form.get("overleg") or None,
    )


# ---------------------------------------------------------------------------------------------
# The casus forms
# ---------------------------------------------------------------------------------------------


def _transition(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        target = form.get("naar")
        reason = checks.text("reden")
        checks.done()
        svc.transition(ws, casus_id, target, checks.version(), reason=reason)
        return "fase-gewijzigd"

    return perform


def _triage(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        reason = checks.text("reden")
        override = checks.text("afwijking_reden")
        decision = form.get("besluit")
        if not decision:
            checks.problems.append(FieldProblem("besluit", "Kies een triagebesluit."))
        checks.done()
        svc.triage_decide(
            ws,
            casus_id,
            checks.version(),
            criteria_met=set(form.getall("criteria")),
            decision=decision,
            reason=reason,
            override_reason=override,
        )
        return "triage-besloten"

    return perform


def _close(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        code = form.get("reden")
        if not code:
            checks.problems.append(FieldProblem("reden", "Kies een afsluitreden."))
        explanation = checks.text("toelichting")
        talk_on = checks.date("eindgesprek_datum")
        talk_notes = checks.text("eindgesprek_notities")
        letter_on = checks.date("afsluitbrief_datum")
        checks.done()
        svc.afsluiten(
            ws,
            casus_id,
            checks.version(),
            svc.Afsluiting(
                reden=code,
                toelichting=explanation,
                ontvangende_organisatie=form.get("ontvangende_organisatie") or None,
                eindgesprek_datum=talk_on,
                eindgesprek_notities=talk_notes,
                afsluitbrief_datum=letter_on,
            ),
        )
        return "afgesloten"

    return perform


def _reopen(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        reason = checks.text("reden", required="Geef een reden op voor het heropenen.")
        checks.done()
        svc.heropenen(ws, casus_id, checks.version(), reason)
        return "heropend"

    return perform


def _add_item(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        category = form.get("categorie")
        if not category:
            checks.problems.append(FieldProblem("categorie", "Kies een categorie."))
        title = checks.text("titel", required="Geef de informatie een titel.", max_length=SHORT)
        body = checks.text("inhoud", required="Vul de inhoud in.", max_length=ITEM_BODY)
        purpose = form.get("doel")
        if purpose not in PURPOSES:
            checks.problems.append(FieldProblem("doel", "Kies het doel (doelbinding)."))
        checks.done()
        assert title and body
        information.create_item(
            ws,
            casus_id,
            information.ItemInput(
                category=category,
                title=title,
                body=body,
                checklist=information.Checklist(
                    purpose=purpose,
                    legal_basis=form.get("grondslag") or None,
                    art9_exception=form.get("art9_uitzondering") or None,
                    beroepsgeheim_ground=form.get("beroepsgeheim_grond") or None,
                ),
            ),
        )
        return "informatie-toegevoegd"

    return perform


#: Casus form endpoint -> (form key, perform builder).
Builder = Callable[[Form, uuid.UUID], Callable[[Workspace, Checks], str]]


def _yes_no(value: str) -> bool | None:
    return True if value == "ja" else False if value == "nee" else None


def _inform(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        signed_by = checks.text("brief_ondertekend_door", max_length=SHORT)
        handed_by = checks.text("brief_overhandigd_door", max_length=SHORT)
        letter_on = checks.date("brief_datum")
        talk_on = checks.date("startgesprek_datum")
        notes = checks.text("startgesprek_notities")
        no_reply = form.get("geen_reactie") == "ja"
        explanation = checks.text("toelichting")
        if not (signed_by or handed_by or letter_on or talk_on or notes or no_reply):
            checks.problems.append(
                FieldProblem(
                    "informeren",
                    "Vul de notificatiebrief of het startgesprek in, of kies 'geen reactie'.",
                )
            )
        checks.done()
        svc.informeren(
            ws,
            casus_id,
            checks.version(),
            svc.Informeren(
                brief_ondertekend_door=signed_by,
                brief_overhandigd_door=handed_by,
                brief_datum=letter_on,
                startgesprek_datum=talk_on,
                startgesprek_notities=notes,
                geen_reactie=no_reply,
                toelichting=explanation,
            ),
        )
        return "geinformeerd"

    return perform


def _share(
    form: Form, casus_id: uuid.UUID, item_id: uuid.UUID
) -> Callable[[Workspace, Checks], str]:
    """The checklist gegevensdeling. Missing parts are not checked here: the policy names
    every one of them (and records the attempt)."""

    def perform(ws: Workspace, checks: Checks) -> str:
        necessity = checks.text("noodzaak")
        reason = checks.text("reden_niet_geinformeerd")
        informed = _yes_no(form.get("persoon_geinformeerd"))
        checks.done()
        information.share_item(
            ws,
            casus_id,
            item_id,
            information.Checklist(
                purpose=form.get("doel") or None,
                legal_basis=form.get("grondslag") or None,
                art9_exception=form.get("art9_uitzondering") or None,
                beroepsgeheim_ground=form.get("beroepsgeheim_grond") or None,
                necessity=necessity,
                person_informed=informed,
                not_informed_reason=reason if informed is not True else None,
            ),
            checks.version(),
        )
        return "gedeeld"

    return perform


def _withhold(item_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
        def perform(ws: Workspace, checks: Checks) -> str:
            information.withhold_item(ws, casus_id, item_id, checks.version())
            return "achtergehouden"

        return perform

    return build


def _release(item_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
        def perform(ws: Workspace, checks: Checks) -> str:
            information.release_item(ws, casus_id, item_id, checks.version())
            return "vrijgegeven"

        return perform

    return build


def _invite(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        organisation = form.get("organisatie")
        if not organisation:
            checks.problems.append(FieldProblem("organisatie", "Kies een organisatie."))
        participation = form.get("deelname") or "kern"
        role = checks.text("rol", max_length=SHORT)
        checks.done()
        svc.invite(ws, casus_id, organisation, participation, role)
        return "deelnemer-uitgenodigd"

    return perform


def _set_regie(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        role = form.get("rol")
        if not role:
            checks.problems.append(FieldProblem("rol", "Kies de rol."))
        user = form.get("gebruiker")
        if not user:
            checks.problems.append(FieldProblem("gebruiker", "Kies wie de regie krijgt."))
        reason = checks.text("reden")
        checks.done()
        svc.set_regie(ws, casus_id, role, user, reason)
        return "regie-vastgelegd"

    return perform


def _signal(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        text = checks.text(
            "tekst",
            required="Beschrijf het signaal.",
            max_length=2_000,
            min_length=5,
            too_short="Beschrijf het signaal in ten minste 5 tekens.",
        )
        observed = checks.date("waargenomen_op")
        location = checks.text("locatie", max_length=SHORT)
        checks.done()
        assert text
        groups.add_signal(
            ws, casus_id, groups.SignalInput(text=text, observed_on=observed, location=location)
        )
        return "signaal-toegevoegd"

    return perform


def _add_member(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
    def perform(ws: Workspace, checks: Checks) -> str:
        role = form.get("rol")
        if not role:
            checks.problems.append(FieldProblem("rol", "Kies de rol in de groep."))
        person = _person_from(checks)
        checks.done()
        groups.add_member(ws, casus_id, groups.MemberInput(role=role, person=person))
        return "groepslid-toegevoegd"

    return perform


def _remove_member(person_id: uuid.UUID) -> Builder:
    def build(form: Form, casus_id: uuid.UUID) -> Callable[[Workspace, Checks], str]:
        def perform(ws: Workspace, checks: Checks) -> str:
            reason = checks.text(
                "reden",
                required="Geef een reden op.",
                max_length=2_000,
                min_length=3,
                too_short="Geef een reden van ten minste 3 tekens.",
            )
            checks.done()
            assert reason
            groups.remove_member(ws, casus_id, person_id, reason)
            return "groepslid-verwijderd"

        return perform

    return build


# ---------------------------------------------------------------------------------------------
# The controller
# ---------------------------------------------------------------------------------------------


def _register(
    viewer: Viewer,
    casework: CaseworkDeps,
    form: Form,
    *,
    form_name: str,
    melding: str,
    page: Callable[[acties.FormState, int], Template],
    build: Callable[[Form, Mapping[str, str]], svc.Aanmelding],
    state_for: Callable[[dict[str, str | list[str]], Sequence[FieldProblem]], acties.FormState],
) -> Response[Any]:
    """An aanmelding (person or group) from a form: the new casus page, or the same form
    again with what was entered and why it was not accepted."""
    values = form.values()
    try:
        with workspace(casework, viewer.principal) as ws:
            data = build(form, instrument_domains(ws.manifest.assessment_instrument))
            casus_id = svc.aanmelden(ws, data).id
        return _back(casus_id, melding)
    except DomainValidationError as error:
        state = state_for(values, error.problems)
        return _guarded(viewer, AANMELDING_PURPOSE, lambda: page(state, 422))
    except AccessDenied as error:
        reasons = tuple(r["message"] for r in _reasons(error.decision))
        denied = acties.FormState(form_name, values, general=reasons, denied=True)
        return _guarded(viewer, AANMELDING_PURPOSE, lambda: page(denied, 403))
    except PolicyEngineUnavailable:
        return _render(viewer, "storing.html", {}, doel=AANMELDING_PURPOSE, status=503)


async def _casus_form(
    request: Req,
    web: WebDeps,
    casus_id: uuid.UUID,
    form_key: Callable[[Form], str],
    build: Builder,
) -> Response[Any]:
    """A form on the casus page: the shared login/CSRF handling and the service call."""

    def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
        return _casus_action(
            viewer, web.casework, casus_id, token, form_key(form), form, build(form, casus_id)
        )

    return await _submit(request, web, work)


class FormsController(Controller):
    """Aanmelden and the forms of the casus page (all behind the login and the CSRF token)."""

    path = "/"
    include_in_schema = False

    @get("/aanmelden", opt=PUBLIC, sync_to_thread=True)
    def aanmelden_form(self, request: Req, web: Web) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()
        token = web.csrf.token(request.cookies.get(COOKIE, ""))
        return _guarded(
            viewer, AANMELDING_PURPOSE, lambda: _aanmeld_page(viewer, web.casework, token)
        )

    @post("/aanmelden", opt=PUBLIC, status_code=303)
    async def aanmelden(self, request: Req, web: Web) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            return _register(
                viewer,
                web.casework,
                form,
                form_name="aanmelden",
                melding="aangemeld",
                page=lambda state, status: _aanmeld_page(
                    viewer, web.casework, token, state, status
                ),
                build=_aanmelding_from,
                state_for=lambda values, problems: acties.state_from_problems(
                    "aanmelden", values, problems, fields=AANMELD_FORM_FIELDS, names=AANMELD_FIELDS
                ),
            )

        return await _submit(request, web, work)

    @post("/casussen/{casus_id:uuid}/overgang", opt=PUBLIC, status_code=303)
    async def move(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: f"overgang:{form.get('naar')}",
            _transition,
        )

    @post("/casussen/{casus_id:uuid}/triage", opt=PUBLIC, status_code=303)
    async def triage(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            if form.get("actie") == "toetsen":
                # Only recount the criteria ("2 van 3"): nothing is decided.
                state = acties.FormState("triage", form.values(), preview=True)
                return _guarded(
                    viewer,
                    PHASE_PURPOSE,
                    lambda: casus_page(
                        viewer, web.casework, casus_id, None, token=token, state=state
                    ),
                )
            return _casus_action(
                viewer, web.casework, casus_id, token, "triage", form, _triage(form, casus_id)
            )

        return await _submit(request, web, work)

    @post("/casussen/{casus_id:uuid}/afsluiting", opt=PUBLIC, status_code=303)
    async def close(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "afsluiten",
            _close,
        )

    @post("/casussen/{casus_id:uuid}/heropenen", opt=PUBLIC, status_code=303)
    async def reopen(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "heropenen",
            _reopen,
        )

    @post("/casussen/{casus_id:uuid}/informatie", opt=PUBLIC, status_code=303)
    async def add_information(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "informatie",
            _add_item,
        )

    @post("/casussen/{casus_id:uuid}/informeren", opt=PUBLIC, status_code=303)
    async def inform(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "informeren",
            _inform,
        )

    @post("/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/delen", opt=PUBLIC, status_code=303)
    async def share(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
        item_id: ItemId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: f"delen:{item_id}",
            lambda form, cid: _share(form, cid, item_id),
        )

    @post(
        "/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/achterhouden",
        opt=PUBLIC,
        status_code=303,
    )
    async def withhold(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
        item_id: ItemId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: f"achterhouden:{item_id}",
            _withhold(item_id),
        )

    @post(
        "/casussen/{casus_id:uuid}/informatie/{item_id:uuid}/vrijgeven",
        opt=PUBLIC,
        status_code=303,
    )
    async def release(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
        item_id: ItemId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: f"vrijgeven:{item_id}",
            _release(item_id),
        )

    @post("/casussen/{casus_id:uuid}/deelnemers", opt=PUBLIC, status_code=303)
    async def invite(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "deelnemer",
            _invite,
        )

    @post("/casussen/{casus_id:uuid}/regie", opt=PUBLIC, status_code=303)
    async def regie(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "regie",
            _set_regie,
        )

    @post("/casussen/{casus_id:uuid}/signalen", opt=PUBLIC, status_code=303)
    async def add_signal(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "signaal",
            _signal,
        )

    @post("/casussen/{casus_id:uuid}/leden", opt=PUBLIC, status_code=303)
    async def add_member(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: "groepslid",
            _add_member,
        )

    @post(
        "/casussen/{casus_id:uuid}/leden/{persoon_id:uuid}/verwijderen",
        opt=PUBLIC,
        status_code=303,
    )
    async def remove_member(
        self,
        request: Req,
        web: Web,
        casus_id: CasusId,
        persoon_id: PersonId,
    ) -> Response[Any]:
        return await _casus_form(
            request,
            web,
            casus_id,
            lambda form: f"lid-verwijderen:{persoon_id}",
            _remove_member(persoon_id),
        )

    @get("/aanmelden/groep", opt=PUBLIC, sync_to_thread=True)
    def group_form(self, request: Req, web: Web) -> Response[Any]:
        viewer = _viewer(request, web.identity, web.sessions)
        if viewer is None:
            return _to_login()
        token = web.csrf.token(request.cookies.get(COOKIE, ""))
        return _guarded(
            viewer, AANMELDING_PURPOSE, lambda: _group_page(viewer, web.casework, token)
        )

    @post("/aanmelden/groep", opt=PUBLIC, status_code=303)
    async def aanmelden_groep(self, request: Req, web: Web) -> Response[Any]:
        def work(viewer: Viewer, form: Form, token: str) -> Response[Any]:
            domains = {name for name in form.fields if name.startswith(PROBLEM_PREFIX)}
            return _register(
                viewer,
                web.casework,
                form,
                form_name=GROUP_FORM,
                melding="groep-aangemeld",
                page=lambda state, status: _group_page(viewer, web.casework, token, state, status),
                build=_group_aanmelding_from,
                state_for=lambda values, problems: acties.state_from_problems(
                    GROUP_FORM, values, problems, fields=GROUP_FORM_FIELDS | domains
                ),
            )

        return await _submit(request, web, work)
