"""Safety hazards at customers (安全隐患) and the 1+1+1 network (government + customer + utility).

Every model records its changes (``AuditedModel``); every status change of a hazard also writes a
``HazardEvent`` (who, when, from -> to, note) through ``gridcheck.hazards.services``. Scoping:
``SCOPE_STATION`` / ``SCOPE_AREA`` name the lookups used by ``gridcheck.core.scoping``. Customer portal
users are not scoped by station: their views check ``portal_customer_for(user)`` themselves.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel
from gridcheck.hazards.choices import (
    OPEN_STATUSES,
    DeliveryChannel,
    DrillStatus,
    HazardCategory,
    HazardSeverity,
    HazardStatus,
    NoticeKind,
    PhotoStage,
)


class CustomerContact(AuditedModel):
    """A person at a customer who receives hazard notices; ``portal_user`` logs in to the portal.

    A user linked here as ``portal_user`` is a customer portal user: they see only this customer's
    hazards, notices and deadlines (see ``portal_customer_for``).
    """

    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="safety_contacts",
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role at the customer"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    receives_notices = models.BooleanField(_("receives hazard notices"), default=True)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer_contact",
    )

    SCOPE_STATION = "customer__station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("customer contact")
        verbose_name_plural = _("customer contacts")
        ordering = ["customer", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer.name})"


class GovernmentContact(AuditedModel):
    """A contact at a county government department (e.g. the energy authority) in the 1+1+1 network."""

    department = models.CharField(_("department"), max_length=100)
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address for paper delivery"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    SCOPE_STATION = None
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("government contact")
        verbose_name_plural = _("government contacts")
        ordering = ["department", "name"]

    def __str__(self) -> str:
        return f"{self.department} {self.name}"


class CustomerSafetyProfile(AuditedModel):
    """Safety facts of a high-risk or important customer: supply sources, own generation, emergency plan."""

    customer = models.OneToOneField(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="safety_profile",
    )
    risk_reason = models.CharField(_("why high-risk or important"), max_length=200, blank=True)
    has_dual_supply = models.BooleanField(_("dual supply"), default=False)
    supply_sources = models.CharField(_("supply sources"), max_length=200, blank=True)
    has_self_generator = models.BooleanField(_("self-owned generator"), default=False)
    generator_capacity_kw = models.DecimalField(
        _("generator capacity [kW]"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    generator_interlocked = models.BooleanField(_("generator interlocked with the grid"), default=False)
    emergency_plan_title = models.CharField(_("emergency plan"), max_length=200, blank=True)
    emergency_plan_approved_on = models.DateField(_("emergency plan approved on"), null=True, blank=True)
    emergency_plan_file = models.FileField(
        _("emergency plan file"), upload_to="hazards/plans/%Y/", blank=True
    )

    SCOPE_STATION = "customer__station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("customer safety profile")
        verbose_name_plural = _("customer safety profiles")
        ordering = ["customer"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(generator_capacity_kw__isnull=True)
                | models.Q(generator_capacity_kw__gt=0),
                name="hazards_profile_generator_capacity_positive",
            )
        ]

    def __str__(self) -> str:
        return str(self.customer)


class Drill(AuditedModel):
    """A yearly anti-accident drill (反事故演练) at a high-risk or important customer."""

    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="drills"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.CharField(_("scenario"), max_length=200)
    scheduled_on = models.DateField(_("scheduled on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DrillStatus.choices, default=DrillStatus.PLANNED
    )
    participants = models.TextField(_("participants"), blank=True)
    findings = models.TextField(_("findings"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-scheduled_on"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="held") | models.Q(held_on__isnull=False),
                name="hazards_drill_held_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer.name} {self.scenario}"


class Hazard(AuditedModel):
    """A safety hazard (安全隐患) found at a customer, with its rectification deadline and status.

    ``station`` repeats ``customer.station`` (set by the service) so that scoping needs no join.
    ``found_by_inspection_ref`` names the inspection that found it until the inspections app exists.
    """

    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="hazards"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="hazards"
    )
    found_by_inspection_ref = models.CharField(_("inspection reference"), max_length=50, blank=True)
    category = models.CharField(_("category"), max_length=40, choices=HazardCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=HazardSeverity.choices)
    description = models.TextField(pgettext_lazy("hazard", "description"))
    consequence = models.TextField(_("possible consequence"), blank=True)
    advice = models.TextField(_("rectification advice"), blank=True)
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("rectification deadline"))
    responsible_person = models.CharField(_("responsible person at the customer"), max_length=50)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=30, blank=True)
    responsible_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards_responsible",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=HazardStatus.choices, default=HazardStatus.FOUND
    )
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hazards_found",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["station", "status"], name="hazards_hazard_station_status"),
            models.Index(fields=["status", "deadline"], name="hazards_hazard_status_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("found_on")),
                name="hazards_hazard_deadline_after_found",
                violation_error_message=_("The rectification deadline cannot be before the finding date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer.name} · {self.get_category_display()}"

    def get_absolute_url(self) -> str:
        return record_url("hazards:hazard_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def days_left(self) -> int:
        """Days until the deadline (negative when past) [d]."""
        return (self.deadline - timezone.localdate()).days


class HazardPhoto(TimeStampedModel):
    """A photo of a hazard as found (before) or after its rectification."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=PhotoStage.choices)
    image = models.ImageField(_("photo"), upload_to="hazards/photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    SCOPE_STATION = "hazard__station_id"
    SCOPE_AREA = "hazard__customer__area_id"

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard", "stage", "pk"]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_stage_display()}"


class HazardEvent(StateChangeEvent):
    """One step of a hazard's life: who moved it, when, from which status to which, and why."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = status_field(_("from"), HazardStatus, blank=True)
    to_status = status_field(_("to"), HazardStatus)

    subject_field = "hazard"
    SCOPE_STATION = "hazard__station_id"
    SCOPE_AREA = "hazard__customer__area_id"

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["hazard", "at", "pk"]


class Notice(AuditedModel):
    """A document of the 1+1+1 network: a monthly notice or summary, a quarterly briefing, a warning.

    One row per kind, period and addressee (a customer, or the government for summaries and briefings):
    a second run of the same month finds the row and sends nothing again. ``period`` is ``YYYY-MM`` for
    monthly documents and ``YYYYQn`` for briefings.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    period = models.CharField(_("period"), max_length=10)
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazard_notices",
    )
    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    hazards = models.ManyToManyField(Hazard, verbose_name=_("hazards"), blank=True, related_name="notices")
    pdf = models.FileField(_("PDF"), upload_to="hazards/notices/%Y/", blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=DeliveryChannel.choices, blank=True)
    emailed_to = models.TextField(_("emailed to"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    paper_required = models.BooleanField(_("paper copy required"), default=False)
    paper_delivered_on = models.DateField(_("paper copy delivered on"), null=True, blank=True)
    paper_received_by = models.CharField(_("received by"), max_length=50, blank=True)
    paper_receipt = models.FileField(_("delivery receipt"), upload_to="hazards/receipts/%Y/", blank=True)
    note = models.TextField(_("note"), blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-period", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "customer"],
                condition=models.Q(customer__isnull=False)
                & ~models.Q(kind__in=["risk_warning", "customer_supplementary"]),
                name="hazards_notice_unique_customer_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "period"],
                condition=models.Q(customer__isnull=True) & ~models.Q(kind="risk_warning"),
                name="hazards_notice_unique_county_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("hazards:notice_detail", self.pk)

    @property
    def paper_pending(self) -> bool:
        return self.paper_required and self.paper_delivered_on is None
