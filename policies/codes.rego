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

# Resource types that belong to a casus.
casus_types := {
	"casus", "person", "informatie_item", "plan", "assessment", "meeting",
	"action", "document", "group_member",
}
