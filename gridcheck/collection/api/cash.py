"""Collection API: cash."""


def register(router) -> None:
    """Add this part's viewsets to the collection router."""
