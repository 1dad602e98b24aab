# Rule 10: the AVG rights of the person and the regie's accountability (docs/avg.md).
#
#   toegangslog  "wie heeft deze casus (of persoon) ingezien": read by the regie of the
#                casus (its casusregisseur / procesregisseur) and the gemeente's pga-expert
#                (procesregisseur of the PGA). Participating professionals, advisers,
#                beheerders and everyone outside the gemeente: no.
#   inzage       the inzage export of one person (art. 15 AVG): started (create) and read
#                by the gemeente's pga-expert only.
#   correctie    correcting (art. 16) and restricting (art. 18) a person's data, aanmelding
#                texts and items, and reading the correction history (old values): the
#                regie of a casus about the person and the gemeente's pga-expert.
#
# These resources hold data about the processing (or, for inzage and correctie, everything
# about one person), so they are never opened by participation, an adviser's view or
# doorbreekglas: only the bases below grant them.
#
# Beperking (art. 18): a casus resource marked `restricted` is kept but not processed:
# every action on it is refused (`verwerking-beperkt`), also for its source; the regie
# still sees it through inzage and correctie.
package regietafel.authz

avg_resource if res_type in avg_types

avg_actions := {
	"toegangslog": {"read"},
	"inzage": {"create", "read"},
	"correctie": {"read", "update"},
}

# The regie of the casus (or of a casus about the person): its casusregisseur or
# procesregisseur with a casework role, or the gemeente's pga-expert.
avg_regie if casus_regisseur

avg_regie if tenant_pga_expert

regular_basis contains "regie-toegangslog" if {
	res_type == "toegangslog"
	same_tenant
	action in avg_actions.toegangslog
	avg_regie
}

regular_basis contains "avg-inzage" if {
	res_type == "inzage"
	same_tenant
	action in avg_actions.inzage
	tenant_pga_expert
}

regular_basis contains "avg-correctie" if {
	res_type == "correctie"
	same_tenant
	action in avg_actions.correctie
	avg_regie
}

deny contains deny_reason("avg-alleen-regie", "Alleen de regie van de casus (casusregisseur of procesregisseur) en de PGA-expert van de gemeente handelen verzoeken en verantwoording onder de AVG af.") if {
	avg_resource
	same_tenant
	not avg_regie
}

deny contains deny_reason("inzage-alleen-pga-expert", "Een inzageverzoek (art. 15 AVG) wordt gestart door de PGA-expert van de gemeente.") if {
	res_type == "inzage"
	same_tenant
	avg_regie
	not tenant_pga_expert
}

deny contains deny_reason("avg-handeling-onbekend", "Deze handeling hoort niet bij dit AVG-verzoek.") if {
	avg_resource
	not action in avg_actions[res_type]
}

deny contains deny_reason("verwerking-beperkt", "De verwerking van deze gegevens is beperkt (art. 18 AVG): ze worden bewaard, maar niet gebruikt of gedeeld.") if {
	casus_resource
	object.get(resource, "restricted", false) == true
}
