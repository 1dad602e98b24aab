"""Builds the world the probes attack, through the public API, as legitimate users.

Per gemeente: a rich person casus ``A`` (participants, a casusregisseur, items of several
categories incl. a withheld and an unshared one, a household member, a consent, a plan with
two versions, two assessments, outcomes, on an overleg with minutes), a plain person casus
``B`` made by an organisation that takes part in little (the "non-participated" casus, with
a doorbreekglas grant of another professional on some), and in Zeist and Zoetermeer a group
casus ``G`` past step 2 (coordinator, namenlijst, signals, plan) and a casus ``S`` that was
opgeschaald to the regional bureau. Each bureau has a casus ``R`` of its own.

Every free-text and person field carries a canary (see canaries.py). Steps that the current
policy might refuse although a legitimate user does them (e.g. a receive-only partner
sharing) are "optional": their outcome is read back from the database, never assumed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient

from services.casework.domain import lifecycle
from tenants.manifest import Manifest
from tenants.reference import INSTRUMENT_DOMAINS, LEEFGEBIED_CATEGORIES

from .canaries import Canaries
from .model import CasusRecord, ItemRecord, MeetingRecord, Subject, UrgentGrant
from .subjects import EXTRA_USERS, demo_subjects

Headers = Callable[[str, str], dict[str, str]]

#: Leefgebieden used for problem descriptions and plan goals, per instrument: every data
#: category of LEEFGEBIED_CATEGORIES plus a plain one.
PROBLEM_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "zrm": ("financien", "geestelijke-gezondheid", "justitie", "middelengebruik", "huisvesting"),
    "leefgebieden-8": ("financien-hulpverlening", "gezondheid", "delictgedrag", "overlast"),
}


def leefgebied_categories(code: str) -> frozenset[str]:
    return LEEFGEBIED_CATEGORIES.get(code, frozenset({"algemeen"}))


@dataclass(frozen=True)
class ItemPlan:
    source: str  # user id
    category: str
    share: bool = True
    withhold: bool = False
    about_household: bool = False
    optional: bool = False  # the current policy may refuse it (e.g. receive-only partner)


@dataclass(frozen=True)
class GroupCast:
    aanmelder: str
    coordinator: str
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class Cast:
    """Who does what in one gemeente."""

    tenant: str
    expert: str
    regisseur: str
    aanmelder_a: str
    aanmelder_b: str
    a_organisations: tuple[str, ...]
    items: tuple[ItemPlan, ...]
    meeting_type: str
    group: GroupCast | None = None
    shared_organisations: tuple[str, ...] = ()  # set: also build the opgeschaalde casus S
    urgent_user: str | None = None  # doorbreekglas on B


CASTS: tuple[Cast, ...] = (
    Cast(
        tenant="GM0355",
        expert="eline-de-graaf",
        regisseur="robin-visser",
        aanmelder_a="dennis-koster",
        aanmelder_b="yara-benali",
        a_organisations=("rsd-krh", "kwintes", "altrecht", "gemeente-zeist-oov"),
        items=(
            ItemPlan("dennis-koster", "strafrechtelijk"),
            ItemPlan("dennis-koster", "politiegegevens", withhold=True),
            ItemPlan("robin-visser", "bijzonder"),
            ItemPlan("robin-visser", "beroepsgeheim"),
            ItemPlan("robin-visser", "derden", about_household=True),
            ItemPlan("fatima-ouali", "financieel"),
            ItemPlan("fatima-ouali", "financieel", share=False),
            ItemPlan("jasper-huisman", "algemeen"),
            ItemPlan("mirjam-de-lange", "beroepsgeheim", optional=True),
            ItemPlan("eline-de-graaf", "justitieel", optional=True),
        ),
        meeting_type="pga-kernteam",
        group=GroupCast(
            "yara-benali", "yara-benali", ("politie-basisteam-zeist", "sociaal-wijkteam-zeist")
        ),
        shared_organisations=("reclassering-nederland", "politie-basisteam-zeist"),
        urgent_user="fatima-ouali",
    ),
    Cast(
        tenant="GM0637",
        expert="saskia-van-der-meer",
        regisseur="daan-verhoef",
        aanmelder_a="monique-hermans",
        aanmelder_b="marco-de-jong",
        a_organisations=("jeugdbescherming-west", "zzon-leerplicht-rmc", "de-waag", "om-den-haag"),
        items=(
            ItemPlan("monique-hermans", "strafrechtelijk"),
            ItemPlan("monique-hermans", "politiegegevens", withhold=True),
            ItemPlan("stefan-lambert", "justitieel"),
            ItemPlan("stefan-lambert", "bijzonder"),
            ItemPlan("priya-ramsaran", "algemeen"),
            ItemPlan("daan-verhoef", "financieel", share=False),
        ),
        meeting_type="agenderingsoverleg",
        group=GroupCast(
            "marco-de-jong", "ayoub-tahiri", ("politie-basisteam-zoetermeer", "om-den-haag")
        ),
        shared_organisations=("jeugdbescherming-west", "reclassering-nederland"),
        urgent_user="stefan-lambert",
    ),
    Cast(
        tenant="GM0345",
        expert="marieke-van-dam",
        regisseur="jeroen-kuipers",
        aanmelder_a="sander-brouwers",
        aanmelder_b="thijs-vermeer",
        a_organisations=(
            "leger-des-heils-jbr",
            "werk-inkomen-veenendaal",
            "gemeente-veenendaal-oov",
        ),
        items=(
            ItemPlan("sander-brouwers", "strafrechtelijk"),
            ItemPlan("esther-groen", "financieel"),
            ItemPlan("yasmina-bouali", "justitieel", withhold=True),
        ),
        meeting_type="ivt-triage",
    ),
    Cast(
        tenant="GM0352",
        expert="joost-hendriks",
        regisseur="annemiek-prins",
        aanmelder_a="kevin-van-rijn",
        aanmelder_b="mustafa-demir",
        a_organisations=("samen-veilig-mn", "om-midden-nederland", "altrecht", "gemeente-wbd-oov"),
        items=(
            ItemPlan("kevin-van-rijn", "strafrechtelijk"),
            ItemPlan("laura-meijer", "bijzonder"),
        ),
        meeting_type="pga-kernteam",
    ),
    Cast(
        tenant="GM0402",
        expert="ingrid-verbeek",
        regisseur="tamara-hoekstra",
        aanmelder_a="bas-van-leeuwen",
        aanmelder_b="dewi-pattinama",
        a_organisations=(
            "reclassering-nederland",
            "ggz-centraal",
            "om-midden-nederland",
            "gemeente-hilversum-oov",
        ),
        items=(
            ItemPlan("bas-van-leeuwen", "strafrechtelijk"),
            ItemPlan("noor-el-amrani", "justitieel"),
        ),
        meeting_type="screening",
    ),
)


@dataclass(frozen=True)
class BureauCast:
    tenant: str
    expert: str
    regisseur: str
    professional: str
    organisations: tuple[str, ...]


BUREAUS: tuple[BureauCast, ...] = (
    BureauCast(
        "RGUTRECHT",
        "marco-van-beek",
        "hatice-kaya",
        "olaf-meulenbelt",
        ("politie-midden-nederland", "reclassering-nederland"),
    ),
    BureauCast(
        "RGHAAGLANDEN",
        "jan-willem-roos",
        "chantal-noordam",
        "youssef-amrani",
        ("politie-haaglanden", "jeugdbescherming-west"),
    ),
)

SPECIAL_BASIS: Mapping[str, dict[str, str]] = {
    "bijzonder": {"art9_uitzondering": "zorg-en-sociale-stelsels"},
    "beroepsgeheim": {"beroepsgeheim_grond": "conflict-van-plichten"},
}


class BuildError(AssertionError):
    pass


@dataclass
class World:
    manifests: dict[str, Manifest]
    subjects: list[Subject]
    casussen: dict[str, CasusRecord]
    meetings: dict[str, MeetingRecord]
    grants: list[UrgentGrant]
    canaries: Canaries
    today: dt.date
    log: list[str] = field(default_factory=list)

    def casus_by_id(self, casus_id: str) -> CasusRecord | None:
        for casus in self.casussen.values():
            if casus.id == casus_id:
                return casus
        return None

    def subject(self, tenant: str, user_id: str) -> Subject:
        for s in self.subjects:
            if s.tenant == tenant and s.user_id == user_id:
                return s
        raise KeyError(f"{tenant}/{user_id}")

    def person_owner(self) -> dict[str, str]:
        """person id -> casus key (subject, household members, group members)."""
        owner = {}
        for casus in self.casussen.values():
            for person in casus.person_ids:
                owner[person] = casus.key
        return owner


class Api:
    """Calls that must succeed (a legitimate user doing their work)."""

    def __init__(self, client: TestClient[Litestar], headers: Headers) -> None:
        self.client = client
        self.headers = headers

    def call(
        self,
        method: str,
        path: str,
        tenant: str,
        user: str,
        body: Any = None,
        *,
        if_match: str | None = None,
        expect: Sequence[int] = (200, 201),
        optional: bool = False,
    ) -> dict[str, Any] | None:
        headers = self.headers(tenant, user)
        if if_match is not None:
            headers["If-Match"] = if_match
        response = self.client.request(method, path, json=body, headers=headers)
        if response.status_code not in expect:
            if optional:
                return None
            raise BuildError(
                f"world build: {method} {path} as {tenant}/{user} -> "
                f"{response.status_code} {response.text[:600]}"
            )
        data = response.json() if response.content else {}
        return data if isinstance(data, dict) else {"items": data}


def _criteria(manifest: Manifest) -> list[str]:
    return [c.id for c in manifest.inclusion.criteria][: manifest.inclusion.minimum_met]


class Builder:
    def __init__(
        self,
        client: TestClient[Litestar],
        headers: Headers,
        manifests: dict[str, Manifest],
        rng: random.Random,
    ) -> None:
        self.api = Api(client, headers)
        self.manifests = manifests
        self.rng = rng
        self.today = dt.datetime.now(dt.UTC).date()
        self.canaries = Canaries(rng)
        self.casussen: dict[str, CasusRecord] = {}
        self.meetings: dict[str, MeetingRecord] = {}
        self.grants: list[UrgentGrant] = []

    # -- helpers --------------------------------------------------------------------------

    def _text(self, key: str, cats: frozenset[str] | set[str], origin: str, fld: str) -> str:
        return self.canaries.text(key, cats, origin, fld, prefix=f"[{fld}]")

    def _person(
        self, key: str, origin: str, extra_cats: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        ident = frozenset({"identificerend"}) | extra_cats
        c = self.canaries
        return {
            "voornamen": c.token(key, ident, origin, f"{origin}.voornamen"),
            "achternaam": c.token(key, ident, origin, f"{origin}.achternaam"),
            "roepnaam": c.token(key, ident, origin, f"{origin}.roepnaam"),
            "aliassen": [c.token(key, ident, origin, f"{origin}.alias")],
            "geboortedatum": c.birth_date(
                key, origin, f"{origin}.geboortedatum", self.today, ident
            ).isoformat(),
            "bsn": self._bsn(key, origin, extra_cats),
            "adres": {
                "straat": c.token(key, ident, origin, f"{origin}.adres.straat"),
                "huisnummer": "7",
                "postcode": "3701 AB",
                "woonplaats": c.token(key, ident, origin, f"{origin}.adres.woonplaats"),
            },
        }

    def _bsn(self, key: str, origin: str, extra_cats: frozenset[str]) -> str:
        # A household member's BSN is also third-party data (derden).
        return self.canaries.bsn(key, origin, f"{origin}.bsn", frozenset({"bsn"}) | extra_cats)

    def _problems(self, key: str, instrument: str, origin: str = "casus") -> dict[str, str]:
        return {
            code: self._text(
                key, leefgebied_categories(code), origin, f"aanmelding.problemen.{code}"
            )
            for code in PROBLEM_DOMAINS[instrument]
        }

    def _version(self, data: dict[str, Any] | None) -> str:
        assert data is not None
        return f'"v{data["versie"]}"'

    def _casus(self, key: str, tenant: str, casus_id: str, kind: str, label: str) -> CasusRecord:
        record = CasusRecord(key=key, tenant=tenant, id=casus_id, kind=kind, label=label)
        self.casussen[key] = record
        return record

    def _base(self, casus: CasusRecord) -> str:
        return f"/api/v1/casussen/{casus.id}"

    def _move(self, casus: CasusRecord, user: str, target: str, reason: bool = True) -> None:
        body: dict[str, Any] = {"naar": target}
        if reason:
            body["reden"] = self._text(casus.key, {"algemeen"}, "casus", f"overgang.{target}.reden")
        self.api.call(
            "POST",
            f"{self._base(casus)}/overgang",
            casus.tenant,
            user,
            body,
            if_match=self._current_version(casus, user),
        )

    def _current_version(self, casus: CasusRecord, user: str) -> str:
        return self._version(self.api.call("GET", self._base(casus), casus.tenant, user))

    def _aanmelden_person(
        self, tenant: str, key: str, label: str, user: str, manifest: Manifest
    ) -> CasusRecord:
        body = {
            "soort": "persoon",
            "waarom_integraal": self._text(
                key, {"algemeen"}, "casus", "aanmelding.waarom_integraal"
            ),
            "problemen": self._problems(key, manifest.assessment_instrument),
            "geinformeerd": True,
            "persoon": self._person(key, "person"),
        }
        data = self.api.call("POST", "/api/v1/casussen", tenant, user, body)
        assert data is not None
        return self._casus(key, tenant, data["id"], "persoon", label)

    def _invite(self, casus: CasusRecord, user: str, organisations: Sequence[str]) -> None:
        for org in organisations:
            self.api.call(
                "POST",
                f"{self._base(casus)}/deelnemers",
                casus.tenant,
                user,
                {"organisatie": org, "deelname": "kern"},
            )

    def _regie(self, casus: CasusRecord, by: str, role: str, user: str) -> None:
        self.api.call(
            "PUT",
            f"{self._base(casus)}/regie",
            casus.tenant,
            by,
            {"rol": role, "gebruiker": user},
        )

    def _triage_opnemen(self, casus: CasusRecord, user: str, manifest: Manifest) -> None:
        self._move(casus, user, "in_triage")
        self.api.call(
            "POST",
            f"{self._base(casus)}/triage",
            casus.tenant,
            user,
            {
                "criteria": _criteria(manifest),
                "besluit": "opnemen",
                "reden": self._text(casus.key, {"algemeen"}, "casus", "triage.reden"),
            },
            if_match=self._current_version(casus, user),
        )

    def _item(self, casus: CasusRecord, plan: ItemPlan, household: str | None) -> None:
        tenant = casus.tenant
        cats = {plan.category}
        ikey = f"{casus.key}/{plan.source}-{plan.category}-{len(casus.items)}"
        body: dict[str, Any] = {
            "categorie": plan.category,
            "titel": self.canaries.text(casus.key, cats, "item", "item.titel", "Titel", ikey),
            "inhoud": self.canaries.text(casus.key, cats, "item", "item.inhoud", "Inhoud", ikey),
            "doel": "casusoverleg",
            "grondslag": "publieke-taak",
            "noodzaak": self.canaries.text(casus.key, cats, "item", "item.noodzaak", "Nodig", ikey),
            **SPECIAL_BASIS.get(plan.category, {}),
        }
        if plan.about_household:
            assert household is not None
            body["over_persoon_id"] = household
        made = self.api.call(
            "POST",
            f"{self._base(casus)}/informatie",
            tenant,
            plan.source,
            body,
            optional=plan.optional,
        )
        if made is None:
            return
        item = ItemRecord(
            ikey, made["id"], casus.key, plan.category, _org_of(self.manifests, tenant, plan.source)
        )
        casus.items.append(item)
        url = f"{self._base(casus)}/informatie/{item.id}"
        if plan.share:
            share = {
                "doel": "casusoverleg",
                "grondslag": "publieke-taak",
                "noodzaak": self.canaries.text(
                    casus.key, cats, "item", "item.noodzaak", "Nodig voor het overleg", ikey
                ),
                "persoon_geinformeerd": True,
                **SPECIAL_BASIS.get(plan.category, {}),
            }
            self.api.call(
                "POST", f"{url}/delen", tenant, plan.source, share, optional=plan.optional
            )
        if plan.withhold:
            self.api.call("POST", f"{url}/achterhouden", tenant, plan.source, {})

    def _plan_body(self, casus: CasusRecord, instrument: str, owner_org: str) -> dict[str, Any]:
        key = casus.key
        goals = [
            {
                "leefgebied": code,
                "probleem": self._text(
                    key, leefgebied_categories(code), "plan", f"plan.doelen.{code}.probleem"
                ),
                "doel": self._text(
                    key, leefgebied_categories(code), "plan", f"plan.doelen.{code}.doel"
                ),
            }
            for code in PROBLEM_DOMAINS[instrument]
        ]
        algemeen = {"algemeen"}
        return {
            "doelen": goals,
            "eindcriterium": self._text(key, algemeen, "plan", "plan.eindcriterium"),
            "acties": [
                {
                    "id": "a1",
                    "omschrijving": self._text(key, algemeen, "plan", "plan.acties.omschrijving"),
                    "eigenaar_organisatie": owner_org,
                    "deadline": (self.today + dt.timedelta(days=60)).isoformat(),
                    "status": "open",
                }
            ],
            "interventies": [
                {
                    "spoor": "zorg",
                    "omschrijving": self._text(key, algemeen, "plan", "plan.interventies"),
                }
            ],
            "toezeggingen": [
                {
                    "organisatie": owner_org,
                    "tekst": self._text(key, algemeen, "plan", "plan.toezeggingen.tekst"),
                    "gedaan_op": self.today.isoformat(),
                }
            ],
            "toelichting": self._text(key, algemeen, "plan", "plan.toelichting"),
        }

    def _plan(
        self, casus: CasusRecord, user: str, instrument: str, owner_org: str, versions: int
    ) -> None:
        url = f"{self._base(casus)}/plan"
        body = self._plan_body(casus, instrument, owner_org)
        data = self.api.call("PUT", url, casus.tenant, user, body, if_match="*")
        for _ in range(versions - 1):
            body["toelichting"] = self._text(casus.key, {"algemeen"}, "plan", "plan.toelichting")
            data = self.api.call("PUT", url, casus.tenant, user, body, if_match=self._version(data))

    def _assessments(self, casus: CasusRecord, user: str, instrument: str) -> None:
        domains = list(INSTRUMENT_DOMAINS[instrument])
        for moment, days in (("intake", 30), ("tussentijds", 0)):
            self.api.call(
                "POST",
                f"{self._base(casus)}/zelfredzaamheid",
                casus.tenant,
                user,
                {
                    "moment": moment,
                    "datum": (self.today - dt.timedelta(days=days)).isoformat(),
                    "scores": {d: self.rng.randint(1, 5) for d in domains},
                },
            )

    # -- the casussen ---------------------------------------------------------------------

    def rich_casus(self, cast: Cast) -> CasusRecord:
        m = self.manifests[cast.tenant]
        key = f"{cast.tenant}/A"
        casus = self._aanmelden_person(cast.tenant, key, "A", cast.aanmelder_a, m)
        self._invite(casus, cast.expert, cast.a_organisations)
        self._regie(casus, cast.expert, "casusregisseur", cast.regisseur)
        self._triage_opnemen(casus, cast.regisseur, m)
        self.api.call(
            "PUT",
            f"{self._base(casus)}/informeren",
            cast.tenant,
            cast.regisseur,
            {
                "notificatiebrief": {
                    "ondertekend_door": self._text(key, {"algemeen"}, "casus", "informeren.brief"),
                    "datum": self.today.isoformat(),
                },
                "startgesprek": {
                    "datum": self.today.isoformat(),
                    "notities": self._text(key, {"algemeen"}, "casus", "informeren.startgesprek"),
                },
                "toelichting": self._text(key, {"algemeen"}, "casus", "informeren.toelichting"),
            },
            if_match=self._current_version(casus, cast.regisseur),
        )
        self._move(casus, cast.regisseur, "plan")
        member = self.api.call(
            "POST",
            f"{self._base(casus)}/gezinsleden",
            cast.tenant,
            cast.regisseur,
            {"relatie": "ouder", "persoon": self._person(key, "household", frozenset({"derden"}))},
        )
        assert member is not None
        self.api.call(
            "POST",
            f"{self._base(casus)}/toestemmingen",
            cast.tenant,
            cast.regisseur,
            {
                "doel": "plan-van-aanpak",
                "reikwijdte": self._text(key, {"algemeen"}, "consent", "toestemming.reikwijdte"),
            },
        )
        for plan in cast.items:
            self._item(casus, plan, member["id"])
        regisseur_org = _org_of(self.manifests, cast.tenant, cast.regisseur)
        self._plan(casus, cast.regisseur, m.assessment_instrument, regisseur_org, versions=2)
        self._assessments(casus, cast.regisseur, m.assessment_instrument)
        self._move(casus, cast.regisseur, "uitvoering")
        self.api.call(
            "POST",
            f"{self._base(casus)}/uitkomsten",
            cast.tenant,
            cast.regisseur,
            {"moment": "intake", "uitkomsten": {"werk_of_dagbesteding": False}},
        )
        return casus

    def plain_casus(self, cast: Cast) -> CasusRecord:
        m = self.manifests[cast.tenant]
        key = f"{cast.tenant}/B"
        casus = self._aanmelden_person(cast.tenant, key, "B", cast.aanmelder_b, m)
        self._item(casus, ItemPlan(cast.aanmelder_b, "algemeen"), None)
        self._move(casus, cast.expert, "in_triage")
        if cast.urgent_user:
            data = self.api.call(
                "POST",
                f"{self._base(casus)}/doorbreekglas",
                cast.tenant,
                cast.urgent_user,
                {
                    "reden": self._text(key, {"algemeen"}, "urgent", "doorbreekglas.reden")
                    + " Acute dreiging, wachtdienst.",
                    "uren": 24,
                },
            )
            assert data is not None
            self.grants.append(UrgentGrant(data["id"], cast.tenant, key, cast.urgent_user))
        return casus

    def group_casus(self, cast: Cast) -> CasusRecord:
        assert cast.group is not None
        g = cast.group
        m = self.manifests[cast.tenant]
        key = f"{cast.tenant}/G"
        ident = frozenset({"identificerend"})
        body = {
            "soort": "groep",
            "groepsnaam": self.canaries.token(key, ident, "group", "groep.groepsnaam"),
            "waarom_integraal": self._text(
                key, {"algemeen"}, "group", "aanmelding.waarom_integraal"
            ),
            "problemen": {
                code: self._text(
                    key, leefgebied_categories(code), "group", f"aanmelding.problemen.{code}"
                )
                for code in PROBLEM_DOMAINS[m.assessment_instrument][:2]
            },
            "geinformeerd": False,
            "reden_niet_geinformeerd": "Stap 1 gaat over de groep.",
        }
        data = self.api.call("POST", "/api/v1/casussen", cast.tenant, g.aanmelder, body)
        assert data is not None
        casus = self._casus(key, cast.tenant, data["id"], "groep", "G")
        self.api.call(
            "POST",
            f"{self._base(casus)}/signalen",
            cast.tenant,
            g.aanmelder,
            {
                "tekst": self._text(key, {"algemeen"}, "group", "signaal.tekst"),
                "locatie": self._text(key, {"algemeen"}, "group", "signaal.locatie"),
            },
        )
        self._regie(casus, cast.expert, "uitvoeringscoordinator", g.coordinator)
        self._invite(casus, cast.expert, g.organisations)
        self._move(casus, g.coordinator, "stap-2")
        for _ in range(2):
            self.api.call(
                "POST",
                f"{self._base(casus)}/leden",
                cast.tenant,
                g.coordinator,
                {"rol": "kern", "persoon": self._person(key, "member")},
            )
        self._move(casus, g.coordinator, "stap-3")
        owner = _org_of(self.manifests, cast.tenant, g.coordinator)
        self._plan(casus, g.coordinator, m.assessment_instrument, owner, versions=1)
        self._move(casus, g.coordinator, "stap-4")
        self._item(casus, ItemPlan(g.coordinator, "algemeen"), None)
        return casus

    def shared_casus(self, cast: Cast) -> CasusRecord:
        m = self.manifests[cast.tenant]
        key = f"{cast.tenant}/S"
        casus = self._aanmelden_person(cast.tenant, key, "S", cast.aanmelder_a, m)
        self._invite(casus, cast.expert, cast.shared_organisations)
        self._regie(casus, cast.expert, "casusregisseur", cast.regisseur)
        self._triage_opnemen(casus, cast.regisseur, m)
        self._move(casus, cast.regisseur, "plan")
        self._item(casus, ItemPlan(cast.aanmelder_a, "strafrechtelijk"), None)
        regisseur_org = _org_of(self.manifests, cast.tenant, cast.regisseur)
        self._plan(casus, cast.regisseur, m.assessment_instrument, regisseur_org, versions=1)
        self._move(casus, cast.regisseur, "uitvoering")
        self.api.call(
            "POST",
            f"{self._base(casus)}/afsluiting",
            cast.tenant,
            cast.regisseur,
            {
                "reden": "opgeschaald",
                "toelichting": self._text(key, {"algemeen"}, "casus", "afsluiting.toelichting"),
                "eindgesprek": {
                    "datum": self.today.isoformat(),
                    "notities": self._text(key, {"algemeen"}, "casus", "afsluiting.eindgesprek"),
                },
            },
            if_match=self._current_version(casus, cast.regisseur),
        )
        return casus

    def bureau_casus(self, cast: BureauCast) -> CasusRecord:
        m = self.manifests[cast.tenant]
        key = f"{cast.tenant}/R"
        casus = self._aanmelden_person(cast.tenant, key, "R", cast.regisseur, m)
        self._invite(casus, cast.expert, cast.organisations)
        self._regie(casus, cast.expert, "casusregisseur", cast.regisseur)
        self._item(casus, ItemPlan(cast.professional, "strafrechtelijk"), None)
        return casus

    def meeting(self, cast: Cast) -> None:
        a, b = self.casussen[f"{cast.tenant}/A"], self.casussen[f"{cast.tenant}/B"]
        when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        data = self.api.call(
            "POST",
            "/api/v1/overleggen",
            cast.tenant,
            cast.expert,
            {
                "type": cast.meeting_type,
                "datum_tijd": when.isoformat(),
                "agenda": [
                    {
                        "casus_id": c.id,
                        "briefing": self._text(c.key, {"algemeen"}, "meeting", "overleg.briefing"),
                    }
                    for c in (a, b)
                ],
            },
        )
        assert data is not None
        owners = {
            a.key: _org_of(self.manifests, cast.tenant, cast.regisseur),
            b.key: _org_of(self.manifests, cast.tenant, cast.aanmelder_b),
        }
        algemeen = {"algemeen"}
        minutes = self.api.call(
            "PUT",
            f"/api/v1/overleggen/{data['id']}/verslag",
            cast.tenant,
            cast.expert,
            {
                "agendapunten": [
                    {
                        "casus_id": c.id,
                        "beeldvorming": self._text(
                            c.key, algemeen, "meeting", "verslag.beeldvorming"
                        ),
                        "oordeelsvorming": self._text(
                            c.key, algemeen, "meeting", "verslag.oordeelsvorming"
                        ),
                        "besluitvorming": self._text(
                            c.key, algemeen, "meeting", "verslag.besluitvorming"
                        ),
                        "besluiten": [self._text(c.key, algemeen, "meeting", "verslag.besluit")],
                        "acties": [
                            {
                                "omschrijving": self._text(
                                    c.key, algemeen, "meeting", "verslag.actie"
                                ),
                                "eigenaar_organisatie": owners[c.key],
                                "deadline": (self.today + dt.timedelta(days=14)).isoformat(),
                            }
                        ],
                    }
                    for c in (a, b)
                ],
                "aanwezig": [],
            },
            if_match=self._version(data),
        )
        assert minutes is not None
        key = f"{cast.tenant}/overleg"
        self.meetings[key] = MeetingRecord(
            key, cast.tenant, data["id"], cast.expert, [a.key, b.key]
        )


def _org_of(manifests: Mapping[str, Manifest], tenant: str, user: str) -> str:
    for u in manifests[tenant].users:
        if u.id == user:
            return u.organisation
    for extra in EXTRA_USERS:
        if extra.tenant == tenant and extra.user_id == user:
            return extra.organisation
    raise KeyError(f"{tenant}/{user}")


def create_extra_users(api: Api, manifests: Mapping[str, Manifest]) -> None:
    """The users whose ids collide with a gemeente's users (made by their tenantbeheerder)."""
    for extra in EXTRA_USERS:
        admin = next(u.id for u in manifests[extra.tenant].users if "tenantbeheerder" in u.roles)
        api.call(
            "POST",
            "/api/v1/gebruikers",
            extra.tenant,
            admin,
            {
                "id": extra.user_id,
                "naam": f"Probe {extra.user_id}",
                "organisatie": extra.organisation,
                "rollen": list(extra.roles),
            },
            expect=(201, 409),
        )


