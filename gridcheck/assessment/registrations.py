"""What assessment adds to the floor: its capability, menu entries, jobs and exports."""


def register() -> None:
    pass
