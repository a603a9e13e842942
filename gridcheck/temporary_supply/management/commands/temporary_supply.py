"""``gridcheck temporary_supply``: temporary supply from the command line.

- ``gridcheck temporary_supply daily [--on 2026-11-20]``: the daily job in the foreground (reminders
  before the end, the end of supplies not extended, with their disconnection work orders).
- ``gridcheck temporary_supply demo [--on 2026-11-20] [--seed 7]``: the demo's temporary supplies.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridcheck.core.periods import PeriodError, date_parse


class Command(BaseCommand):
    help = "Temporary supply: run the daily job, build the demo supplies."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="reminders and the end of supplies not extended")
        daily.add_argument("--on", default="", help="YYYY-MM-DD (default today)")
        demo = sub.add_parser("demo", help="build the demo temporary supplies")
        demo.add_argument("--on", default="", help="YYYY-MM-DD (default today)")
        demo.add_argument("--seed", type=int, default=7)

    def handle(self, *args, action, on="", **options):
        try:
            day = date_parse(on) if on else timezone.localdate()
        except PeriodError as error:
            raise CommandError(" ".join(error.messages)) from None
        if action == "daily":
            from gridcheck.temporary_supply.services import temporary_supply_daily

            counts = temporary_supply_daily(on=day)
        else:
            from gridcheck.temporary_supply.demo import demo_temporary_supply_build

            counts = demo_temporary_supply_build(on=day, seed=options["seed"])
        self.stdout.write(", ".join(f"{key} {value}" for key, value in counts.items()))
