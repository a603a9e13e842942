"""Meter data in the relational database: import batches and reading-rate results.

The readings themselves (daily registers, curves, events, area-meter readings) live in the Parquet meter
store under ``settings.GRIDCHECK_DATA_DIR`` (``gridcheck_analytics.store.MeterStore``); the database keeps
who imported what and the results of the monthly analysis.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.models import Area, Line, Station
from gridcheck.core.links import record_url
from gridcheck.core.models import TimeStampedModel
from gridcheck.readings.choices import ImportKind, ImportStatus


class MeterDataImport(TimeStampedModel):
    """One meter-data file import (daily readings, curves, events or area-meter readings).

    A refused file keeps its row errors (file, row, column, value, reason) here and writes nothing to the
    meter store. County-wide data: not scoped to a station.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.BigIntegerField(_("size [bytes]"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    months = models.JSONField(_("months"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    duration_s = models.FloatField(_("duration [s]"), default=0)

    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("meter-data import")
        verbose_name_plural = _("meter-data imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    def get_absolute_url(self) -> str:
        return record_url("readings:import_detail", self.pk)


class ReadingRate(models.Model):
    """Reading rate (实抄率) of one transformer area on one day, written by the monthly analysis.

    ``station`` and ``line`` repeat the area's (for scoping and aggregation without joins);
    ``quality_counts`` holds the number of readings per VEE quality code (``{"valid": 140, ...}``).
    Lines and stations are aggregated from these rows by the selectors.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("transformer area"), on_delete=models.CASCADE, related_name="+"
    )
    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="+"
    )
    reading_date = models.DateField(_("date"))
    meters = models.PositiveIntegerField(_("meters"))
    meters_read = models.PositiveIntegerField(_("meters read"))
    reading_rate_percent = models.FloatField(_("reading rate [%]"))
    quality_counts = models.JSONField(_("readings per quality code"), default=dict, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("reading rate")
        verbose_name_plural = _("reading rates")
        ordering = ["reading_date", "area"]
        constraints = [
            models.UniqueConstraint(fields=["area", "reading_date"], name="readings_rate_area_date_unique"),
            models.CheckConstraint(
                condition=models.Q(meters_read__lte=models.F("meters")), name="readings_rate_read_le_meters"
            ),
        ]
        indexes = [models.Index(fields=["station", "reading_date"], name="readings_rate_station_date")]

    def __str__(self) -> str:
        return f"{self.area} {self.reading_date:%Y-%m-%d} {self.reading_rate_percent:.1f}%"


class MeterDataMapping(TimeStampedModel):
    """The column mapping chosen for one source's files of one kind, saved for next time.

    ``source`` names where the files come from (the collection system, a vendor's head-end); ``mapping``
    is ``{file header: canonical column}``; ``headers`` the file's headers when it was saved. The next
    file of the same source and kind is read with it, and the mapping page starts from it.
    County-wide, like the imports.
    """

    source = models.CharField(_("source"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    mapping = models.JSONField(_("column mapping"), default=dict)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("meter-data column mapping")
        verbose_name_plural = _("meter-data column mappings")
        ordering = ["source", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind"], name="readings_mapping_source_kind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source} · {self.get_kind_display()}"
