# Rule 6: consent (toestemming) as a legal basis.
#
# Consent is specific, informed and revocable, and invalid under a power imbalance.
# It must be recorded (never assumed), given for this purpose, and not revoked.
# This applies whenever the context relies on consent: as the art. 6 basis, as the
# art. 9 exception (uitdrukkelijke toestemming), or as the ground to break beroepsgeheim.
package regietafel.authz

relies_on_consent if legal_basis == "toestemming"

relies_on_consent if object.get(ctx, "art9_exception", "") == "uitdrukkelijke-toestemming"

relies_on_consent if object.get(ctx, "beroepsgeheim_ground", "") == "toestemming"

consent := object.get(resource, "consent", {})

consent_recorded if consent.recorded == true

consent_for_purpose if {
	consent.purpose == purpose
	purpose != ""
}

consent_revoked if consent.revoked == true

consent_power_imbalance if consent.power_imbalance == true

deny contains deny_reason("toestemming-niet-vastgelegd", "Toestemming als grondslag moet zijn vastgelegd; die wordt niet aangenomen.") if {
	action in content_actions
	relies_on_consent
	not consent_recorded
}

deny contains deny_reason("toestemming-ander-doel", sprintf("De vastgelegde toestemming geldt niet voor het doel '%s'.", [purpose_label])) if {
	action in content_actions
	relies_on_consent
	consent_recorded
	not consent_for_purpose
}

deny contains deny_reason("toestemming-ingetrokken", "De toestemming is ingetrokken.") if {
	action in content_actions
	relies_on_consent
	consent_revoked
}

deny contains deny_reason("toestemming-ongelijke-verhouding", "Toestemming is niet geldig bij een ongelijke machtsverhouding: kies een andere grondslag.") if {
	action in content_actions
	relies_on_consent
	consent_power_imbalance
}

info contains allow_reason("toestemming-geldig", sprintf("Er is geldige, vastgelegde toestemming voor het doel '%s'.", [purpose_label])) if {
	action in content_actions
	relies_on_consent
	consent_recorded
	consent_for_purpose
	not consent_revoked
	not consent_power_imbalance
}
