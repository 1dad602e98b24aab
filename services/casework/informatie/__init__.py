"""Informatie & delen: information items, the sharing checklist, withhold and release,
informeren.
"""
