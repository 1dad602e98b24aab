"""The analytics database: its own schema, Alembic tree and role (no casework access)."""
