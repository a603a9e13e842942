"""Metering asset ledger (计量装置台账): the device types, every meter, CT and PT as an asset with its
verification and rotation dates, faults, acceptance before energising, rectification notices and meter
changes.

Scoping: an asset belongs to a station (its stock, or the station of the customer where it is installed)
and, when installed, to the customer's area; faults, notices, acceptances and changes follow their asset
or metering point. Device types are county-wide reference data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.choices import MeterPhase
from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel
from gridcheck.metering.choices import (
    AcceptanceResult,
    AssetKind,
    AssetStatus,
    ChangeReason,
    FaultKind,
    FaultOutcome,
    NoticeStatus,
)

USER = settings.AUTH_USER_MODEL
REGISTER = {"max_digits": 14, "decimal_places": 2}


class DeviceType(AuditedModel):
    """A make and type of meter, CT or PT (型号) with its type approval (型式批准); an obsolete type is
    listed for replacement."""

    kind = models.CharField(_("kind"), max_length=10, choices=AssetKind.choices)
    manufacturer = models.CharField(_("manufacturer"), max_length=100)
    model_number = models.CharField(_("type"), max_length=60)
    accuracy_class = models.CharField(_("accuracy class"), max_length=10, blank=True)
    approval_number = models.CharField(_("type approval number"), max_length=60, blank=True)
    approval_valid_until = models.DateField(_("type approval valid until"), null=True, blank=True)
    obsolete = models.BooleanField(_("obsolete"), default=False)
    obsolete_reason = models.CharField(_("why obsolete"), max_length=200, blank=True)
    obsolete_on = models.DateField(_("obsolete since"), null=True, blank=True)

    class Meta:
        verbose_name = _("device type")
        verbose_name_plural = _("device types")
        ordering = ["kind", "manufacturer", "model_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "manufacturer", "model_number"], name="metering_devicetype_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(obsolete=False) | ~models.Q(obsolete_reason=""),
                name="metering_devicetype_obsolete_reason",
                violation_error_message=_("Say why the type is obsolete."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model_number}"


class Asset(AuditedModel):
    """One meter, CT or PT (计量资产) by its asset number (unique per kind): make and type, verification
    dates and the rotation due date, where it is installed, its status.

    ``due_on`` (下次检定/轮换日期) is derived by the services from the last verification (else the first)
    and the rotation years of the rule table for its kind and class; it is never typed.
    A meter asset is linked one-to-one to the archive's meter of the same asset number.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=AssetKind.choices)
    asset_number = models.CharField(_("asset number"), max_length=40)
    device_type = models.ForeignKey(
        DeviceType,
        verbose_name=_("device type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
    )
    serial_number = models.CharField(_("serial number"), max_length=60, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    accuracy_class = models.CharField(_("accuracy class"), max_length=10)
    phase = models.CharField(_("phase"), max_length=10, blank=True, choices=MeterPhase.choices)
    rated_current_a = models.DecimalField(
        _("rated (basic) current [A]"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_current_a = models.DecimalField(
        _("maximum current [A]"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    ratio = models.DecimalField(_("ratio"), max_digits=10, decimal_places=2, null=True, blank=True)
    rated_primary = models.CharField(_("rated primary/secondary"), max_length=30, blank=True)
    first_verified_on = models.DateField(_("first verified on"), null=True, blank=True)
    last_verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    due_on = models.DateField(_("verification / rotation due on"), null=True, blank=True, editable=False)
    rotation_reminded_for = models.DateField(
        _("rotation reminder sent for due date"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_STOCK
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    metering_point = models.ForeignKey(
        "archive.MeteringPoint",
        verbose_name=_("metering point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="metering_assets",
    )
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    meter = models.OneToOneField(
        "archive.Meter",
        verbose_name=_("archive meter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metering_asset",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "metering_point__customer__area_id"

    class Meta:
        verbose_name = _("metering asset")
        verbose_name_plural = _("metering assets")
        ordering = ["kind", "asset_number"]
        indexes = [
            models.Index(fields=["station", "status"], name="metering_asset_station_status"),
            models.Index(fields=["due_on"], name="metering_asset_due"),
            models.Index(fields=["asset_number"], name="metering_asset_number"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "asset_number"], name="metering_asset_unique_number"),
            models.CheckConstraint(
                condition=models.Q(meter__isnull=True) | models.Q(kind="meter"),
                name="metering_asset_meter_link_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="installed") | models.Q(metering_point__isnull=False),
                name="metering_asset_installed_has_point",
                violation_error_message=_("An installed asset names its metering point."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset_number}"

    def get_absolute_url(self) -> str:
        return record_url("metering:asset_detail", self.pk)


class AssetEvent(StateChangeEvent):
    """A status change of a metering asset (received, installed, removed, faulty, scrapped)."""

    asset = models.ForeignKey(Asset, verbose_name=_("asset"), on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), AssetStatus, blank=True)
    to_status = status_field(_("to"), AssetStatus)

    subject_field = "asset"
    SCOPE_STATION = "asset__station_id"
    SCOPE_AREA = "asset__metering_point__customer__area_id"

    class Meta:
        verbose_name = _("asset status change")
        verbose_name_plural = _("asset status changes")
        ordering = ["-at", "-pk"]


class AssetFault(AuditedModel):
    """A fault of a metering asset (故障记录): found when, what, by whom, and what came of it."""

    asset = models.ForeignKey(Asset, verbose_name=_("asset"), on_delete=models.CASCADE, related_name="faults")
    found_on = models.DateField(_("found on"))
    kind = models.CharField(_("fault"), max_length=20, choices=FaultKind.choices)
    description = models.TextField(_("description"), blank=True)
    found_by = models.ForeignKey(USER, verbose_name=_("found by"), on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=FaultOutcome.choices, default=FaultOutcome.PENDING
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    closed_on = models.DateField(pgettext_lazy("notice", "closed on"), null=True, blank=True)

    SCOPE_STATION = "asset__station_id"
    SCOPE_AREA = "asset__metering_point__customer__area_id"

    class Meta:
        verbose_name = _("asset fault")
        verbose_name_plural = _("asset faults")
        ordering = ["-found_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.asset} {self.get_kind_display()} {self.found_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return self.asset.get_absolute_url()


class Acceptance(TimeStampedModel):
    """New metering accepted before energising (新装计量装置验收): the checklist, two people, the verdict.

    An asset is installed only with a passed acceptance of its metering point that names it.
    """

    metering_point = models.ForeignKey(
        "archive.MeteringPoint", verbose_name=_("metering point"), on_delete=models.PROTECT, related_name="+"
    )
    assets = models.ManyToManyField(Asset, verbose_name=_("assets"), related_name="acceptances")
    accepted_on = models.DateField(_("accepted on"))
    checklist = models.JSONField(_("checklist"), default=dict)
    result = models.CharField(_("result"), max_length=10, choices=AcceptanceResult.choices)
    by = models.ForeignKey(USER, verbose_name=_("accepted by"), on_delete=models.PROTECT, related_name="+")
    second_person = models.ForeignKey(
        USER, verbose_name=_("second person"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    SCOPE_STATION = "metering_point__customer__station_id"
    SCOPE_AREA = "metering_point__customer__area_id"

    class Meta:
        verbose_name = _("metering acceptance")
        verbose_name_plural = _("metering acceptances")
        ordering = ["-accepted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(second_person=models.F("by")),
                name="metering_acceptance_two_people",
                violation_error_message=_("An acceptance needs two people."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.metering_point} {self.accepted_on:%Y-%m-%d} {self.get_result_display()}"


class RectificationNotice(AuditedModel):
    """A rectification notice (整改通知书) for a faulty metering installation, with its deadline."""

    number = models.CharField(_("notice number"), max_length=30, unique=True)
    metering_point = models.ForeignKey(
        "archive.MeteringPoint", verbose_name=_("metering point"), on_delete=models.PROTECT, related_name="+"
    )
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    fault = models.ForeignKey(
        AssetFault,
        verbose_name=_("fault"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    problem = models.TextField(_("problem found"))
    issued_on = models.DateField(pgettext_lazy("notice", "issued on"))
    deadline = models.DateField(_("deadline"))
    issued_by = models.ForeignKey(
        USER, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    closed_on = models.DateField(pgettext_lazy("notice", "closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER,
        verbose_name=pgettext_lazy("notice", "closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("what was done"), blank=True)
    overdue_reminded_at = models.DateTimeField(_("overdue reminder sent at"), null=True, blank=True)

    SCOPE_STATION = "metering_point__customer__station_id"
    SCOPE_AREA = "metering_point__customer__area_id"

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("issued_on")), name="metering_notice_deadline"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("metering:notice_detail", self.pk)


class MeterChange(TimeStampedModel):
    """A meter change (换表): the old meter's final registers, the new meter's start registers, the seals
    opened and fitted (through the seals app), two people, the date and the reason."""

    metering_point = models.ForeignKey(
        "archive.MeteringPoint", verbose_name=_("metering point"), on_delete=models.PROTECT, related_name="+"
    )
    old_asset = models.ForeignKey(
        Asset, verbose_name=_("old meter"), on_delete=models.PROTECT, related_name="changes_out"
    )
    new_asset = models.ForeignKey(
        Asset, verbose_name=_("new meter"), on_delete=models.PROTECT, related_name="changes_in"
    )
    changed_on = models.DateField(_("changed on"))
    reason = models.CharField(_("reason"), max_length=20, choices=ChangeReason.choices)
    old_total = models.DecimalField(_("old meter final total"), **REGISTER)
    old_peak = models.DecimalField(_("old meter final peak"), null=True, blank=True, **REGISTER)
    old_flat = models.DecimalField(_("old meter final flat"), null=True, blank=True, **REGISTER)
    old_valley = models.DecimalField(_("old meter final valley"), null=True, blank=True, **REGISTER)
    new_total = models.DecimalField(_("new meter start total"), **REGISTER)
    new_peak = models.DecimalField(_("new meter start peak"), null=True, blank=True, **REGISTER)
    new_flat = models.DecimalField(_("new meter start flat"), null=True, blank=True, **REGISTER)
    new_valley = models.DecimalField(_("new meter start valley"), null=True, blank=True, **REGISTER)
    seals_removed = models.ManyToManyField(
        "seals.Seal", verbose_name=_("seals opened"), related_name="+", blank=True
    )
    seals_used = models.ManyToManyField(
        "seals.Seal", verbose_name=_("seals fitted"), related_name="+", blank=True
    )
    by = models.ForeignKey(USER, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+")
    second_person = models.ForeignKey(
        USER, verbose_name=_("second person"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    SCOPE_STATION = "metering_point__customer__station_id"
    SCOPE_AREA = "metering_point__customer__area_id"

    class Meta:
        verbose_name = _("meter change")
        verbose_name_plural = _("meter changes")
        ordering = ["-changed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(second_person=models.F("by")),
                name="metering_change_two_people",
                violation_error_message=_("A meter change needs two people."),
            ),
            models.CheckConstraint(
                condition=~models.Q(old_asset=models.F("new_asset")), name="metering_change_two_meters"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_asset.asset_number} → {self.new_asset.asset_number} {self.changed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return record_url("metering:change_detail", self.pk)
