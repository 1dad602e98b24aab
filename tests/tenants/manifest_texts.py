"""Manifest texts written by the tests (a brand-new gemeente, and a base for bad cases)."""

from __future__ import annotations

# A gemeente that is not shipped: onboarding it must need no code change. It uses an extra
# organisation domain ("huisarts") declared in the manifest itself.
NEW_GEMEENTE = """
gemeentecode = "GM0344"
name = "Utrecht"
kind = "gemeente"
region = "regio-utrecht"
region_name = "Midden-Nederland"
assessment_instrument = "zrm"

[extra_domains]
huisarts = "Huisartsenzorg"

[age_band]
min = 18
max = 35

[inclusion]
minimum_met = 1

[[inclusion.criteria]]
id = "meervoudig"
text = "Meervoudige problematiek op zorg en veiligheid."

[retention]
default_months = 48

[retention.months]
niet-opnemen = 3

[[meeting_types]]
id = "pga-overleg"
name = "PGA-overleg Utrecht"
frequency_weeks = 3

[[organisations]]
id = "gemeente-utrecht-oov"
name = "Gemeente Utrecht, OOV"
domain = "gemeente-oov"

[[organisations]]
id = "politie-utrecht"
name = "Politie Midden-Nederland, basisteam Utrecht"
domain = "politie"

[[organisations]]
id = "huisartsen-utrecht"
name = "Huisartsenpost Utrecht"
domain = "huisarts"
receive_only = true

[[grants]]
domains = ["gemeente-oov", "politie", "huisarts"]
categories = ["algemeen", "identificerend"]
purposes = ["aanmelding", "triage", "casusoverleg"]

[[users]]
id = "test-procesregisseur"
name = "Test Procesregisseur"
organisation = "gemeente-utrecht-oov"
roles = ["pga-expert", "tenantbeheerder"]

[[users]]
id = "test-huisarts"
name = "Test Huisarts"
organisation = "huisartsen-utrecht"
roles = ["professional"]
"""

# A small valid manifest; the bad-manifest cases replace one line of it.
BASE = """
gemeentecode = "GM9001"
name = "Testgemeente"
kind = "gemeente"
region = "testregio"

[age_band]
min = 16
max = 27

[inclusion]
minimum_met = 2

[[inclusion.criteria]]
id = "a"
text = "Criterium A"

[[inclusion.criteria]]
id = "b"
text = "Criterium B"

[retention]
default_months = 60

[[organisations]]
id = "gemeente"
name = "Gemeente"
domain = "gemeente-oov"

[[organisations]]
id = "politie"
name = "Politie"
domain = "politie"

[[organisations]]
id = "wijkteam"
name = "Wijkteam"
domain = "sociaal-wijkteam"

[[grants]]
domains = ["politie", "gemeente-oov"]
categories = ["algemeen"]
purposes = ["triage"]

[[users]]
id = "u1"
name = "Gebruiker Een"
organisation = "gemeente"
roles = ["pga-expert"]
"""
