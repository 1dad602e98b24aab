# Rule 3: data categories need a convenant grant for the reader's domain and purpose.
#
# The convenant of the resource's gemeente lists, per domain of a partner organisation,
# which data categories it may read for which purposes (data.regietafel.tenants[t].grants).
# A convenant records agreements and grants; it is NOT a legal basis by itself (rule 4).
#
# - An item with a category (informatie_item) is denied when there is no grant.
# - A composite resource (casus, person, plan, ...) is returned with the categories that
#   are not granted masked.
# - BSN is masked unless the purpose needs it (tenant setting bsn_purposes).
# - Data about third parties (derden) is never shown in the casus view by default.
# - The source organisation always sees its own item.
package regietafel.authz

purpose := object.get(ctx, "purpose", "")

resource_tenant := data.regietafel.tenants[resource.tenant]

# The grants of the resource's convenant for the reader's domain.
domain_grants := resource_tenant.grants[subject_domain]

# The categories the reader's domain may read for this purpose (computed once per decision).
granted_categories := {category | allowed := domain_grants[category]; purpose in allowed}

own_source if {
	resource.source_organisation == subject.organisation
}

bsn_purpose if purpose in resource_tenant.bsn_purposes

# An item with one category, read or changed by someone other than its source.
category_checked if {
	resource.category
	action in {"read", "list", "update"}
	not own_source
}

deny contains deny_reason("doel-ontbreekt", "Geef het doel (doelbinding) op waarvoor u deze gegevens nodig hebt.") if {
	category_checked
	purpose == ""
}

deny contains deny_reason("categorie-geen-grant", sprintf("Het convenant geeft domein '%s' geen toegang tot categorie '%s' voor doel '%s'.", [subject_domain, resource.category, purpose])) if {
	category_checked
	purpose != ""
	not resource.category in granted_categories
}

deny contains deny_reason("bsn-doel", sprintf("Het doel '%s' vereist geen BSN.", [purpose])) if {
	category_checked
	resource.category == "bsn"
	purpose != ""
	not bsn_purpose
}

info contains allow_reason("categorie-grant", sprintf("Het convenant geeft domein '%s' toegang tot categorie '%s' voor doel '%s'.", [subject_domain, resource.category, purpose])) if {
	category_checked
	resource.category in granted_categories
}

# A composite resource: a casus, person or plan that holds fields of several categories.
composite if {
	not resource.category
	casus_resource
}

# Categories the reader has no grant for are masked.
mask contains category if {
	composite
	some category in data_categories - granted_categories
}

# Third-party data (gezinsleden) is kept apart from the subject's casus view.
mask contains "derden" if composite

# BSN is masked unless the purpose needs it.
mask contains "bsn" if {
	composite
	not bsn_purpose
}

info contains allow_reason("bsn-gemaskeerd", sprintf("Het BSN wordt gemaskeerd: het doel '%s' vereist geen BSN.", [purpose])) if {
	allow
	composite
	action in read_actions
	not bsn_purpose
}

# Reduced views mask everything that identifies a person.
mask contains category if {
	view == "pseudoniem"
	some category in {"identificerend", "bsn", "derden"}
}

mask contains category if {
	view == "anoniem"
	some category in person_categories
}
