# Rule 8: urgent access (doorbreekglas).
#
# When someone without need-to-know must see a casus urgently (for example acute danger),
# they may "break the glass":
#   - only with a written reason (at least 20 characters);
#   - only for a limited time: the access expires (resource.urgent_access.expires_at),
#     and a window may not be longer than 24 hours from now;
#   - only for reading, only within their own gemeente, and only by someone who does
#     casework (a beheerder or onderzoeker cannot break the glass);
#   - it is always audited and flagged for review by the PGA-expert of the gemeente.
# The caller passes context.now (RFC 3339) so that decisions are deterministic.
package regietafel.authz

urgent_access := object.get(resource, "urgent_access", {})

urgent_requested if count(urgent_access) > 0

urgent_requested if {
	is_string(ctx.urgency_reason)
	trim_space(ctx.urgency_reason) != ""
}

# The written reason: recorded with the access, or given with this request.
urgent_reason := reason if {
	reason := object.get(urgent_access, "reason", "")
	is_string(reason)
	trim_space(reason) != ""
} else := object.get(ctx, "urgency_reason", "")

urgent_reason_ok if {
	is_string(urgent_reason)
	count(trim_space(urgent_reason)) >= 20
}

# 24 hours in nanoseconds.
urgent_max_window_ns := ((24 * 60) * 60) * 1000000000

now_ns := rfc3339_ns(ctx.now)

urgent_expires_ns := rfc3339_ns(urgent_access.expires_at)

# RFC 3339 to nanoseconds. rego-cpp 1.5 does not accept the "Z" suffix, so it is
# rewritten to "+00:00" first (the same instant; OPA accepts both).
rfc3339_ns(ts) := time.parse_rfc3339_ns(concat("", [trim_suffix(ts, "Z"), "+00:00"])) if {
	endswith(ts, "Z")
} else := time.parse_rfc3339_ns(ts)

urgent_time_limited if {
	urgent_expires_ns
	now_ns
}

urgent_not_expired if urgent_expires_ns > now_ns

urgent_window_ok if urgent_expires_ns - now_ns <= urgent_max_window_ns

# The access was granted to this user (when it names a user).
urgent_for_subject if not urgent_access.user

urgent_for_subject if is_subject_user(urgent_access.user)

urgent_valid if {
	urgent_requested
	casus_resource
	same_tenant
	object.get(subject, "kind", "user") == "user"
	caseworker
	action in read_actions
	urgent_reason_ok
	urgent_time_limited
	urgent_not_expired
	urgent_window_ok
	urgent_for_subject
}

# Doorbreekglas is only used when no regular basis applies.
urgent_basis := {"doorbreekglas"} if {
	count(regular_basis) == 0
	urgent_valid
} else := set()

basis := regular_basis | urgent_basis

urgent_attempt if {
	urgent_requested
	count(regular_basis) == 0
}

deny contains deny_reason("doorbreekglas-reden-ontbreekt", "Doorbreekglas: geef een schriftelijke reden (minimaal 20 tekens).") if {
	urgent_attempt
	not urgent_reason_ok
}

deny contains deny_reason("doorbreekglas-geen-tijdslimiet", "Doorbreekglas: spoedtoegang moet een einddatum hebben (en het huidige tijdstip moet bekend zijn).") if {
	urgent_attempt
	not urgent_time_limited
}

deny contains deny_reason("doorbreekglas-verlopen", "Doorbreekglas: de spoedtoegang is verlopen.") if {
	urgent_attempt
	urgent_time_limited
	not urgent_not_expired
}

deny contains deny_reason("doorbreekglas-te-lang", "Doorbreekglas: spoedtoegang mag hoogstens 24 uur gelden.") if {
	urgent_attempt
	urgent_time_limited
	not urgent_window_ok
}

deny contains deny_reason("doorbreekglas-andere-gebruiker", "Doorbreekglas: deze spoedtoegang is aan een andere gebruiker verleend.") if {
	urgent_attempt
	not urgent_for_subject
}

deny contains deny_reason("doorbreekglas-alleen-lezen", "Doorbreekglas geeft alleen leestoegang binnen uw eigen gemeente.") if {
	urgent_attempt
	casus_resource
	not action in read_actions
}

obligations contains {"code": "audit-doorbreekglas", "reason": urgent_reason} if {
	"doorbreekglas" in basis
}

obligations contains {"code": "review", "by_role": "pga-expert", "tenant": resource.tenant} if {
	"doorbreekglas" in basis
}

obligations contains {"code": "verloopt", "expires_at": urgent_access.expires_at} if {
	"doorbreekglas" in basis
}
