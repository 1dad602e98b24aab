"""Pure domain layer of the casework service: no HTTP, no SQL, no I/O.

Modules: :mod:`.lifecycle` (casus states and transitions), :mod:`.triage` (inclusion, age
band, triage decisions, duplicates), :mod:`.bsn` (elfproef and the BSN vault),
:mod:`.timers` (werkvoorraad), :mod:`.assessments` (ZRM / leefgebieden-8),
:mod:`.plan` (plan van aanpak), :mod:`.demo_scenarios` (fictional demo casussen).
"""
