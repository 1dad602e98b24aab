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

# The purpose (doelbinding) of the request; "" when none is given.
purpose := p if {
	p := object.get(ctx, "purpose", "")
	is_string(p)
} else := ""

resource_tenant := data.regietafel.tenants[resource.tenant]

# The grants of the resource's convenant for the reader's domain.
domain_grants := resource_tenant.grants[subject_domain]

# The categories the reader's domain may read for this purpose (computed once per decision).
granted_categories := {category | allowed := domain_grants[category]; purpose in allowed}

# The subject's organisation is the item's source (tenant-qualified) ...
own_source if is_subject_org(resource.source_organisation)

# ... and the subject is involved in the casus with a casework role: only then does the
# source's right to decide apply (a beheerder of the source organisation has no part in it).
own_source_involved if {
	same_tenant
	own_source
	involved
}

bsn_purpose if purpose in resource_tenant.bsn_purposes

# An item with one category, read or changed by someone other than its source.
category_checked if {
	resource.category
	action in {"read", "list", "update"}
	not own_source_involved
}

# Doelbinding: casus data is processed only for a known purpose that fits the phase.
deny contains deny_reason("doel-ontbreekt", "Geef het doel (doelbinding) op waarvoor u deze gegevens nodig hebt.") if {
	casus_resource
	action in content_actions
	purpose == ""
}

deny contains deny_reason("doel-onbekend", "Dit doel is onbekend: kies een doel uit de lijst van doelbindingen.") if {
	purpose != ""
	not purpose in purposes
}

purpose_fits if purpose in phase_purposes[object.get(resource, "phase", "")]

# A new casus (aanmelding) has no phase yet.
purpose_fits if {
	res_type == "casus"
	action == "create"
	purpose == "aanmelding"
}

purpose_fits if {
	purpose == "inzage"
	some role in roles
	role in inzage_roles
}

deny contains deny_reason("doel-past-niet", "Dit doel past niet bij uw rol of bij de fase van de casus (doelbinding).") if {
	casus_resource
	action in content_actions
	purpose in purposes
	not purpose_fits
}

# Special categories need an art. 9 exception; a convenant grant is not one.
art9_ground if object.get(ctx, "art9_exception", "") in art9_exceptions

art9_ground if subject_domain in art9_statutory_domains

beroepsgeheim_ground_given if object.get(ctx, "beroepsgeheim_ground", "") in beroepsgeheim_grounds

deny contains deny_reason("art9-grond-ontbreekt", "Voor bijzondere persoonsgegevens (art. 9 AVG) is een uitzonderingsgrond nodig; een convenant is dat niet.") if {
	category_checked
	resource.category == "bijzonder"
	not art9_ground
}

deny contains deny_reason("beroepsgeheim-grond-ontbreekt", "Voor gegevens onder beroepsgeheim is een grond nodig om het te doorbreken (toestemming, wettelijke plicht, conflict van plichten).") if {
	category_checked
	resource.category == "beroepsgeheim"
	not beroepsgeheim_ground_given
}

deny contains deny_reason("categorie-geen-grant", sprintf("Het convenant geeft domein '%s' geen toegang tot categorie '%s' voor doel '%s'.", [domain_label, resource.category, purpose_label])) if {
	category_checked
	purpose != ""
	not resource.category in granted_categories
}

deny contains deny_reason("bsn-doel", sprintf("Het doel '%s' vereist geen BSN.", [purpose_label])) if {
	category_checked
	resource.category == "bsn"
	purpose != ""
	not bsn_purpose
}

info contains allow_reason("categorie-grant", sprintf("Het convenant geeft domein '%s' toegang tot categorie '%s' voor doel '%s'.", [domain_label, resource.category, purpose_label])) if {
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

# Special categories on a composite view: masked without an art. 9 exception, and
# beroepsgeheim without a ground to break it (as for items).
mask contains "bijzonder" if {
	composite
	not art9_ground
}

mask contains "beroepsgeheim" if {
	composite
	not beroepsgeheim_ground_given
}

# Third-party data (gezinsleden) is kept apart from the subject's casus view.
mask contains "derden" if composite

# BSN is masked unless the purpose needs it.
mask contains "bsn" if {
	composite
	not bsn_purpose
}

info contains allow_reason("bsn-gemaskeerd", sprintf("Het BSN wordt gemaskeerd: het doel '%s' vereist geen BSN.", [purpose_label])) if {
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
