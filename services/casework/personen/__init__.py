"""Personen: persons and household members, with the BSN vault."""
