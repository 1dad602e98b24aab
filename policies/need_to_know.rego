# Rule 2: need-to-know per casus, by role AND relation to the casus.
#
# Every identity is tenant-qualified: a user or organisation reference is
# {"tenant": ..., "id": ...} and is compared on both (an id is unique only within a tenant).
#
# The matrix (docs/policy.md, "Need-to-know matrix"): what a role sees of a casus follows
# from its relation to that casus.
#   - regisseur: the user is an active casusregisseur/procesregisseur of the casus;
#   - participating professional: the user's organisation takes part in the casus AND the
#     user holds a casework role (professional, casusregisseur, uitvoeringscoordinator,
#     pga-expert). An organisation's participation opens a casus to nobody else;
#   - pga-expert: every casus of the own gemeente; a casus shared with the own tenant
#     (opschaling to the regional bureau) read-only;
#   - uitvoeringscoordinator: the group casus they were appointed to (groups.rego);
#   - adviseur: reads every casus of the own gemeente, pseudonymised;
#   - driehoek: the plan of a group casus, anonymised (groups.rego);
#   - tenantbeheerder, platformbeheerder, burgemeester-contactpersoon, onderzoeker: no
#     casework content at all, whatever their organisation takes part in.
package regietafel.authz

# Resources that belong to a casus.
casus_resource if res_type in casus_types

# Actions a participating professional may perform. Transitions are for the regie.
participant_actions := {"read", "list", "create", "update", "share"}

regie_actions := {"read", "list", "create", "update", "share", "transition"}

# Bases that give the full view; other bases give a reduced view.
full_view_bases := {
	"deelnemer", "casusregisseur", "pga-expert", "pga-expert-gedeeld",
	"uitvoeringscoordinator", "aanmelding", "eigen-bron", "doorbreekglas", "overleg",
	"regie-toegangslog", "avg-inzage", "avg-correctie",
}

pseudonymised_view_bases := {"adviseur-pseudoniem"}

basis_messages := {
	"deelnemer": "Uw organisatie neemt deel aan deze casus en u werkt aan casussen.",
	"casusregisseur": "U bent regisseur van deze casus.",
	"pga-expert": "Als PGA-expert / procesregisseur ziet u alle casussen van uw gemeente.",
	"pga-expert-gedeeld": "De casus is met uw regionale bureau gedeeld (opschaling): u mag hem inzien.",
	"uitvoeringscoordinator": "U bent de aangestelde uitvoeringscoördinator van deze groepscasus.",
	"aanmelding": "Elke convenantpartner mag een casus aanmelden.",
	"eigen-bron": "Uw organisatie is de bron van dit item en u bent bij de casus betrokken.",
	"adviseur-pseudoniem": "Als adviseur ziet u de casus gepseudonimiseerd (bespreek de casus anoniem).",
	"driehoek-anoniem": "De driehoek ziet het plan van aanpak alleen geanonimiseerd.",
	"doorbreekglas": "Spoedtoegang (doorbreekglas) met schriftelijke reden, beperkt in tijd.",
	"statistiek-geaggregeerd": "Geaggregeerde, differentieel-private cijfers bevatten geen persoonsgegevens.",
	"uitleg": "U mag uitleg vragen over beslissingen binnen uw gemeente.",
	"overleg": "U werkt aan casussen van deze gemeente en ziet welke overleggen er zijn.",
	"regie-toegangslog": "Als regie van de casus of PGA-expert ziet u wie de gegevens heeft ingezien.",
	"avg-inzage": "Als PGA-expert handelt u het inzageverzoek (art. 15 AVG) af.",
	"avg-correctie": "Als regie van de casus of PGA-expert handelt u correctie en beperking (art. 16 en 18 AVG) af.",
}

# The subject holds a role that does casework (only those are opened a casus by their
# organisation's participation or a regie appointment).
caseworker if {
	some role in roles
	role in casework_roles
}

# A tenant-qualified reference names the subject's organisation / the subject itself.
is_subject_org(ref) if {
	ref.tenant == subject.tenant
	ref.id == subject.organisation
}

is_subject_user(ref) if {
	ref.tenant == subject.tenant
	ref.id == subject.user_id
}

participant if {
	some ref in object.get(resource, "participants", [])
	is_subject_org(ref)
}

