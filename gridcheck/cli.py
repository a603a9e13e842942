"""The ``gridcheck`` console script: Django's management commands with Gridcheck's settings.

``gridcheck demo``, ``gridcheck import customers FILE``, ``gridcheck export customers FILE``,
``gridcheck calc theft --input case.json`` and ``gridcheck detection evaluate`` (the analytics CLI, no
database) and every Django command (``gridcheck migrate``, ``gridcheck runserver``) run through here.
"""

import sys

ALIASES = {"import": "import_archive", "export": "export_archive"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "calc":
        # File-in/file-out regulation calculations: no database, no Django.
        from gridcheck_analytics.cli import main as analytics_main

        sys.exit(analytics_main(argv[1:]))
    if len(argv) > 1 and argv[1] == "detection":
        # Evaluation and training of the detectors on files: no database.
        from gridcheck_analytics.detection.cli import main as detection_main

        sys.exit(detection_main(argv[2:]))
    from config.env import settings_module

    settings_module()
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
