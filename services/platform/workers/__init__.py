"""Background work on dramatiq: broker selection, actors and the in-process worker."""
