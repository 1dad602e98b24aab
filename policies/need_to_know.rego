# Rule 2: need-to-know per casus.
#
# - A professional sees a casus only if their organisation takes part in it (it was invited
#   to this casus), or they are one of its regisseurs.
# - The PGA-expert / procesregisseur (role pga-expert) sees all casussen of the tenant.
# - An uitvoeringscoordinator sees the group casus they were appointed to.
# - Any convenant partner may make an aanmelding (create a casus).
# - A non-involved adviseur may read a casus pseudonymised ("bespreek de casus anoniem").
# - The driehoek reads plans anonymised (rule 7).
package regietafel.authz

# Resources that belong to a casus.
casus_resource if res_type in casus_types

# Roles that see every casus of their own tenant.
tenant_wide_roles := {"pga-expert", "procesregisseur"}

# Actions a participant may perform on a casus. Transitions are for the regie (below).
participant_actions := {"read", "list", "create", "update", "share"}

regie_actions := {"read", "list", "create", "update", "share", "transition"}

# Bases that give the full view; other bases give a reduced view.
full_view_bases := {
	"deelnemer", "casusregisseur", "pga-expert", "uitvoeringscoordinator",
	"aanmelding", "eigen-bron", "doorbreekglas",
}

pseudonymised_view_bases := {"adviseur-pseudoniem"}

basis_messages := {
	"deelnemer": "Uw organisatie neemt deel aan deze casus.",
	"casusregisseur": "U bent regisseur van deze casus.",
	"pga-expert": "Als PGA-expert / procesregisseur ziet u alle casussen van uw gemeente.",
	"uitvoeringscoordinator": "U bent de aangestelde uitvoeringscoördinator van deze groepscasus.",
	"aanmelding": "Elke convenantpartner mag een casus aanmelden.",
	"eigen-bron": "Uw organisatie is de bron van dit item.",
	"adviseur-pseudoniem": "Als adviseur ziet u de casus gepseudonimiseerd (bespreek de casus anoniem).",
	"driehoek-anoniem": "De driehoek ziet het plan van aanpak alleen geanonimiseerd.",
	"doorbreekglas": "Spoedtoegang (doorbreekglas) met schriftelijke reden, beperkt in tijd.",
	"statistiek-geaggregeerd": "Geaggregeerde, differentieel-private cijfers bevatten geen persoonsgegevens.",
	"uitleg": "U mag uitleg vragen over beslissingen binnen uw gemeente.",
}

participant if {
	subject.organisation in object.get(resource, "participants", [])
}

regisseur if {
	subject.user_id in object.get(resource, "regisseurs", [])
}

# Regular bases (everything except doorbreekglas, which applies only without one of these).
regular_basis contains "deelnemer" if {
	casus_resource
	tenant_ok
	participant
	action in participant_actions
}

regular_basis contains "casusregisseur" if {
	casus_resource
	tenant_ok
	regisseur
	action in regie_actions
}

regular_basis contains "pga-expert" if {
	casus_resource
	tenant_ok
	some role in roles
	role in tenant_wide_roles
	action in regie_actions
}

regular_basis contains "aanmelding" if {
	res_type == "casus"
	action == "create"
	same_tenant
	subject_org
}

# The adviseur reads, never writes, and only pseudonymised.
regular_basis contains "adviseur-pseudoniem" if {
	casus_resource
	tenant_ok
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

# Need-to-know denial for casus data when no rule grants access.
deny contains deny_reason("geen-need-to-know", "Uw organisatie neemt niet deel aan deze casus (need-to-know).") if {
	casus_resource
	count(basis) == 0
	not participant
}

# A participant asking for something its part in the casus does not cover (a phase change
# has its own reason below).
deny contains deny_reason("handeling-niet-voor-deelnemer", "Uw organisatie neemt deel aan deze casus, maar deze handeling hoort niet bij die rol.") if {
	casus_resource
	count(basis) == 0
	participant
	action != "transition"
}

# A participant may not change the phase of a casus: that is up to the regie.
deny contains deny_reason("transitie-alleen-regie", "Alleen de casusregisseur, de PGA-expert of de uitvoeringscoördinator mag de fase wijzigen.") if {
	action == "transition"
	count(basis) == 0
	participant
}

# Reduced views only allow reading.
info contains allow_reason("weergave-gepseudonimiseerd", "Identificerende gegevens worden vervangen door een pseudoniem.") if {
	view == "pseudoniem"
}
