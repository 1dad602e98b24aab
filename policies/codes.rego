# Reference code lists (docs: reference-data.md). Change them only together with the
# platform's reference data.
package regietafel.authz

# All actions the policy knows. Unknown actions are always denied.
known_actions := {
	"read", "list", "create", "update", "share",
	"withhold", "release", "transition", "explain",
}

# Actions that only look at data.
read_actions := {"read", "list"}

# Actions that touch the content of a casus (everything but asking for an explanation).
content_actions := {"read", "list", "create", "update", "share", "transition", "withhold", "release"}

# Purposes (doelbinding).
purposes := {
	"aanmelding", "triage", "informeren", "casusoverleg", "plan-van-aanpak",
	"uitvoering", "monitoring", "afsluiting", "opschaling", "nazorg", "inzage",
	"verantwoording",
}

# Art. 6(1) AVG legal bases.
art6_bases := {
	"toestemming", "overeenkomst", "wettelijke-verplichting", "vitaal-belang",
	"publieke-taak", "gerechtvaardigd-belang",
}

# Art. 9(2) AVG exceptions for special categories of data.
art9_exceptions := {
	"uitdrukkelijke-toestemming", "sociale-zekerheid", "vitaal-belang",
	"rechtsvordering", "zwaarwegend-algemeen-belang", "zorg-en-sociale-stelsels",
}

# Grounds to break professional secrecy (beroepsgeheim).
beroepsgeheim_grounds := {"toestemming", "wettelijke-plicht", "conflict-van-plichten"}

# Data categories. The order is the order in which masks are listed.
data_categories := {
	"algemeen", "identificerend", "bsn", "bijzonder", "strafrechtelijk",
	"politiegegevens", "justitieel", "beroepsgeheim", "financieel", "derden",
}

# Categories that identify a person or say something sensitive about them.
person_categories := data_categories - {"algemeen"}

# Domains of public bodies: they may not rely on gerechtvaardigd belang (art. 6(1)(f)).
public_domains := {
	"politie", "om", "reclassering", "jeugdbescherming", "raad-kinderbescherming",
	"veilig-thuis", "gemeente-oov", "zorg-en-veiligheidshuis", "halt",
	"werk-en-inkomen", "onderwijs", "sociaal-wijkteam",
}

# Resource types that hold only aggregated, differentially-private figures.
aggregate_types := {"statistiek", "indicator"}

# Resource types of the AVG rights and the regie's accountability (avg.rego, rule 10): they
# name a casus or person but are opened only by their own bases, never by participation.
avg_types := {"toegangslog", "inzage", "correctie"}

# Resource types that belong to a casus. (A meeting as such, type "overleg", belongs to the
# tenant; its agenda lines are casus resources of type "meeting".)
casus_types := {
	"casus", "person", "informatie_item", "plan", "assessment", "meeting",
	"action", "document", "group_member",
}

# Roles that do casework: an organisation's participation in a casus (or a regie appointment)
# opens it only to these roles. tenantbeheerder, platformbeheerder,
# burgemeester-contactpersoon, driehoek, adviseur and onderzoeker keep their own, narrower
# views whatever their organisation takes part in (reference-data.md, Roles).
casework_roles := {"professional", "casusregisseur", "uitvoeringscoordinator", "pga-expert"}

# Every role code (reference-data.md); tests check this list against tenants/reference.py.
role_codes := {
	"platformbeheerder", "tenantbeheerder", "pga-expert", "casusregisseur",
	"uitvoeringscoordinator", "professional", "adviseur", "burgemeester-contactpersoon",
	"driehoek", "onderzoeker",
}

# Doelbinding per phase: the purposes for which casus data may be processed in a phase.
# The work of a casus moves through triage, informing, overleg, plan, execution, monitoring
# and closure without fixed borders (a casus is discussed, shared and measured in every
# active phase), so the active phases allow the operational purposes; what they refuse is
# processing for a purpose the casus is not (or no longer) in: `aanmelding` once the casus
# is past triage, `nazorg` before closure, anything but closure after archiving.
# `inzage` (an AVG request) is handled by the regie in any phase (inzage_roles);
# `verantwoording` is for pseudonymised statistics only and never opens casus data.
operational_purposes := {
	"triage", "informeren", "casusoverleg", "plan-van-aanpak", "uitvoering",
	"monitoring", "afsluiting", "opschaling",
}

intake_purposes := operational_purposes | {"aanmelding"}

closure_purposes := operational_purposes | {"nazorg"}

phase_purposes := {
	"aanmelding": intake_purposes,
	"triage": intake_purposes,
	"informeren": operational_purposes,
	"plan": operational_purposes,
	"uitvoering": operational_purposes,
	"monitoring": operational_purposes,
	"afsluiting": closure_purposes,
	"nazorg": closure_purposes,
	"archief": {"afsluiting"},
}

# Roles that handle an AVG inzage request for a casus.
inzage_roles := {"pga-expert", "casusregisseur"}

# Domains whose professionals process health and social-care data under art. 9(2)(h) AVG by
# law (WGBO, Jeugdwet, Wmo 2015): for them special categories are not masked on composite
# views. Every other domain needs an art. 9 exception in the request (or a recorded one on an
# item): a convenant grant alone is not enough.
art9_statutory_domains := {
	"zorg", "jeugdhulp", "sociaal-wijkteam", "veilig-thuis", "jeugdbescherming",
	"raad-kinderbescherming",
}
