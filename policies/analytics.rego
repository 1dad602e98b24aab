# Rule 9: the analytics service and the onderzoeker role never read person data.
#
# Ministries, researchers and the analytics service work with differentially-private
# aggregates only (resource types statistiek and indicator). Any other resource holds
# person data and is denied to them, whatever other role they have.
package regietafel.authz

analytics_service if {
	subject.kind == "service"
	subject.user_id == "analytics"
}

analytics_service if {
	subject.kind == "service"
	"analytics" in roles
}

aggregate_reader_roles := {
	"onderzoeker", "pga-expert", "burgemeester-contactpersoon",
	"tenantbeheerder", "platformbeheerder",
}

aggregate_reader if {
	some role in roles
	role in aggregate_reader_roles
}

aggregate_reader if analytics_service

regular_basis contains "statistiek-geaggregeerd" if {
	res_type in aggregate_types
	action in read_actions
	aggregate_reader
}

deny contains deny_reason("onderzoeker-geen-persoonsgegevens", "Onderzoekers zien geen persoonsgegevens, alleen geaggregeerde cijfers.") if {
	"onderzoeker" in roles
	not res_type in aggregate_types
}

deny contains deny_reason("analytics-geen-persoonsgegevens", "De analysedienst leest geen persoonsgegevens, alleen gepseudonimiseerde feiten en aggregaten.") if {
	analytics_service
	not res_type in aggregate_types
}
