"""Uitkomsten: outcome measurements at intake, closure and twelve months."""
