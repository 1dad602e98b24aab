"""Groepsaanpak: the 7-step approach for problematic youth groups."""
