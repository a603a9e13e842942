"""``gridcheck demo_meter_data``: simulate meter data for the archive's meters, then analyse the last month."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.env import VAR_DIR
from gridcheck.readings.services import DEMO_SEED, demo_meter_data_load


class Command(BaseCommand):
    help = "Simulate meter data (readings, area meters, events, curves) for the archive and run the analysis."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=13, help="months of data to simulate")
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--no-analysis", action="store_true", help="only write the meter data")
        parser.add_argument("--backend", default="duckdb", choices=["duckdb", "pyspark"])

    def handle(self, *args, months, seed, no_analysis, backend, **options):
        if months < 2:
            raise CommandError(_("--months must be at least 2"))
        self.stdout.write(
            _("Simulating %(months)s months of meter data into %(dir)s ...")
            % {"months": months, "dir": settings.GRIDCHECK_DATA_DIR}
        )
        info = demo_meter_data_load(var_dir=VAR_DIR, months=months, seed=seed)
        if not info["meters"]:
            raise CommandError(_("The archive has no meters: run `gridcheck demo` first."))
        self.stdout.write(
            _(
                "%(meters)s meters, %(daily)s daily readings, %(area)s area-meter readings, %(events)s events in %(s).1f s"
            )
            % {
                "meters": info["meters"],
                "daily": info["rows"]["daily"],
                "area": info["rows"]["area_meter"],
                "events": info["rows"]["events"],
                "s": info["seconds"],
            }
        )
        if not no_analysis:
            self._calibrate(info)
            # One run for the last month; its history covers the whole simulated year for the trends.
            call_command(
                "analyse",
                month=info["end_month"],
                backend=backend,
                history_months=months - 2,
                stdout=self.stdout,
                stderr=self.stderr,
            )

    def _calibrate(self, info) -> None:
        """Calibrate the suspicion score on the simulator's truth of the month before the analysed one
        (what an inspection would have confirmed), so that the last month's list is ordered by expected
        recovery (``detect calibrate``, named: detection lies above this app); a failure only warns (the
        list then keeps the score's order)."""
        from gridcheck.core.periods import month_parse

        end = month_parse(info["end_month"])
        before = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        truth = Path(VAR_DIR) / "demo" / "meter_truth.parquet"
        try:
            call_command(
                "detect", "calibrate", truth=str(truth), truth_month=f"{before:%Y-%m}", stdout=self.stdout
            )
        except CommandError as error:
            self.stderr.write(str(error))
