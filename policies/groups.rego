# Rule 7: group casus (problematische jeugdgroepen, 7 steps).
#
# - Step 1 (signalen delen): only group-level data; any person identifier is denied.
# - From step 2 on, person data is allowed only once an uitvoeringscoordinator has been
#   appointed (and all other privacy rules apply).
# - The driehoek (burgemeester, OM, politie) sees the plan of aanpak only anonymised.
#
# The server computes the step and whether a resource holds person identifiers; a group
# resource without them is refused (never a default that skips a rule).
package regietafel.authz

group_casus if resource.casus_kind == "groep"

driehoek_hat if {
	"driehoek" in roles
	group_casus
}

group_step := s if {
	s := resource.group_step
	is_number(s)
}

holds_person_data if resource.contains_person_identifiers == true

holds_person_data if res_type in {"person", "group_member"}

coordinator_appointed if is_object(resource.uitvoeringscoordinator)

appointed_coordinator if {
	group_casus
	caseworker
	is_subject_user(resource.uitvoeringscoordinator)
}

regular_basis contains "uitvoeringscoordinator" if {
	group_casus
	same_tenant
	appointed_coordinator
	action in regie_actions
}

regular_basis contains "driehoek-anoniem" if {
	group_casus
	same_tenant
	res_type == "plan"
	"driehoek" in roles
	action in read_actions
}

deny contains deny_reason("groep-stap-onbekend", "Van deze groepscasus is de stap niet bekend: toegang wordt geweigerd.") if {
	group_casus
	casus_resource
	not group_step
}

deny contains deny_reason("groep-persoonsgegevens-onbekend", "Van deze gegevens is niet bekend of ze personen identificeren: toegang wordt geweigerd.") if {
	group_casus
	casus_resource
	not is_boolean(resource.contains_person_identifiers)
}

deny contains deny_reason("groep-stap1-persoonsgegevens", "Groepsaanpak stap 1 (signalen delen): alleen gegevens op groepsniveau, geen persoonsgegevens.") if {
	group_casus
	group_step == 1
	holds_person_data
	action in content_actions
}

deny contains deny_reason("groep-geen-uitvoeringscoordinator", "Groepsaanpak: persoonsgegevens zijn pas toegestaan als er een uitvoeringscoördinator is aangesteld.") if {
	group_casus
	group_step >= 2
	holds_person_data
	not coordinator_appointed
	action in content_actions
}

deny contains deny_reason("driehoek-alleen-plan", "De driehoek ziet alleen het geanonimiseerde plan van aanpak van een groepscasus.") if {
	"driehoek" in roles
	count(basis) == 0
}

info contains allow_reason("groep-uitvoeringscoordinator-aangesteld", "Er is een uitvoeringscoördinator aangesteld: persoonsgegevens zijn toegestaan.") if {
	group_casus
	group_step >= 2
	holds_person_data
	coordinator_appointed
	action in content_actions
}

# The driehoek role is a hat of its own: on a group casus it gives the anonymised plan and
# nothing else, even when the person's organisation takes part in the casus.
deny contains deny_reason("driehoek-alleen-plan", "De driehoek ziet alleen het geanonimiseerde plan van aanpak van een groepscasus.") if {
	"driehoek" in roles
	group_casus
	res_type != "plan"
}

mask contains category if {
	"driehoek" in roles
	group_casus
	res_type == "plan"
	some category in person_categories
}
