"""Overzicht: the home page with the counts of casussen and werkvoorraad."""
