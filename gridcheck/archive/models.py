"""The archive (档案): company > station > line > area (台区) > customer > metering point > meter.

Every model records its changes (``AuditedModel``). Scoping: ``SCOPE_STATION`` is the lookup from the
model to its station's id and ``SCOPE_AREA`` the lookup to its area's id; a parent above areas instead
names ``SCOPE_AREA_PARENT``, the field of ``Area`` that points at it (see ``gridcheck.core.scoping``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcheck.archive.choices import (
    CustomerCategory,
    CustomerStatus,
    InspectionClass,
    MeterPhase,
    MeterStatus,
    TariffCategory,
    VoltageLevel,
)
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel

POSITIVE = [MinValueValidator(Decimal("0.0001"))]


class Company(AuditedModel):
    """A county supply company (县供电公司): the root of the archive."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    SCOPE_STATION = None
    SCOPE_AREA = None
    SCOPE_AREA_PARENT = "station__company_id"

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Station(AuditedModel):
    """A supply station (供电所): owns areas, staff and seals."""

    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT, related_name="stations"
    )
    code = models.CharField(_("station code"), max_length=20, unique=True)
    name = models.CharField(_("station name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    SCOPE_STATION = "pk"
    # A filter dropdown lists it by this field, its str(), read without loading the rows as objects.
    CHOICE_LABEL_FIELD = "name"
    SCOPE_AREA = None
    SCOPE_AREA_PARENT = "station_id"

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("archive:station_detail", self.pk)


class Line(AuditedModel):
    """A 10 kV feeder line (10 kV 馈线) of a station."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="lines"
    )
    code = models.CharField(_("line code"), max_length=30, unique=True)
    name = models.CharField(_("line name"), max_length=100)
    voltage_kv = models.DecimalField(_("voltage [kV]"), max_digits=6, decimal_places=2, default=Decimal("10"))
    substation = models.CharField(_("substation"), max_length=100, blank=True)

    SCOPE_STATION = "station_id"
    # A filter dropdown lists it by this field, its str(), read without loading the rows as objects.
    CHOICE_LABEL_FIELD = "name"
    SCOPE_AREA = None
    SCOPE_AREA_PARENT = "line_id"

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["code"]
        indexes = [models.Index(fields=["station", "code"], name="archive_line_station_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("archive:line_detail", self.pk)


class Area(AuditedModel):
    """A transformer area (台区): everything fed by one distribution transformer; the unit of line loss.

    ``station`` repeats ``line.station`` (set by the service) so that scoping needs no join.
    """

    line = models.ForeignKey(Line, verbose_name=_("line"), on_delete=models.PROTECT, related_name="areas")
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="areas"
    )
    code = models.CharField(_("area code"), max_length=30, unique=True)
    name = models.CharField(_("area name"), max_length=100)
    capacity_kva = models.DecimalField(
        _("transformer capacity [kVA]"), max_digits=10, decimal_places=2, validators=POSITIVE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("area manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_areas",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    SCOPE_STATION = "station_id"
    # A filter dropdown lists it by this field, its str(), read without loading the rows as objects.
    CHOICE_LABEL_FIELD = "name"
    SCOPE_AREA = "pk"

    class Meta:
        verbose_name = _("transformer area")
        verbose_name_plural = _("transformer areas")
        ordering = ["code"]
        indexes = [models.Index(fields=["station", "code"], name="archive_area_station_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity_kva__gt=0), name="archive_area_capacity_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("archive:area_detail", self.pk)


class Tariff(AuditedModel):
    """One version of a state tariff (电价), in force from ``effective_from`` until the next version.

    The catalogue is reference data: a customer names a tariff ``code``; the price that applies on a
    date is the version in force on that date (``archive.selectors.tariff_in_force``).
    """

    code = models.CharField(_("tariff code"), max_length=30)
    name = models.CharField(_("tariff name"), max_length=100)
    category = models.CharField(_("tariff category"), max_length=30, choices=TariffCategory.choices)
    voltage_level = models.CharField(
        _("voltage level"), max_length=10, choices=VoltageLevel.choices, blank=True
    )
    price_yuan_per_kwh = models.DecimalField(_("price [yuan/kWh]"), max_digits=8, decimal_places=4)
    is_time_of_use = models.BooleanField(_("time-of-use"), default=False)
    # Time-of-use prices (峰谷分时): ``price_yuan_per_kwh`` is the flat (平) price.
    peak_price_yuan_per_kwh = models.DecimalField(
        _("peak price [yuan/kWh]"), max_digits=8, decimal_places=4, null=True, blank=True, validators=POSITIVE
    )
    valley_price_yuan_per_kwh = models.DecimalField(
        _("valley price [yuan/kWh]"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    sharp_price_yuan_per_kwh = models.DecimalField(
        _("sharp-peak price [yuan/kWh]"),
        max_digits=8,
        decimal_places=4,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    # Two-part tariff (两部制): the basic charge by capacity or by maximum demand.
    basic_price_yuan_per_kva_month = models.DecimalField(
        _("basic price by capacity [yuan/kVA/month]"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    basic_price_yuan_per_kw_month = models.DecimalField(
        _("basic price by demand [yuan/kW/month]"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    is_tiered = models.BooleanField(_("annual tiers (阶梯)"), default=False)
    effective_from = models.DateField(_("effective from"))
    source = models.CharField(_("source document"), max_length=200, blank=True)

    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"], name="archive_tariff_code_effective_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(price_yuan_per_kwh__gt=0), name="archive_tariff_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"


class Customer(AuditedModel):
    """A customer account (用电客户), identified by its account number (户号).

    ``station`` repeats ``area.station`` (set by the service) so that scoping and station filters need
    no join, even with millions of customers.
    """

    # The history is read by the customer's id and the change's date (core.models.AuditedHistoricalRecords).
    history_unindexed_fields = ("account_number", "name", "area", "station")

    account_number = models.CharField(_("account number"), max_length=30, unique=True)
    name = models.CharField(_("customer name"), max_length=100, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # No index of their own: the composite indexes below lead with them (and the history's pages look
    # customers up by id and time), so an import of a million customers keeps four indexes fewer.
    area = models.ForeignKey(
        Area,
        verbose_name=_("transformer area"),
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,
    )
    category = models.CharField(_("customer category"), max_length=20, choices=CustomerCategory.choices)
    voltage_level = models.CharField(_("voltage level"), max_length=10, choices=VoltageLevel.choices)
    contracted_capacity_kva = models.DecimalField(
        _("contracted capacity [kVA]"), max_digits=10, decimal_places=2, validators=POSITIVE
    )
    tariff_code = models.CharField(_("tariff code"), max_length=30)
    inspection_class = models.CharField(_("inspection class"), max_length=1, choices=InspectionClass.choices)
    is_high_risk = models.BooleanField(_("high-risk"), default=False)
    is_important = models.BooleanField(_("important customer"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE
    )
    connected_on = models.DateField(_("connected on"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["account_number"]
        indexes = [
            models.Index(fields=["station", "account_number"], name="archive_cust_station_acct"),
            models.Index(fields=["area", "account_number"], name="archive_cust_area_acct"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contracted_capacity_kva__gt=0), name="archive_customer_capacity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_number} {self.name}"

    def get_absolute_url(self) -> str:
        return record_url("archive:customer_detail", self.pk)


class MeteringPoint(AuditedModel):
    """A metering point (计量点) of a customer, with its CT and PT ratios.

    ``multiplier`` (综合倍率) = ``ct_ratio`` x ``pt_ratio`` is derived once, by the service that saves
    the point, and every energy figure uses it: energy [kWh] = register difference x multiplier.
    """

    history_unindexed_fields = ("code", "customer")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="metering_points"
    )
    code = models.CharField(_("metering point code"), max_length=30, unique=True)
    name = models.CharField(_("metering point name"), max_length=100, blank=True)
    ct_primary_a = models.DecimalField(
        _("CT rated primary current [A]"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    ct_ratio = models.DecimalField(
        _("CT ratio"), max_digits=10, decimal_places=2, default=1, validators=POSITIVE
    )
    pt_ratio = models.DecimalField(
        _("PT ratio"), max_digits=10, decimal_places=2, default=1, validators=POSITIVE
    )
    multiplier = models.DecimalField(
        _("multiplier"), max_digits=14, decimal_places=2, editable=False, default=1
    )

    SCOPE_STATION = "customer__station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("metering point")
        verbose_name_plural = _("metering points")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ct_ratio__gt=0), name="archive_mp_ct_ratio_positive"),
            models.CheckConstraint(condition=models.Q(pt_ratio__gt=0), name="archive_mp_pt_ratio_positive"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return record_url("archive:meteringpoint_detail", self.pk)

    @staticmethod
    def derive_multiplier(ct_ratio: Decimal, pt_ratio: Decimal) -> Decimal:
        """Billing multiplier (综合倍率) [-] = CT ratio x PT ratio."""
        return (Decimal(ct_ratio) * Decimal(pt_ratio)).quantize(Decimal("0.01"))

    def save(self, *args, **kwargs):
        self.multiplier = self.derive_multiplier(self.ct_ratio, self.pt_ratio)
        super().save(*args, **kwargs)


class Meter(AuditedModel):
    """An energy meter (电能表) installed at a metering point."""

    history_unindexed_fields = ("asset_number", "metering_point")

    metering_point = models.ForeignKey(
        MeteringPoint, verbose_name=_("metering point"), on_delete=models.CASCADE, related_name="meters"
    )
    asset_number = models.CharField(_("meter asset number"), max_length=40, unique=True)
    phase = models.CharField(_("phase"), max_length=10, choices=MeterPhase.choices)
    accuracy_class = models.CharField(_("accuracy class"), max_length=10)
    rated_current_a = models.DecimalField(
        _("rated (basic) current [A]"), max_digits=8, decimal_places=2, validators=POSITIVE
    )
    max_current_a = models.DecimalField(
        _("maximum current [A]"), max_digits=8, decimal_places=2, null=True, blank=True, validators=POSITIVE
    )
    rated_voltage_v = models.DecimalField(
        _("rated voltage [V]"), max_digits=8, decimal_places=1, default=Decimal("220")
    )
    register_digits = models.PositiveSmallIntegerField(_("register integer digits"), default=6)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    install_date = models.DateField(_("install date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeterStatus.choices, default=MeterStatus.IN_SERVICE
    )

    SCOPE_STATION = "metering_point__customer__station_id"
    SCOPE_AREA = "metering_point__customer__area_id"

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["asset_number"]

    def __str__(self) -> str:
        return self.asset_number

    def get_absolute_url(self) -> str:
        return record_url("archive:meter_detail", self.pk)

    @property
    def current_rating(self) -> str:
        """Current as printed on the nameplate, e.g. ``5(60)A``."""
        base = f"{self.rated_current_a.normalize():f}"
        if self.max_current_a:
            return f"{base}({self.max_current_a.normalize():f})A"
        return f"{base}A"


class ImportBatch(TimeStampedModel):
    """One archive file import: who sent which file, and what came of it.

    A refused file keeps its errors (file, row, column, reason) here and changes nothing else.
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    entity = models.CharField(_("entity"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.BigIntegerField(_("size [bytes]"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    duration_s = models.FloatField(_("duration [s]"), default=0)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entity} {self.file_name}"
