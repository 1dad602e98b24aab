"""Group approach steps 3-7: their content and the driehoek's anonymised view."""
