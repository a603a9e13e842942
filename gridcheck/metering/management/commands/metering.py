"""``gridcheck metering``: the metering asset ledger from the command line.

- ``gridcheck metering sync [--station CODE]``: a meter asset for every archive meter lacking one;
- ``gridcheck metering remind [--on YYYY-MM-DD]``: the daily reminders now (rotation due, notices overdue).
"""

from django.core.management.base import BaseCommand, CommandError

from gridcheck.archive.models import Station
from gridcheck.core.periods import date_parse
from gridcheck.metering import services


class Command(BaseCommand):
    help = "Metering asset ledger: sync assets from the archive meters, send the daily reminders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sync = sub.add_parser("sync", help="create the assets of archive meters that have none")
        sync.add_argument("--station", help="station code (default: every station)")
        remind = sub.add_parser("remind", help="enqueue the daily reminders")
        remind.add_argument("--on", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        if options["action"] == "sync":
            station_id = None
            if options.get("station"):
                station = Station.objects.filter(code=options["station"]).first()
                if station is None:
                    raise CommandError(f"unknown station {options['station']!r}")
                station_id = station.pk
            counts = services.assets_sync_from_archive(station_id=station_id)
            self.stdout.write(f"created {counts['created']}, linked {counts['linked']}")
        else:
            on = date_parse(options["on"]) if options.get("on") else None
            counts = services.metering_reminders(on=on)
            self.stdout.write(
                f"assets {counts['assets']}, notices {counts['notices']}, messages {counts['messages']}"
            )
