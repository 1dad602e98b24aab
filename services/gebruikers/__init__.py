"""Gebruikers: users and four-eyes role changes inside a tenant (API and pages)."""
