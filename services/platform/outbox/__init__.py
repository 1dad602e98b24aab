"""The transactional outbox: domain events leave the database reliably (docs/adr/0014)."""
