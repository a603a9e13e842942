"""What goes wrong in an import: a located problem (:class:`RowError`), the refusal of a file
(:class:`ImportRejected`), and the signals the engine passes between its parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from gridcheck.archive.models import ImportBatch


@dataclass
class RowError:
    """One problem in an import file: where (file, row, column) and why (a translated reason).

    ``row`` is the 1-based row number as the user sees it in the file (header row counted), None for a
    problem with the whole file; ``column`` is the header as written in the file, or None.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        values = {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}
        if self.row is not None and self.column:
            return _("%(file)s row %(row)s 「%(column)s」: %(reason)s") % values
        if self.row is not None:
            return _("%(file)s row %(row)s: %(reason)s") % values
        if self.column:
            return _("%(file)s 「%(column)s」: %(reason)s") % values
        return _("%(file)s: %(reason)s") % values

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": str(self.reason)}


class ImportRejected(Exception):
    """The file was refused; nothing was written. ``errors`` lists why, ``batch`` is the failed batch."""

    def __init__(self, errors: list[RowError], batch: ImportBatch | None = None, truncated: bool = False):
        self.errors = errors
        self.batch = batch
        self.truncated = truncated
        super().__init__("\n".join(str(e) for e in errors))


class FileProblem(Exception):
    """A file-level problem that stops reading at once."""

    def __init__(self, reason: str, row: int | None = None, column: str | None = None):
        self.reason, self.row, self.column = reason, row, column
        super().__init__(reason)


class CellProblem(Exception):
    """A value that cannot be used; ``column`` names the canonical column when known.

    Raised by the value parsers and by a spec's resolver, prefetch and checks.
    """

    def __init__(self, reason: str, column: str | None = None):
        self.reason, self.column = reason, column
        super().__init__(reason)


class TooManyErrors(Exception):
    """The error limit (``GRIDCHECK_IMPORT_MAX_ERRORS``) is reached: checking stops."""
