"""The leak oracle: who may see which canary, and who may change which casus.

Independent of the Rego on purpose: it implements the access matrix of issue 9 (to be
written down in docs/policy.md) directly from the manifests (convenant grants, bsn_purposes)
and the relations stored in the database. It never asks the policy engine.

Relations of a subject to a casus (tenant-qualified: user and organisation ids are unique
only within a tenant):

- regisseur: the active casusregisseur/procesregisseur of the casus (same tenant);
- participating professional: the subject's organisation (same tenant) is an active
  participant AND the subject holds a casework role;
- pga-expert: full view of every casus of the own tenant; READ-ONLY full view of a casus
  shared with the own tenant (opschaling to the regional bureau);
- uitvoeringscoordinator: the appointed coordinator of that group casus;
- doorbreekglas: a casework user of the own tenant with an unexpired grant: read-only full;
- adviseur: own tenant, read/list only, pseudonymised view (unless also one of the above);
- driehoek: only the plan of a group casus, anonymised; nothing of person casussen;
- tenantbeheerder, platformbeheerder, burgemeester-contactpersoon, onderzoeker: nothing;
- another tenant's casus not shared with the caller's tenant: nothing, for every role.

Masks: a category needs a convenant grant of the casus's tenant for the reader's domain and
the purpose; ``bsn`` also needs the purpose in the tenant's ``bsn_purposes``. A pseudonymised
view masks identificerend, bsn and derden, and shows no free text of the casus (it may name
people; information items are judged on their own); an anonymised view shows ``algemeen``
only.
Composite views (everything but an information item and the household list) always mask
``derden`` and mask ``bijzonder``/``beroepsgeheim`` for domains without a statutory
exception (STATUTORY_EXCEPTION). An item of one of those categories needs, besides the
grant, the art. 9 exception / beroepsgeheim ground recorded when it was shared. The source
organisation's casework users see their own items, also unshared or withheld.

Beperking (art. 18 AVG, docs/avg.md): a restricted person or item is kept but not processed.
Its data (the subject's name, birth date, address and BSN; the item's title, body and
necessity) is shown in no casework view, to nobody: not to the source, the regie, the
pga-expert, a participant or the tenant a casus was shared with. What policies/avg.rego still
opens on it is the AVG request itself, and only within the owning gemeente: the inzage
(``avg-inzage``: its pga-expert) and the correctie (``avg-correctie``: the regie of a casus
about the person, i.e. a casework user who is its regisseur, or the gemeente's pga-expert).
There the ordinary masks still apply on top (``restriction_allows`` and ``may_see``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from tenants.manifest import Manifest
from tenants.reference import PURPOSES

from .canaries import Canary
from .model import CasusRecord, ItemRecord, MeetingRecord, Subject

CASEWORK_ROLES: Final = frozenset(
    {"professional", "casusregisseur", "uitvoeringscoordinator", "pga-expert", "procesregisseur"}
)
#: Roles that never see casework content, whatever their organisation takes part in.
NO_CASEWORK_ROLES: Final = frozenset(
    {"tenantbeheerder", "platformbeheerder", "burgemeester-contactpersoon", "onderzoeker"}
)
CHAIR_ROLES: Final = frozenset({"pga-expert", "procesregisseur"})

#: Domains with a statutory exception for special categories on composite views (casus,
#: plan, assessment): art. 9(2)(h) AVG for health and social care under the Wgbo, Jeugdwet
#: and Wmo 2015, and the statutory meldrecht for beroepsgeheim. Domains that rely on the
#: convenant alone (wonen/woningcorporatie, gemeente-oov, werk-en-inkomen, politie, ...,
#: and the Zorg- en Veiligheidshuis) get these categories masked on composite views.
#: KEEP IN STEP WITH docs/policy.md once the matrix is written down there.
STATUTORY_EXCEPTION: Final[Mapping[str, frozenset[str]]] = {
    "bijzonder": frozenset(
        {
            "zorg",
            "jeugdhulp",
            "veilig-thuis",
            "jeugdbescherming",
            "raad-kinderbescherming",
            "sociaal-wijkteam",
        }
    ),
    "beroepsgeheim": frozenset({"zorg", "jeugdhulp", "veilig-thuis", "jeugdbescherming"}),
}
PSEUDONYMISED_MASK: Final = frozenset({"identificerend", "bsn", "derden"})


#: The AVG request a route serves (policies/avg.rego): ``inzage`` or ``correctie``.
INZAGE: Final = "inzage"
CORRECTIE: Final = "correctie"
_PERSON_ROUTES: Final = ("/api/v1/personen/{persoon_id}", "/personen/{persoon_id}")


def avg_request(path: str) -> str | None:
    """The AVG request (inzage, correctie) a route path answers, else None. The access logs
    (toegangslog) hold no person data: not a request that shows restricted data."""
    if path.startswith(_PERSON_ROUTES):
        if "/inzage" in path:
            return INZAGE
        if path.endswith("/toegangslog"):
            return None
        return CORRECTIE  # the AVG page and form, the history, correction and restriction
    if path == "/api/v1/casussen/{casus_id}/correcties":
        return CORRECTIE
    return None


#: The overleg lines of a casus in its subject's inzage: briefing, decisions, actions.
INZAGE_MEETING_FIELDS: Final = frozenset({"overleg.briefing", "verslag.besluit", "verslag.actie"})


class View(enum.Enum):
    NONE = "geen"
    FULL = "volledig"
    READ_ONLY = "volledig-alleen-lezen"
    PSEUDO = "pseudoniem"
    ANON_PLAN = "anoniem-plan"


@dataclass(frozen=True)
class Access:
    view: View
    write: bool
    relation: str


NO_ACCESS = Access(View.NONE, False, "geen")


class Oracle:
    def __init__(self, manifests: Mapping[str, Manifest]) -> None:
        self.manifests = manifests
        # grants[tenant][domain][category] -> purposes
        self.grants: dict[str, dict[str, dict[str, set[str]]]] = {}
        for code, m in manifests.items():
            table: dict[str, dict[str, set[str]]] = {}
            for grant in m.grants:
                for domain in grant.domains:
                    for category in grant.categories:
                        table.setdefault(domain, {}).setdefault(category, set()).update(
                            grant.purposes
                        )
            self.grants[code] = table

    # -- relations ------------------------------------------------------------------------

    def id_class(self, s: Subject, casus: CasusRecord) -> str:
        """How the casus relates to the subject, for the report."""
        if casus.tenant == s.tenant:
            involved = (
                s.organisation in casus.participants
                or s.user_id in casus.regisseurs
                or s.user_id == casus.coordinator
            )
            return "eigen-deelname" if involved else "eigen-geen-deelname"
        if s.tenant in casus.shared_with:
            return "gedeeld-met-eigen-tenant"
        same_region = self.manifests[casus.tenant].region == s.region
        return "andere-gemeente-zelfde-regio" if same_region else "andere-regio"

    def access(self, s: Subject, casus: CasusRecord) -> Access:
        if casus.tenant != s.tenant:
            if s.tenant in casus.shared_with and "pga-expert" in s.roles:
                return Access(View.READ_ONLY, False, "pga-expert-gedeelde-casus")
            return NO_ACCESS
        casework = bool(s.roles & CASEWORK_ROLES)
        if s.user_id in casus.regisseurs:
            return Access(View.FULL, True, "regisseur")
        if "pga-expert" in s.roles:
            return Access(View.FULL, True, "pga-expert")
        if casus.kind == "groep" and casus.coordinator == s.user_id:
            return Access(View.FULL, True, "uitvoeringscoordinator")
        if casework and s.organisation in casus.participants:
            return Access(View.FULL, True, "deelnemer")
        if casework and s.user_id in casus.urgent_users:
            return Access(View.READ_ONLY, False, "doorbreekglas")
        if "adviseur" in s.roles:
            return Access(View.PSEUDO, False, "adviseur")
        if "driehoek" in s.roles and casus.kind == "groep":
            return Access(View.ANON_PLAN, False, "driehoek")
        return NO_ACCESS

    def may_change_casus(self, s: Subject, casus: CasusRecord) -> bool:
        return self.access(s, casus).write

    def may_change_meeting(self, s: Subject, meeting: MeetingRecord) -> bool:
        return s.tenant == meeting.tenant and bool(s.roles & CHAIR_ROLES)

    def may_operate_tenant(self, s: Subject, tenant: str) -> bool:
        """Operator actions (suspend, resume, apply a manifest, export)."""
        target = self.manifests.get(tenant)
        return (
            "platformbeheerder" in s.roles
            and s.tenant_kind == "regio"
            and target is not None
            and target.region == s.region
        )

    def may_change_user(self, s: Subject, tenant: str, user_id: str, fields: Iterable[str]) -> bool:
        if "tenantbeheerder" not in s.roles or s.tenant != tenant:
            return False
        # No self-elevation: a beheerder never changes their own roles.
        return not (user_id == s.user_id and "rollen" in set(fields))

    # -- categories -----------------------------------------------------------------------

    def granted(self, s: Subject, casus: CasusRecord, category: str, purpose: str) -> bool:
        if purpose not in PURPOSES:
            return False
        purposes = self.grants.get(casus.tenant, {}).get(s.domain, {}).get(category, set())
        if purpose not in purposes:
            return False
        if category == "bsn":
            return purpose in self.manifests[casus.tenant].bsn_purposes
        return True

    def _composite_category(
        self, s: Subject, casus: CasusRecord, category: str, purpose: str
    ) -> bool:
        if category == "derden":
            return False
        if category in STATUTORY_EXCEPTION and s.domain not in STATUTORY_EXCEPTION[category]:
            return False
        return self.granted(s, casus, category, purpose)

    @staticmethod
    def restricted(canary: Canary, casus: CasusRecord, item: ItemRecord | None) -> bool:
        """The canary is data of a restricted person (the subject) or item (art. 18 AVG)."""
        if canary.origin == "person":
            return casus.subject_restricted
        return canary.origin == "item" and item is not None and item.restricted

    def restriction_allows(self, s: Subject, casus: CasusRecord, request: str | None) -> bool:
        """Who still sees restricted data (policies/avg.rego): the owning gemeente's
        pga-expert in an inzage; its pga-expert or the regie of the casus in a correctie.
        Nobody in a casework view, and nobody of another tenant (a shared casus too)."""
        if s.tenant != casus.tenant:
            return False
        if request == INZAGE:
            return "pga-expert" in s.roles
        if request == CORRECTIE:
            regie = bool(s.roles & CASEWORK_ROLES) and s.user_id in casus.regisseurs
            return "pga-expert" in s.roles or regie
        return False

    def inzage_shows(
        self, s: Subject, canary: Canary, casus: CasusRecord, item: ItemRecord | None
    ) -> bool:
        """The inzage (art. 15 AVG) of the subject of ``casus``, by the gemeente's
        pga-expert (``avg-inzage``): the person's own data, not a casework view, so the
        convenant masks do not apply; what it holds is services/casework/avg/inzage.py's
        document: the person (BSN masked), the aanmelding, the items about them that are
        neither withheld nor ``derden``, the plan versions and the overleg lines. Nothing of
        household members or of other casus texts."""
        if s.tenant != casus.tenant or "pga-expert" not in s.roles:
            return False
        if self.restricted(canary, casus, item) and not self.restriction_allows(s, casus, INZAGE):
            return False
        if canary.origin == "person":
            return "bsn" not in canary.categories  # shown masked
        if canary.origin == "casus":
            return canary.field.startswith("aanmelding.")
        if canary.origin == "plan":
            return True
        if canary.origin == "meeting":
            return canary.field in INZAGE_MEETING_FIELDS
        if canary.origin == "item":
            return (
                item is not None
                and not item.withheld
                and item.category != "derden"
                and canary.field in ("item.titel", "item.inhoud")
            )
        return False

    def may_see(
        self,
        s: Subject,
        canary: Canary,
        casus: CasusRecord,
        purposes: Iterable[str],
        item: ItemRecord | None = None,
        request: str | None = None,
    ) -> bool:
        """``request``: the AVG request the route serves (:func:`avg_request`)."""
        if self.restricted(canary, casus, item) and not self.restriction_allows(s, casus, request):
            return False
        acc = self.access(s, casus)
        if acc.view is View.NONE:
            return False
        if canary.origin == "item":
            return item is not None and self._item_visible(s, casus, item, acc, canary, purposes)
        if acc.view is View.ANON_PLAN:
            return (
                canary.origin == "plan"
                and canary.categories <= {"algemeen"}
                and any(self.granted(s, casus, "algemeen", p) for p in purposes)
            )
        if canary.origin == "urgent" and s.user_id not in casus.urgent_users and not acc.write:
            return False
        extra = PSEUDONYMISED_MASK if acc.view is View.PSEUDO else frozenset()
        if canary.categories & extra:
            return False
        if acc.view is View.PSEUDO and canary.free_text:
            return False  # free text may name people: the full view only
        for purpose in purposes:
            if canary.origin == "household":
                ok = all(self.granted(s, casus, c, purpose) for c in canary.categories)
            else:
                ok = all(self._composite_category(s, casus, c, purpose) for c in canary.categories)
            if ok:
                return True
        return False

    def _item_visible(
        self,
        s: Subject,
        casus: CasusRecord,
        item: ItemRecord,
        acc: Access,
        canary: Canary,
        purposes: Iterable[str],
    ) -> bool:
        if acc.view is View.ANON_PLAN:
            return False
        own = (
            s.tenant == casus.tenant
            and s.organisation == item.source_organisation
            and bool(s.roles & CASEWORK_ROLES)
        )
        if own:
            return True
        if not item.shared or item.withheld:
            return False
        if acc.view is View.PSEUDO and canary.categories & PSEUDONYMISED_MASK:
            return False
        if item.category == "bijzonder" and not item.art9_exception:
            return False
        if item.category == "beroepsgeheim" and not item.beroepsgeheim_ground:
            return False
        return any(all(self.granted(s, casus, c, p) for c in canary.categories) for p in purposes)
