"""hazards models."""
