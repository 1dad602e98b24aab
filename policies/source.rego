# Rule 5: the source decides.
#
# Each partner authorises its own disclosures. The source organisation of an item may
# withhold it (for example because of a lopend onderzoek); while it is withheld, nobody
# else sees it, and only the source can release it again.
# Partners with beroepsgeheim may be in receive-only mode: they receive information
# but do not share or add items on the platform.
package regietafel.authz

withheld if resource.withheld == true

regular_basis contains "eigen-bron" if {
	casus_resource
	same_tenant
	own_source_involved
	action in {"read", "list", "update", "share", "withhold", "release"}
}

deny contains deny_reason("bron-achtergehouden", "De bron heeft dit item achtergehouden (bijvoorbeeld vanwege een lopend onderzoek).") if {
	withheld
	action in {"read", "list", "update", "share"}
	not own_source_involved
}

deny contains deny_reason("deling-achtergehouden-item", "U hebt dit item achtergehouden: geef het eerst vrij voordat u het deelt.") if {
	withheld
	sharing
	own_source_involved
}

deny contains deny_reason("deling-alleen-door-bron", "Alleen de bronorganisatie mag dit item delen.") if {
	sharing
	res_type == "informatie_item"
	not own_source_involved
}

deny contains deny_reason("alleen-bron-achterhouden", "Alleen de bronorganisatie mag dit item achterhouden.") if {
	action == "withhold"
	not own_source_involved
}

deny contains deny_reason("alleen-bron-vrijgeven", "Alleen de bronorganisatie mag dit item vrijgeven.") if {
	action == "release"
	not own_source_involved
}

deny contains deny_reason("niet-achtergehouden", "Dit item is niet achtergehouden en hoeft niet te worden vrijgegeven.") if {
	action == "release"
	own_source_involved
	not withheld
}

# Receive-only partners (beroepsgeheim) receive information but do not share or add items.
receive_only if subject_org.receive_only == true

deny contains deny_reason("alleen-ontvangen", "Uw organisatie is in alleen-ontvangen-modus (beroepsgeheim): u kunt geen informatie delen of toevoegen.") if {
	receive_only
	action in {"share", "create"}
	res_type == "informatie_item"
}

info contains allow_reason("alleen-ontvangen-lezen", "Uw organisatie is in alleen-ontvangen-modus: u kunt informatie ontvangen en lezen.") if {
	receive_only
	action in read_actions
}

# Withholding or releasing is made known to the regie of the casus.
obligations contains {"code": "informeer-regie", "event": action} if {
	action in {"withhold", "release"}
	allow
}
