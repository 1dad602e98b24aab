"""Overleg: casusoverleg planning, per-participant agenda, verslag (BOB, besluiten, acties)."""
