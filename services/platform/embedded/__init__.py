"""Embedded mode: everything a laptop needs to run Regietafel without external services."""
