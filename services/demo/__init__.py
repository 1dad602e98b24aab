"""Demo: the demo tenants' scenarios and the seed that loads them (never in production)."""