def build_world(
    client: TestClient[Litestar],
    headers: Headers,
    manifests: dict[str, Manifest],
    seed: int,
) -> World:
    rng = random.Random(seed)
    b = Builder(client, headers, manifests, rng)
    for cast in CASTS:
        b.rich_casus(cast)
        b.plain_casus(cast)
        if cast.group is not None:
            b.group_casus(cast)
        if cast.shared_organisations:
            b.shared_casus(cast)
        b.meeting(cast)
    for bureau in BUREAUS:
        b.bureau_casus(bureau)
    return World(
        manifests=manifests,
        subjects=demo_subjects(manifests),
        casussen=b.casussen,
        meetings=b.meetings,
        grants=b.grants,
        canaries=b.canaries,
        today=b.today,
    )


def refresh_from_database(world: World, admin: sa.engine.Engine) -> None:
    """Read the relational facts back as the superuser: the oracle judges what is stored."""
    ids = [c.id for c in world.casussen.values()]
    by_id = {c.id: c for c in world.casussen.values()}
    with admin.connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql), {"ids": ids}).all()  # noqa: E731
        for cid, kind, state, version, person in q(
            "SELECT id::text, kind, state, version, subject_person_id::text FROM casussen "
            "WHERE id::text = ANY(:ids)"
        ):
            c = by_id[cid]
            c.kind, c.state, c.version, c.subject_person = kind, state, version, person
            c.phase = lifecycle.phase_of(kind, state)
        for c in by_id.values():
            c.participants, c.regisseurs, c.shared_with = set(), set(), set()
            c.coordinator, c.urgent_users, c.actors = None, set(), set()
            c.member_persons, c.household_persons, c.consents, c.plan_versions = [], [], [], []
        for cid, org in q(
            "SELECT casus_id::text, organisation_id FROM casus_participants "
            "WHERE active AND casus_id::text = ANY(:ids)"
        ):
            by_id[cid].participants.add(org)
        for cid, role, user in q(
            "SELECT casus_id::text, role, user_id FROM casus_roles "
            "WHERE ended_at IS NULL AND casus_id::text = ANY(:ids)"
        ):
            if role == "uitvoeringscoordinator":
                by_id[cid].coordinator = user
            else:
                by_id[cid].regisseurs.add(user)
        for cid, tenant in q(
            "SELECT casus_id::text, shared_with_tenant FROM casus_shares "
            "WHERE casus_id::text = ANY(:ids)"
        ):
            by_id[cid].shared_with.add(tenant)
        for cid, user in q(
            "SELECT casus_id::text, user_id FROM urgent_access "
            "WHERE expires_at > now() AND casus_id::text = ANY(:ids)"
        ):
            by_id[cid].urgent_users.add(user)
        items = {i.id: i for c in by_id.values() for i in c.items}
        for iid, shared, withheld, art9, ground, version, category, source in q(
            "SELECT id::text, shared, withheld, art9_exception, beroepsgeheim_ground, version, "
            "category, source_organisation_id FROM information_items "
            "WHERE casus_id::text = ANY(:ids)"
        ):
            if iid in items:
                item = items[iid]
                item.shared, item.withheld, item.version = shared, withheld, version
                item.art9_exception, item.beroepsgeheim_ground = art9, ground
                item.category, item.source_organisation = category, source
        for cid, version in q(
            "SELECT casus_id::text, version FROM plan_versions WHERE casus_id::text = ANY(:ids) "
            "ORDER BY version"
        ):
            by_id[cid].plan_versions.append(version)
        for cid, person in q(
            "SELECT casus_id::text, person_id::text FROM group_members "
            "WHERE ended_at IS NULL AND casus_id::text = ANY(:ids)"
        ):
            by_id[cid].member_persons.append(person)
        for cid, member in q(
            "SELECT c.id::text, h.member_person_id::text FROM household_members h "
            "JOIN casussen c ON c.tenant_id = h.tenant_id AND c.subject_person_id = h.person_id "
            "WHERE c.id::text = ANY(:ids)"
        ):
            by_id[cid].household_persons.append(member)
        for cid, consent in q(
            "SELECT c.id::text, k.id::text FROM consents k "
            "JOIN casussen c ON c.tenant_id = k.tenant_id AND c.subject_person_id = k.person_id "
            "WHERE c.id::text = ANY(:ids)"
        ):
            by_id[cid].consents.append(consent)
        for cid, actor in q(
            " UNION ".join(
                f"SELECT casus_id::text, {column} FROM {table} WHERE casus_id::text = ANY(:ids)"
                for table, column in (
                    ("casus_events", "actor_user_id"),
                    ("information_items", "created_by"),
                    ("plan_versions", "created_by"),
                    ("casus_roles", "user_id"),
                    ("assessments", "assessor_user_id"),
                )
            )
        ):
            by_id[cid].actors.add(actor)
        meeting_ids = [m.id for m in world.meetings.values()]
        versions = dict(
            conn.execute(
                sa.text("SELECT id::text, version FROM meetings WHERE id::text = ANY(:ids)"),
                {"ids": meeting_ids},
            ).all()
        )
        for meeting in world.meetings.values():
            meeting.version = versions[meeting.id]
