"""``gridcheck inspections plan|overdue``: the monthly inspection plan from the command line.

- ``plan --month 2026-11 [--station S01]``: generate each station's monthly plan and its work orders
  (class A weekly, B monthly, C quarterly; high-risk and important customers monthly); a second run
  adds nothing;
- ``overdue``: list the open work orders past their due date.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridcheck.archive.models import Station
from gridcheck.core.periods import month_parse
from gridcheck.inspections import selectors, services
from gridcheck.inspections.models import WorkOrder


class Command(BaseCommand):
    help = "Inspection plans and work orders (plan, overdue)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="generate the monthly plan and its work orders")
        plan.add_argument("--month", default=None, help="YYYY-MM (default: this month)")
        plan.add_argument("--station", default=None, help="station code (default: every station)")
        sub.add_parser("overdue", help="list open work orders past their due date")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _plan(self, *, month=None, station=None, **_options):
        first = month_parse(month) if month else timezone.localdate().replace(day=1)
        stations = Station.objects.all()
        if station:
            stations = stations.filter(code=station)
            if not stations.exists():
                raise CommandError(f"Unknown station {station}.")
        total = 0
        for s in stations:
            result = services.plan_generate(station=s, month=first)
            total += result.created
            self.stdout.write(
                f"{s.code} {s.name} {first:%Y-%m}: {result.created} work orders created, "
                f"{result.existing} already planned"
            )
        self.stdout.write(self.style.SUCCESS(f"{total} work orders created."))

    def _overdue(self, **_options):
        orders = selectors.overdue(WorkOrder.objects.select_related("customer", "station"))
        for order in orders:
            self.stdout.write(
                f"{order.number}\t{order.station.code}\t{order.customer.account_number}\t{order.due_on}"
            )
        self.stdout.write(f"{orders.count()} overdue.")
