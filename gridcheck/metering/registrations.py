"""What metering assets adds to the floor: its section's capability (menu entries, tiles and jobs
to come)."""

from gridcheck.core.registries import access
from gridcheck.core.roles import VIEW_METERING


def register() -> None:
    access.register("metering", VIEW_METERING)
