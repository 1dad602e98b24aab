"""HTTP layer of the casework service: app factory, problem details, controllers."""
