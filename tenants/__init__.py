"""Tenant onboarding: declarative manifests (one per gemeente or regional bureau).

- :mod:`tenants.reference`: the code lists (the one place for codes) with Dutch labels;
- :mod:`tenants.manifest`: the typed manifest schema, loading and validation;
- :mod:`tenants.policy_data`: the policy-data document generated from the manifests;
- :mod:`tenants.diff`: the plan (difference) between a manifest and the current state.

See docs/tenants.md and docs/adr/0003-tenant-manifests.md.
"""
