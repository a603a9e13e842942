"""Issued bills become receivables; approved adjustments change what they ask for.

Connected to billing's ``bills_issued`` and ``bill_adjusted`` in ``registrations`` and run inside
billing's transaction: a failure here rolls the issue (or the approval) back.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from gridcheck.archive.choices import CustomerCategory
from gridcheck.billing.models import Bill
from gridcheck.collection.choices import ReceivableStatus
from gridcheck.collection.models import ZERO, Account, Receivable
from gridcheck.collection.services.common import event, local_day
from gridcheck.collection.services.payments import credit_apply
from gridcheck.core.rules import rule_int


def due_date_for(issued_on: datetime.date) -> datetime.date:
    """The last day to pay a bill issued on ``issued_on`` (station rule ``collection.payment_term_days``)."""
    return issued_on + datetime.timedelta(days=rule_int("collection.payment_term_days", issued_on))


def accounts_ensure(customers) -> None:
    """A collection account for each of ``customers`` (archive rows with station and area)."""
    have = set(
        Account.objects.filter(customer__in=[c.pk for c in customers]).values_list("customer_id", flat=True)
    )
    Account.objects.bulk_create(
        [
            Account(customer_id=c.pk, station_id=c.station_id, area_id=c.area_id)
            for c in customers
            if c.pk not in have
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def receivables_create(*, bill_ids: list[int], issued_at: datetime.datetime | None = None, user=None) -> int:
    """One open receivable per issued bill (none twice); returns how many were created."""
    have = set(Receivable.objects.filter(bill_id__in=bill_ids).values_list("bill_id", flat=True))
    bills = list(Bill.objects.filter(pk__in=set(bill_ids) - have).select_related("customer"))
    accounts_ensure([b.customer for b in bills])
    created = []
    for bill in bills:
        issued_on = local_day(bill.issued_at or issued_at)
        created.append(
            Receivable(
                bill=bill,
                customer_id=bill.customer_id,
                station_id=bill.station_id,
                area_id=bill.area_id,
                period=bill.period,
                issued_on=issued_on,
                due_date=due_date_for(issued_on),
                residential=bill.customer.category == CustomerCategory.RESIDENTIAL,
                amount_yuan=bill.amount_due_yuan,
                status=ReceivableStatus.OPEN if bill.amount_due_yuan > 0 else ReceivableStatus.PAID,
                settled_on=None if bill.amount_due_yuan > 0 else issued_on,
            )
        )
    Receivable.objects.bulk_create(created, batch_size=2000)
    # Credit (an overpayment, a prepaid top-up) pays the new bills at once.
    with_credit = list(
        Account.objects.filter(
            customer_id__in={r.customer_id for r in created}, credit_yuan__gt=0
        ).values_list("customer_id", flat=True)
    )
    if with_credit:
        credit_apply(customer_ids=with_credit, user=user, on=local_day(issued_at) if issued_at else None)
    return len(created)


@transaction.atomic
def receivable_follow_adjustment(*, bill: Bill, user=None, note: str = "") -> Receivable:
    """Set the receivable of ``bill`` to the bill's amount after an approved refund or back-bill.

    Money already paid above the new amount goes to the account's credit (a refund never leaves the
    customer out of pocket); a back-bill reopens a settled receivable.
    """
    receivable = Receivable.objects.select_for_update().filter(bill=bill).first()
    if receivable is None:
        receivables_create(bill_ids=[bill.pk], user=user)
        return Receivable.objects.get(bill=bill)
    before = receivable.status
    receivable.amount_yuan = bill.amount_due_yuan
    excess = receivable.paid_yuan - receivable.amount_yuan
    if excess > 0:
        account = Account.objects.select_for_update().get(customer_id=receivable.customer_id)
        account.credit_yuan += excess
        account.save(update_fields=["credit_yuan", "updated_at"])
        receivable.paid_yuan = receivable.amount_yuan
    if receivable.paid_yuan >= receivable.amount_yuan:
        receivable.status = ReceivableStatus.PAID
        receivable.settled_on = receivable.settled_on or local_day()
    else:
        receivable.status, receivable.settled_on = ReceivableStatus.OPEN, None
    receivable.late_fee_accrued_yuan = (
        ZERO if receivable.status == ReceivableStatus.PAID else receivable.late_fee_accrued_yuan
    )
    receivable.save()
    event(receivable, from_status=before, to_status=receivable.status, actor=user, note=note)
    return receivable
