"""Beheer: what the regional bureau's operators do with tenants (apply, suspend, export) and
the background jobs' dead letters.
"""
