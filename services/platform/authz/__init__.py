"""Enforcement: every read and write of tenant data asks the policy engine and is audited."""