regisseur if {
	some ref in object.get(resource, "regisseurs", [])
	is_subject_user(ref)
}

# The relations that open a casus in full within its own gemeente.
participating_professional if {
	caseworker
	participant
}

casus_regisseur if {
	caseworker
	regisseur
}

tenant_pga_expert if "pga-expert" in roles

# The subject is involved in the casus (needed before it can be the source of an item).
involved if participating_professional

involved if casus_regisseur

involved if tenant_pga_expert

involved if appointed_coordinator

# Regular bases (everything except doorbreekglas, which applies only without one of these).
regular_basis contains "deelnemer" if {
	casus_resource
	same_tenant
	participating_professional
	action in participant_actions
}

regular_basis contains "casusregisseur" if {
	casus_resource
	same_tenant
	casus_regisseur
	action in regie_actions
}

regular_basis contains "pga-expert" if {
	casus_resource
	same_tenant
	tenant_pga_expert
	action in regie_actions
}

# Opschaling: the regional bureau's pga-expert reads a casus shared with its tenant. The
# casus stays the gemeente's: the bureau does not write in it (it opens its own casus).
regular_basis contains "pga-expert-gedeeld" if {
	casus_resource
	shared_with_subject_tenant
	tenant_pga_expert
	action in read_actions
}

regular_basis contains "aanmelding" if {
	res_type == "casus"
	action == "create"
	same_tenant
	subject_org
	caseworker
}

# The adviseur reads, never writes, and only pseudonymised; only in the own gemeente.
regular_basis contains "adviseur-pseudoniem" if {
	casus_resource
	same_tenant
	"adviseur" in roles
	action in read_actions
}

# Anyone of the tenant may ask why a decision is what it is (the uitleg endpoint);
# the explanation itself never contains case content.
regular_basis contains "uitleg" if {
	action == "explain"
	tenant_ok
	subject_tenant
}

# A meeting as such (date, type, chair; not its agenda): the tenant's caseworkers and its
# advisers (who advise in the casusoverleg, on pseudonymised casussen) see which meetings
# there are; the pga-expert plans them and the chair keeps the verslag.
regular_basis contains "overleg" if {
	res_type == "overleg"
	same_tenant
	overleg_reader
	action in read_actions
}

overleg_reader if caseworker

overleg_reader if "adviseur" in roles

regular_basis contains "overleg" if {
	res_type == "overleg"
	same_tenant
	tenant_pga_expert
	action in {"create", "update"}
}

regular_basis contains "overleg" if {
	res_type == "overleg"
	same_tenant
	caseworker
	is_subject_user(resource.chair)
	action == "update"
}

# Need-to-know denial for casus data when no rule grants access.
deny contains deny_reason("geen-need-to-know", "U bent niet bij deze casus betrokken (need-to-know).") if {
	casus_resource
	count(basis) == 0
	not participating_professional
	not participant
}

# The organisation takes part, but the user's role does not do casework.
deny contains deny_reason("rol-geen-casuswerk", "Uw organisatie neemt deel aan deze casus, maar uw rol geeft geen toegang tot casusinhoud.") if {
	casus_resource
	count(basis) == 0
	participant
	not caseworker
}

# A participant asking for something its part in the casus does not cover (a phase change
# has its own reason below).
deny contains deny_reason("handeling-niet-voor-deelnemer", "Uw organisatie neemt deel aan deze casus, maar deze handeling hoort niet bij die rol.") if {
	casus_resource
	count(basis) == 0
	participating_professional
	action != "transition"
}

# A participant may not change the phase of a casus: that is up to the regie.
deny contains deny_reason("transitie-alleen-regie", "Alleen de casusregisseur, de PGA-expert of de uitvoeringscoördinator mag de fase wijzigen.") if {
	action == "transition"
	count(basis) == 0
	participating_professional
}

deny contains deny_reason("overleg-geen-toegang", "Alleen wie aan casussen van deze gemeente werkt ziet de overleggen; plannen doet de PGA-expert.") if {
	res_type == "overleg"
	count(basis) == 0
}

# Reduced views only allow reading.
info contains allow_reason("weergave-gepseudonimiseerd", "Identificerende gegevens worden vervangen door een pseudoniem.") if {
	view == "pseudoniem"
}
