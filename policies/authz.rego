# Regietafel authorisation: the entry points and how a decision is assembled.
#
# Every rule file in this directory belongs to the package regietafel.authz.
# Each file holds one group of rules (see docs/policy.md):
#
#   tenancy.rego        rule 1  default deny, tenant isolation, cross-tenant shares
#   need_to_know.rego   rule 2  who takes part in a casus, pga-expert, adviseur, driehoek
#   categories.rego     rule 3  data categories and convenant grants, BSN masking
#   sharing.rego        rule 4  the checklist gegevensdeling for every share
#   source.rego         rule 5  the source decides: withhold / release, receive-only partners
#   consent.rego        rule 6  consent (toestemming) as a legal basis
#   groups.rego         rule 7  group casus (jeugdgroepen) step rules
#   urgent_access.rego  rule 8  doorbreekglas (urgent access)
#   analytics.rego      rule 9  researchers and the analytics service never read person data
#   codes.rego          the reference code lists (roles, purposes, legal bases, ...)
#
# How a decision is made:
#   - rules add codes to `basis` (a ground that grants access) or reasons to `deny`;
#   - access is allowed only when there is at least one basis and no deny reason;
#   - with no basis at all the default deny reason is given (nothing is allowed by accident).
#
# Entry points:
#   data.regietafel.authz.decision   input.resource holds one resource
#   data.regietafel.authz.decisions  input.resources holds a page; one decision per resource,
#                                    in the same order (batch.rego)
package regietafel.authz

# ---------------------------------------------------------------------------
# Shorthands for the input
# ---------------------------------------------------------------------------

subject := input.subject

resource := object.get(input, "resource", {})

action := input.action

ctx := object.get(input, "context", {})

roles := {r | some r in object.get(subject, "roles", []); is_string(r)}

res_type := object.get(resource, "type", "")

# ---------------------------------------------------------------------------
# Reason helpers: every reason has a machine code, an effect and a Dutch message.
# ---------------------------------------------------------------------------

deny_reason(code, message) := {"code": code, "effect": "deny", "message": message}

# Values quoted in messages are never empty: rego-cpp 1.5 renders sprintf("%s", [""]) as
# '""' inside a string and then emits invalid JSON (issue 9, defect 12).
purpose_label := purpose if purpose != "" else := "(geen doel)"

domain_label := subject_domain if subject_domain != "" else := "(onbekend domein)"

legal_basis_label := legal_basis if legal_basis != "" else := "(geen grondslag)"

allow_reason(code, message) := {"code": code, "effect": "allow", "message": message}

# ---------------------------------------------------------------------------
# Assembling the decision
# ---------------------------------------------------------------------------

# Access is allowed only with a basis and without any deny reason.
default allow := false

allow if {
	count(basis) > 0
	count(deny) == 0
}

# Default deny: no rule granted access.
deny contains deny_reason("geen-toegangsgrond", "Geen enkele regel geeft u toegang: standaard wordt toegang geweigerd.") if {
	count(basis) == 0
	not casus_resource
}

# The view on the data: full, pseudonymised (adviseur) or anonymised (driehoek, statistics).
default view := null

# The driehoek is a hat of its own: on a group casus it always gets the anonymised view,
# whatever other role the user has (groups.rego).
view := "anoniem" if {
	allow
	driehoek_hat
} else := "full" if {
	allow
	some code in basis
	code in full_view_bases
} else := "pseudoniem" if {
	allow
	some code in basis
	code in pseudonymised_view_bases
} else := "anoniem" if {
	allow
}

# The reasons that granted access, with their Dutch explanation.
granted contains allow_reason(code, basis_messages[code]) if {
	some code in basis
}

reasons := (granted | info) | deny

# Every access attempt is logged, allowed or not ("wie heeft wat ingezien").
obligations contains {"code": "audit"}

decision := {
	"allow": allow,
	"view": view,
	"reasons": [r | some r in reasons],
	"mask": [m | some m in mask_out],
	"obligations": [o | some o in obligations],
}

# Nothing is masked when access is denied: nothing is returned at all.
mask_out := mask if allow else := set()
