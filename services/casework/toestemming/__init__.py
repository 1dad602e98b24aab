"""Toestemming: consent recorded per purpose and revoked."""
