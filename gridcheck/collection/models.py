"""Collection (收): receivables, payments, reversals, late fees, dunning, disconnection, receipts, deposits.

Every issued bill becomes a **receivable** (billing announces ``bills_issued``; ``registrations``
subscribes): due date, amount, what has been paid of it and the late fee accrued so far. A **payment**
(one channel, one collector, one receipt number, one idempotency key) is **allocated** to the customer's
open receivables oldest first, each allocation carrying the late fee charged on it; what is left over is
kept as the **account**'s credit (and a prepaid account is topped up the same way). A payment is never
edited: it is **reversed** (冲帐) with the station head's approval, and a month once **closed** takes no
payment dated in it. Dunning notices, disconnections for arrears and their reconnection, receipt and
invoice stock, bank deposits and remittances complete the station's cash. Every state change is a
``CollectionEvent`` (who, when, from, to, why).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from gridcheck.collection.choices import (
    DecisionStatus,
    DisconnectionStatus,
    DunningChannel,
    DunningStatus,
    PaymentChannel,
    PaymentKind,
    PaymentStatus,
    ReceivableStatus,
    RemittanceStatus,
    StockKind,
    StockStatus,
    YearEndRule,
)
from gridcheck.core.events import StateChangeEvent
from gridcheck.core.links import record_url
from gridcheck.core.models import AuditedModel, TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0.00")


def _user(verbose_name, *, null: bool = True):
    return models.ForeignKey(
        USER, verbose_name=verbose_name, on_delete=models.PROTECT, null=null, blank=null, related_name="+"
    )


class CollectionPolicy(AuditedModel):
    """A company's named late-fee practice (电费违约金计收口径), printed on every statement.

    The rates, the minimum and the first day come from the rule table; these are the practice variants
    on which the rules are silent and companies differ.
    """

    company = models.OneToOneField(
        "archive.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="collection_policy",
    )
    count_payment_day = models.BooleanField(_("the payment day is charged"), default=False)
    year_end = models.CharField(
        _("arrears across the year end"),
        max_length=10,
        choices=YearEndRule.choices,
        default=YearEndRule.SPLIT,
    )
    reprice_on_tariff_rise = models.BooleanField(
        _("re-price the principal when the tariff rose while unpaid"), default=False
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days after the due date"), default=0)
    minimum_applies_to = models.CharField(
        _("the 1 yuan minimum applies to"),
        max_length=10,
        choices=[("bill", _("each bill")), ("payment", _("the whole payment"))],
        default="bill",
    )

    class Meta:
        verbose_name = _("late-fee practice")
        verbose_name_plural = _("late-fee practices")

    def __str__(self) -> str:
        return str(self.company)


class Account(TimeStampedModel):
    """A customer's collection account: credit left by overpayments, or a prepaid balance.

    ``credit_yuan`` is money the company holds for the customer (never negative); a prepaid account's
    bills are paid from it when they are issued. ``low_balance_yuan`` warns a prepaid customer.
    """

    customer = models.OneToOneField(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="collection_account",
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    credit_yuan = models.DecimalField(_("credit [yuan]"), default=ZERO, **MONEY)
    is_prepaid = models.BooleanField(_("prepaid account"), default=False)
    low_balance_yuan = models.DecimalField(_("low-balance warning [yuan]"), default=ZERO, **MONEY)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("collection account")
        verbose_name_plural = _("collection accounts")
        ordering = ["customer__account_number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_yuan__gte=0), name="collection_account_credit_gte_0"
            )
        ]

    def __str__(self) -> str:
        return str(self.customer)

    def get_absolute_url(self) -> str:
        return reverse("collection:account_detail", args=[self.customer_id])


class Receivable(TimeStampedModel):
    """What a customer owes on one issued bill (应收): amount, paid, late fee, due date, status.

    ``amount_yuan`` follows the bill's amount after approved adjustments (a refund lowers it; money paid
    above it goes to the account's credit). ``late_fee_accrued_yuan`` is the fee to date of the last
    accrual run (the nightly job); the fee actually charged is fixed when a payment settles the balance.
    """

    bill = models.OneToOneField(
        "billing.Bill", verbose_name=_("bill"), on_delete=models.PROTECT, related_name="receivable"
    )
    # No single-column indexes on the three keys: the composite indexes below lead with each of them (one
    # index fewer to maintain per key on every posting's UPDATE; a bank file updates a million rows).
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="receivables",
        db_index=False,
    )
    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    area = models.ForeignKey(
        "archive.Area",
        verbose_name=_("transformer area"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    period = models.DateField(_("billing month"))
    issued_on = models.DateField(pgettext_lazy("bill", "issued on"))
    due_date = models.DateField(_("due date"))
    residential = models.BooleanField(_("residential"))
    amount_yuan = models.DecimalField(_("amount [yuan]"), **MONEY)
    paid_yuan = models.DecimalField(_("paid [yuan]"), default=ZERO, **MONEY)
    late_fee_accrued_yuan = models.DecimalField(_("late fee to date [yuan]"), default=ZERO, **MONEY)
    late_fee_accrued_on = models.DateField(_("late fee reckoned on"), null=True, blank=True)
    late_fee_paid_yuan = models.DecimalField(_("late fee paid [yuan]"), default=ZERO, **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=ReceivableStatus.choices, default=ReceivableStatus.OPEN
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(paid_yuan__gte=0), name="collection_receivable_paid_gte_0"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "status", "due_date"], name="collection_recv_customer"),
            models.Index(fields=["station", "status", "due_date"], name="collection_recv_station"),
            models.Index(fields=["area", "period"], name="collection_recv_area_period"),
        ]

    def __str__(self) -> str:
        return str(self.bill)

    @property
    def balance_yuan(self) -> Decimal:
        """Principal still owed (never below zero: a refund below what was paid goes to credit)."""
        return max(self.amount_yuan - self.paid_yuan, ZERO)


class BankFile(TimeStampedModel):
    """One imported bank withholding or agent result file (银行代扣/代收回盘文件).

    ``sha256`` makes a re-imported file a refusal, not a second payment; each row's payment also carries
    its own idempotency key (bank, file date, bank serial).
    """

    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=PaymentChannel.choices)
    bank = models.CharField(_("bank"), max_length=60)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("file digest"), max_length=64, unique=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched_rows = models.PositiveIntegerField(_("matched rows"), default=0)
    unmatched_rows = models.PositiveIntegerField(_("unmatched rows"), default=0)
    total_yuan = models.DecimalField(_("total posted [yuan]"), default=ZERO, **MONEY)
    imported_by = _user(_("imported by"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("bank file")
        verbose_name_plural = _("bank files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return record_url("collection:bank_file_detail", self.pk)


class BankFileRow(models.Model):
    """A row of a bank file that was not posted, and why (unknown account, closed month...): never guessed."""

    bank_file = models.ForeignKey(
        BankFile, verbose_name=_("bank file"), on_delete=models.CASCADE, related_name="unmatched"
    )
    row_number = models.PositiveIntegerField(_("row"))
    account_number = models.CharField(_("account number"), max_length=60)
    amount_yuan = models.DecimalField(_("amount [yuan]"), null=True, blank=True, **MONEY)
    bank_serial = models.CharField(_("bank serial"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("unmatched bank row")
        verbose_name_plural = _("unmatched bank rows")
        ordering = ["bank_file", "row_number"]

    def __str__(self) -> str:
        return f"{self.bank_file_id}:{self.row_number}"


class ReceiptStock(AuditedModel):
    """A receipt book or invoice stock (票据) issued to a collector: numbers ``first_number``..``last_number``.

    Returned stock is checked by someone other than its holder; destroying it needs approval from above.
    """

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=StockKind.choices)
    series = models.CharField(_("series"), max_length=20)
    first_number = models.PositiveIntegerField(_("first number"))
    last_number = models.PositiveIntegerField(_("last number"))
    holder = models.ForeignKey(
        USER, verbose_name=_("collector"), on_delete=models.PROTECT, related_name="receipt_stock"
    )
    issued_by = _user(_("issued by"))
    status = models.CharField(
        _("status"), max_length=20, choices=StockStatus.choices, default=StockStatus.ISSUED
    )
    checked_by = _user(_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    destroy_requested_by = _user(_("destruction requested by"))
    destroy_approved_by = _user(_("destruction approved by"))
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("receipt stock")
        verbose_name_plural = _("receipt stock")
        ordering = ["kind", "series", "first_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "series", "first_number"], name="collection_stock_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(last_number__gte=models.F("first_number")), name="collection_stock_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.first_number:08d}-{self.last_number:08d}"

    def get_absolute_url(self) -> str:
        return record_url("collection:stock_detail", self.pk)


class ReceiptCancellation(TimeStampedModel):
    """A spoiled or cancelled receipt/invoice number (作废): checked by someone other than the collector."""

    stock = models.ForeignKey(
        ReceiptStock, verbose_name=_("receipt stock"), on_delete=models.PROTECT, related_name="cancellations"
    )
    number = models.PositiveIntegerField(_("number"))
    reason = models.TextField(_("reason"))
    cancelled_by = _user(_("cancelled by"), null=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    checked_by = _user(_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    SCOPE_STATION = "stock__station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("receipt cancellation")
        verbose_name_plural = _("receipt cancellations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["stock", "number"], name="collection_cancellation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.stock.series} {self.number:08d}"


class Payment(TimeStampedModel):
    """Money received from a customer (实收): never edited, only reversed with approval.

    ``idempotency_key`` is unique: a double submit, a re-imported bank file or a retried API request
    finds the payment it already made instead of paying twice. ``received_on`` (Asia/Shanghai) decides
    the month the payment belongs to; a closed month takes no payment.

    Its change history is kept like every audited record's; the history table indexes only what its
    pages look up (the payment's key and the time), because a bank file writes a million of them at once.
    The payment table's lone customer, station and collector indexes are left out: each leads a
    composite index below; the collector's and the receipt stock's index only rows that have one.
    """

    history = HistoricalRecords(
        no_db_index=[
            "number",
            "idempotency_key",
            "customer",
            "station",
            "area",
            "collector",
            "receipt_stock",
            "bank_file",
            "history_user",
        ]
    )

    number = models.CharField(_("payment number"), max_length=40)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    # The customer's station and area when the payment was posted, kept for scoping (no join): copies of
    # the customer's keys, so the database checks only the customer's key (``db_constraint=False``; the
    # ORM still refuses to delete a station or area with payments). A bank file's million rows then make
    # a million key checks instead of three million.
    station = models.ForeignKey(
        "archive.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    area = models.ForeignKey(
        "archive.Area",
        verbose_name=_("transformer area"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.BILLS)
    channel = models.CharField(_("channel"), max_length=20, choices=PaymentChannel.choices)
    amount_yuan = models.DecimalField(_("amount [yuan]"), **MONEY)
    principal_yuan = models.DecimalField(_("to bills [yuan]"), default=ZERO, **MONEY)
    late_fee_yuan = models.DecimalField(_("to late fees [yuan]"), default=ZERO, **MONEY)
    credit_yuan = models.DecimalField(_("to credit [yuan]"), default=ZERO, **MONEY)
    received_at = models.DateTimeField(_("received at"))
    received_on = models.DateField(_("payment day"))
    collector = models.ForeignKey(
        USER,
        verbose_name=_("collector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    receipt_stock = models.ForeignKey(
        ReceiptStock,
        verbose_name=_("receipt stock"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        db_index=False,
    )
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    bank_file = models.ForeignKey(
        BankFile,
        verbose_name=_("bank file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )
    bank_serial = models.CharField(_("bank serial"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.POSTED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # Constraints, not ``unique=True``: PostgreSQL then keeps no second (LIKE) index of each.
            models.UniqueConstraint(fields=["number"], name="collection_payment_number_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="collection_payment_key_unique"),
            models.CheckConstraint(
                condition=models.Q(amount_yuan__gt=0), name="collection_payment_amount_gt_0"
            ),
        ]
        indexes = [
            models.Index(fields=["station", "received_on"], name="collection_pay_station_day"),
            # Only counter and electrician payments have a collector and a receipt: a bank file's
            # million rows then add nothing to these two indexes.
            models.Index(
                fields=["collector", "received_on"],
                name="collection_pay_collector_day",
                condition=models.Q(collector__isnull=False),
            ),
            models.Index(
                fields=["receipt_stock"],
                name="collection_pay_receipt_stock",
                condition=models.Q(receipt_stock__isnull=False),
            ),
            models.Index(fields=["customer", "received_at"], name="collection_pay_customer"),
            # A receipt number is checked unused in its station before each counter payment: without
            # this the check read every payment of the station (8 ms at 18,000). Bank rows have none.
            models.Index(
                fields=["station", "receipt_number"],
                name="collection_pay_receipt_no",
                condition=~models.Q(receipt_number=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("collection:payment_detail", self.pk)


class PaymentAllocation(models.Model):
    """The part of a payment that went to one receivable: principal and the late fee charged on it.

    ``late_fee_calculation`` is the itemised late-fee calculation (lines, rule rows, the practice).
    """

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="allocations"
    )
    receivable = models.ForeignKey(
        Receivable, verbose_name=_("receivable"), on_delete=models.PROTECT, related_name="allocations"
    )
    principal_yuan = models.DecimalField(_("principal [yuan]"), default=ZERO, **MONEY)
    late_fee_yuan = models.DecimalField(_("late fee [yuan]"), default=ZERO, **MONEY)
    late_fee_calculation = models.JSONField(_("late-fee calculation"), default=dict, blank=True)

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        ordering = ["payment", "pk"]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.receivable_id}"


class Reversal(TimeStampedModel):
    """A request to reverse a payment (冲帐): a reason, the station head's approval, never its requester's.

    ``suspicious``: requested more days after the receipt than the rule allows (``collection.reversal_
    suspicious_after_days``); the audit rules list these.
    """

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="reversals"
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    requested_by = _user(_("requested by"), null=False)
    status = models.CharField(
        _("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PENDING
    )
    decided_by = _user(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    days_after_receipt = models.PositiveIntegerField(_("days after the receipt"), default=0)
    suspicious = models.BooleanField(_("suspicious (late reversal)"), default=False)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("reversal")
        verbose_name_plural = _("reversals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.payment} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return record_url("collection:reversal_detail", self.pk)


class MonthClose(models.Model):
    """A station's collection month closed (月结): its payments can no longer be posted or reversed."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    closed_by = _user(_("closed by"))
    closed_at = models.DateTimeField(_("closed at"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("month close")
        verbose_name_plural = _("month closes")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="collection_month_close_unique")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.month:%Y-%m}"


class DunningNotice(TimeStampedModel):
    """A dunning notice (催费通知) to one customer for its overdue bills: paper (delivered and signed for by
    the area electrician) or SMS/WeChat through the notifications outbox. ``sequence`` counts the notices
    of the same arrears (the schedule decides when the next one is due)."""

    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="dunning_notices",
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    receivables = models.ManyToManyField(Receivable, verbose_name=_("bills"), related_name="dunning_notices")
    number = models.CharField(_("notice number"), max_length=40, unique=True)
    sequence = models.PositiveSmallIntegerField(_("notice no."), default=1)
    channel = models.CharField(_("channel"), max_length=10, choices=DunningChannel.choices)
    arrears_yuan = models.DecimalField(_("arrears [yuan]"), **MONEY)
    late_fee_yuan = models.DecimalField(_("late fee to date [yuan]"), default=ZERO, **MONEY)
    pay_by = models.DateField(_("pay by"))
    status = models.CharField(
        _("status"), max_length=10, choices=DunningStatus.choices, default=DunningStatus.ISSUED
    )
    issued_by = _user(_("issued by"))
    delivered_by = _user(_("delivered by"))
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivery_note = models.CharField(_("delivery record"), max_length=200, blank=True)
    notification_id = models.PositiveBigIntegerField(_("outbox message"), null=True, blank=True)

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("dunning notice")
        verbose_name_plural = _("dunning notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="collection_dunning_customer")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("collection:dunning_detail", self.pk)


class Disconnection(TimeStampedModel):
    """Disconnection for arrears (欠费停电) and the reconnection after payment.

    Proposed after repeated dunning; approved by the business head (the station head), and for an
    important or high-risk customer by the county as well; the notice is served and cutting waits the
    notice period (rule table), with a reminder before it; executed through a work order; when the arrears
    are paid the reconnection is ordered at once (a second work order).
    """

    customer = models.ForeignKey(
        "archive.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="disconnections",
    )
    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "archive.Area", verbose_name=_("transformer area"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    arrears_yuan = models.DecimalField(_("arrears [yuan]"), **MONEY)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=DisconnectionStatus.choices, default=DisconnectionStatus.PROPOSED
    )
    needs_county = models.BooleanField(_("needs county approval"), default=False)
    proposed_by = _user(_("proposed by"))
    approved_by = _user(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    county_approved_by = _user(_("approved by the county"))
    county_approved_at = models.DateTimeField(_("county approved at"), null=True, blank=True)
    notice_served_on = models.DateField(_("notice served on"), null=True, blank=True)
    cut_not_before = models.DateField(_("not cut before"), null=True, blank=True)
    reminder_on = models.DateField(_("reminder on"), null=True, blank=True)
    work_order = models.ForeignKey(
        "inspections.WorkOrder",
        verbose_name=_("disconnection work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)
    executed_by = _user(_("disconnected by"))
    reconnect_work_order = models.ForeignKey(
        "inspections.WorkOrder",
        verbose_name=_("reconnection work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reconnect_ordered_at = models.DateTimeField(_("reconnection ordered at"), null=True, blank=True)
    reconnected_at = models.DateTimeField(_("reconnected at"), null=True, blank=True)
    reconnected_by = _user(_("reconnected by"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = "area_id"

    class Meta:
        verbose_name = _("disconnection for arrears")
        verbose_name_plural = _("disconnections for arrears")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("collection:disconnection_detail", self.pk)


class BankDeposit(TimeStampedModel):
    """Cash a collector paid into the electricity account (解款), and its remittance upward (上缴)."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    collector = models.ForeignKey(
        USER, verbose_name=_("collector"), on_delete=models.PROTECT, related_name="bank_deposits"
    )
    collection_day = models.DateField(_("collection day"))
    deposited_on = models.DateField(_("deposited on"))
    amount_yuan = models.DecimalField(_("amount [yuan]"), **MONEY)
    bank = models.CharField(_("bank"), max_length=60)
    slip_number = models.CharField(_("deposit slip number"), max_length=60, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RemittanceStatus.choices, default=RemittanceStatus.DEPOSITED
    )
    remitted_on = models.DateField(_("remitted on"), null=True, blank=True)
    remittance_reference = models.CharField(_("remittance reference"), max_length=60, blank=True)
    recorded_by = _user(_("recorded by"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("bank deposit")
        verbose_name_plural = _("bank deposits")
        ordering = ["-deposited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yuan__gt=0), name="collection_deposit_amount_gt_0"
            )
        ]
        indexes = [models.Index(fields=["collector", "collection_day"], name="collection_deposit_collector")]

    def __str__(self) -> str:
        return self.slip_number


class LateFeeTarget(TimeStampedModel):
    """A station's yearly target of late-fee income (违约金回收目标), set by the county."""

    station = models.ForeignKey(
        "archive.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    target_yuan = models.DecimalField(_("target [yuan]"), **MONEY)
    set_by = _user(_("set by"))

    SCOPE_STATION = "station_id"
    SCOPE_AREA = None

    class Meta:
        verbose_name = _("late-fee income target")
        verbose_name_plural = _("late-fee income targets")
        ordering = ["-year", "station"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="collection_late_fee_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.year}"


class CollectionEvent(StateChangeEvent):
    """One state change of a payment, receivable, reversal, notice, disconnection, stock or deposit."""

    subject_type = models.CharField(_("record"), max_length=30)
    subject_id = models.PositiveBigIntegerField(_("record id"))
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)

    class Meta:
        verbose_name = _("collection event")
        verbose_name_plural = _("collection events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="collection_event_subject")]

    def __str__(self) -> str:
        return f"{self.subject_type} {self.subject_id}: {self.from_status or '-'} -> {self.to_status}"
