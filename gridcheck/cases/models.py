"""Theft (窃电) and violation (违约用电) cases: from a finding to a closed case.

A case holds the facts the inspector entered (``inputs``), the itemised calculation of
``gridcheck_analytics.penalties`` stored as JSON (each figure with its formula, inputs and article), the
customer's signature or refusal of the notice, the approvals, the payments and the three "not let go"
answers that close it. A closed case is a label that detection trains on (``selectors.case_labels``).
Every state change is a ``CaseEvent`` (who, when, from, to); every field change is in the history.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridcheck.cases.choices import (
    ApprovalDecision,
    ApprovalLevel,
    CaseKind,
    CaseStatus,
    LegalStep,
    SettlementKind,
    TheftType,
    ViolationType,
)
from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel


class Case(AuditedModel):
    """A theft or violation case against one customer, at one station, on one date.

    ``station`` repeats ``customer.station`` (set by the service) so that scoping needs no join. The
    computed amounts are kept apart from the inputs: ``calculation`` (items, flags, warnings, rules used)
    and ``total_due_yuan`` are written only by ``services.case_compute``.
    """

    number = models.CharField(_("case number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="cases"
    )
    meter = models.ForeignKey(
        "archive.Meter",
        verbose_name=_("meter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    visit = models.ForeignKey(
        "inspections.Visit",
        verbose_name=_("inspection visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    visit_ref = models.CharField(
        _("inspection visit reference"),
        max_length=60,
        blank=True,
        help_text=_("The inspection visit or work order the finding came from."),
    )
    case_date = models.DateField(_("case date"), help_text=_("Date of the theft or violation."))
    theft_type = models.CharField(_("theft type"), max_length=40, choices=TheftType.choices, blank=True)
    violation_type = models.CharField(
        _("violation type"), max_length=40, choices=ViolationType.choices, blank=True
    )
    facts = models.TextField(_("facts found"), blank=True)
    inputs = models.JSONField(_("calculation inputs"), default=dict, blank=True)
    calc_settings = models.JSONField(
        _("calculation settings"),
        default=dict,
        blank=True,
        help_text=_("The practice variants and rounding settings chosen for this case."),
    )
    capacity_voltage_v = models.DecimalField(
        _("voltage of the capacity formula [V]"),
        max_digits=9,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("The metering point's primary line voltage (secondary voltage × PT ratio)."),
    )
    capacity_reason = models.TextField(
        _("reason for a capacity above the contract"),
        blank=True,
        help_text=_(
            "Required when the theft capacity exceeds what the customer's transformer or contract carries."
        ),
    )

    # Computed (services.case_compute only).
    tariff_code = models.CharField(_("tariff code"), max_length=30, blank=True)
    price_yuan_per_kwh = models.DecimalField(
        _("price [yuan/kWh]"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    calculation = models.JSONField(_("calculation"), default=dict, blank=True)
    total_due_yuan = models.DecimalField(
        _("total due [yuan]"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    police_referral = models.BooleanField(_("flagged for transfer to the police"), default=False)
    needs_county_approval = models.BooleanField(_("needs county approval"), default=False)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    # Notice (通知书) and the customer's answer.
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    signed_by_customer = models.BooleanField(_("signed by the customer"), null=True, blank=True)
    signer_name = models.CharField(_("signed by"), max_length=50, blank=True)
    refusal_note = models.TextField(_("refusal note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted for approval at"), null=True, blank=True)

    # Closing: the three "not let go" (三不放过).
    cause_found = models.TextField(_("cause found"), blank=True)
    responsible_dealt_with = models.TextField(_("those responsible dealt with"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The legal step of the three "not let go".
    legal_step = models.CharField(_("legal step"), max_length=20, choices=LegalStep.choices, blank=True)
    police_transfer_on = models.DateField(_("transferred to the police on"), null=True, blank=True)
    police_reference = models.CharField(_("police receipt number"), max_length=60, blank=True)
    police_receipt = models.FileField(_("police receipt"), upload_to="cases/police/%Y/", blank=True)
    police_receipt_name = models.CharField(_("police receipt file name"), max_length=200, blank=True)
    no_legal_step_reason = models.TextField(_("why no legal step is due"), blank=True)
    # A write-off of the outstanding amount, approved above the station.
    write_off_yuan = models.DecimalField(
        _("write-off [yuan]"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    write_off_reason = models.TextField(_("write-off reason"), blank=True)
    write_off_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("write-off requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    write_off_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("write-off approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    write_off_approved_at = models.DateTimeField(_("write-off approved at"), null=True, blank=True)
    # The settled amount, beside the computed one (never overwrites it).
    settled_amount_yuan = models.DecimalField(
        _("settled amount [yuan]"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    settlement_kind = models.CharField(
        _("settlement kind"), max_length=20, choices=SettlementKind.choices, blank=True
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    settlement_reference = models.CharField(_("settlement document number"), max_length=100, blank=True)
    settlement_document = models.FileField(
        _("settlement document"), upload_to="cases/settlements/%Y/", blank=True
    )
    settlement_document_name = models.CharField(
        _("settlement document file name"), max_length=200, blank=True
    )
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="cases_created",
    )

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-case_date", "-pk"]
        indexes = [models.Index(fields=["station", "status"], name="cases_case_station_status")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="theft") & ~models.Q(theft_type=""))
                | (models.Q(kind="violation") & ~models.Q(violation_type="")),
                name="cases_case_type_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(total_due_yuan__isnull=True) | models.Q(total_due_yuan__gte=0),
                name="cases_case_total_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer.name}"

    def get_absolute_url(self) -> str:
        return record_url("cases:case_detail", self.pk)

    @property
    def type_display(self) -> str:
        return (
            self.get_theft_type_display()
            if self.kind == CaseKind.THEFT
            else self.get_violation_type_display()
        )

    @property
    def amount_due_yuan(self) -> Decimal | None:
        """What the customer must pay: the settled amount when one is recorded, else the computed total."""
        return self.settled_amount_yuan if self.settled_amount_yuan is not None else self.total_due_yuan

    @property
    def label(self) -> int | None:
        """Training label for detection: 1 closed theft, 0 closed without theft (violation), else none."""
        if self.status != CaseStatus.CLOSED:
            return None
        return 1 if self.kind == CaseKind.THEFT else 0


class CaseApproval(models.Model):
    """One approval decision on a case: level (station head or county), who, approve or reject, why.

    The creator of a case may never approve it (``services.case_approve``).
    """

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="approvals")
    level = models.CharField(_("level"), max_length=20, choices=ApprovalLevel.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approver"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=ApprovalDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    SCOPE_STATION = "case__station_id"
    SCOPE_AREA = "case__customer__area_id"

    class Meta:
        verbose_name = _("case approval")
        verbose_name_plural = _("case approvals")
        ordering = ["case", "decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level} {self.decision}"


class Payment(models.Model):
    """A payment of a case's amount, with its receipt number (收据号)."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="payments")
    amount_yuan = models.DecimalField(
        _("amount [yuan]"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("paid on"))
    receipt_number = models.CharField(_("receipt number"), max_length=50, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    SCOPE_STATION = "case__station_id"
    SCOPE_AREA = "case__customer__area_id"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["case", "paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yuan__gt=0), name="cases_payment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount_yuan}"


class CaseEvent(StateChangeEvent):
    """One state change of a case: who, when, from which status to which, and a note."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), CaseStatus, blank=True)
    to_status = status_field(_("to"), CaseStatus)

    subject_field = "case"
    SCOPE_STATION = "case__station_id"
    SCOPE_AREA = "case__customer__area_id"

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "pk"]
