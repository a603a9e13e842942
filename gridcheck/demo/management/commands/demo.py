"""``gridcheck demo``: a working Gridcheck with a simulated county in one command.

Runs the migrations, simulates the county (:func:`gridcheck_analytics.datasets.simulate_county`), writes
one CSV per entity to ``<VAR_DIR>/demo/``, imports them through the archive import (upserts: a second run
changes nothing), gives one staff member per role a known password, simulates the safety hazards of the
1+1+1 network, simulates 13 months of meter data and analyses line loss, produces this month's notices and the last quarter's briefing, and prints the logins.
``--serve`` then starts the development server with a background-task worker and the scheduler beside it.
"""

import subprocess
import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.env import VAR_DIR
from gridcheck.archive.importers import ImportRejected, choice_export, import_file
from gridcheck.core.periods import month_parse
from gridcheck.core.registries import imports
from gridcheck.core.roles import Role
from gridcheck.users.importers import parse_role
from gridcheck.users.services import demo_users_ensure
from gridcheck_analytics.datasets import ENTITIES, simulate_county, write_county

DEMO_PASSWORD = "gridcheck-demo"
DEFAULT_SEED = 20261125


def _keep_removed_meters(frames) -> None:
    """The meters a meter change (the metering ledger's demo) took out are written as removed: importing
    the files again must not put a removed meter back in service."""
    from gridcheck.archive.choices import MeterStatus
    from gridcheck.archive.models import Meter

    removed = set(Meter.objects.filter(status=MeterStatus.REMOVED).values_list("asset_number", flat=True))
    if removed:
        meters = frames["meters"]
        meters.loc[meters["asset_number"].astype(str).isin(removed), "status"] = MeterStatus.REMOVED.value


