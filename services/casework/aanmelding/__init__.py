"""Aanmelding: registering a person or a group, before triage."""
