"""``gridcheck export ENTITY FILE.xlsx [--station CODE]``: write an archive list to XLSX.

The workbook has the import headers, so it can be edited and imported again.
"""

import pathlib

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridcheck.archive.importers import ENTITIES, SPECS
from gridcheck.archive.models import Station
from gridcheck.core.exports import export_xlsx

# How each entity reaches its station, for --station.
STATION_LOOKUPS = {
    "stations": "code",
    "lines": "station__code",
    "areas": "station__code",
    "tariffs": None,
    "staff": "station__code",
    "qualifications": "user__station__code",
    "customers": "station__code",
    "metering_points": "customer__station__code",
    "meters": "metering_point__customer__station__code",
}


class Command(BaseCommand):
    help = "Export an archive list to XLSX (the import format)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=ENTITIES)
        parser.add_argument("file", type=pathlib.Path)
        parser.add_argument("--station", help="only this station's rows (station code)")

    def handle(self, *args, entity, file, station=None, **options):
        spec = SPECS[entity]
        queryset = spec.model._default_manager.all()
        if station:
            if not Station.objects.filter(code=station).exists():
                raise CommandError(_('station "%(code)s" not found') % {"code": station})
            lookup = STATION_LOOKUPS[entity]
            if lookup:
                queryset = queryset.filter(**{lookup: station})
        queryset = queryset.order_by(*spec.key_fields)
        file.write_bytes(export_xlsx(entity, queryset))
        self.stdout.write(_("%(n)s rows written to %(file)s") % {"n": queryset.count(), "file": file})