class Command(BaseCommand):
    help = "Build the demo county: migrate, simulate, import, create one login per role; --serve to run it."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=60_000, help="customers to simulate")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the simulation")
        parser.add_argument("--serve", action="store_true", help="run the development server afterwards")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address for --serve")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="password of the demo logins")
        parser.add_argument(
            "--skip-meter-data",
            action="store_true",
            help="do not simulate meter data nor run the line-loss analysis",
        )
        parser.add_argument(
            "--skip-hazards", action="store_true", help="do not simulate hazards nor produce the notices"
        )
        parser.add_argument(
            "--skip-audit",
            action="store_true",
            help="do not inject the known audit anomalies nor run the audit rules",
        )
        parser.add_argument(
            "--directory",
            default=None,
            help="where the CSV files are written (default <VAR_DIR>/demo)",
        )
        parser.add_argument(
            "--province-month",
            default=None,
            metavar="DIR",
            help="only write a province's month of meter data to DIR as Parquet (streamed, no database)",
        )
        parser.add_argument(
            "--meters", type=int, default=10_000_000, help="meters of --province-month (default 10,000,000)"
        )
        parser.add_argument("--counties", type=int, default=36, help="counties of --province-month")
        parser.add_argument("--month", default="2025-01", help="month of --province-month, YYYY-MM")

    def _province_month(self, directory, options, seed) -> None:
        """``--province-month DIR``: a province's month of meter data streamed to Parquet, then the figures."""
        from gridcheck_analytics.province_sim import peak_rss_mb, write_province

        meters, counties = options["meters"], options["counties"]
        if meters < counties or counties < 1:
            raise CommandError(_("--meters must be at least --counties, and --counties at least 1"))
        try:
            month = month_parse(options["month"]).strftime("%Y-%m")
        except (ValueError, ValidationError) as exc:
            raise CommandError(_("--month must be YYYY-MM")) from exc

        def progress(county, done, total):
            self.stdout.write(
                _("%(county)s: %(done)s of %(total)s meters written, peak memory %(rss)s MiB")
                % {"county": county, "done": done, "total": total, "rss": round(peak_rss_mb())}
            )

        stats = write_province(
            directory, meters=meters, counties=counties, month=month, seed=seed, progress=progress
        )
        self.stdout.write(
            _(
                "%(meters)s meters x %(month)s in %(counties)s counties: %(rows)s daily readings, "
                "%(mib)s MiB of Parquet under %(dir)s in %(seconds)s s, peak memory %(rss)s MiB"
            )
            % {
                "meters": stats["meters"],
                "month": stats["month"],
                "counties": stats["counties"],
                "rows": stats["daily_rows"],
                "mib": round(stats["bytes"] / 2**20),
                "dir": directory,
                "seconds": round(stats["seconds"], 1),
                "rss": round(stats["peak_rss_mb"]),
            }
        )

    def _registers(self) -> str:
        """The contract register, temporary supplies and metering assets as of today (each builder keeps
        what exists); the summary line of the step."""
        from django.utils import timezone

        from gridcheck.contracts.demo import demo_contracts_build
        from gridcheck.contracts.models import Contract
        from gridcheck.metering.demo import demo_metering_build
        from gridcheck.metering.models import Asset
        from gridcheck.temporary_supply.demo import demo_temporary_supply_build
        from gridcheck.temporary_supply.models import TemporarySupply

        today = timezone.localdate()
        contracts = demo_contracts_build(on=today)
        demo_temporary_supply_build(on=today)
        demo_metering_build(on=today)
        return _(
            "%(contracts)s contracts (%(expiring)s expiring soon, %(missing)s customers without one), "
            "%(temporary)s temporary supplies, %(assets)s metering assets"
        ) % {
            "contracts": Contract.objects.count(),
            "expiring": contracts["expiring"],
            "missing": contracts["missing"],
            "temporary": TemporarySupply.objects.count(),
            "assets": Asset.objects.count(),
        }

    def handle(
        self,
        *args,
        customers,
        seed,
        serve,
        addr,
        password,
        directory,
        skip_hazards,
        skip_meter_data,
        skip_audit=False,
        **options,
    ):
        if customers < 1:
            raise CommandError(_("--customers must be at least 1"))
        if options.get("province_month"):
            self._province_month(options["province_month"], options, seed)
            return
        directory = directory or (VAR_DIR / "demo")
        started = time.monotonic()

        with self._step(_("Migrating the database")):
            call_command("migrate", interactive=False, verbosity=0)

        with self._step(
            _("Simulating a county of %(n)s customers (seed %(seed)s)") % {"n": customers, "seed": seed}
        ):
            frames = simulate_county(n_customers=customers, seed=seed)
            _keep_removed_meters(frames)

        with self._step(_("Writing the CSV files to %(dir)s") % {"dir": directory}):
            paths = write_county(frames, directory)

        from gridcheck.audit.models import AuditRun

        # The audit's injected anomalies changed the imported archive on purpose (a tariff changed without
        # an application, a customer without a meter ...): importing the files again would undo them, and
        # the import refuses such changes. A county audited once keeps its archive as it is.
        audited = AuditRun.objects.exists()
        if audited:
            self.stdout.write(_("The demo county was audited already: its archive is kept as it is."))
        for entity in [] if audited else ENTITIES:
            with self._step(_("Importing %(entity)s") % {"entity": imports[entity].label}) as step:
                try:
                    # The files are our own: the upload size limit does not apply to them.
                    size = paths[entity].stat().st_size
                    batch = import_file(entity=entity, path=paths[entity], user=None, max_bytes=size)
                except ImportRejected as rejected:
                    for error in rejected.errors:
                        self.stderr.write(f"  {error}")
                    raise CommandError(
                        _("The import of %(file)s was refused; nothing of it was written.")
                        % {"file": paths[entity]}
                    ) from None
                step["detail"] = _(
                    "%(total)s rows: %(created)s new, %(updated)s changed, %(unchanged)s unchanged"
                ) % {
                    "total": batch.rows_total,
                    "created": batch.rows_created,
                    "updated": batch.rows_updated,
                    "unchanged": batch.rows_unchanged,
                }

        with self._step(_("Preparing one demo login per role")):
            try:
                logins = demo_users_ensure(password=password)
            except ValidationError as error:  # a password the validators refuse
                raise CommandError(" ".join(error.messages)) from None
            except ValueError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "The county's archive is ready after %(seconds).1f s; its meter data, bills and the rest follow."
            )
            % {"seconds": time.monotonic() - started}
        )

        if not skip_meter_data:
            from gridcheck.lineloss.models import AreaMonthLoss

            if AreaMonthLoss.objects.exists():
                self.stdout.write(_("Meter data and line-loss results exist already; kept as they are."))
            else:
                with self._step(_("Simulating 13 months of meter data and analysing the last month")):
                    call_command("demo_meter_data", seed=seed, stdout=self._quiet())

            with self._step(_("Reading books, 13 reading cycles and a year of bills")) as step:
                from gridcheck.billing.demo import demo_billing_build
                from gridcheck.core.periods import last_complete_month
                from gridcheck.readings.selectors import meter_store

                months = meter_store().months("daily")
                end = month_parse(months[-1]) if months else last_complete_month()
                counts = demo_billing_build(end_month=end)
                step["detail"] = _(
                    "%(bills)s new bills of %(customers)s customers, %(estimated)s estimates, "
                    "%(pending)s refunds awaiting approval; %(seconds)s s in billing"
                ) % {
                    "bills": counts["bills"],
                    "customers": counts["customers"],
                    "estimated": counts["estimated"],
                    "pending": counts["pending_refunds"],
                    "seconds": counts["seconds"],
                }

            with self._step(_("A year of payments, dunning, disconnections and deposits")) as step:
                from gridcheck.collection.demo import demo_collection_build

                counts = demo_collection_build()
                step["detail"] = _(
                    "%(payments)s payments (%(files)s bank files), %(notices)s dunning notices, "
                    "%(cuts)s disconnections, %(deposits)s bank deposits; %(seconds)s s in collection"
                ) % {
                    "payments": counts["payments"],
                    "files": counts["bank_files"],
                    "notices": counts["notices"],
                    "cuts": counts["disconnections"],
                    "deposits": counts["deposits"],
                    "seconds": counts["seconds"],
                }

        with self._step(_("Supply contracts, temporary supply and the metering asset ledger")) as step:
            step["detail"] = self._registers()

        if not skip_meter_data and not skip_audit:
            with self._step(_("Marketing audit: known anomalies injected, every rule run")) as step:
                from gridcheck.audit.demo import demo_audit_build

                counts = demo_audit_build(
                    month=end, seed=seed, truth_path=Path(directory) / "audit_truth.csv"
                )
                if counts["kept"]:
                    step["detail"] = _("Audit runs exist already; kept as they are.")
                else:
                    step["detail"] = (
                        _(
                            "%(injected)s anomalies injected, %(rules)s rules run (%(failed)s failed), "
                            "%(findings)s findings; %(seconds)s s in audit"
                        )
                        % counts
                    )

        if not skip_meter_data:
            with self._step(_("This quarter's business census")) as step:
                from django.utils import timezone

                from gridcheck.census.demo import demo_census_build

                counts = demo_census_build(on=timezone.localdate(), seed=seed)
                step["detail"] = _(
                    "%(campaigns)s campaigns, %(records)s customers visited, %(discrepancies)s discrepancies"
                ) % {
                    "campaigns": counts["campaigns"] + counts["kept"],
                    "records": counts["records"],
                    "discrepancies": counts["discrepancies"],
                }

        if not skip_meter_data:
            with self._step(_("Loss targets, analyses of flagged areas and theoretical losses")) as step:
                from django.utils import timezone

                from gridcheck.lineloss.demo import demo_loss_management

                counts = demo_loss_management(on=timezone.localdate(), seed=seed)
                step["detail"] = (
                    _(
                        "%(indicators)s station indicators, %(analyses)s analyses, %(plans)s rectification plans, "
                        "%(theoretical)s theoretical losses"
                    )
                    % counts
                )

        if not skip_meter_data:
            with self._step(_("Today's visits for the demo inspector")) as step:
                from gridcheck.detection.demo import demo_field_work

                people = {login.role: login.user for login in logins}
                sent = demo_field_work(inspector=people[Role.INSPECTOR], head=people[Role.STATION_HEAD])
                step["detail"] = _("%(n)s work orders sent to two inspectors for today") % {"n": sent}

        if not skip_hazards:
            with self._step(_("Simulating safety hazards, contacts and drills")):
                call_command("hazards", "simulate", seed=seed, portal_password=password, stdout=self._quiet())
            with self._step(_("Producing this month's hazard notices and the quarterly briefing")):
                call_command("hazards", "due", send=True, stdout=self._quiet())
            with self._step(_("Electricians' service desk: questions, complaints, a business lead")) as step:
                from gridcheck.servicedesk.demo import demo_servicedesk_build

                counts = demo_servicedesk_build(password=password)
                step["detail"] = _(
                    "%(electricians)s electricians, %(consultations)s questions (%(escalated)s overdue, "
                    "escalated), %(complaints)s complaints"
                ) % {"escalated": 0, "complaints": 0, **counts}

        if not skip_meter_data:
            with self._step(_("Two months of staff scorecards")) as step:
                from gridcheck.assessment.demo import demo_assessment

                counts = demo_assessment()
                step["detail"] = _(
                    "%(cards)s scorecards for %(months)s, %(adjustments)s deductions or bonuses"
                ) % {**counts, "months": "、".join(counts["months"])}
            with self._step(_("The station's reports for the last month")) as step:
                from gridcheck.reports.demo import demo_reports

                counts = demo_reports(month=end)
                step["detail"] = _("%(generated)s reports generated, %(kept)s kept, %(refused)s refused") % {
                    **counts,
                    "refused": len(counts["refused"]),
                }

        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(_("Demo logins (password: %(password)s)") % {"password": password})
        )
        rows = [(_("Role"), _("Username"), _("Password"), _("Station"))]
        for login in logins:
            station = login.user.station.name if login.user.station_id else _("county level")
            rows.append((choice_export(parse_role, login.role), login.user.username, password, station))
        if not skip_hazards:
            from gridcheck.hazards.selectors import portal_customer_for
            from gridcheck.users.models import User

            portal = User.objects.filter(username="customer_demo").first()
            customer = portal_customer_for(portal) if portal else None
            if customer is not None:
                rows.append((str(Role.CUSTOMER.label), portal.username, password, customer.name))
            # The electricians of the service desk's demo (portal logins of important customers).
            for electrician in User.objects.filter(username__startswith="electrician_demo").order_by(
                "username"
            ):
                customer = portal_customer_for(electrician)
                if customer is not None:
                    rows.append((str(Role.CUSTOMER.label), electrician.username, password, customer.name))
        self._table(rows)
        seconds = time.monotonic() - started
        self.stdout.write(_("Ready in %(seconds).1f s.") % {"seconds": seconds})
        if serve:
            self.stdout.write(_("Serving at http://%(addr)s/ (Ctrl+C stops it).") % {"addr": addr})
            # Background tasks (analysis started from the web page) run in a worker beside the server.
            # The scheduler enqueues the periodic jobs (outbox flush, daily hazard run, 1+1+1 calendar).
            helpers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        f"from gridcheck.cli import main; main({['gridcheck', *command]!r})",
                    ]
                )
                for command in (["db_worker", "--no-reload"], ["scheduler"])
            ]
            try:
                call_command("runserver", addr, use_reloader=False)
            finally:
                for process in helpers:
                    process.terminate()
        else:
            self.stdout.write(_("Start the server with: gridcheck runserver %(addr)s") % {"addr": addr})

    # -- output ---------------------------------------------------------------------------------------
    @staticmethod
    def _quiet():
        import io

        return io.StringIO()

    def _step(self, title: str):
        command = self

        class _Step:
            def __enter__(self):
                self.started = time.monotonic()
                self.info = {}
                command.stdout.write(f"{title} …", ending="")
                command.stdout.flush()
                return self.info

            def __exit__(self, exc_type, exc, tb):
                seconds = time.monotonic() - self.started
                if exc_type is not None:
                    command.stdout.write(command.style.ERROR(_(" failed after %(s).1f s") % {"s": seconds}))
                    return False
                detail = self.info.get("detail")
                suffix = f" ({detail})" if detail else ""
                command.stdout.write(f" {seconds:.1f} s{suffix}")
                return False

        return _Step()

    def _table(self, rows: list[tuple[str, ...]]) -> None:
        def width(text: str) -> int:  # CJK characters take two columns on a terminal
            return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

        widths = [max(width(str(row[i])) for row in rows) for i in range(len(rows[0]))]
        for n, row in enumerate(rows):
            cells = [str(cell) + " " * (widths[i] - width(str(cell))) for i, cell in enumerate(row)]
            self.stdout.write("  " + "  ".join(cells).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
