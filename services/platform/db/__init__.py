"""Database access: URLs, roles, engine, the tenant-scoped unit of work, models, migrations."""
