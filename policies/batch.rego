# The batch entry point: one query decides a whole page of resources.
#
# input.resources holds the page; the result is a list with one decision per resource,
# in the same order. Each decision is exactly what data.regietafel.authz.decision gives
# for input.resource set to that resource.
#
# Note: the embedded engine (regopy / rego-cpp 1.5) cannot compile this rule in reasonable
# time (`with` makes rego-cpp copy the whole rule graph), so it evaluates the page itself,
# resource by resource, with the same `decision` rule. The OPA server uses this rule.
# See docs/adr/0004-policy-engine.md.
package regietafel.authz

decisions := [d |
	some r in input.resources
	d := decision with input.resource as r
]
