"""Alembic environment: run against the connection handed over by services.platform.db.migrate."""

from __future__ import annotations

from alembic import context

from services.platform.db.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    transaction_per_migration=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
