# Rule 1: default deny and tenant isolation.
#
# A gemeente is a tenant. A subject never acts on data of another tenant, unless that
# data was explicitly shared with the subject's tenant (opschaling to the regional
# bureau, a person who moves: verhuizing). The list of tenants a resource is shared
# with is in resource.shared_with_tenants.
package regietafel.authz

# The subject's own tenant as configured in the policy data.
subject_tenant := data.regietafel.tenants[subject.tenant]

# The subject's organisation as registered in its tenant's manifest.
subject_org := subject_tenant.organisations[subject.organisation]

# The domain of the subject's organisation, from the manifest only (never from the caller).
subject_domain := d if {
	d := subject_org.domain
	is_string(d)
} else := ""

same_tenant if {
	resource.tenant == subject.tenant
}

shared_with_subject_tenant if {
	not same_tenant
	subject.tenant in object.get(resource, "shared_with_tenants", [])
}

# The subject may act within the resource's tenant (own tenant or explicit share).
tenant_ok if same_tenant

tenant_ok if shared_with_subject_tenant

# Aggregated statistics are not tenant data (rule 9); all other resources are.
tenant_bound if not res_type in aggregate_types

info contains allow_reason("tenant-gedeeld", "De casus is expliciet met uw gemeente gedeeld (opschaling of verhuizing).") if {
	tenant_bound
	shared_with_subject_tenant
}

deny contains deny_reason("tenant-anders", "Deze gegevens horen bij een andere gemeente en zijn niet met uw gemeente gedeeld.") if {
	tenant_bound
	not tenant_ok
}

deny contains deny_reason("tenant-onbekend", "Uw gemeente (tenant) is onbekend of niet actief op het platform.") if {
	not subject_tenant.active == true
}

deny contains deny_reason("organisatie-onbekend", "Uw organisatie is geen convenantpartner van deze gemeente.") if {
	object.get(subject, "kind", "user") == "user"
	not subject_org
}

deny contains deny_reason("actie-onbekend", "Deze handeling is onbekend en daarom niet toegestaan.") if {
	not action in known_actions
}
