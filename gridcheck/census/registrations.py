"""What business census adds to the floor: its section's capability (menu entries, tiles and jobs
to come)."""

from gridcheck.core.registries import access
from gridcheck.core.roles import VIEW_CENSUS


def register() -> None:
    access.register("census", VIEW_CENSUS)
