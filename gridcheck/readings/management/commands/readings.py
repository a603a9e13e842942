"""``gridcheck readings import KIND FILE [--mapping JSON]``: load a meter-data file into the meter store."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridcheck.readings.choices import ImportKind, ImportStatus
from gridcheck.readings.services import mapping_parse, meter_data_import


class Command(BaseCommand):
    help = "Meter data: `readings import KIND FILE` with KIND daily|curve|events|area_meter."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV or Parquet file")
        imp.add_argument("kind", choices=[k.value for k in ImportKind])
        imp.add_argument("file")
        imp.add_argument("--mapping", default=None, help='JSON {"source column": "canonical column"}')

    def handle(self, *args, action, kind, file, mapping, **options):
        try:
            mapping = mapping_parse(mapping)
        except (ValueError, json.JSONDecodeError) as exc:
            raise CommandError(_("--mapping: %(error)s") % {"error": exc}) from None
        batch = meter_data_import(kind=kind, path=file, mapping=mapping)
        for warning in batch.warnings:
            self.stdout.write(self.style.WARNING(warning))
        if batch.status != ImportStatus.SUCCEEDED:
            for e in batch.errors:
                self.stderr.write(
                    f"{e['file']} {_('row')} {e['row'] or '-'} [{e['column']}] {e['value']}: {e['reason']}"
                )
            raise CommandError(
                _("%(file)s refused (%(n)s errors): nothing was written.")
                % {"file": batch.file_name, "n": len(batch.errors)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(file)s: %(rows)s rows, %(created)s new, %(updated)s changed, %(unchanged)s unchanged (%(months)s)."
                )
                % {
                    "file": batch.file_name,
                    "rows": batch.rows,
                    "created": batch.rows_created,
                    "updated": batch.rows_updated,
                    "unchanged": batch.rows_unchanged,
                    "months": ", ".join(batch.months),
                }
            )
        )
