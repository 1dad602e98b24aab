"""Regietafel analytics: differentially private effect indicators across gemeenten.

Modules: ``contract`` (facts contract v1, pseudonyms), ``synthetic`` (facts with known
truth), ``indicators`` (declarative catalogue), ``dp`` (OpenDP zCDP computation and
margins), ``ledger`` (append-only budget ledger), ``releases`` (immutable, idempotent
releases), ``research`` (researchers' ad-hoc queries, own-gemeente exact view), ``app``
(the Litestar service), ``jobs`` (dramatiq actors), ``cli`` (command-line entry points),
``db`` (schema and Alembic tree of the analytics database).
"""
