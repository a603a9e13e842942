"""``gridcheck cases labels --out FILE``: the detection labels of the closed cases, as CSV.

Columns: account_number, meter_asset_numbers (``;``-separated), label (1 theft, 0 inspected without
theft), case_date.
"""

from django.core.management.base import BaseCommand, CommandError

from gridcheck.cases import selectors
from gridcheck.cases.views import write_labels


class Command(BaseCommand):
    help = "Theft and violation cases: export the detection labels (labels --out FILE)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        labels = sub.add_parser("labels", help="write the labels of the closed cases to a CSV file")
        labels.add_argument("--out", required=True, help="CSV file to write ('-' for standard output)")

    def handle(self, *args, action, **options):
        rows = selectors.case_labels()
        out = options["out"]
        if out == "-":
            write_labels(self.stdout, rows)
            return
        try:
            with open(out, "w", newline="", encoding="utf-8") as stream:
                write_labels(stream, rows)
        except OSError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{len(rows)} labels written to {out}")
