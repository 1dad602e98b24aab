# The batch entry point: one query decides a whole page of resources.
#
# input.resources holds the page; the result is a list with one decision per resource,
# in the same order. Each decision is exactly what data.regietafel.authz.decision gives
# for the input {subject, action, context, resource: that resource}: the whole input is
# replaced (`with input as ...`), not only input.resource, so that no rule value computed
# for another input can be reused. (regorus, the reference engine of the tests, reuses the
# values of resource-independent rules such as `roles` from an EARLIER evaluation when only
# input.resource is replaced: with `with input.resource as r`, a second page evaluated on
# the same engine got the first page's subject. OPA gives the same result for both forms.)
#
# Note: the embedded engine (regopy / rego-cpp 1.5) cannot compile this rule in reasonable
# time (`with` makes rego-cpp copy the whole rule graph), so it evaluates the page itself,
# resource by resource, with the same `decision` rule. The OPA server uses this rule; the
# tests run it on regorus and compare it with the single decisions of both engines
# (tests/policy/test_policy_differential.py). See docs/adr/0004-policy-engine.md.
package regietafel.authz

# The input of one resource of the page: everything but the page, plus that resource.
page_input(r) := object.union(object.remove(input, ["resources"]), {"resource": r})

decisions := [d |
	some r in input.resources
	d := decision with input as page_input(r)
]
