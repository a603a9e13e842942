"""``gridcheck scheduler``: enqueue the periodic jobs (see ``gridcheck.core.schedule``)."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from gridcheck.core.schedule import schedule_tick


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs when due (every 30 s, or once with --once, e.g. from cron)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="tick once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks")

    def handle(self, *args, once, interval, **options):
        while True:
            for item in schedule_tick():
                self.stdout.write(_("Enqueued %(job)s") % {"job": item})
            if once:
                return
            time.sleep(interval)
