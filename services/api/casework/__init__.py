"""The casework REST API under /api/v1: thin controllers over services/casework."""
