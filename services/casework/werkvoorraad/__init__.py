"""Werkvoorraad: what each professional has to do next (herijking, toezeggingen, acties,
reviews).
"""
