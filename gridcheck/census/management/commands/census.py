"""``gridcheck census``: the business census from the command line.

- ``gridcheck census coverage [--quarter 2026Q4]``: each station's campaign of the quarter, its coverage
  (customers visited / customers) and its discrepancies by kind.
- ``gridcheck census remind [--on 2026-12-03]``: the daily reminder of a census due (in-app to the heads).
- ``gridcheck census demo [--on 2026-12-03] [--seed 7]``: the demo census of the quarter of ``--on``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from gridcheck.census import selectors, services
from gridcheck.census.choices import DiscrepancyKind
from gridcheck.census.models import CensusCampaign
from gridcheck.core.periods import PeriodError, date_parse, quarter_of, quarter_parse


class Command(BaseCommand):
    help = "Business census: coverage of a quarter, the reminder of a census due, the demo census."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        coverage = sub.add_parser("coverage", help="coverage and discrepancies of each station's campaign")
        coverage.add_argument("--quarter", default=None, help="e.g. 2026Q4 (default: the current quarter)")
        remind = sub.add_parser("remind", help="remind the station heads of a census due")
        remind.add_argument("--on", default=None, help="YYYY-MM-DD (default: today)")
        demo = sub.add_parser("demo", help="build the demo census of the quarter of --on")
        demo.add_argument("--on", default=None, help="YYYY-MM-DD (default: today)")
        demo.add_argument("--seed", type=int, default=7)

    def handle(self, *args, action, **options):
        try:
            return getattr(self, f"_{action}")(**options)
        except PeriodError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _on(self, value):
        return date_parse(value) if value else timezone.localdate()

    def _coverage(self, quarter=None, **options):
        year, q = quarter_parse(quarter) if quarter else quarter_of(timezone.localdate())
        labels = dict(DiscrepancyKind.choices)
        campaigns = CensusCampaign.objects.filter(year=year, quarter=q).select_related("station")
        if not campaigns:
            self.stdout.write(f"{year}Q{q} 没有营业普查。")
        for campaign in campaigns.order_by("station__code"):
            cov = selectors.coverage(campaign)
            self.stdout.write(
                f"{campaign.station.code} {campaign.station.name} {campaign.period} [{campaign.get_status_display()}] "
                f"覆盖 {cov['visited']}/{cov['customers']}（{cov['percent']}%）"
            )
            kinds = campaign.discrepancies.values("kind").annotate(n=Count("pk")).order_by("kind")
            for row in kinds:
                self.stdout.write(f"    {labels.get(row['kind'], row['kind'])}: {row['n']}")

    def _remind(self, on=None, **options):
        due = services.census_due_remind(on=self._on(on))
        self.stdout.write(f"应开展普查而未开展的供电所：{due} 个。")

    def _demo(self, on=None, seed=7, **options):
        from gridcheck.census.demo import demo_census_build

        counts = demo_census_build(on=self._on(on), seed=seed)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
