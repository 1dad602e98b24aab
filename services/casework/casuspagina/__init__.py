"""De casuspagina: one casus with every section (deelnemers, plan, zelfredzaamheid,
informatie, groep, tijdlijn) and the forms that fit its phase. It composes the features;
no feature imports it (a form that comes back renders it through ``WebDeps.casus_page``).
"""
