"""Seals (封印) and the anti-pry sealing pliers (防撬封钳) of a station.

A station receives seals in numbered batches, issues them to its staff, who put them on meters (who,
when, why, with a photo) or hand them back; a seal is opened for work by two people, or found broken,
which opens an inspection work order. The pliers are kept by the station and signed out to a work
leader for a census, inspection, meter change or new connection.

The models moved here from the inspections app and keep its tables (``db_table``, and the history
tables through ``HistoricalRecords(table_name=...)``). A work order is referred to by the string
``"inspections.WorkOrder"``: the inspections app may import seals, never the reverse.

Every model whose state changes records its changes through django-simple-history; state changes go
through ``gridcheck.seals.services``. Scoping: ``SCOPE_STATION`` / ``SCOPE_AREA`` name the lookups used by
``gridcheck.core.scoping``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gridcheck.core.links import record_url
from gridcheck.core.models import TimeStampedModel
from gridcheck.seals.choices import (
    PliersStatus,
    SealBreakKind,
    SealMovementKind,
    SealStatus,
    SealUseReason,
)

USER = settings.AUTH_USER_MODEL
WORK_ORDER = "inspections.WorkOrder"


def _history(model_name: str) -> HistoricalRecords:
    """The audit trail of a model, in the history table it had in the inspections app."""
    return HistoricalRecords(table_name=f"inspections_historical{model_name}")


class SealBatch(TimeStampedModel):
    """A batch of seals received by a station: numbers ``prefix`` + ``start_number`` .. ``end_number``."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(_("prefix"), max_length=10)
    start_number = models.PositiveIntegerField(_("first number"))
    end_number = models.PositiveIntegerField(_("last number"))
    digits = models.PositiveSmallIntegerField(_("digits"), default=6)
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        USER,
        verbose_name=_("received by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = _history("sealbatch")

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        db_table = "inspections_sealbatch"
        verbose_name = _("seal batch")
        verbose_name_plural = _("seal batches")
        ordering = ["-received_on", "prefix", "start_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_number__gte=models.F("start_number")),
                name="inspections_sealbatch_range_ordered",
                violation_error_message=_("The last number cannot be below the first."),
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.prefix}{self.start_number:0{self.digits}d}–{self.prefix}{self.end_number:0{self.digits}d}"
        )

    @property
    def size(self) -> int:
        return self.end_number - self.start_number + 1


class Seal(TimeStampedModel):
    """One seal (封印) by its number: in stock, issued to a member of staff, used on a meter, broken."""

    batch = models.ForeignKey(
        SealBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="seals"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("seal number"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SealStatus.choices, default=SealStatus.IN_STOCK
    )
    holder = models.ForeignKey(
        USER, verbose_name=_("held by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    meter = models.ForeignKey(
        "archive.Meter",
        verbose_name=_("meter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seals",
    )
    history = _history("seal")

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        db_table = "inspections_seal"
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        ordering = ["number"]
        indexes = [models.Index(fields=["station", "status"], name="insp_seal_station_status")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="issued") | models.Q(holder__isnull=False),
                name="inspections_seal_issued_has_holder",
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("seals:seal_detail", self.pk)


class SealMovement(TimeStampedModel):
    """A seal issued to a member of staff from stock, or returned by them."""

    seal = models.ForeignKey(Seal, verbose_name=_("seal"), on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(_("kind"), max_length=10, choices=SealMovementKind.choices)
    staff = models.ForeignKey(
        USER, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        USER, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    SCOPE_STATION = "seal__station_id"
    SCOPE_AREA = None

    class Meta:
        db_table = "inspections_sealmovement"
        verbose_name = _("seal issue or return")
        verbose_name_plural = _("seal issues and returns")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.seal} {self.get_kind_display()} {self.staff}"


class SealUse(TimeStampedModel):
    """A seal put on a meter: who, when, why, with a photo."""

    seal = models.OneToOneField(Seal, verbose_name=_("seal"), on_delete=models.CASCADE, related_name="use")
    meter = models.ForeignKey(
        "archive.Meter", verbose_name=_("meter"), on_delete=models.PROTECT, related_name="+"
    )
    used_by = models.ForeignKey(USER, verbose_name=_("sealed by"), on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(_("sealed at"))
    reason = models.CharField(_("reason"), max_length=20, choices=SealUseReason.choices)
    photo = models.ImageField(_("photo"), upload_to="inspections/seals/%Y/%m/", blank=True)
    work_order = models.ForeignKey(
        WORK_ORDER,
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "seal__station_id"
    SCOPE_AREA = "meter__metering_point__customer__area_id"

    class Meta:
        db_table = "inspections_sealuse"
        verbose_name = _("seal use")
        verbose_name_plural = _("seal uses")
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.seal} → {self.meter}"


class SealBreak(TimeStampedModel):
    """A seal opened: on purpose for work (two people), or found broken (which opens a work order)."""

    seal = models.ForeignKey(Seal, verbose_name=_("seal"), on_delete=models.CASCADE, related_name="breaks")
    kind = models.CharField(_("kind"), max_length=20, choices=SealBreakKind.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    second_person = models.ForeignKey(
        USER,
        verbose_name=_("second person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    photo = models.ImageField(_("photo"), upload_to="inspections/seals/%Y/%m/", blank=True)
    work_order = models.ForeignKey(
        WORK_ORDER,
        verbose_name=_("work order"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "seal__station_id"
    SCOPE_AREA = None

    class Meta:
        db_table = "inspections_sealbreak"
        verbose_name = _("seal break")
        verbose_name_plural = _("seal breaks")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="unsealed")
                | (models.Q(second_person__isnull=False) & ~models.Q(second_person=models.F("by"))),
                name="inspections_unseal_two_people",
                violation_error_message=_("Unsealing needs two people."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.seal} {self.get_kind_display()}"


class Pliers(TimeStampedModel):
    """A pair of anti-pry sealing pliers (防撬封钳), kept by the station and signed out for work."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("pliers code"), max_length=30, unique=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PliersStatus.choices, default=PliersStatus.IN_STORE
    )
    holder = models.ForeignKey(
        USER,
        verbose_name=_("signed out to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = _history("pliers")

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        db_table = "inspections_pliers"
        verbose_name = _("sealing pliers")
        verbose_name_plural = _("sealing pliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PliersLoan(TimeStampedModel):
    """The pliers signed out to a work leader for a purpose, and their return."""

    pliers = models.ForeignKey(
        Pliers, verbose_name=_("pliers"), on_delete=models.CASCADE, related_name="loans"
    )
    issued_to = models.ForeignKey(
        USER, verbose_name=_("signed out to"), on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(
        USER,
        verbose_name=_("signed out by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("signed out at"))
    purpose = models.CharField(_("purpose"), max_length=200)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        USER,
        verbose_name=_("returned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "pliers__station_id"
    SCOPE_AREA = None

    class Meta:
        db_table = "inspections_pliersloan"
        verbose_name = _("pliers loan")
        verbose_name_plural = _("pliers loans")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pliers"],
                condition=models.Q(returned_at__isnull=True),
                name="inspections_pliers_one_open_loan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pliers} → {self.issued_to}"
