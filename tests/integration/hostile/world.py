"""Builds the world the probes attack, through the public API, as legitimate users.

Per gemeente: a rich person casus ``A`` (participants, a casusregisseur, items of several
categories incl. a withheld and an unshared one, a household member, a consent, a plan with
two versions, two assessments, outcomes, on an overleg with minutes), a plain person casus
``B`` made by an organisation that takes part in little (the "non-participated" casus, with
a doorbreekglas grant of another professional on some), and in Zeist and Zoetermeer a group
casus ``G`` past step 2 (coordinator, namenlijst, signals, plan) and a casus ``S`` that was
opgeschaald to the regional bureau. Each bureau has a casus ``R`` of its own. In Zeist,
after the opschaling, the pga-expert restricts (beperking, art. 18 AVG) the subject of ``S``
and a shared ``algemeen`` item of it: their canaries must then show nowhere but in the
gemeente's own inzage and correctie (oracle.py).

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

from litestar import Litestar
from litestar.testing import TestClient

from services.casework.domain.local_time import local_today
from tenants.manifest import Manifest
from tenants.reference import INSTRUMENT_DOMAINS

from .canaries import Canaries
from .casts import (
    BUREAUS,
    CASTS,
    PROBLEM_DOMAINS,
    SPECIAL_BASIS,
    BureauCast,
    Cast,
    ItemPlan,
    leefgebied_categories,
)
from .model import CasusRecord, ItemRecord, MeetingRecord, Subject, UrgentGrant
from .subjects import EXTRA_USERS, manifest_subjects

Headers = Callable[[str, str], dict[str, str]]

#: Third-party data: everything about a household member.
DERDEN = frozenset({"derden"})


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

    def etag(self, path: str, tenant: str, user: str) -> str:
        """The ETag of a GET (the version an If-Match names)."""
        response = self.client.get(path, headers=self.headers(tenant, user))
        if response.status_code != 200 or "etag" not in response.headers:
            raise BuildError(
                f"world build: GET {path} as {tenant}/{user} -> "
                f"{response.status_code} {response.text[:600]}"
            )
        return str(response.headers["etag"])


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
        self.today = local_today()
        self.canaries = Canaries(rng)
        self.casussen: dict[str, CasusRecord] = {}
        self.meetings: dict[str, MeetingRecord] = {}
        self.grants: list[UrgentGrant] = []

    # -- helpers --------------------------------------------------------------------------

    def _text(
        self,
        key: str,
        cats: frozenset[str] | set[str],
        origin: str,
        fld: str,
        free_text: bool = True,
    ) -> str:
        return self.canaries.text(key, cats, origin, fld, prefix=f"[{fld}]", free_text=free_text)

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
                    # Free text of the casus (assessments.explanation), masked like the rest.
                    "toelichting": self._text(
                        casus.key, {"algemeen"}, "casus", "zelfredzaamheid.toelichting"
                    ),
                },
            )

    def _former_household_member(self, casus: CasusRecord, user: str) -> None:
        """A second household member who left the household: the reason it ended
        (household_members.end_reason) is casus text read under the derden grant."""
        key = casus.key
        member = self.api.call(
            "POST",
            f"{self._base(casus)}/gezinsleden",
            casus.tenant,
            user,
            {"relatie": "huisgenoot", "persoon": self._person(key, "household", DERDEN)},
        )
        assert member is not None
        # The answer names the person; ending it takes the membership (from the list).
        listed = self.api.call("GET", f"{self._base(casus)}/gezinsleden", casus.tenant, user)
        assert listed is not None
        link = next(m["id"] for m in listed["items"] if m["persoon"]["id"] == member["id"])
        self.api.call(
            "POST",
            f"{self._base(casus)}/gezinsleden/{link}/beeindigen",
            casus.tenant,
            user,
            {
                "datum": self.today.isoformat(),
                "reden": self._text(key, DERDEN | {"algemeen"}, "household", "gezinslid.reden"),
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
            {"relatie": "ouder", "persoon": self._person(key, "household", DERDEN)},
        )
        assert member is not None
        self._former_household_member(casus, cast.regisseur)
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
            # A signal is about the group as a whole and is refused when it names a person,
            # so the group page shows it in the pseudonymised view too (not free text that
            # may name people).
            {
                "tekst": self._text(key, {"algemeen"}, "group", "signaal.tekst", False),
                "locatie": self._text(key, {"algemeen"}, "group", "signaal.locatie", False),
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
        # Step 3 is not clicked through empty: the integraal beeld and a concept plan.
        self.api.call(
            "PUT",
            f"{self._base(casus)}/groepsstappen/integraal-beeld",
            cast.tenant,
            g.coordinator,
            {"tekst": self._text(key, {"algemeen"}, "group", "groepsstap.integraal_beeld")},
        )
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
        if cast.restrict_s:
            # Shared general information: every reader of S would see it unrestricted.
            self._item(casus, ItemPlan(cast.aanmelder_a, "algemeen"), None)
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
        if cast.restrict_s:
            self._restrict(casus, cast)
        return casus

    def _restrict(self, casus: CasusRecord, cast: Cast) -> None:
        """Beperking (art. 18 AVG) after the opschaling, as the owning gemeente's
        pga-expert, through the API the app offers for it (docs/avg.md): the subject of the
        casus and its shared ``algemeen`` item. Their canaries (name, birth date, address,
        BSN; title, body, necessity) are then forbidden wherever the restriction holds
        (oracle.Oracle.restriction_allows)."""
        body = {"beperkt": True, "reden": "Betrokkene betwist de juistheid (art. 18 AVG)."}
        read = self.api.call("GET", self._base(casus), casus.tenant, cast.expert)
        assert read is not None
        person_url = f"/api/v1/personen/{read['persoon']['id']}"
        etag = self.api.etag(f"{person_url}/correcties", casus.tenant, cast.expert)
        self.api.call(
            "PATCH", f"{person_url}/beperking", casus.tenant, cast.expert, body, if_match=etag
        )
        [item] = [i for i in casus.items if i.category == "algemeen"]
        item_url = f"{self._base(casus)}/informatie/{item.id}"
        etag = self.api.etag(item_url, casus.tenant, cast.aanmelder_a)
        self.api.call(
            "PATCH", f"{item_url}/beperking", casus.tenant, cast.expert, body, if_match=etag
        )

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
            return str(u.organisation)
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
        subjects=manifest_subjects(manifests),
        casussen=b.casussen,
        meetings=b.meetings,
        grants=b.grants,
        canaries=b.canaries,
        today=b.today,
    )
