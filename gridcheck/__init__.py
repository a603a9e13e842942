"""Gridcheck: the Django apps, one per domain."""
