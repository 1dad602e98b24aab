"""Plan van aanpak: versioned plans (problems, goals, actions, interventions, toezeggingen)."""
