"""Gridcheck's analytics core: pure Python, numpy and pandas on canonical frames.

Nothing in this package imports Django or the Django apps (an import-linter contract checks it): the
Django side reads frames out of the database, calls these functions from its services and writes the
results back. ``datasets`` holds the demo county simulator.
"""
