"""Reading payments: the late fee owed on a bill on a day, open bills with their fee to date, the account
statement, events.

``late_fee_for`` is the ONE place that calls ``gridcheck_analytics.penalties.late_fee`` for a receivable
(the counter page's "late fee to date", the allocation of a payment, the statement): the company's
practice (``CollectionPolicy``) is passed there and nowhere else.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from gridcheck.collection.choices import PaymentStatus, ReceivableStatus
from gridcheck.collection.models import (
    ZERO,
    Account,
    CollectionEvent,
    CollectionPolicy,
    Payment,
    PaymentAllocation,
    Receivable,
    Reversal,
)
from gridcheck.core.rules import rule_value
from gridcheck_analytics.penalties import default_practice, describe_practice, late_fee

#: Payments whose allocations count (a reversed payment's money was given back).
LIVE = (PaymentStatus.POSTED, PaymentStatus.REVERSAL_PENDING)


def practice_for(company_id: int | None) -> dict | None:
    """The company's named late-fee practice as options of ``late_fee`` (``None``: the rule table's)."""
    if company_id is None:
        return None
    policy = CollectionPolicy.objects.filter(company_id=company_id).first()
    if policy is None:
        return None
    return {
        "count_payment_day": policy.count_payment_day,
        "year_end": policy.year_end,
        "reprice_on_tariff_rise": policy.reprice_on_tariff_rise,
    }


def earlier_payments(receivable: Receivable) -> list[tuple[datetime.date, Decimal]]:
    """``(day, principal)`` of every live allocation to ``receivable``, oldest first."""
    rows = (
        PaymentAllocation.objects.filter(
            receivable=receivable, payment__status__in=LIVE, principal_yuan__gt=0
        )
        .order_by("payment__received_at", "pk")
        .values_list("payment__received_on", "principal_yuan")
    )
    return list(rows)


def late_fee_for(
    receivable: Receivable,
    paid_on: datetime.date,
    partials: list[tuple[datetime.date, Decimal]] | None = None,
    *,
    company_id: int | None = None,
    practice: dict | None = None,
) -> tuple[Decimal, dict]:
    """The late fee owed on ``receivable`` when its balance is paid on ``paid_on``: ``(fee, calculation)``.

    ``partials`` are the earlier partial payments ``(day, principal)`` (default: read them). Payments on or
    before the due date lower the amount the fee runs on; those after it and before ``paid_on`` lower the
    balance from their day (``late_fee``'s ``payments``); one on ``paid_on`` itself does not change the
    days charged. Nothing is owed on or before the due date. The calculation is
    ``Calculation.to_dict()`` (items, rules, the practice), stored on the allocation.
    """
    if paid_on <= receivable.due_date or receivable.amount_yuan <= 0:
        return ZERO, {}
    if partials is None:
        partials = earlier_payments(receivable)
    amount = receivable.amount_yuan
    during = []
    for day, paid in partials:
        if day <= receivable.due_date:
            amount -= paid
        elif day < paid_on:
            during.append({"date": day, "amount_yuan": paid})
    if amount <= 0 or sum((p["amount_yuan"] for p in during), ZERO) >= amount:
        return ZERO, {}
    if practice is None and company_id is None:
        company_id = receivable.station.company_id
    calculation = late_fee(
        amount_yuan=amount,
        due_date=receivable.due_date,
        paid_date=paid_on,
        residential=receivable.residential,
        bill_period=receivable.period,
        payments=during or None,
        practice=practice if practice is not None else practice_for(company_id),
    )
    return calculation.value("late_fee_yuan"), calculation.to_dict()


def fee_owed(receivable: Receivable) -> Decimal:
    """A fee fixed when the principal was cleared and not yet paid in full (the bill stays open for it)."""
    if receivable.paid_yuan >= receivable.amount_yuan and receivable.status == ReceivableStatus.OPEN:
        return max(receivable.late_fee_accrued_yuan - receivable.late_fee_paid_yuan, ZERO)
    return ZERO


@dataclass
class OpenBill:
    receivable: Receivable
    balance_yuan: Decimal
    late_fee_yuan: Decimal
    days_overdue: int

    @property
    def total_yuan(self) -> Decimal:
        return self.balance_yuan + self.late_fee_yuan


def open_bills(customer, on: datetime.date) -> list[OpenBill]:
    """The customer's open bills, oldest due first, each with its balance and the late fee if paid ``on``."""
    receivables = list(
        Receivable.objects.filter(customer=customer, status=ReceivableStatus.OPEN)
        .select_related("bill", "station")
        .order_by("due_date", "pk")
    )
    practice = practice_for(customer.station.company_id) if receivables else None
    result = []
    for r in receivables:
        fixed = fee_owed(r)
        if r.balance_yuan > 0:
            fee, _calc = late_fee_for(r, on, practice=practice or {})
        else:
            fee = fixed
        result.append(
            OpenBill(
                receivable=r,
                balance_yuan=r.balance_yuan,
                late_fee_yuan=fee,
                days_overdue=max((on - r.due_date).days, 0),
            )
        )
    return result


def account_of(customer) -> Account | None:
    return Account.objects.filter(customer=customer).first()


# ------------------------------------------------------------------------------------------- statement
@dataclass
class StatementRow:
    day: datetime.date
    kind: str  # bill, payment, late_fee, reversal
    text: str
    debit_yuan: Decimal = ZERO
    credit_yuan: Decimal = ZERO
    balance_yuan: Decimal = ZERO
    link: str = ""
    order: tuple = ()


@dataclass
class Statement:
    customer: object
    rows: list[StatementRow] = field(default_factory=list)
    balance_yuan: Decimal = ZERO
    owed_yuan: Decimal = ZERO
    credit_yuan: Decimal = ZERO
    practice: list[str] = field(default_factory=list)
    until: datetime.date | None = None


KIND_ORDER = {"bill": 0, "late_fee": 1, "payment": 2, "reversal": 3}


def account_statement(customer, until: datetime.date | None = None) -> Statement:
    """The customer's account: bills, late fees charged, payments, reversals, with a running balance.

    The balance is what the customer owes (bills + fees charged − payments + reversed payments); below
    zero it is credit held for the customer. ``practice`` is the company's late-fee practice in Chinese.
    """
    rows: list[StatementRow] = []
    for r in Receivable.objects.filter(customer=customer).select_related("bill").order_by("issued_on", "pk"):
        if until and r.issued_on > until:
            continue
        rows.append(
            StatementRow(
                day=r.issued_on,
                kind="bill",
                text=f"{r.period:%Y-%m} 电费账单 {r.bill.number}（应缴日 {r.due_date:%Y-%m-%d}）",
                debit_yuan=r.amount_yuan,
                link=r.bill.get_absolute_url(),
                order=(r.issued_on, 0, r.pk),
            )
        )
    payments = Payment.objects.filter(customer=customer).order_by("received_at", "pk")
    fees = defaultdict(lambda: ZERO)
    for a in PaymentAllocation.objects.filter(payment__customer=customer, late_fee_yuan__gt=0):
        fees[a.payment_id] += a.late_fee_yuan
    for p in payments:
        if until and p.received_on > until:
            continue
        if fees[p.pk]:
            rows.append(
                StatementRow(
                    day=p.received_on,
                    kind="late_fee",
                    text=f"电费违约金（随缴费 {p.number} 计收）",
                    debit_yuan=fees[p.pk],
                    link=p.get_absolute_url(),
                    order=(p.received_on, 1, p.pk),
                )
            )
        rows.append(
            StatementRow(
                day=p.received_on,
                kind="payment",
                text=f"缴费 {p.number}（{p.get_channel_display()}"
                + (f"，收据 {p.receipt_number}" if p.receipt_number else "")
                + "）",
                credit_yuan=p.amount_yuan,
                link=p.get_absolute_url(),
                order=(p.received_on, 2, p.pk),
            )
        )
    for rv in Reversal.objects.filter(payment__customer=customer, status="approved").select_related(
        "payment"
    ):
        day = timezone.localdate(rv.decided_at or rv.created_at)
        if until and day > until:
            continue
        payment = rv.payment
        fee = fees[payment.pk]
        rows.append(
            StatementRow(
                day=day,
                kind="reversal",
                text=f"冲帐：撤销缴费 {payment.number}"
                + (f"（含随缴违约金 {fee:.2f} 元）" if fee else "")
                + f"：{rv.reason[:40]}",
                debit_yuan=payment.amount_yuan - fee,
                link=rv.get_absolute_url(),
                order=(day, 3, rv.pk),
            )
        )
    rows.sort(key=lambda row: row.order)
    balance = ZERO
    for row in rows:
        balance += row.debit_yuan - row.credit_yuan
        row.balance_yuan = balance
    statement = Statement(customer=customer, rows=rows, balance_yuan=balance, until=until)
    statement.owed_yuan = max(balance, ZERO)
    account = account_of(customer)
    statement.credit_yuan = account.credit_yuan if account else ZERO
    statement.practice = practice_text(customer.station.company_id, until or datetime.date.today())
    return statement


def practice_text(company_id: int | None, on: datetime.date) -> list[str]:
    """The company's late-fee practice, one ``名称：取值`` line per option (printed on the statement)."""
    from gridcheck_analytics.penalties import as_practice

    base = default_practice(on)
    options = practice_for(company_id)
    chosen = as_practice(options, base=base) if options else base
    try:
        minimum = Decimal(str(rule_value("late_fee.minimum_yuan", on)))
    except Exception:  # noqa: BLE001 - a statement prints without the minimum rather than fail
        minimum = None
    return describe_practice(chosen, minimum_yuan=minimum)


def events_of(subject) -> list[CollectionEvent]:
    return list(
        CollectionEvent.objects.filter(subject_type=type(subject).__name__, subject_id=subject.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )
