"""Casework service: the PGA casus lifecycle, triage, plans, assessments and timers."""
