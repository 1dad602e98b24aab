"""Casussen: the dossier itself — aanmelding, triage, list, detail, tijdlijn and the phase
transitions (afschalen, opschalen, afsluiten, heropenen).
"""
