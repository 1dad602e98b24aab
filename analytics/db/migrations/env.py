"""Alembic environment of the analytics database (connection from analytics.db.migrate)."""

from __future__ import annotations

from alembic import context

from analytics.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table="alembic_version_analytics",
    transaction_per_migration=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
