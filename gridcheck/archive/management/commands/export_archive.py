"""``gridcheck export ENTITY FILE.xlsx [--station CODE]``: write an archive list to XLSX.

The workbook has the import headers, so it can be edited and imported again. The entities are those
registered in ``gridcheck.core.registries.imports``.
"""

import pathlib

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridcheck.archive.models import Station
from gridcheck.core.exports import export_xlsx
from gridcheck.core.registries import imports


class Command(BaseCommand):
    help = "Export an archive list to XLSX (the import format)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=imports.names())
        parser.add_argument("file", type=pathlib.Path)
        parser.add_argument("--station", help="only this station's rows (station code)")

    def handle(self, *args, entity, file, station=None, **options):
        spec = imports[entity]
        queryset = spec.model._default_manager.all()
        if station:
            if not Station.objects.filter(code=station).exists():
                raise CommandError(_('station "%(code)s" not found') % {"code": station})
            if spec.station_lookup:  # how the entity reaches its station; tariffs are county-wide
                queryset = queryset.filter(**{spec.station_lookup: station})
        queryset = queryset.order_by(*spec.key_fields)
        file.write_bytes(export_xlsx(entity, queryset))
        self.stdout.write(_("%(n)s rows written to %(file)s") % {"n": queryset.count(), "file": file})
