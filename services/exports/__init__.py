"""What leaves the casework service: pseudonymised facts for the analytics service."""
