"""Inzage (art. 15 AVG): everything stored about one person, for that person.

Started by the gemeente's pga-expert (policy: resource ``inzage``, action ``create``) and
audited like every decision. The document lists the person's data with its source, every
casus about them with its aanmelding, items, plan versions, assessments and overleg lines,
the household records, the purposes, the recipients, the access log, the corrections and
restrictions, and the bewaartermijn. What the law lets the controller withhold is listed as
withheld with its ground, never silently left out (docs/avg.md, "Inzage"):

- an item its source withholds (lopend onderzoek): art. 41 lid 1 UAVG, onder d for police
  and justice data (voorkoming en opsporing van strafbare feiten), onder i otherwise
  (bescherming van de rechten en vrijheden van anderen);
- data about others (category ``derden``, items about another person, the aanmelding of a
  household member's casus, the identity of household members): art. 15 lid 4 AVG.

The BSN is shown masked (the person knows it; the document may travel by mail).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from services.casework.avg.correctie import correction_view, restriction_view
from services.casework.avg.toegangslog import entries_about_person
from services.casework.domain import lifecycle
from services.casework.domain.bsn import mask
from services.casework.subjects import (
    LEGAL_BASIS,
    casus_ids_about,
    is_restricted,
    load_person,
    person_avg_resource,
)
from services.casework.workspace import Workspace
from services.platform.authz.enforce import Target
from services.platform.db.models import (
    AgendaItem,
    Assessment,
    Casus,
    CasusParticipant,
    CasusShare,
    Correction,
    Document,
    GroupMember,
    HouseholdMember,
    InformationItem,
    Meeting,
    MeetingType,
    Organisation,
    Person,
    PlanVersion,
    Restriction,
    Tenant,
    User,
)
from tenants.reference import CLOSURE_REASONS, DATA_CATEGORIES, PURPOSES, TRIAGE_DECISIONS

PURPOSE = "inzage"

WITHHELD_INVESTIGATION = (
    "Art. 41 lid 1 onder d UAVG: de bron houdt dit item achter in het belang van de "
    "voorkoming, opsporing of vervolging van strafbare feiten."
)
WITHHELD_SOURCE = (
    "Art. 41 lid 1 onder i UAVG: de bron houdt dit item achter ter bescherming van de "
    "rechten en vrijheden van anderen."
)
WITHHELD_OTHERS = (
    "Art. 15 lid 4 AVG: het item gaat (ook) over een ander; het recht op inzage mag de "
    "rechten en vrijheden van anderen niet aantasten."
)
JUSTICE_CATEGORIES = frozenset({"politiegegevens", "justitieel", "strafrechtelijk"})

ANALYTICS_RECIPIENT = {
    "organisatie": "analysedienst",
    "naam": "Analysedienst Regietafel (effectcijfers)",
    "soort": "gepseudonimiseerde feiten",
    "toelichting": (
        "Alleen een sleutel-pseudoniem, leeftijdscategorie, gemeente en maanden; nooit naam, "
        "BSN of geboortedatum. Al verstrekte feiten blijven gepseudonimiseerd bewaard."
    ),
}

ROLE_LABELS = {
    "hoofdpersoon": "U bent de persoon om wie de casus draait.",
    "groepslid": "U staat op de namenlijst van een groepsaanpak.",
    "gezinslid": "U bent gezinslid van de persoon om wie de casus draait.",
    "betrokkene": "Een of meer gegevens in deze casus gaan over u.",
}


def inzage(ws: Workspace, person_id: uuid.UUID) -> dict[str, Any]:
    """The inzage document as a dict (the API's InzageOut; the HTML and PDF render it)."""
    person = load_person(ws, person_id)
    ids = casus_ids_about(ws, person.id)
    ws.enforcer.decide(
        "create",
        person_avg_resource(ws, person, ids, "inzage"),
        ws.enforcer.context(PURPOSE, {"legal_basis": LEGAL_BASIS}),
        Target("inzage", str(person.id)),
    )
    return Builder(ws, person, ids).document()


class Builder:
    def __init__(self, ws: Workspace, person: Person, casus_ids: Sequence[uuid.UUID]) -> None:
        self.ws = ws
        self.person = person
        self.casus_ids = list(casus_ids)
        tenant = ws.principal.tenant
        self.tenant = ws.session.get(Tenant, tenant)
        self.orgs = {
            o.id: o
            for o in ws.session.scalars(
                sa.select(Organisation).where(Organisation.tenant_id == tenant)
            )
        }
        self.users = {
            u.id: u for u in ws.session.scalars(sa.select(User).where(User.tenant_id == tenant))
        }
        self.casussen = list(
            ws.session.scalars(
                sa.select(Casus)
                .where(Casus.tenant_id == tenant, Casus.id.in_(self.casus_ids))
                .order_by(Casus.aanmeld_date, Casus.id)
            )
        )
        self.purposes: set[str] = set()
        self.recipients: dict[str, dict[str, Any]] = {}

    def org_name(self, org_id: str | None) -> str | None:
        if org_id is None:
            return None
        org = self.orgs.get(org_id)
        return org.name if org else org_id

    def user_source(self, user_id: str | None) -> str | None:
        """The source of a record written by a user: their organisation (not their name)."""
        if user_id is None:
            return None
        user = self.users.get(user_id)
        return self.org_name(user.organisation_id) if user else None

    def document(self) -> dict[str, Any]:
        ws, person = self.ws, self.person
        casussen = [self.casus(c) for c in self.casussen]
        history_filter = Correction.person_id == person.id
        corrections = [
            correction_view(c)
            for c in ws.session.scalars(
                sa.select(Correction)
                .where(Correction.tenant_id == person.tenant_id, history_filter)
                .order_by(Correction.corrected_at, Correction.id)
            )
        ]
        restrictions = [
            restriction_view(r)
            for r in ws.session.scalars(
                sa.select(Restriction)
                .where(
                    Restriction.tenant_id == person.tenant_id, Restriction.person_id == person.id
                )
                .order_by(Restriction.restricted_at, Restriction.id)
            )
        ]
        access = entries_about_person(ws, person.id, self.casus_ids)
        for entry in access:
            if entry["toegestaan"] and entry["doel"]:
                self.purposes.add(entry["doel"])
        recipients = [*sorted(self.recipients.values(), key=lambda r: r["naam"])]
        recipients.append(dict(ANALYTICS_RECIPIENT))
        return {
            "verzoek_id": str(uuid.uuid4()),
            "opgesteld_op": ws.enforcer.now.isoformat(),
            "opgesteld_door": ws.principal.user_id,
            "verwerkingsverantwoordelijke": self.tenant.name
            if self.tenant
            else ws.principal.tenant,
            "persoon": self.person_view(),
            "casussen": casussen,
            "gezin": self.household(),
            "doelen": [
                {"code": code, "label": PURPOSES.get(code, code)} for code in sorted(self.purposes)
            ],
            "ontvangers": recipients,
            "toegangslog": access,
            "correcties": corrections,
            "beperkingen": restrictions,
            "bewaartermijn": self.retention_summary(),
        }

    def person_view(self) -> dict[str, Any]:
        person = self.person
        bsn = None
        if person.bsn_encrypted is not None:
            bsn = mask(self.ws.vault.decrypt(person.bsn_encrypted))
        first = next((c for c in self.casussen if c.subject_person_id == person.id), None)
        source = (
            f"Aanmelding door {self.org_name(first.aanmelder_organisation_id)}"
            if first is not None
            else "Vastgelegd in een casus over een ander (gezinslid of groepslid)"
        )
        return {
            "id": str(person.id),
            "voornamen": person.given_names,
            "achternaam": person.surname,
            "roepnaam": person.roepnaam,
            "aliassen": list(person.aliases),
            "geboortedatum": person.birth_date.isoformat() if person.birth_date else None,
            "bsn": bsn,
            "adres": dict(person.address),
            "bron": source,
            "vastgelegd_op": person.created_at.isoformat() if person.created_at else None,
            "beperkt": is_restricted(self.ws, "persoon", str(person.id), tenant=person.tenant_id),
        }

    def household(self) -> list[dict[str, Any]]:
        """The household records about the person, without the other person's identity."""
        pid = self.person.id
        rows = self.ws.session.scalars(
            sa.select(HouseholdMember)
            .where(
                HouseholdMember.tenant_id == self.person.tenant_id,
                sa.or_(HouseholdMember.person_id == pid, HouseholdMember.member_person_id == pid),
            )
            .order_by(HouseholdMember.id)
        )
        out = []
        for link in rows:
            mine = link.person_id == pid
            out.append(
                {
                    "id": str(link.id),
                    "relatie": link.relation,
                    "richting": "gezinslid-van-u" if mine else "u-als-gezinslid",
                    "toelichting": (
                        f"Bij u is een gezinslid vastgelegd ({link.relation})."
                        if mine
                        else f"U bent vastgelegd als gezinslid ({link.relation}) van een ander."
                    )
                    + " Gegevens van de ander worden niet getoond (art. 15 lid 4 AVG).",
                }
            )
        return out

    def role_in(self, casus: Casus) -> str:
        pid = self.person.id
        if casus.subject_person_id == pid:
            return "hoofdpersoon"
        if casus.kind == "groep":
            member = self.ws.session.get(GroupMember, (casus.tenant_id, casus.id, pid))
            if member is not None:
                return "groepslid"
        if casus.subject_person_id is not None:
            link = self.ws.session.scalars(
                sa.select(HouseholdMember).where(
                    HouseholdMember.tenant_id == casus.tenant_id,
                    HouseholdMember.person_id == casus.subject_person_id,
                    HouseholdMember.member_person_id == pid,
                )
            ).first()
            if link is not None:
                return "gezinslid"
        return "betrokkene"

    def casus(self, casus: Casus) -> dict[str, Any]:
        ws = self.ws
        role = self.role_in(casus)
        own = role == "hoofdpersoon"
        withheld: list[dict[str, Any]] = []
        participants = list(
            ws.session.scalars(
                sa.select(CasusParticipant).where(
                    CasusParticipant.tenant_id == casus.tenant_id,
                    CasusParticipant.casus_id == casus.id,
                )
            )
        )
        for p in participants:
            self.recipients[p.organisation_id] = {
                "organisatie": p.organisation_id,
                "naam": self.org_name(p.organisation_id) or p.organisation_id,
                "soort": "deelnemer aan het casusoverleg",
                "toelichting": None,
            }
        for share in ws.session.scalars(
            sa.select(CasusShare).where(
                CasusShare.tenant_id == casus.tenant_id, CasusShare.casus_id == casus.id
            )
        ):
            target = ws.session.get(Tenant, share.shared_with_tenant)
            self.recipients[f"tenant:{share.shared_with_tenant}"] = {
                "organisatie": share.shared_with_tenant,
                "naam": target.name if target else share.shared_with_tenant,
                "soort": "gedeeld met (opschaling of verhuizing)",
                "toelichting": None,
            }
        aanmelding: dict[str, Any] | None = None
        if own or role == "groepslid":
            aanmelding = {
                "waarom_integraal": casus.aanmelding.get("waarom_integraal"),
                "problemen": dict(casus.aanmelding.get("problemen") or {}),
                "geinformeerd": casus.aanmelding.get("geinformeerd"),
                "bron": self.org_name(casus.aanmelder_organisation_id),
            }
            self.purposes.add("aanmelding")
        else:
            withheld.append(
                {
                    "wat": "aanmelding",
                    "id": str(casus.id),
                    "categorie": "derden",
                    "bron": self.org_name(casus.aanmelder_organisation_id),
                    "vastgelegd_op": casus.created_at.isoformat() if casus.created_at else None,
                    "reden": WITHHELD_OTHERS,
                }
            )
        items = []
        for item in ws.session.scalars(
            sa.select(InformationItem)
            .where(
                InformationItem.tenant_id == casus.tenant_id,
                InformationItem.casus_id == casus.id,
            )
            .order_by(InformationItem.created_at, InformationItem.id)
        ):
            about_me = item.about_person_id == self.person.id or (
                item.about_person_id is None and own
            )
            reason = self.withheld_reason(item, about_me)
            if reason is not None:
                if about_me or item.about_person_id is None:
                    withheld.append(
                        {
                            "wat": "informatie-item",
                            "id": str(item.id),
                            "categorie": item.category,
                            "bron": self.org_name(item.source_organisation_id),
                            "vastgelegd_op": item.created_at.isoformat()
                            if item.created_at
                            else None,
                            "reden": reason,
                        }
                    )
                continue
            self.purposes.add(item.purpose)
            items.append(
                {
                    "id": str(item.id),
                    "titel": item.title,
                    "inhoud": item.body,
                    "categorie": item.category,
                    "categorie_label": DATA_CATEGORIES.get(item.category, item.category),
                    "bron": self.org_name(item.source_organisation_id),
                    "doel": item.purpose,
                    "grondslag": item.legal_basis,
                    "gedeeld": item.shared,
                    "vastgelegd_op": item.created_at.isoformat() if item.created_at else None,
                    "beperkt": is_restricted(ws, "item", str(item.id), tenant=item.tenant_id),
                }
            )
        documents = self.documents(casus, own, withheld)
        plans = []
        assessments = []
        agenda = []
        if own or role == "groepslid":
            plans = [
                {
                    "versie": p.version,
                    "inhoud": p.content,
                    "samenvatting": list(p.summary),
                    "bron": self.user_source(p.created_by),
                    "vastgelegd_op": p.created_at.isoformat(),
                }
                for p in ws.session.scalars(
                    sa.select(PlanVersion)
                    .where(
                        PlanVersion.tenant_id == casus.tenant_id, PlanVersion.casus_id == casus.id
                    )
                    .order_by(PlanVersion.version)
                )
            ]
            if plans:
                self.purposes.add("plan-van-aanpak")
            assessments = [
                {
                    "instrument": a.instrument,
                    "moment": a.moment,
                    "datum": a.taken_on.isoformat(),
                    "scores": a.scores,
                    "bron": self.user_source(a.assessor_user_id),
                }
                for a in ws.session.scalars(
                    sa.select(Assessment)
                    .where(Assessment.tenant_id == casus.tenant_id, Assessment.casus_id == casus.id)
                    .order_by(Assessment.taken_on, Assessment.id)
                )
            ]
            for line, meeting in ws.session.execute(
                sa.select(AgendaItem, Meeting)
                .join(
                    Meeting,
                    sa.and_(
                        Meeting.tenant_id == AgendaItem.tenant_id,
                        Meeting.id == AgendaItem.meeting_id,
                    ),
                )
                .where(AgendaItem.tenant_id == casus.tenant_id, AgendaItem.casus_id == casus.id)
                .order_by(Meeting.scheduled_for)
            ):
                meeting_type = ws.session.get(
                    MeetingType, (meeting.tenant_id, meeting.meeting_type_id)
                )
                agenda.append(
                    {
                        "overleg": meeting_type.name if meeting_type else meeting.meeting_type_id,
                        "datum": meeting.scheduled_for.isoformat(),
                        "briefing": line.briefing,
                        "besluiten": list(line.decisions),
                        "acties": line.actions,
                        "bob": line.bob,
                        "bron": self.user_source(meeting.chair_user_id),
                    }
                )
            if agenda:
                self.purposes.add("casusoverleg")
        return {
            "id": str(casus.id),
            "referentie": casus.reference,
            "soort": casus.kind,
            "fase": casus.state,
            "fase_label": lifecycle.phase_of(casus.kind, casus.state),
            "uw_rol": role,
            "uw_rol_toelichting": ROLE_LABELS[role],
            "aanmelddatum": casus.aanmeld_date.isoformat(),
            "afsluitdatum": casus.closure_date.isoformat() if casus.closure_date else None,
            "aanmelder_organisatie": self.org_name(casus.aanmelder_organisation_id),
            "deelnemers": sorted(
                self.org_name(p.organisation_id) or p.organisation_id
                for p in participants
                if p.active
            ),
            "aanmelding": aanmelding,
            "items": items,
            "documenten": documents,
            "achtergehouden": withheld,
            "plannen": plans,
            "metingen": assessments,
            "overleg": agenda,
            "bewaartermijn_tot": casus.retention_until.isoformat()
            if casus.retention_until
            else None,
            "bewaartermijn": self.retention_text(casus),
        }

    def documents(
        self, casus: Casus, own: bool, withheld: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The documents about the person (as for items: a document on an item follows the
        item; withheld ones are listed with their ground). The files themselves are not in
        the overview: they are listed, and handed over on request."""
        ws = self.ws
        rows = list(
            ws.session.scalars(
                sa.select(Document)
                .where(Document.tenant_id == casus.tenant_id, Document.casus_id == casus.id)
                .order_by(Document.uploaded_at, Document.id)
            )
        )
        item_ids = {d.item_id for d in rows if d.item_id}
        items = (
            {
                i.id: i
                for i in ws.session.scalars(
                    sa.select(InformationItem).where(
                        InformationItem.tenant_id == casus.tenant_id,
                        InformationItem.id.in_(item_ids),
                    )
                )
            }
            if item_ids
            else {}
        )
        out: list[dict[str, Any]] = []
        for doc in rows:
            item = items.get(doc.item_id) if doc.item_id else None
            about_me = (
                item.about_person_id == self.person.id or (item.about_person_id is None and own)
                if item is not None
                else own
            )
            reason: str | None = None
            if not about_me or doc.category == "derden":
                reason = WITHHELD_OTHERS
            elif doc.withheld or (item is not None and item.withheld):
                reason = (
                    WITHHELD_INVESTIGATION
                    if doc.category in JUSTICE_CATEGORIES
                    else WITHHELD_SOURCE
                )
            if reason is not None:
                if about_me:
                    withheld.append(
                        {
                            "wat": "document",
                            "id": str(doc.id),
                            "categorie": doc.category,
                            "bron": self.org_name(doc.source_organisation_id),
                            "vastgelegd_op": doc.uploaded_at.isoformat(),
                            "reden": reason,
                        }
                    )
                continue
            self.purposes.add(doc.purpose)
            out.append(
                {
                    "id": str(doc.id),
                    "bestandsnaam": doc.filename,
                    "omschrijving": doc.description,
                    "categorie": doc.category,
                    "categorie_label": DATA_CATEGORIES.get(doc.category, doc.category),
                    "bron": self.org_name(doc.source_organisation_id),
                    "doel": doc.purpose,
                    "mediatype": doc.media_type,
                    "grootte": doc.size,
                    "vastgelegd_op": doc.uploaded_at.isoformat(),
                }
            )
        return out

    def withheld_reason(self, item: InformationItem, about_me: bool) -> str | None:
        if not about_me or item.category == "derden":
            return WITHHELD_OTHERS
        if item.withheld:
            if item.category in JUSTICE_CATEGORIES:
                return WITHHELD_INVESTIGATION
            return WITHHELD_SOURCE
        return None

    def retention_text(self, casus: Casus) -> str:
        retention = self.ws.manifest.retention
        if casus.retention_until is not None:
            reason = casus.closure.get("reden") or casus.triage.get("besluit")
            label = CLOSURE_REASONS.get(reason or "", TRIAGE_DECISIONS.get(reason or "", ""))
            why = f" ({label})" if label else ""
            return (
                f"Bewaard tot {casus.retention_until.isoformat()}{why}; daarna worden de "
                "gegevens verwijderd."
            )
        return (
            "De casus loopt nog. Na afsluiting wordt een bewaartermijn vastgesteld naar de "
            f"reden van afsluiting: standaard {retention.default_months} maanden."
        )

    def retention_summary(self) -> dict[str, Any]:
        retention = self.ws.manifest.retention
        return {
            "standaard_maanden": retention.default_months,
            "per_reden_maanden": dict(sorted(retention.months.items())),
            "toelichting": (
                "Gegevens worden bewaard zolang een casus over u loopt, en daarna zo lang als "
                "de gemeente voor de reden van afsluiting heeft vastgesteld. Daarna worden ze "
                "verwijderd, tenzij een andere lopende casus ze nog nodig heeft. Het logboek "
                "van wie uw gegevens heeft ingezien wordt langer bewaard."
            ),
        }


def casus_label(casus: Mapping[str, Any]) -> str:
    return f"{casus['referentie']} ({casus['soort']})"
