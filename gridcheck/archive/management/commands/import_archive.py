"""``gridcheck import ENTITY FILE [--user USERNAME] [--max-bytes N]``: import one archive file.

The file is imported in one transaction; on rejection every error is printed on its own line to
stderr (file, row, column, reason) and the command exits with status 1.
"""

import pathlib
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridcheck.archive.importers import ImportRejected, import_file
from gridcheck.core.registries import imports


class Command(BaseCommand):
    help = "Import an archive CSV/XLSX file (one transaction; nothing is written on any error)."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=imports.names())
        parser.add_argument("file", type=pathlib.Path)
        parser.add_argument("--user", help="import as this user (scoping and audit trail); default: system")
        parser.add_argument(
            "--max-bytes", type=int, default=None, help="size limit [bytes]; default: settings"
        )

    def handle(self, *args, entity, file, user=None, max_bytes=None, **options):
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(_('user "%(name)s" not found') % {"name": user}) from None
        try:
            batch = import_file(entity=entity, path=file, user=importer, max_bytes=max_bytes)
        except ImportRejected as rejection:
            for error in rejection.errors:
                self.stderr.write(str(error))
            if rejection.truncated:
                self.stderr.write(_("checking stopped after %(n)s problems") % {"n": len(rejection.errors)})
            self.stderr.write(_("%(file)s refused: nothing was written.") % {"file": file.name})
            sys.exit(1)
        self.stdout.write(
            _("%(file)s imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "file": batch.file_name,
                "created": batch.rows_created,
                "updated": batch.rows_updated,
                "unchanged": batch.rows_unchanged,
            }
            + " "
            + _("%(rows)s rows in %(seconds).1f s.") % {"rows": batch.rows_total, "seconds": batch.duration_s}
        )
