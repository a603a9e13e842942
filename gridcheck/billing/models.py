"""Meter reading and billing (抄、核): reading books, cycles, readings, anomalies, bills, refunds, changes.

A station's areas are grouped into **reading books** (抄表册) with a fixed reading day and cycle and one
reader; each area sits in one book at most, so each area has one reader ("一人一区"). A **reading cycle**
is one book in one month: its **readings** (one per meter, with its source) end the period that the next
cycle starts from. A **bill** is one customer in one cycle, every line itemised by
``gridcheck_analytics.billing.bill`` (formula, inputs, rule) and stored as JSON, the money figures also in
columns for lists and reports. Refunds and back-bills (**adjustments**), **category changes** and
**book changes** are applications decided by someone other than their preparer. Every state change is a
``BillingEvent`` (who, when, from, to).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from gridcheck.billing.choices import (
    AdjustmentKind,
    AnomalyKind,
    AnomalyStatus,
    BasicChargeBasis,
    BillStatus,
    ChangeStatus,
    CycleStatus,
    ReadingSource,
)
from gridcheck.core.events import StateChangeEvent
from gridcheck.core.fields import ValuesInsertJSONField
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel
from gridcheck_analytics.billing.compact import expand, is_compact

MONEY = {"max_digits": 14, "decimal_places": 2}
REGISTER = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}
USER = settings.AUTH_USER_MODEL


class ReadingBook(AuditedModel):
    """A reading book (抄表册): areas of one station read on one day by one reader."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="reading_books"
    )
    code = models.CharField(_("book code"), max_length=30, unique=True)
    name = models.CharField(_("book name"), max_length=100)
    reading_day = models.PositiveSmallIntegerField(
        _("reading day"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    cycle_months = models.PositiveSmallIntegerField(
        _("cycle [months]"), default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    reader = models.ForeignKey(
        USER, verbose_name=_("reader"), on_delete=models.PROTECT, related_name="reading_books"
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None  # an area manager sees the books of their station

    class Meta:
        verbose_name = _("reading book")
        verbose_name_plural = _("reading books")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return record_url("billing:book_detail", self.pk)


class BookArea(models.Model):
    """An area in a book; an area is in one book at most (its reader is the book's)."""

    book = models.ForeignKey(
        ReadingBook, verbose_name=_("reading book"), on_delete=models.CASCADE, related_name="areas"
    )
    area = models.OneToOneField(
        "archive.Area",
        verbose_name=_("transformer area"),
        on_delete=models.PROTECT,
        related_name="book_entry",
    )

    SCOPE_STATION = "book__station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("area of a book")
        verbose_name_plural = _("areas of a book")
        ordering = ["area__code"]

    def __str__(self) -> str:
        return f"{self.book.code}: {self.area.code}"


class BookChange(TimeStampedModel):
    """A change of a book's reading day or cycle, applied only once the station head approves it."""

    book = models.ForeignKey(
        ReadingBook, verbose_name=_("reading book"), on_delete=models.CASCADE, related_name="changes"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    reading_day = models.PositiveSmallIntegerField(
        _("new reading day"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    cycle_months = models.PositiveSmallIntegerField(
        _("new cycle [months]"), validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    old_reading_day = models.PositiveSmallIntegerField(_("old reading day"))
    old_cycle_months = models.PositiveSmallIntegerField(_("old cycle [months]"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("book change")
        verbose_name_plural = _("book changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.book.code}: {self.old_reading_day} -> {self.reading_day}"


class ReadingCycle(TimeStampedModel):
    """One book in one month: the readings of its meters on the reading date, then its bills."""

    book = models.ForeignKey(
        ReadingBook, verbose_name=_("reading book"), on_delete=models.PROTECT, related_name="cycles"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("billing month"), help_text=_("First day of the month billed."))
    reading_date = models.DateField(_("reading date"))
    previous_reading_date = models.DateField(_("previous reading date"))
    status = models.CharField(
        _("status"), max_length=20, choices=CycleStatus.choices, default=CycleStatus.OPEN
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("reading cycle")
        verbose_name_plural = _("reading cycles")
        ordering = ["-period", "book__code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "period"], name="billing_cycle_book_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.book.code} {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        return record_url("billing:cycle_detail", self.pk)


class MeterReading(TimeStampedModel):
    """The reading of one meter in one cycle: register values [register units, before the multiplier].

    ``multiplier_read`` is what the head-end or the reader reported (compared with the archive's);
    energy is computed by the bill, register difference × CT × PT, once.
    """

    cycle = models.ForeignKey(
        ReadingCycle, verbose_name=_("reading cycle"), on_delete=models.CASCADE, related_name="readings"
    )
    meter = models.ForeignKey(
        "archive.Meter", verbose_name=_("meter"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    read_on = models.DateField(_("read on"))
    total = models.DecimalField(_("total register"), **REGISTER)
    peak = models.DecimalField(_("peak register"), **REGISTER)
    flat = models.DecimalField(_("flat register"), **REGISTER)
    valley = models.DecimalField(_("valley register"), **REGISTER)
    reactive = models.DecimalField(_("reactive register"), **REGISTER)
    multiplier_read = models.DecimalField(
        _("multiplier read"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_demand_kw = models.DecimalField(
        _("maximum demand [kW]"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Demand register of the period, multiplier applied (two-part tariff by demand)."),
    )
    source = models.CharField(_("source"), max_length=20, choices=ReadingSource.choices)
    photo = models.FileField(_("photo of the display"), upload_to="billing/readings/%Y/%m/", blank=True)
    entered_by = models.ForeignKey(
        USER,
        verbose_name=pgettext_lazy("data entry", "entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["cycle", "meter__asset_number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "meter"], name="billing_reading_cycle_meter_unique")
        ]
        indexes = [models.Index(fields=["meter", "read_on"], name="billing_reading_meter_date")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.read_on}"


class MeterExchange(TimeStampedModel):
    """A meter or multiplier change in the middle of a period: the old part and the new part are billed
    apart, each with its own multiplier (final registers of the old, initial registers of the new)."""

    metering_point = models.ForeignKey(
        "archive.MeteringPoint", verbose_name=_("metering point"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    changed_on = models.DateField(_("changed on"))
    old_meter = models.ForeignKey(
        "archive.Meter", verbose_name=_("old meter"), on_delete=models.PROTECT, related_name="+"
    )
    new_meter = models.ForeignKey(
        "archive.Meter", verbose_name=_("new meter"), on_delete=models.PROTECT, related_name="+"
    )
    old_multiplier = models.DecimalField(_("old multiplier"), max_digits=14, decimal_places=2)
    new_multiplier = models.DecimalField(_("new multiplier"), max_digits=14, decimal_places=2)
    old_final = models.JSONField(_("old meter's final registers"), default=dict)
    new_initial = models.JSONField(_("new meter's initial registers"), default=dict)
    recorded_by = models.ForeignKey(
        USER,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("meter exchange")
        verbose_name_plural = _("meter exchanges")
        ordering = ["-changed_on"]

    def __str__(self) -> str:
        return f"{self.old_meter_id} -> {self.new_meter_id} {self.changed_on}"


class BillingTerms(AuditedModel):
    """What a customer's contract says about its bill beyond the tariff: the basic charge's basis, a
    transformer metered on its low side (变损), and a mixed-use agreement (电价比例, 《供电营业规则》 art. 70).

    Without terms a customer is billed by capacity, metered on the high side, with one category.
    """

    customer = models.OneToOneField(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="billing_terms"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    basic_charge_basis = models.CharField(
        _("basic charge by"),
        max_length=20,
        choices=BasicChargeBasis.choices,
        default=BasicChargeBasis.CAPACITY,
    )
    # Low-side metering: the customer's transformer losses are added to its metered energy.
    low_side_metering = models.BooleanField(_("metered on the low side of its transformer"), default=False)
    transformer_capacity_kva = models.DecimalField(
        _("transformer capacity [kVA]"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    no_load_loss_kw = models.DecimalField(
        _("no-load loss P0 [kW]"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    load_loss_kw = models.DecimalField(
        _("load loss Pk [kW]"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    no_load_current_percent = models.DecimalField(
        _("no-load current I0 [%]"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    impedance_voltage_percent = models.DecimalField(
        _("impedance voltage Uk [%]"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    # Mixed use: a share of the energy billed under a second tariff, by a signed agreement re-checked yearly.
    mixed_use_share = models.DecimalField(
        _("second category share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.9999"))],
    )
    mixed_use_tariff_code = models.CharField(_("second category tariff code"), max_length=30, blank=True)
    mixed_use_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    mixed_use_checked_on = models.DateField(_("shares last checked on"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("billing terms")
        verbose_name_plural = _("billing terms")

    def __str__(self) -> str:
        return str(self.customer)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.low_side_metering:
            for name in ("transformer_capacity_kva", "no_load_loss_kw", "load_loss_kw"):
                if getattr(self, name) is None:
                    errors[name] = _("Needed for a customer metered on the low side.")
        if self.mixed_use_share:
            if not self.mixed_use_tariff_code:
                errors["mixed_use_tariff_code"] = _("Needed with a mixed-use share.")
            if self.mixed_use_signed_on is None:
                errors["mixed_use_signed_on"] = _("A mixed-use share needs the signed agreement's date.")
        if errors:
            raise ValidationError(errors)


class ReaderAnomaly(TimeStampedModel):
    """Something wrong at a meter, found by its reader or by the VEE run (抄表异常)."""

    meter = models.ForeignKey(
        "archive.Meter", verbose_name=_("meter"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(
        ReadingCycle,
        verbose_name=_("reading cycle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="anomalies",
    )
    kind = models.CharField(_("anomaly"), max_length=20, choices=AnomalyKind.choices)
    note = models.TextField(_("note"), blank=True)
    found_on = models.DateField(_("found on"))
    reported_by = models.ForeignKey(
        USER,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by_vee = models.BooleanField(_("found by the VEE run"), default=False)
    suspected_theft = models.BooleanField(_("suspicious: goes to the theft procedure"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=AnomalyStatus.choices, default=AnomalyStatus.OPEN
    )
    work_order_id_ref = models.PositiveIntegerField(_("work order"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("reading anomaly")
        verbose_name_plural = _("reading anomalies")
        ordering = ["-found_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("billing:anomaly_list") + f"?meter={self.meter_id}"


class CalculationLayout(models.Model):
    """The fixed text of a bill calculation's lines, stored once for every bill that has it.

    Kind, each line's key, name, formula, unit, article and rule keys, the review warnings and the rule
    rows read (``gridcheck_analytics.billing.compact``), named by the SHA-256 digest of its content: a
    layout never changes, a different text is a different layout.
    """

    digest = models.CharField(_("digest"), max_length=64, primary_key=True)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calculation layout")
        verbose_name_plural = _("calculation layouts")

    def __str__(self) -> str:
        return self.digest[:12]


#: Layouts read so far, by digest (content-addressed, so never stale).
_LAYOUTS: dict[str, dict] = {}


def calculation_layout(digest: str, using: str = "default") -> dict:
    """The content of the layout ``digest`` (read once per process)."""
    layout = _LAYOUTS.get(digest)
    if layout is None:
        layout = CalculationLayout.objects.using(using).get(pk=digest).content
        _LAYOUTS[digest] = layout
    return layout


class CalculationField(ValuesInsertJSONField):
    """A bill's calculation: stored compact (its layout's digest and its own figures), read back whole.

    Reading gives ``Calculation.to_dict()`` as the engine returned it (every line with formula, inputs,
    value, unit and article); a whole calculation written as such is stored and read as it is.
    """

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        if is_compact(value):
            return expand(value, calculation_layout(value["layout"], connection.alias))
        return value


class Bill(TimeStampedModel):
    """One customer's bill for one cycle: itemised lines (``calculation``) and the figures of its lines.

    ``calculation`` is ``Calculation.to_dict()`` of the engine: every line with formula, inputs, value,
    unit, article and the rule rows it read (stored compact: the lines' fixed text once per layout,
    ``CalculationLayout``); ``inputs`` is what the engine was given. Written only by
    ``services.cycle_bill``; an issued bill changes only through an approved adjustment. Its history
    (who, when, status and figures) leaves out the two calculation documents, which a bill run writes for
    every customer: the figures are columns, the state changes ``BillingEvent`` rows.
    """

    number = models.CharField(_("bill number"), max_length=40, unique=True)
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="bills"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    cycle = models.ForeignKey(
        ReadingCycle, verbose_name=_("reading cycle"), on_delete=models.PROTECT, related_name="bills"
    )
    period = models.DateField(_("billing month"))
    period_start = models.DateField(_("from reading of"))
    period_end = models.DateField(_("to reading of"))
    tariff_code = models.CharField(_("tariff code"), max_length=30)
    tariff_name = models.CharField(_("tariff"), max_length=100)
    energy_kwh = models.DecimalField(_("billed energy [kWh]"), max_digits=16, decimal_places=0)
    energy_charge_yuan = models.DecimalField(_("energy charge [yuan]"), **MONEY)
    basic_charge_yuan = models.DecimalField(_("basic charge [yuan]"), default=0, **MONEY)
    power_factor = models.DecimalField(
        _("power factor"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    power_factor_yuan = models.DecimalField(_("power-factor adjustment [yuan]"), default=0, **MONEY)
    funds_yuan = models.DecimalField(_("funds and surcharges [yuan]"), default=0, **MONEY)
    total_yuan = models.DecimalField(_("amount [yuan]"), **MONEY)
    adjusted_total_yuan = models.DecimalField(
        _("amount after adjustments [yuan]"), null=True, blank=True, **MONEY
    )
    inputs = ValuesInsertJSONField(_("calculation inputs"), default=dict)
    calculation = CalculationField(_("calculation"), default=dict)
    review_flags = models.JSONField(_("review flags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BillStatus.choices, default=BillStatus.DRAFT
    )
    prepared_by = models.ForeignKey(
        USER, verbose_name=_("prepared by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_by = models.ForeignKey(
        USER, verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["inputs", "calculation"])

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-period", "customer__account_number"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "period"], name="billing_bill_customer_period_unique")
        ]
        indexes = [
            models.Index(fields=["station", "period"], name="billing_bill_station_period"),
            models.Index(fields=["area", "period"], name="billing_bill_area_period"),
            # The bill list, newest month first by bill number (B + month + 户号): an index walk, no sort.
            models.Index(fields=["-period", "number"], name="billing_bill_list"),
            models.Index(fields=["station", "-period", "number"], name="billing_bill_station_list"),
            # The home page's to-do counts (drafts to check) of the county and of a station.
            models.Index(fields=["status", "station"], name="billing_bill_status_station"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("billing:bill_detail", self.pk)

    @property
    def amount_due_yuan(self):
        """The amount after approved adjustments (the bill's own amount when it has none)."""
        return self.total_yuan if self.adjusted_total_yuan is None else self.adjusted_total_yuan


class BillAdjustment(TimeStampedModel):
    """A refund or back-bill (退补) of one bill: computed, then approved by someone other than its preparer.

    ``amount_yuan`` is signed: negative is a refund to the customer, positive a back-bill.
    """

    bill = models.ForeignKey(
        Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="adjustments"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AdjustmentKind.choices)
    reason = models.TextField(_("reason"))
    inputs = models.JSONField(_("calculation inputs"), default=dict)
    calculation = models.JSONField(_("calculation"), default=dict)
    amount_yuan = models.DecimalField(_("difference [yuan]"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    prepared_by = models.ForeignKey(
        USER, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("refund or back-bill")
        verbose_name_plural = _("refunds and back-bills")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.bill.number} {self.amount_yuan}"

    def get_absolute_url(self) -> str:
        return record_url("billing:adjustment_detail", self.pk)


class CategoryChange(TimeStampedModel):
    """A customer's application to change its tariff category (更改用电申请): checked, then approved.

    The tariff code of a customer changes only here (``services.category_change_approve``).
    """

    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    old_tariff_code = models.CharField(_("old tariff code"), max_length=30)
    new_tariff_code = models.CharField(_("new tariff code"), max_length=30)
    effective_on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    applied_by = models.ForeignKey(
        USER,
        verbose_name=pgettext_lazy("data entry", "entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_by = models.ForeignKey(
        USER, verbose_name=_("checked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("category change")
        verbose_name_plural = _("category changes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.old_tariff_code} -> {self.new_tariff_code}"

    def get_absolute_url(self) -> str:
        return record_url("billing:category_change_detail", self.pk)


class BillingEvent(StateChangeEvent):
    """One state change of a bill, adjustment, category change, book change or anomaly."""

    subject_type = models.CharField(_("record"), max_length=30)
    subject_id = models.PositiveBigIntegerField(_("record id"))
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)

    class Meta:
        verbose_name = _("billing event")
        verbose_name_plural = _("billing events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="billing_event_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: {self.from_status or '-'} -> {self.to_status}"
