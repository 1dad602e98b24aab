"""HTTP plumbing shared by both services: problem+json, middleware, health, ETags, security
headers.
"""
