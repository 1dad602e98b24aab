"""The test world: the tenants and people of the test manifests (``tests/manifests/*.toml``).

The tests run against these manifests, never against the demo manifests in
``tenants/manifests/`` (the demo has its own tests, which load it explicitly). Every test names
a tenant or a person by a constant of this module, never by a literal id. The test world mirrors
the demo: each demo tenant has a test tenant (same organisations, grants and meeting types; its
own code and region) and each demo user a test user with the same organisation and roles.

``DEMO_TO_TEST`` maps every demo id (tenant code, region id, user id, display name) to the name
of its constant here: ``python tests/convert_demo_ids.py FILE...`` uses it to convert tests that
were written against the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

#: Demo id -> the name of the constant in this module that replaces it in tests.
DEMO_TO_TEST: Final[dict[str, str]] = {
    "GM0345": "VEENENDAAL",
    "GM0352": "WIJK_BIJ_DUURSTEDE",
    "GM0355": "ZEIST",
    "GM0402": "HILVERSUM",
    "GM0637": "ZOETERMEER",
    "RGHAAGLANDEN": "REGIO_HAAGLANDEN",
    "RGUTRECHT": "REGIO_UTRECHT",
    "haaglanden": "REGION_HAAGLANDEN",
    "regio-utrecht": "REGION_UTRECHT",
    "marieke-van-dam": "VEENENDAAL_PGA_EXPERT",
    "jeroen-kuipers": "VEENENDAAL_CASUSREGISSEUR",
    "sander-brouwers": "VEENENDAAL_WIJKAGENT",
    "yasmina-bouali": "VEENENDAAL_RECLASSERING",
    "thijs-vermeer": "VEENENDAAL_WOONBEGELEIDER",
    "esther-groen": "VEENENDAAL_KLANTMANAGER",
    "hanneke-post": "VEENENDAAL_ADVISEUR",
    "wouter-kok": "VEENENDAAL_BURGEMEESTER_CONTACT",
    "gerard-blom": "VEENENDAAL_DRIEHOEK",
    "sevda-aksoy": "VEENENDAAL_COORDINATOR",
    "martijn-de-boer": "VEENENDAAL_BEHEERDER",
    "ruben-hoekstra": "VEENENDAAL_BEHEERDER_2",
    "ilse-schouten": "VEENENDAAL_ONDERZOEKER",
    "joost-hendriks": "WIJK_BIJ_DUURSTEDE_PGA_EXPERT",
    "annemiek-prins": "WIJK_BIJ_DUURSTEDE_CASUSREGISSEUR",
    "kevin-van-rijn": "WIJK_BIJ_DUURSTEDE_WIJKAGENT",
    "laura-meijer": "WIJK_BIJ_DUURSTEDE_JEUGDRECLASSERING",
    "mustafa-demir": "WIJK_BIJ_DUURSTEDE_JONGERENWERKER",
    "sophie-van-vliet": "WIJK_BIJ_DUURSTEDE_ADVISEUR",
    "margriet-vonk": "WIJK_BIJ_DUURSTEDE_BURGEMEESTER_CONTACT",
    "hans-wouters": "WIJK_BIJ_DUURSTEDE_DRIEHOEK",
    "nadia-ramdin": "WIJK_BIJ_DUURSTEDE_BEHEERDER",
    "ellen-bakker": "WIJK_BIJ_DUURSTEDE_BEHEERDER_2",
    "tim-jacobs": "WIJK_BIJ_DUURSTEDE_ONDERZOEKER",
    "eline-de-graaf": "ZEIST_PGA_EXPERT",
    "robin-visser": "ZEIST_CASUSREGISSEUR",
    "dennis-koster": "ZEIST_WIJKAGENT",
    "fatima-ouali": "ZEIST_KLANTMANAGER",
    "jasper-huisman": "ZEIST_WOONBEGELEIDER",
    "mirjam-de-lange": "ZEIST_PSYCHIATER",
    "vincent-peeters": "ZEIST_ADVISEUR",
    "carla-timmer": "ZEIST_BURGEMEESTER_CONTACT",
    "rob-van-den-berg": "ZEIST_DRIEHOEK",
    "yara-benali": "ZEIST_COORDINATOR",
    "koen-bosman": "ZEIST_BEHEERDER",
    "lotte-smit": "ZEIST_BEHEERDER_2",
    "julia-van-es": "ZEIST_ONDERZOEKER",
    "ingrid-verbeek": "HILVERSUM_PGA_EXPERT",
    "tamara-hoekstra": "HILVERSUM_CASUSREGISSEUR",
    "bas-van-leeuwen": "HILVERSUM_WIJKAGENT",
    "noor-el-amrani": "HILVERSUM_RECLASSERING",
    "dewi-pattinama": "HILVERSUM_JONGERENWERKER",
    "ruben-smit": "HILVERSUM_SPV",
    "femke-dijkman": "HILVERSUM_ADVISEUR",
    "karin-vos": "HILVERSUM_BURGEMEESTER_CONTACT",
    "erik-mulder": "HILVERSUM_DRIEHOEK",
    "lotte-bakker": "HILVERSUM_COORDINATOR",
    "pieter-jansen": "HILVERSUM_BEHEERDER",
    "frank-de-lange": "HILVERSUM_BEHEERDER_2",
    "anouk-willems": "HILVERSUM_ONDERZOEKER",
    "saskia-van-der-meer": "ZOETERMEER_PGA_EXPERT",
    "daan-verhoef": "ZOETERMEER_CASUSREGISSEUR",
    "ayoub-tahiri": "ZOETERMEER_GROEPSREGISSEUR",
    "monique-hermans": "ZOETERMEER_JEUGDAGENT",
    "stefan-lambert": "ZOETERMEER_JEUGDBESCHERMER",
    "priya-ramsaran": "ZOETERMEER_LEERPLICHT",
    "marco-de-jong": "ZOETERMEER_JONGERENWERKER",
    "lisanne-brink": "ZOETERMEER_ADVISEUR",
    "frank-dekker": "ZOETERMEER_BURGEMEESTER_CONTACT",
    "olga-smits": "ZOETERMEER_DRIEHOEK",
    "niels-van-wijk": "ZOETERMEER_BEHEERDER",
    "iris-kramer": "ZOETERMEER_BEHEERDER_2",
    "roos-kramer": "ZOETERMEER_ONDERZOEKER",
    "ahmed-benali": "REGIO_HAAGLANDEN_PLATFORMBEHEERDER",
    "petra-willemsen": "REGIO_HAAGLANDEN_BEHEERDER",
    "jan-willem-roos": "REGIO_HAAGLANDEN_PGA_EXPERT",
    "chantal-noordam": "REGIO_HAAGLANDEN_CASUSREGISSEUR",
    "youssef-amrani": "REGIO_HAAGLANDEN_POLITIE",
    "ingeborg-tol": "REGIO_HAAGLANDEN_JEUGDRECLASSERING",
    "wim-heemskerk": "REGIO_HAAGLANDEN_ADVISEUR",
    "mariska-bos": "REGIO_HAAGLANDEN_BURGEMEESTER_CONTACT",
    "dirk-lagerweij": "REGIO_HAAGLANDEN_DRIEHOEK",
    "esra-yilmaz": "REGIO_HAAGLANDEN_COORDINATOR",
    "bart-koning": "REGIO_HAAGLANDEN_ONDERZOEKER",
    "bram-de-ruiter": "REGIO_UTRECHT_PLATFORMBEHEERDER",
    "linda-evers": "REGIO_UTRECHT_INFORMATIEMANAGER",
    "marco-van-beek": "REGIO_UTRECHT_PGA_EXPERT",
    "hatice-kaya": "REGIO_UTRECHT_CASUSREGISSEUR",
    "olaf-meulenbelt": "REGIO_UTRECHT_POLITIE",
    "renee-janssen": "REGIO_UTRECHT_RECLASSERING",
    "gijs-van-loon": "REGIO_UTRECHT_ADVISEUR",
    "ellen-de-bruin": "REGIO_UTRECHT_BURGEMEESTER_CONTACT",
    "victor-hamers": "REGIO_UTRECHT_DRIEHOEK",
    "sara-el-idrissi": "REGIO_UTRECHT_COORDINATOR",
    "tom-verschuren": "REGIO_UTRECHT_ONDERZOEKER",
    "Marieke van Dam": "VEENENDAAL_PGA_EXPERT_NAME",
    "Jeroen Kuipers": "VEENENDAAL_CASUSREGISSEUR_NAME",
    "Sander Brouwers": "VEENENDAAL_WIJKAGENT_NAME",
    "Yasmina Bouali": "VEENENDAAL_RECLASSERING_NAME",
    "Thijs Vermeer": "VEENENDAAL_WOONBEGELEIDER_NAME",
    "Esther Groen": "VEENENDAAL_KLANTMANAGER_NAME",
    "Hanneke Post": "VEENENDAAL_ADVISEUR_NAME",
    "Wouter Kok": "VEENENDAAL_BURGEMEESTER_CONTACT_NAME",
    "Gerard Blom": "VEENENDAAL_DRIEHOEK_NAME",
    "Sevda Aksoy": "VEENENDAAL_COORDINATOR_NAME",
    "Martijn de Boer": "VEENENDAAL_BEHEERDER_NAME",
    "Ruben Hoekstra": "VEENENDAAL_BEHEERDER_2_NAME",
    "Ilse Schouten": "VEENENDAAL_ONDERZOEKER_NAME",
    "Joost Hendriks": "WIJK_BIJ_DUURSTEDE_PGA_EXPERT_NAME",
    "Annemiek Prins": "WIJK_BIJ_DUURSTEDE_CASUSREGISSEUR_NAME",
    "Kevin van Rijn": "WIJK_BIJ_DUURSTEDE_WIJKAGENT_NAME",
    "Laura Meijer": "WIJK_BIJ_DUURSTEDE_JEUGDRECLASSERING_NAME",
    "Mustafa Demir": "WIJK_BIJ_DUURSTEDE_JONGERENWERKER_NAME",
    "Sophie van Vliet": "WIJK_BIJ_DUURSTEDE_ADVISEUR_NAME",
    "Margriet Vonk": "WIJK_BIJ_DUURSTEDE_BURGEMEESTER_CONTACT_NAME",
    "Hans Wouters": "WIJK_BIJ_DUURSTEDE_DRIEHOEK_NAME",
    "Nadia Ramdin": "WIJK_BIJ_DUURSTEDE_BEHEERDER_NAME",
    "Ellen Bakker": "WIJK_BIJ_DUURSTEDE_BEHEERDER_2_NAME",
    "Tim Jacobs": "WIJK_BIJ_DUURSTEDE_ONDERZOEKER_NAME",
    "Eline de Graaf": "ZEIST_PGA_EXPERT_NAME",
    "Robin Visser": "ZEIST_CASUSREGISSEUR_NAME",
    "Dennis Koster": "ZEIST_WIJKAGENT_NAME",
    "Fatima Ouali": "ZEIST_KLANTMANAGER_NAME",
    "Jasper Huisman": "ZEIST_WOONBEGELEIDER_NAME",
    "Mirjam de Lange": "ZEIST_PSYCHIATER_NAME",
    "Vincent Peeters": "ZEIST_ADVISEUR_NAME",
    "Carla Timmer": "ZEIST_BURGEMEESTER_CONTACT_NAME",
    "Rob van den Berg": "ZEIST_DRIEHOEK_NAME",
    "Yara Benali": "ZEIST_COORDINATOR_NAME",
    "Koen Bosman": "ZEIST_BEHEERDER_NAME",
    "Lotte Smit": "ZEIST_BEHEERDER_2_NAME",
    "Julia van Es": "ZEIST_ONDERZOEKER_NAME",
    "Ingrid Verbeek": "HILVERSUM_PGA_EXPERT_NAME",
    "Tamara Hoekstra": "HILVERSUM_CASUSREGISSEUR_NAME",
    "Bas van Leeuwen": "HILVERSUM_WIJKAGENT_NAME",
    "Noor el Amrani": "HILVERSUM_RECLASSERING_NAME",
    "Dewi Pattinama": "HILVERSUM_JONGERENWERKER_NAME",
    "Ruben Smit": "HILVERSUM_SPV_NAME",
    "Femke Dijkman": "HILVERSUM_ADVISEUR_NAME",
    "Karin Vos": "HILVERSUM_BURGEMEESTER_CONTACT_NAME",
    "Erik Mulder": "HILVERSUM_DRIEHOEK_NAME",
    "Lotte Bakker": "HILVERSUM_COORDINATOR_NAME",
    "Pieter Jansen": "HILVERSUM_BEHEERDER_NAME",
    "Frank de Lange": "HILVERSUM_BEHEERDER_2_NAME",
    "Anouk Willems": "HILVERSUM_ONDERZOEKER_NAME",
    "Saskia van der Meer": "ZOETERMEER_PGA_EXPERT_NAME",
    "Daan Verhoef": "ZOETERMEER_CASUSREGISSEUR_NAME",
    "Ayoub Tahiri": "ZOETERMEER_GROEPSREGISSEUR_NAME",
    "Monique Hermans": "ZOETERMEER_JEUGDAGENT_NAME",
    "Stefan Lambert": "ZOETERMEER_JEUGDBESCHERMER_NAME",
    "Priya Ramsaran": "ZOETERMEER_LEERPLICHT_NAME",
    "Marco de Jong": "ZOETERMEER_JONGERENWERKER_NAME",
    "Lisanne Brink": "ZOETERMEER_ADVISEUR_NAME",
    "Frank Dekker": "ZOETERMEER_BURGEMEESTER_CONTACT_NAME",
    "Olga Smits": "ZOETERMEER_DRIEHOEK_NAME",
    "Niels van Wijk": "ZOETERMEER_BEHEERDER_NAME",
    "Iris Kramer": "ZOETERMEER_BEHEERDER_2_NAME",
    "Roos Kramer": "ZOETERMEER_ONDERZOEKER_NAME",
    "Ahmed Benali": "REGIO_HAAGLANDEN_PLATFORMBEHEERDER_NAME",
    "Petra Willemsen": "REGIO_HAAGLANDEN_BEHEERDER_NAME",
    "Jan-Willem Roos": "REGIO_HAAGLANDEN_PGA_EXPERT_NAME",
    "Chantal Noordam": "REGIO_HAAGLANDEN_CASUSREGISSEUR_NAME",
    "Youssef Amrani": "REGIO_HAAGLANDEN_POLITIE_NAME",
    "Ingeborg Tol": "REGIO_HAAGLANDEN_JEUGDRECLASSERING_NAME",
    "Wim Heemskerk": "REGIO_HAAGLANDEN_ADVISEUR_NAME",
    "Mariska Bos": "REGIO_HAAGLANDEN_BURGEMEESTER_CONTACT_NAME",
    "Dirk Lagerweij": "REGIO_HAAGLANDEN_DRIEHOEK_NAME",
    "Esra Yilmaz": "REGIO_HAAGLANDEN_COORDINATOR_NAME",
    "Bart Koning": "REGIO_HAAGLANDEN_ONDERZOEKER_NAME",
    "Bram de Ruiter": "REGIO_UTRECHT_PLATFORMBEHEERDER_NAME",
    "Linda Evers": "REGIO_UTRECHT_INFORMATIEMANAGER_NAME",
    "Marco van Beek": "REGIO_UTRECHT_PGA_EXPERT_NAME",
    "Hatice Kaya": "REGIO_UTRECHT_CASUSREGISSEUR_NAME",
    "Olaf Meulenbelt": "REGIO_UTRECHT_POLITIE_NAME",
    "Renée Janssen": "REGIO_UTRECHT_RECLASSERING_NAME",
    "Gijs van Loon": "REGIO_UTRECHT_ADVISEUR_NAME",
    "Ellen de Bruin": "REGIO_UTRECHT_BURGEMEESTER_CONTACT_NAME",
    "Victor Hamers": "REGIO_UTRECHT_DRIEHOEK_NAME",
    "Sara el Idrissi": "REGIO_UTRECHT_COORDINATOR_NAME",
    "Tom Verschuren": "REGIO_UTRECHT_ONDERZOEKER_NAME",
}

TEST_MANIFESTS_DIR: Final = Path(__file__).parent / "manifests"
"""The test manifests, applied by the ``test_tenants`` fixture (``tests/conftest.py``)."""

# --- Tenants (gemeentecode) and regions ---

VEENENDAAL: Final = "GM9345"  # gm9345-veenendaal.toml
WIJK_BIJ_DUURSTEDE: Final = "GM9352"  # gm9352-wijk-bij-duurstede.toml
ZEIST: Final = "GM9355"  # gm9355-zeist.toml
HILVERSUM: Final = "GM9402"  # gm9402-hilversum.toml
ZOETERMEER: Final = "GM9637"  # gm9637-zoetermeer.toml
REGIO_HAAGLANDEN: Final = "RGTESTHAAG"  # regio-test-haaglanden.toml
REGIO_UTRECHT: Final = "RGTESTUTRECHT"  # regio-test-utrecht.toml

REGION_HAAGLANDEN: Final = "test-haaglanden"
REGION_UTRECHT: Final = "test-regio-utrecht"

# --- Veenendaal (VEENENDAAL): user ids ---

VEENENDAAL_PGA_EXPERT: Final = "veenendaal-pga-expert"
"""pga-expert; gemeente-veenendaal-oov (demo: marieke-van-dam)"""
VEENENDAAL_CASUSREGISSEUR: Final = "veenendaal-casusregisseur"
"""casusregisseur, professional; cjg-veenendaal (demo: jeroen-kuipers)"""
VEENENDAAL_WIJKAGENT: Final = "veenendaal-wijkagent"
"""professional; politie-basisteam-veenendaal (demo: sander-brouwers)"""
VEENENDAAL_RECLASSERING: Final = "veenendaal-reclassering"
"""professional; leger-des-heils-jbr (demo: yasmina-bouali)"""
VEENENDAAL_WOONBEGELEIDER: Final = "veenendaal-woonbegeleider"
"""professional; kwintes (demo: thijs-vermeer)"""
VEENENDAAL_KLANTMANAGER: Final = "veenendaal-klantmanager"
"""professional; werk-inkomen-veenendaal (demo: esther-groen)"""
VEENENDAAL_ADVISEUR: Final = "veenendaal-adviseur"
"""adviseur; gemeente-veenendaal-oov (demo: hanneke-post)"""
VEENENDAAL_BURGEMEESTER_CONTACT: Final = "veenendaal-burgemeester-contact"
"""burgemeester-contactpersoon; gemeente-veenendaal-oov (demo: wouter-kok)"""
VEENENDAAL_DRIEHOEK: Final = "veenendaal-driehoek"
"""driehoek; politie-basisteam-veenendaal (demo: gerard-blom)"""
VEENENDAAL_COORDINATOR: Final = "veenendaal-coordinator"
"""uitvoeringscoordinator; gemeente-veenendaal-oov (demo: sevda-aksoy)"""
VEENENDAAL_BEHEERDER: Final = "veenendaal-beheerder"
"""tenantbeheerder; gemeente-veenendaal-oov (demo: martijn-de-boer)"""
VEENENDAAL_BEHEERDER_2: Final = "veenendaal-beheerder-2"
"""tenantbeheerder; gemeente-veenendaal-oov (demo: ruben-hoekstra)"""
VEENENDAAL_ONDERZOEKER: Final = "veenendaal-onderzoeker"
"""onderzoeker; gemeente-veenendaal-oov (demo: ilse-schouten)"""

# Display names (Veenendaal)
VEENENDAAL_PGA_EXPERT_NAME: Final = "Anna Veenstra"
VEENENDAAL_CASUSREGISSEUR_NAME: Final = "Bart Veenstra"
VEENENDAAL_WIJKAGENT_NAME: Final = "Cor Veenstra"
VEENENDAAL_RECLASSERING_NAME: Final = "Dina Veenstra"
VEENENDAAL_WOONBEGELEIDER_NAME: Final = "Eef Veenstra"
VEENENDAAL_KLANTMANAGER_NAME: Final = "Fenna Veenstra"
VEENENDAAL_ADVISEUR_NAME: Final = "Gijs Veenstra"
VEENENDAAL_BURGEMEESTER_CONTACT_NAME: Final = "Hidde Veenstra"
VEENENDAAL_DRIEHOEK_NAME: Final = "Ilse Veenstra"
VEENENDAAL_COORDINATOR_NAME: Final = "Joep Veenstra"
VEENENDAAL_BEHEERDER_NAME: Final = "Kiki Veenstra"
VEENENDAAL_BEHEERDER_2_NAME: Final = "Lars Veenstra"
VEENENDAAL_ONDERZOEKER_NAME: Final = "Mila Veenstra"

# --- Wijk bij Duurstede (WIJK_BIJ_DUURSTEDE): user ids ---

WIJK_BIJ_DUURSTEDE_PGA_EXPERT: Final = "wbd-pga-expert"
"""pga-expert, uitvoeringscoordinator; gemeente-wbd-oov (demo: joost-hendriks)"""
WIJK_BIJ_DUURSTEDE_CASUSREGISSEUR: Final = "wbd-casusregisseur"
"""casusregisseur, professional; sociaal-team-wbd (demo: annemiek-prins)"""
WIJK_BIJ_DUURSTEDE_WIJKAGENT: Final = "wbd-wijkagent"
"""professional; politie-basisteam-wbd (demo: kevin-van-rijn)"""
WIJK_BIJ_DUURSTEDE_JEUGDRECLASSERING: Final = "wbd-jeugdreclassering"
"""professional; samen-veilig-mn (demo: laura-meijer)"""
WIJK_BIJ_DUURSTEDE_JONGERENWERKER: Final = "wbd-jongerenwerker"
"""professional; jongerenwerk-wbd (demo: mustafa-demir)"""
WIJK_BIJ_DUURSTEDE_ADVISEUR: Final = "wbd-adviseur"
"""adviseur; altrecht (demo: sophie-van-vliet)"""
WIJK_BIJ_DUURSTEDE_BURGEMEESTER_CONTACT: Final = "wbd-burgemeester-contact"
"""burgemeester-contactpersoon; gemeente-wbd-oov (demo: margriet-vonk)"""
WIJK_BIJ_DUURSTEDE_DRIEHOEK: Final = "wbd-driehoek"
"""driehoek; om-midden-nederland (demo: hans-wouters)"""
WIJK_BIJ_DUURSTEDE_BEHEERDER: Final = "wbd-beheerder"
"""tenantbeheerder; gemeente-wbd-oov (demo: nadia-ramdin)"""
WIJK_BIJ_DUURSTEDE_BEHEERDER_2: Final = "wbd-beheerder-2"
"""tenantbeheerder; gemeente-wbd-oov (demo: ellen-bakker)"""
WIJK_BIJ_DUURSTEDE_ONDERZOEKER: Final = "wbd-onderzoeker"
"""onderzoeker; gemeente-wbd-oov (demo: tim-jacobs)"""

# Display names (Wijk bij Duurstede)
WIJK_BIJ_DUURSTEDE_PGA_EXPERT_NAME: Final = "Anna Duurstra"
WIJK_BIJ_DUURSTEDE_CASUSREGISSEUR_NAME: Final = "Bart Duurstra"
WIJK_BIJ_DUURSTEDE_WIJKAGENT_NAME: Final = "Cor Duurstra"
WIJK_BIJ_DUURSTEDE_JEUGDRECLASSERING_NAME: Final = "Dina Duurstra"
WIJK_BIJ_DUURSTEDE_JONGERENWERKER_NAME: Final = "Eef Duurstra"
WIJK_BIJ_DUURSTEDE_ADVISEUR_NAME: Final = "Fenna Duurstra"
WIJK_BIJ_DUURSTEDE_BURGEMEESTER_CONTACT_NAME: Final = "Gijs Duurstra"
WIJK_BIJ_DUURSTEDE_DRIEHOEK_NAME: Final = "Hidde Duurstra"
WIJK_BIJ_DUURSTEDE_BEHEERDER_NAME: Final = "Ilse Duurstra"
WIJK_BIJ_DUURSTEDE_BEHEERDER_2_NAME: Final = "Joep Duurstra"
WIJK_BIJ_DUURSTEDE_ONDERZOEKER_NAME: Final = "Kiki Duurstra"

# --- Zeist (ZEIST): user ids ---

ZEIST_PGA_EXPERT: Final = "zeist-pga-expert"
"""pga-expert; gemeente-zeist-oov (demo: eline-de-graaf)"""
ZEIST_CASUSREGISSEUR: Final = "zeist-casusregisseur"
"""casusregisseur, professional; sociaal-wijkteam-zeist (demo: robin-visser)"""
ZEIST_WIJKAGENT: Final = "zeist-wijkagent"
"""professional; politie-basisteam-zeist (demo: dennis-koster)"""
ZEIST_KLANTMANAGER: Final = "zeist-klantmanager"
"""professional; rsd-krh (demo: fatima-ouali)"""
ZEIST_WOONBEGELEIDER: Final = "zeist-woonbegeleider"
"""professional; kwintes (demo: jasper-huisman)"""
ZEIST_PSYCHIATER: Final = "zeist-psychiater"
"""professional; altrecht (demo: mirjam-de-lange)"""
ZEIST_ADVISEUR: Final = "zeist-adviseur"
"""adviseur; gemeente-zeist-oov (demo: vincent-peeters)"""
ZEIST_BURGEMEESTER_CONTACT: Final = "zeist-burgemeester-contact"
"""burgemeester-contactpersoon; gemeente-zeist-oov (demo: carla-timmer)"""
ZEIST_DRIEHOEK: Final = "zeist-driehoek"
"""driehoek; politie-basisteam-zeist (demo: rob-van-den-berg)"""
ZEIST_COORDINATOR: Final = "zeist-coordinator"
"""uitvoeringscoordinator, professional; jongerenwerk-zeist (demo: yara-benali)"""
ZEIST_BEHEERDER: Final = "zeist-beheerder"
"""tenantbeheerder; gemeente-zeist-oov (demo: koen-bosman)"""
ZEIST_BEHEERDER_2: Final = "zeist-beheerder-2"
"""tenantbeheerder; gemeente-zeist-oov (demo: lotte-smit)"""
ZEIST_ONDERZOEKER: Final = "zeist-onderzoeker"
"""onderzoeker; gemeente-zeist-oov (demo: julia-van-es)"""

# Display names (Zeist)
ZEIST_PGA_EXPERT_NAME: Final = "Anna Zeistra"
ZEIST_CASUSREGISSEUR_NAME: Final = "Bart Zeistra"
ZEIST_WIJKAGENT_NAME: Final = "Cor Zeistra"
ZEIST_KLANTMANAGER_NAME: Final = "Dina Zeistra"
ZEIST_WOONBEGELEIDER_NAME: Final = "Eef Zeistra"
ZEIST_PSYCHIATER_NAME: Final = "Fenna Zeistra"
ZEIST_ADVISEUR_NAME: Final = "Gijs Zeistra"
ZEIST_BURGEMEESTER_CONTACT_NAME: Final = "Hidde Zeistra"
ZEIST_DRIEHOEK_NAME: Final = "Ilse Zeistra"
ZEIST_COORDINATOR_NAME: Final = "Joep Zeistra"
ZEIST_BEHEERDER_NAME: Final = "Kiki Zeistra"
ZEIST_BEHEERDER_2_NAME: Final = "Lars Zeistra"
ZEIST_ONDERZOEKER_NAME: Final = "Mila Zeistra"

# --- Hilversum (HILVERSUM): user ids ---

HILVERSUM_PGA_EXPERT: Final = "hilversum-pga-expert"
"""pga-expert; gemeente-hilversum-oov (demo: ingrid-verbeek)"""
HILVERSUM_CASUSREGISSEUR: Final = "hilversum-casusregisseur"
"""casusregisseur, professional; sociaal-plein-hilversum (demo: tamara-hoekstra)"""
HILVERSUM_WIJKAGENT: Final = "hilversum-wijkagent"
"""professional; politie-basisteam-hilversum (demo: bas-van-leeuwen)"""
HILVERSUM_RECLASSERING: Final = "hilversum-reclassering"
"""professional; reclassering-nederland (demo: noor-el-amrani)"""
HILVERSUM_JONGERENWERKER: Final = "hilversum-jongerenwerker"
"""professional; jongerenwerk-hilversum (demo: dewi-pattinama)"""
HILVERSUM_SPV: Final = "hilversum-spv"
"""professional; ggz-centraal (demo: ruben-smit)"""
HILVERSUM_ADVISEUR: Final = "hilversum-adviseur"
"""adviseur; gemeente-hilversum-oov (demo: femke-dijkman)"""
HILVERSUM_BURGEMEESTER_CONTACT: Final = "hilversum-burgemeester-contact"
"""burgemeester-contactpersoon; gemeente-hilversum-oov (demo: karin-vos)"""
HILVERSUM_DRIEHOEK: Final = "hilversum-driehoek"
"""driehoek; om-midden-nederland (demo: erik-mulder)"""
HILVERSUM_COORDINATOR: Final = "hilversum-coordinator"
"""uitvoeringscoordinator; gemeente-hilversum-oov (demo: lotte-bakker)"""
HILVERSUM_BEHEERDER: Final = "hilversum-beheerder"
"""tenantbeheerder; gemeente-hilversum-oov (demo: pieter-jansen)"""
HILVERSUM_BEHEERDER_2: Final = "hilversum-beheerder-2"
"""tenantbeheerder; gemeente-hilversum-oov (demo: frank-de-lange)"""
HILVERSUM_ONDERZOEKER: Final = "hilversum-onderzoeker"
"""onderzoeker; gemeente-hilversum-oov (demo: anouk-willems)"""

# Display names (Hilversum)
HILVERSUM_PGA_EXPERT_NAME: Final = "Anna Hilvers"
HILVERSUM_CASUSREGISSEUR_NAME: Final = "Bart Hilvers"
HILVERSUM_WIJKAGENT_NAME: Final = "Cor Hilvers"
HILVERSUM_RECLASSERING_NAME: Final = "Dina Hilvers"
HILVERSUM_JONGERENWERKER_NAME: Final = "Eef Hilvers"
HILVERSUM_SPV_NAME: Final = "Fenna Hilvers"
HILVERSUM_ADVISEUR_NAME: Final = "Gijs Hilvers"
HILVERSUM_BURGEMEESTER_CONTACT_NAME: Final = "Hidde Hilvers"
HILVERSUM_DRIEHOEK_NAME: Final = "Ilse Hilvers"
HILVERSUM_COORDINATOR_NAME: Final = "Joep Hilvers"
HILVERSUM_BEHEERDER_NAME: Final = "Kiki Hilvers"
HILVERSUM_BEHEERDER_2_NAME: Final = "Lars Hilvers"
HILVERSUM_ONDERZOEKER_NAME: Final = "Mila Hilvers"

# --- Zoetermeer (ZOETERMEER): user ids ---

ZOETERMEER_PGA_EXPERT: Final = "zoetermeer-pga-expert"
"""pga-expert; gemeente-zoetermeer-oov (demo: saskia-van-der-meer)"""
ZOETERMEER_CASUSREGISSEUR: Final = "zoetermeer-casusregisseur"
"""casusregisseur; gemeente-zoetermeer-oov (demo: daan-verhoef)"""
ZOETERMEER_GROEPSREGISSEUR: Final = "zoetermeer-groepsregisseur"
"""casusregisseur, uitvoeringscoordinator; gemeente-zoetermeer-oov (demo: ayoub-tahiri)"""
ZOETERMEER_JEUGDAGENT: Final = "zoetermeer-jeugdagent"
"""professional; politie-basisteam-zoetermeer (demo: monique-hermans)"""
ZOETERMEER_JEUGDBESCHERMER: Final = "zoetermeer-jeugdbeschermer"
"""professional; jeugdbescherming-west (demo: stefan-lambert)"""
ZOETERMEER_LEERPLICHT: Final = "zoetermeer-leerplicht"
"""professional; zzon-leerplicht-rmc (demo: priya-ramsaran)"""
ZOETERMEER_JONGERENWERKER: Final = "zoetermeer-jongerenwerker"
"""professional; jongerenwerk-zoetermeer (demo: marco-de-jong)"""
ZOETERMEER_ADVISEUR: Final = "zoetermeer-adviseur"
"""adviseur; de-waag (demo: lisanne-brink)"""
ZOETERMEER_BURGEMEESTER_CONTACT: Final = "zoetermeer-burgemeester-contact"
"""burgemeester-contactpersoon; gemeente-zoetermeer-oov (demo: frank-dekker)"""
ZOETERMEER_DRIEHOEK: Final = "zoetermeer-driehoek"
"""driehoek; om-den-haag (demo: olga-smits)"""
ZOETERMEER_BEHEERDER: Final = "zoetermeer-beheerder"
"""tenantbeheerder; gemeente-zoetermeer-oov (demo: niels-van-wijk)"""
ZOETERMEER_BEHEERDER_2: Final = "zoetermeer-beheerder-2"
"""tenantbeheerder; gemeente-zoetermeer-oov (demo: iris-kramer)"""
ZOETERMEER_ONDERZOEKER: Final = "zoetermeer-onderzoeker"
"""onderzoeker; gemeente-zoetermeer-oov (demo: roos-kramer)"""

# Display names (Zoetermeer)
ZOETERMEER_PGA_EXPERT_NAME: Final = "Anna Zoetman"
ZOETERMEER_CASUSREGISSEUR_NAME: Final = "Bart Zoetman"
ZOETERMEER_GROEPSREGISSEUR_NAME: Final = "Cor Zoetman"
ZOETERMEER_JEUGDAGENT_NAME: Final = "Dina Zoetman"
ZOETERMEER_JEUGDBESCHERMER_NAME: Final = "Eef Zoetman"
ZOETERMEER_LEERPLICHT_NAME: Final = "Fenna Zoetman"
ZOETERMEER_JONGERENWERKER_NAME: Final = "Gijs Zoetman"
ZOETERMEER_ADVISEUR_NAME: Final = "Hidde Zoetman"
ZOETERMEER_BURGEMEESTER_CONTACT_NAME: Final = "Ilse Zoetman"
ZOETERMEER_DRIEHOEK_NAME: Final = "Joep Zoetman"
ZOETERMEER_BEHEERDER_NAME: Final = "Kiki Zoetman"
ZOETERMEER_BEHEERDER_2_NAME: Final = "Lars Zoetman"
ZOETERMEER_ONDERZOEKER_NAME: Final = "Mila Zoetman"

# --- Veiligheidshuis Haaglanden (REGIO_HAAGLANDEN): user ids ---

REGIO_HAAGLANDEN_PLATFORMBEHEERDER: Final = "rghaaglanden-platformbeheerder"
"""platformbeheerder; veiligheidshuis-haaglanden (demo: ahmed-benali)"""
REGIO_HAAGLANDEN_BEHEERDER: Final = "rghaaglanden-beheerder"
"""tenantbeheerder; veiligheidshuis-haaglanden (demo: petra-willemsen)"""
REGIO_HAAGLANDEN_PGA_EXPERT: Final = "rghaaglanden-pga-expert"
"""pga-expert; veiligheidshuis-haaglanden (demo: jan-willem-roos)"""
REGIO_HAAGLANDEN_CASUSREGISSEUR: Final = "rghaaglanden-casusregisseur"
"""casusregisseur; veiligheidshuis-haaglanden (demo: chantal-noordam)"""
REGIO_HAAGLANDEN_POLITIE: Final = "rghaaglanden-politie"
"""professional; politie-haaglanden (demo: youssef-amrani)"""
REGIO_HAAGLANDEN_JEUGDRECLASSERING: Final = "rghaaglanden-jeugdreclassering"
"""professional; jeugdbescherming-west (demo: ingeborg-tol)"""
REGIO_HAAGLANDEN_ADVISEUR: Final = "rghaaglanden-adviseur"
"""adviseur; parnassia (demo: wim-heemskerk)"""
REGIO_HAAGLANDEN_BURGEMEESTER_CONTACT: Final = "rghaaglanden-burgemeester-contact"
"""burgemeester-contactpersoon; veiligheidshuis-haaglanden (demo: mariska-bos)"""
REGIO_HAAGLANDEN_DRIEHOEK: Final = "rghaaglanden-driehoek"
"""driehoek; om-den-haag (demo: dirk-lagerweij)"""
REGIO_HAAGLANDEN_COORDINATOR: Final = "rghaaglanden-coordinator"
"""uitvoeringscoordinator; veiligheidshuis-haaglanden (demo: esra-yilmaz)"""
REGIO_HAAGLANDEN_ONDERZOEKER: Final = "rghaaglanden-onderzoeker"
"""onderzoeker; veiligheidshuis-haaglanden (demo: bart-koning)"""

# Display names (Veiligheidshuis Haaglanden)
REGIO_HAAGLANDEN_PLATFORMBEHEERDER_NAME: Final = "Anna Haagsma"
REGIO_HAAGLANDEN_BEHEERDER_NAME: Final = "Bart Haagsma"
REGIO_HAAGLANDEN_PGA_EXPERT_NAME: Final = "Cor Haagsma"
REGIO_HAAGLANDEN_CASUSREGISSEUR_NAME: Final = "Dina Haagsma"
REGIO_HAAGLANDEN_POLITIE_NAME: Final = "Eef Haagsma"
REGIO_HAAGLANDEN_JEUGDRECLASSERING_NAME: Final = "Fenna Haagsma"
REGIO_HAAGLANDEN_ADVISEUR_NAME: Final = "Gijs Haagsma"
REGIO_HAAGLANDEN_BURGEMEESTER_CONTACT_NAME: Final = "Hidde Haagsma"
REGIO_HAAGLANDEN_DRIEHOEK_NAME: Final = "Ilse Haagsma"
REGIO_HAAGLANDEN_COORDINATOR_NAME: Final = "Joep Haagsma"
REGIO_HAAGLANDEN_ONDERZOEKER_NAME: Final = "Kiki Haagsma"

# --- Zorg- en Veiligheidshuis regio Utrecht (REGIO_UTRECHT): user ids ---

REGIO_UTRECHT_PLATFORMBEHEERDER: Final = "rgutrecht-platformbeheerder"
"""platformbeheerder; zvh-regio-utrecht (demo: bram-de-ruiter)"""
REGIO_UTRECHT_INFORMATIEMANAGER: Final = "rgutrecht-informatiemanager"
"""platformbeheerder, tenantbeheerder; zvh-regio-utrecht (demo: linda-evers)"""
REGIO_UTRECHT_PGA_EXPERT: Final = "rgutrecht-pga-expert"
"""pga-expert; zvh-regio-utrecht (demo: marco-van-beek)"""
REGIO_UTRECHT_CASUSREGISSEUR: Final = "rgutrecht-casusregisseur"
"""casusregisseur; zvh-regio-utrecht (demo: hatice-kaya)"""
REGIO_UTRECHT_POLITIE: Final = "rgutrecht-politie"
"""professional; politie-midden-nederland (demo: olaf-meulenbelt)"""
REGIO_UTRECHT_RECLASSERING: Final = "rgutrecht-reclassering"
"""professional; reclassering-nederland (demo: renee-janssen)"""
REGIO_UTRECHT_ADVISEUR: Final = "rgutrecht-adviseur"
"""adviseur; altrecht (demo: gijs-van-loon)"""
REGIO_UTRECHT_BURGEMEESTER_CONTACT: Final = "rgutrecht-burgemeester-contact"
"""burgemeester-contactpersoon; zvh-regio-utrecht (demo: ellen-de-bruin)"""
REGIO_UTRECHT_DRIEHOEK: Final = "rgutrecht-driehoek"
"""driehoek; om-midden-nederland (demo: victor-hamers)"""
REGIO_UTRECHT_COORDINATOR: Final = "rgutrecht-coordinator"
"""uitvoeringscoordinator; zvh-regio-utrecht (demo: sara-el-idrissi)"""
REGIO_UTRECHT_ONDERZOEKER: Final = "rgutrecht-onderzoeker"
"""onderzoeker; zvh-regio-utrecht (demo: tom-verschuren)"""

# Display names (Zorg- en Veiligheidshuis regio Utrecht)
REGIO_UTRECHT_PLATFORMBEHEERDER_NAME: Final = "Anna Sticht"
REGIO_UTRECHT_INFORMATIEMANAGER_NAME: Final = "Bart Sticht"
REGIO_UTRECHT_PGA_EXPERT_NAME: Final = "Cor Sticht"
REGIO_UTRECHT_CASUSREGISSEUR_NAME: Final = "Dina Sticht"
REGIO_UTRECHT_POLITIE_NAME: Final = "Eef Sticht"
REGIO_UTRECHT_RECLASSERING_NAME: Final = "Fenna Sticht"
REGIO_UTRECHT_ADVISEUR_NAME: Final = "Gijs Sticht"
REGIO_UTRECHT_BURGEMEESTER_CONTACT_NAME: Final = "Hidde Sticht"
REGIO_UTRECHT_DRIEHOEK_NAME: Final = "Ilse Sticht"
REGIO_UTRECHT_COORDINATOR_NAME: Final = "Joep Sticht"
REGIO_UTRECHT_ONDERZOEKER_NAME: Final = "Kiki Sticht"
