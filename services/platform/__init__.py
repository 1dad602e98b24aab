"""Platform: shared by the casework and analytics services — configuration, database and
tenancy, identity, policy engines and enforcement, HTTP problems/middleware/health, outbox
and workers.
"""
