# Rule 4: every share passes the checklist gegevensdeling.
#
# Sharing makes an information item visible to the other participants of a casus.
# Each missing part of the checklist gives its own deny reason, so the professional
# sees exactly what is still missing:
#   1. a purpose (doelbinding);
#   2. a legal basis from art. 6 AVG (a convenant is not a legal basis; public bodies
#      cannot rely on gerechtvaardigd belang);
#   3. for special categories (bijzonder, art. 9 AVG) also an art. 9 exception;
#   4. for data under beroepsgeheim a ground to break it (toestemming, wettelijke plicht,
#      conflict van plichten);
#   5. a necessity statement (proportionaliteit en subsidiariteit);
#   6. whether the person is informed, and if not, why not.
package regietafel.authz

sharing if action == "share"

legal_basis := object.get(ctx, "legal_basis", "")

filled(field) if {
	value := object.get(ctx, field, "")
	is_string(value)
	trim_space(value) != ""
}

deny contains deny_reason("deling-doel-ontbreekt", "Checklist gegevensdeling: het doel van de deling ontbreekt of is onbekend.") if {
	sharing
	not purpose in purposes
}

deny contains deny_reason("deling-grondslag-ontbreekt", "Checklist gegevensdeling: de grondslag (art. 6 AVG) ontbreekt.") if {
	sharing
	legal_basis == ""
}

deny contains deny_reason("convenant-geen-grondslag", "Een convenant is geen grondslag: kies een grondslag uit art. 6 AVG.") if {
	sharing
	legal_basis == "convenant"
}

deny contains deny_reason("deling-grondslag-ongeldig", sprintf("Checklist gegevensdeling: '%s' is geen grondslag uit art. 6 AVG.", [legal_basis_label])) if {
	sharing
	not legal_basis in art6_bases
	not legal_basis in {"", "convenant"}
}

deny contains deny_reason("gerechtvaardigd-belang-overheid", "Een overheidsorganisatie kan zich voor haar publieke taak niet op gerechtvaardigd belang beroepen.") if {
	sharing
	legal_basis == "gerechtvaardigd-belang"
	subject_domain in public_domains
}

deny contains deny_reason("deling-art9-ontbreekt", "Checklist gegevensdeling: voor bijzondere persoonsgegevens (art. 9 AVG) is een uitzonderingsgrond nodig.") if {
	sharing
	resource.category == "bijzonder"
	not object.get(ctx, "art9_exception", "") in art9_exceptions
}

deny contains deny_reason("deling-beroepsgeheim-ontbreekt", "Checklist gegevensdeling: voor gegevens onder beroepsgeheim is toestemming, een wettelijke plicht of een conflict van plichten nodig.") if {
	sharing
	resource.category == "beroepsgeheim"
	not object.get(ctx, "beroepsgeheim_ground", "") in beroepsgeheim_grounds
}

deny contains deny_reason("deling-noodzaak-ontbreekt", "Checklist gegevensdeling: motiveer de noodzaak (proportionaliteit en subsidiariteit).") if {
	sharing
	not filled("necessity")
}

deny contains deny_reason("deling-transparantie-ontbreekt", "Checklist gegevensdeling: geef aan dat de persoon is geïnformeerd, of waarom (nog) niet.") if {
	sharing
	not object.get(ctx, "person_informed", false) == true
	not filled("not_informed_reason")
}

info contains allow_reason("checklist-compleet", "De checklist gegevensdeling is volledig ingevuld.") if {
	sharing
	count({d | some d in deny; startswith(d.code, "deling-")}) == 0
}

# A share is recorded with its purpose and legal basis, and the participants are notified.
obligations contains {"code": "registreer-deling", "purpose": purpose, "legal_basis": legal_basis} if {
	sharing
	allow
}
