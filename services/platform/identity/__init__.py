"""Identity: OIDC bearer tokens, the principal they map to, and the development issuer."""
