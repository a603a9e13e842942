"""notifications models."""
