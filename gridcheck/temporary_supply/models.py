"""Temporary supply (临时用电): the models.

A **temporary supply** is one written application and its life: the customer account opened for it in
the archive, the agreed term (at most ``temporary_supply.max_months``, 1996 art. 12), the standard
temporary-supply contract (``contracts``), metering by a meter or by capacity × time (1996 art. 87), the
prepayment (the customer's prepaid balance in ``collection``), connection, extensions, the end of supply
and the closing (消户) with its settlement and refund. Every status change is a ``TemporarySupplyEvent``.

An **unauthorised connection** is a temporary connection found without the procedure or the prepayment:
made by staff it is recorded against that member of staff with the station's fine (for assessment); made
by the customer alone it is a theft case (``cases``).

Scoping: each row repeats its station and transformer area (``SCOPE_STATION`` / ``SCOPE_AREA``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.archive.choices import VoltageLevel
from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel
from gridcheck.temporary_supply.choices import (
    Completion,
    ConnectedBy,
    ExtensionStatus,
    MeteringMode,
    SupplyStatus,
)

USER = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 14, "decimal_places": 2}
ENERGY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


def _user(verbose_name, related_name="+"):
    return models.ForeignKey(
        USER,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


class TemporarySupply(AuditedModel):
    """One temporary-supply application (临时用电申请) and its life up to the closing (消户).

    ``end_on`` is the agreed end in force (moved by an approved extension); ``original_end_on`` the end
    first agreed. ``prepayment_yuan`` is what must be prepaid before the connection; the money itself is
    the customer's prepaid balance in collection (``collection.Account.credit_yuan``). The settlement
    fields (``energy_kwh`` … ``balance_due_yuan``) are written once, by the closing.
    """

    number = models.CharField(_("number"), max_length=30, unique=True)
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="temporary_supplies",
    )
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=30, blank=True)
    applied_on = models.DateField(_("written application dated"))
    application_file = models.FileField(
        _("scanned application"), upload_to="temporary_supply/applications/%Y/", blank=True
    )
    application_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    application_content_type = models.CharField(_("content type"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200)
    address = models.CharField(_("address"), max_length=200)
    capacity_kva = models.DecimalField(
        _("capacity [kVA]"), max_digits=10, decimal_places=2, validators=POSITIVE
    )
    voltage_level = models.CharField(
        _("voltage level"), max_length=10, choices=VoltageLevel.choices, default=VoltageLevel.V380
    )
    tariff_code = models.CharField(_("tariff code"), max_length=30)
    start_on = models.DateField(_("start date"))
    end_on = models.DateField(_("agreed end"))
    original_end_on = models.DateField(_("first agreed end"))
    metering_mode = models.CharField(_("metering"), max_length=20, choices=MeteringMode.choices)
    hours_per_day = models.DecimalField(
        _("agreed hours per day [h]"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    meter_asset_number = models.CharField(_("meter asset number"), max_length=40, blank=True)
    prepayment_yuan = models.DecimalField(_("prepayment required [yuan]"), default=Decimal("0.00"), **MONEY)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SupplyStatus.choices, default=SupplyStatus.APPLIED, db_index=True
    )
    prepared_by = _user(_("prepared by"))
    approved_by = _user(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    connected_on = models.DateField(_("connected on"), null=True, blank=True)
    connected_by = _user(_("connected by"))
    initial_reading_kwh = models.DecimalField(
        _("reading at connection [kWh]"), null=True, blank=True, **ENERGY
    )
    reminded_for = models.DateField(_("end reminded"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    disconnection_work_order = models.ForeignKey(
        "inspections.WorkOrder",
        verbose_name=_("disconnection work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_on = models.DateField(pgettext_lazy("temporary supply", "closed on"), null=True, blank=True)
    closed_by = _user(pgettext_lazy("temporary supply", "closed by"))
    final_reading_kwh = models.DecimalField(_("final reading [kWh]"), null=True, blank=True, **ENERGY)
    used_days = models.PositiveIntegerField(_("days used"), null=True, blank=True)
    term_days = models.PositiveIntegerField(_("agreed days"), null=True, blank=True)
    energy_kwh = models.DecimalField(_("energy [kWh]"), null=True, blank=True, **ENERGY)
    price_yuan_per_kwh = models.DecimalField(
        _("price [yuan/kWh]"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    charge_yuan = models.DecimalField(_("charge [yuan]"), null=True, blank=True, **MONEY)
    prepaid_yuan = models.DecimalField(_("prepaid balance at closing [yuan]"), null=True, blank=True, **MONEY)
    refund_yuan = models.DecimalField(_("refund [yuan]"), null=True, blank=True, **MONEY)
    balance_due_yuan = models.DecimalField(_("still owed [yuan]"), null=True, blank=True, **MONEY)
    completion = models.CharField(_("line and meter"), max_length=20, choices=Completion.choices, blank=True)
    settlement_note = models.TextField(_("settlement"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("temporary supply")
        verbose_name_plural = _("temporary supplies")
        ordering = ["-applied_on", "-pk"]
        indexes = [models.Index(fields=["station", "status", "end_on"], name="tempsupply_station_status_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="tempsupply_end_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity_kva__gt=0), name="tempsupply_capacity_gt_0"),
            models.CheckConstraint(
                condition=models.Q(prepayment_yuan__gte=0), name="tempsupply_prepayment_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"

    def get_absolute_url(self) -> str:
        return record_url("temporary_supply:supply_detail", self.pk)


class TemporarySupplyEvent(StateChangeEvent):
    """One status change of a temporary supply (who, when, from, to, why)."""

    supply = models.ForeignKey(
        TemporarySupply, verbose_name=_("temporary supply"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = status_field(_("from"), SupplyStatus, blank=True)
    to_status = status_field(_("to"), SupplyStatus)

    subject_field = "supply"
    SCOPE_STATION = "supply__station_id"
    SCOPE_AREA = "supply__area_id"

    class Meta:
        verbose_name = _("temporary supply event")
        verbose_name_plural = _("temporary supply events")
        ordering = ["at", "pk"]


class TemporarySupplyExtension(TimeStampedModel):
    """An application to extend a temporary supply (延期申请) and its decision.

    Decided by someone with ``approve_station`` who neither requested it nor prepared the supply.
    """

    supply = models.ForeignKey(
        TemporarySupply,
        verbose_name=_("temporary supply"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    requested_on = models.DateField(_("written application dated"))
    requested_by = _user(_("requested by"))
    previous_end_on = models.DateField(_("previous end"))
    new_end_on = models.DateField(_("new end"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = _user(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    SCOPE_STATION = "supply__station_id"
    SCOPE_AREA = "supply__area_id"

    class Meta:
        verbose_name = _("temporary supply extension")
        verbose_name_plural = _("temporary supply extensions")
        ordering = ["supply", "requested_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_end_on__gt=models.F("previous_end_on")),
                name="tempsupply_ext_later_end",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supply_id}: {self.previous_end_on} -> {self.new_end_on}"


class UnauthorisedConnection(TimeStampedModel):
    """A temporary connection found without the procedure or the prepayment (私接临时用电).

    ``connected_by == staff``: recorded against ``staff`` with the station's fine (``fine_yuan``, the rule
    ``temporary_supply.unauthorised_connection_fine_yuan`` on ``found_on``) for the assessment.
    ``connected_by == customer``: a theft case was opened (``case``).
    """

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    supply = models.ForeignKey(
        TemporarySupply,
        verbose_name=_("temporary supply"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unauthorised_connections",
    )
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    found_on = models.DateField(_("found on"))
    found_by = _user(_("found by"))
    address = models.CharField(_("address"), max_length=200)
    connected_by = models.CharField(_("connected by"), max_length=10, choices=ConnectedBy.choices)
    staff = _user(_("member of staff"), related_name="unauthorised_connections")
    fine_yuan = models.DecimalField(_("fine [yuan]"), null=True, blank=True, **MONEY)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("theft case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    facts = models.TextField(_("facts"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("unauthorised temporary connection")
        verbose_name_plural = _("unauthorised temporary connections")
        ordering = ["-found_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(connected_by="staff") & models.Q(staff__isnull=False))
                | (models.Q(connected_by="customer") & models.Q(case__isnull=False)),
                name="tempsupply_unauth_staff_or_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.found_on} {self.address}"

    def get_absolute_url(self) -> str:
        return reverse("temporary_supply:unauthorised_list") + f"?pk={self.pk}"
