"""Meldingen: in-app notifications for one user (invited to a casus, appointed to its regie,
a new aanmelding for triage, an action or toezegging due)."""
