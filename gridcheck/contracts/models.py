"""Supply contracts (供用电合同): the contract register, its attached agreements, extensions, the loan
register of the paper file, the links to violation / theft cases, and the state-change log.

Scoping: a contract repeats its customer's station (``station``, set by the service) so that scoping
needs no join; its area is the customer's. Child rows scope through their contract.

Residential customers are covered by the residential notice (居民用电须知) issued with every residential
connection: the register need not hold one row per household (see ``selectors.customer_is_covered``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridcheck.contracts.choices import AgreementKind, ContractKind, ContractStatus
from gridcheck.core.events import StateChangeEvent, status_field
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel


class Contract(AuditedModel):
    """One supply contract with one customer: its parties, term, status, the seven clauses and the scan.

    The status is changed only by ``services`` (each change logged as a ``ContractEvent``). A term longer
    than the station's normal term (rule ``contracts.term_years``) needs ``term_approved_by``, a user other
    than ``prepared_by`` holding APPROVE_STATION.
    """

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ContractKind.choices)
    customer = models.ForeignKey(
        "archive.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="contracts"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        db_index=True,
    )
    supplier_signatory = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supplier's signatory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    supplier_signatory_name = models.CharField(_("supplier's signatory (name)"), max_length=100, blank=True)
    customer_signatory = models.CharField(_("customer's signatory"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    term_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("longer term approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    term_approved_on = models.DateField(_("longer term approved on"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacements",
        help_text=_("The contract this draft will supersede when it is signed."),
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)

    # The scan of the signed paper contract (through gridcheck.core.uploads only).
    scanned_file = models.FileField(_("scanned contract"), upload_to="contracts/scans/%Y/", blank=True)
    scanned_file_name = models.CharField(_("scanned file name"), max_length=200, blank=True)
    scanned_content_type = models.CharField(_("scanned file type"), max_length=100, blank=True)
    scanned_sha256 = models.CharField(_("scanned file SHA-256"), max_length=64, blank=True)

    # The seven mandatory clauses of a non-standard contract (structured where another row checks them).
    clause_supply = models.TextField(_("supply mode, quality and hours"), blank=True)
    clause_capacity_use = models.TextField(_("capacity, address and nature of use"), blank=True)
    capacity_kva = models.DecimalField(
        _("contracted capacity [kVA]"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    clause_metering_tariff = models.TextField(_("metering, tariff and settlement"), blank=True)
    tariff_code = models.CharField(_("tariff code"), max_length=30, blank=True)
    clause_boundary = models.TextField(_("maintenance-responsibility boundary"), blank=True)
    clause_term = models.TextField(_("term"), blank=True)
    clause_liability = models.TextField(_("liability for breach"), blank=True)
    clause_other = models.TextField(_("other agreed clauses"), blank=True)
    theft_liability_acknowledged = models.BooleanField(
        _("customer acknowledged legal liability for theft"), default=False
    )
    theft_liability_acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "customer__area_id"

    class Meta:
        verbose_name = _("supply contract")
        verbose_name_plural = _("supply contracts")
        ordering = ["-valid_from", "number"]
        indexes = [models.Index(fields=["station", "status", "valid_to"], name="contract_station_status_to")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")), name="contract_valid_to_after_from"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("contracts:contract_detail", self.pk)

    @property
    def supplier_signatory_display(self) -> str:
        if self.supplier_signatory_id:
            user = self.supplier_signatory
            return user.get_full_name() or user.get_username()
        return self.supplier_signatory_name


class ContractEvent(StateChangeEvent):
    """One status change of a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    from_status = status_field(_("from"), ContractStatus, blank=True)
    to_status = status_field(_("to"), ContractStatus)

    subject_field = "contract"
    SCOPE_STATION = "contract__station_id"
    SCOPE_AREA = "contract__customer__area_id"

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["at", "pk"]


class ContractAgreement(TimeStampedModel):
    """A dispatch, own-generation or settlement agreement attached to (and part of) a contract.

    It may not contradict the contract: a stated capacity above the contract's, another tariff, or a
    term outside the contract's is refused by ``services.agreement_add``.
    """

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="agreements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    number = models.CharField(_("agreement number"), max_length=40, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    capacity_kva = models.DecimalField(
        _("stated capacity [kVA]"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    tariff_code = models.CharField(_("stated tariff code"), max_length=30, blank=True)
    content = models.TextField(_("content"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    SCOPE_STATION = "contract__station_id"
    SCOPE_AREA = "contract__customer__area_id"

    class Meta:
        verbose_name = _("attached agreement")
        verbose_name_plural = _("attached agreements")
        ordering = ["contract", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.get_kind_display()} {self.number}".strip()


class ContractExtension(TimeStampedModel):
    """A renewal (extension) of a contract, confirmed in writing by both sides."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="extensions"
    )
    previous_valid_to = models.DateField(_("previous end"))
    new_valid_to = models.DateField(_("new end"))
    supplier_confirmed_on = models.DateField(_("confirmed by the supplier on"))
    customer_confirmed_on = models.DateField(_("confirmed by the customer on"))
    confirmation_file = models.FileField(
        _("written confirmation"), upload_to="contracts/extensions/%Y/", blank=True
    )
    confirmation_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    confirmation_content_type = models.CharField(_("file type"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    SCOPE_STATION = "contract__station_id"
    SCOPE_AREA = "contract__customer__area_id"

    class Meta:
        verbose_name = _("contract extension")
        verbose_name_plural = _("contract extensions")
        ordering = ["contract", "new_valid_to"]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.previous_valid_to} -> {self.new_valid_to}"


class ContractFileLoan(TimeStampedModel):
    """The paper file of a contract lent out: to whom, when, due back, returned on."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="loans"
    )
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("borrower"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    borrower_name = models.CharField(_("borrower (name)"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    lent_on = models.DateField(_("lent on"))
    due_on = models.DateField(_("due back on"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received back by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    SCOPE_STATION = "contract__station_id"
    SCOPE_AREA = "contract__customer__area_id"

    class Meta:
        verbose_name = _("file loan")
        verbose_name_plural = _("file loans")
        ordering = ["-lent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=models.Q(returned_on__isnull=True),
                name="contract_one_open_loan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.borrower_display} {self.lent_on}"

    @property
    def borrower_display(self) -> str:
        if self.borrower_id:
            return self.borrower.get_full_name() or self.borrower.get_username()
        return self.borrower_name


class ContractCaseLink(TimeStampedModel):
    """A breach of the contract found by an inspector: the violation or theft case it led to."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="case_links"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="contract_links"
    )
    automatic = models.BooleanField(_("linked automatically"), default=True)

    SCOPE_STATION = "contract__station_id"
    SCOPE_AREA = "contract__customer__area_id"

    class Meta:
        verbose_name = _("contract breach case")
        verbose_name_plural = _("contract breach cases")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["contract", "case"], name="contract_case_link_unique")]

    def __str__(self) -> str:
        return f"{self.contract_id} - {self.case_id}"


class ContractReminder(models.Model):
    """An expiry reminder already sent for a contract at one threshold (days before its end): the daily
    job reminds once per contract, end date and threshold."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="reminders"
    )
    valid_to = models.DateField(_("end reminded of"))
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    sent_on = models.DateField(_("sent on"))

    SCOPE_STATION = "contract__station_id"
    SCOPE_AREA = "contract__customer__area_id"

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "valid_to", "days_before"], name="contract_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.days_before} d before {self.valid_to}"
