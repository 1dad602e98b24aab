"""Verantwoording: what a gemeente shows to account for its processing — the register of
processing activities (art. 30 AVG), generated from the tenant manifest."""
