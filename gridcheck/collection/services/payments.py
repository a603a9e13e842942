"""Posting a payment (实收) and allocating it to the customer's open bills; applying credit to new bills.

**Allocation order** (the station's practice, printed in docs/collection.md): the customer's open bills
oldest due first; on each bill its principal first; when a payment clears a bill's principal, the late
fee owed on it (from the day after the due date to the payment day, under the rule table and the
company's practice, ``selectors.payments.late_fee_for``) is fixed and charged on the same allocation; if
the money does not cover that fee in full, what is left of the fee stays owed on the bill (the bill stays
open, its principal 0) and is taken first from the next payment. A partial payment that does not clear
the principal carries no fee: the fee keeps running on the smaller balance until the payment that clears
it. Money left after every open bill goes to the account's credit (overpayment kept as credit); a top-up
of a prepaid account goes to credit whole and pays the open bills from it at once; credit pays the
customer's next issued bills (``credit_apply``, called when bills become receivables).

**Idempotency**: every payment carries a unique key. The same key again returns the payment made with
it, unchanged; the same key with another customer or amount is refused. **Concurrency**: the customer's
account row is locked (``select_for_update``) before anything is read, so two collectors paying the same
customer at once are serialised; a collector who says what balance they saw (``expected_balance_yuan``,
the counter page does) is refused with who paid in between when it changed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.collection.choices import PaymentChannel, PaymentKind, PaymentStatus, ReceivableStatus
from gridcheck.collection.models import ZERO, Account, Payment, PaymentAllocation, Receivable
from gridcheck.collection.selectors.payments import earlier_payments, fee_owed, late_fee_for, practice_for
from gridcheck.collection.services.common import (
    event,
    local_day,
    money,
    next_number,
    require_month_open,
    require_scope,
)
from gridcheck.core.roles import COLLECT, MANAGE_COLLECTION, has_capability

#: Channels where a person takes the money (they are the collector and hand over a receipt).
HANDED_CHANNELS = (PaymentChannel.COUNTER, PaymentChannel.RURAL_ELECTRICIAN, PaymentChannel.AGENT_POINT)
NUMBER_ATTEMPTS = 5


def _number_prefix(day: datetime.date) -> str:
    return f"JF{day:%Y%m%d}"


def _require_collect(user, *, bank: bool) -> None:
    if user is None:
        return
    allowed = has_capability(user, MANAGE_COLLECTION) if bank else has_capability(user, COLLECT)
    if not allowed:
        raise PermissionDenied(
            _("Importing bank files needs the collection manager's rights.")
            if bank
            else _("Taking payments needs the collector's rights.")
        )


def _same_payment(payment: Payment, customer, amount: Decimal) -> Payment:
    if payment.customer_id != customer.pk or payment.amount_yuan != amount:
        raise ValidationError(
            {
                "idempotency_key": _(
                    "This submission key was already used for payment %(number)s (%(name)s, %(amount)s yuan): "
                    "a different payment needs a new form."
                )
                % {
                    "number": payment.number,
                    "name": payment.customer.name,
                    "amount": f"{payment.amount_yuan:.2f}",
                }
            }
        )
    return payment


def _lock_account(customer) -> Account:
    account = Account.objects.select_for_update().filter(customer_id=customer.pk).first()
    if account is None:
        Account.objects.get_or_create(
            customer_id=customer.pk, defaults={"station_id": customer.station_id, "area_id": customer.area_id}
        )
        account = Account.objects.select_for_update().get(customer_id=customer.pk)
    return account


def _owed(receivables) -> Decimal:
    return sum((r.balance_yuan + fee_owed(r) for r in receivables), ZERO)


def _last_payment(customer):
    return (
        Payment.objects.filter(customer=customer, status=PaymentStatus.POSTED)
        .select_related("collector")
        .order_by("-created_at", "-pk")
        .first()
    )


class BillState:
    """An open receivable as plain values (the bank file's bulk posting): what ``allocate`` reads and
    changes, without a model instance. ``FIELDS`` are the receivable's columns, in this order."""

    FIELDS = (
        "pk",
        "customer_id",
        "amount_yuan",
        "paid_yuan",
        "late_fee_accrued_yuan",
        "late_fee_accrued_on",
        "late_fee_paid_yuan",
        "status",
        "settled_on",
        "due_date",
        "residential",
        "period",
    )
    __slots__ = FIELDS

    def __init__(self, *values) -> None:
        (
            self.pk,
            self.customer_id,
            self.amount_yuan,
            self.paid_yuan,
            self.late_fee_accrued_yuan,
            self.late_fee_accrued_on,
            self.late_fee_paid_yuan,
            self.status,
            self.settled_on,
            self.due_date,
            self.residential,
            self.period,
        ) = values

    @property
    def balance_yuan(self) -> Decimal:
        return max(self.amount_yuan - self.paid_yuan, ZERO)


class Sink:
    """What a bulk posting writes at the end, as plain values (one write per table):

    - ``receivables``: the changed bills (``Receivable`` or ``BillState``) by pk;
    - ``allocations``: ``(payment, receivable, principal, fee, calculation)``;
    - ``settled``: ``(receivable pk, payment number)`` of each bill the posting settled (its event);
    - ``partials``: receivable pk -> ``[(day, principal)]`` of this posting's allocations, for the late fee
      of a later row of the same file (not written yet, so not read by ``earlier_payments``);
    - ``earlier``: the stored partial payments of the bills, read ahead in one query (else one each).
    """

    def __init__(self) -> None:
        self.receivables: dict[int, object] = {}
        self.allocations: list[tuple] = []
        self.settled: list[tuple[int, str]] = []
        self.partials: dict[int, list[tuple[datetime.date, Decimal]]] = {}
        #: receivable pk -> its stored partial payments (``earlier_payments``), when read ahead in bulk
        #: (a bill with nothing paid has none: a live allocation of principal means ``paid_yuan > 0``).
        self.earlier: dict[int, list[tuple[datetime.date, Decimal]]] = {}


RECEIVABLE_FIELDS = [
    "paid_yuan",
    "late_fee_paid_yuan",
    "late_fee_accrued_yuan",
    "late_fee_accrued_on",
    "status",
    "settled_on",
    "updated_at",
]


def allocate(
    *,
    payment,
    receivables: list,
    money_left: Decimal,
    paid_on: datetime.date,
    practice,
    sink: Sink | None = None,
) -> Decimal:
    """Allocate ``money_left`` of ``payment`` to ``receivables`` (locked, oldest due first); returns the rest.

    Without ``sink`` the receivables are changed and saved and the allocations created at once (the
    payment is saved already; the caller saves its totals). With ``sink`` nothing is written: the
    receivables may be ``BillState`` and the payment any object with ``number``, ``received_on``,
    ``principal_yuan`` and ``late_fee_yuan``; the changes are collected in the sink, written at the end by
    ``allocations_write`` (one payment) or by the bank file's bulk write (one write per table).
    """
    own = sink is None
    if sink is None:
        sink = Sink()
    for r in receivables:
        if money_left <= 0:
            break
        principal = fee = ZERO
        calculation: dict = {}
        balance = r.balance_yuan
        if balance > 0:
            principal = min(balance, money_left)
            money_left -= principal
            if principal == balance:
                if paid_on > r.due_date:
                    partials = []
                    if r.paid_yuan > 0:
                        # Earlier rows of the same file are not written yet: their allocations count.
                        stored = sink.earlier.get(r.pk)
                        if stored is None:
                            stored = earlier_payments(r if isinstance(r, Receivable) else Receivable(pk=r.pk))
                        partials = stored + sink.partials.get(r.pk, [])
                    owed_fee, calculation = late_fee_for(r, paid_on, partials, practice=practice or {})
                else:  # paid by the due date: no fee (late_fee_for's first rule), the common case kept fast
                    owed_fee = ZERO
                r.late_fee_accrued_yuan, r.late_fee_accrued_on = owed_fee, paid_on
                r.late_fee_paid_yuan = ZERO
                fee = min(owed_fee, money_left)
                money_left -= fee
        else:
            fee = min(fee_owed(r), money_left)
            money_left -= fee
        if principal == 0 and fee == 0:
            continue
        r.paid_yuan += principal
        r.late_fee_paid_yuan += fee
        if r.paid_yuan >= r.amount_yuan and r.late_fee_paid_yuan >= r.late_fee_accrued_yuan:
            r.status, r.settled_on = ReceivableStatus.PAID, paid_on
        payment.principal_yuan += principal
        payment.late_fee_yuan += fee
        sink.receivables[r.pk] = r
        if r.status == ReceivableStatus.PAID:
            sink.settled.append((r.pk, payment.number))
        sink.allocations.append((payment, r, principal, fee, calculation))
        if principal > 0:
            sink.partials.setdefault(r.pk, []).append((payment.received_on, principal))
    if own:
        allocations_write(sink, payment)
    return money_left


def allocations_write(sink: Sink, payment: Payment) -> None:
    """Write what ``allocate`` collected in ``sink`` for one saved ``payment``: the bills (``Receivable``),
    an event of each bill it settled, the allocations."""
    for r in sink.receivables.values():
        r.save(update_fields=RECEIVABLE_FIELDS)
    for pk, _number in sink.settled:
        event(
            sink.receivables[pk],
            from_status=ReceivableStatus.OPEN,
            to_status=ReceivableStatus.PAID,
            note=payment.number,
        )
    PaymentAllocation.objects.bulk_create(
        PaymentAllocation(
            payment=payment,
            receivable=r,
            principal_yuan=principal,
            late_fee_yuan=fee,
            late_fee_calculation=calculation,
        )
        for _payment, r, principal, fee, calculation in sink.allocations
    )


def _open_receivables(customer) -> list[Receivable]:
    return list(
        Receivable.objects.select_for_update()
        .filter(customer_id=customer.pk, status=ReceivableStatus.OPEN)
        .order_by("due_date", "pk")
    )


@transaction.atomic
def payment_post(
    *,
    user,
    customer,
    amount_yuan,
    channel: str,
    idempotency_key: str,
    received_at: datetime.datetime | None = None,
    collector=None,
    receipt_number: str = "",
    kind: str = PaymentKind.BILLS,
    bank_file=None,
    bank_serial: str = "",
    note: str = "",
    expected_balance_yuan=None,
) -> Payment:
    """Post one payment of ``customer`` and allocate it (see the module's text); returns the payment.

    The same ``idempotency_key`` again returns the payment already made (never pays twice). Refused: an
    amount not > 0 or with more than two decimals, a closed month, a customer outside the user's scope,
    and, when ``expected_balance_yuan`` is given, a balance that changed since the collector saw it.
    """
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationError({"idempotency_key": _("A payment needs a submission key.")})
    if len(key) > 120:
        raise ValidationError({"idempotency_key": _("The submission key is longer than 120 characters.")})
    amount = money(amount_yuan, "amount_yuan")
    if channel not in PaymentChannel.values:
        raise ValidationError({"channel": _("Unknown payment channel.")})
    if kind not in PaymentKind.values:
        raise ValidationError({"kind": _("Unknown payment kind.")})
    _require_collect(user, bank=bank_file is not None)
    require_scope(user, customer)
    received_at = received_at or timezone.now()
    paid_on = local_day(received_at)
    if paid_on > local_day():
        raise ValidationError({"received_at": _("A payment cannot be dated in the future.")})

    account = _lock_account(customer)
    # Looked up under the lock: a double submit waits here for the first and finds its payment (even when
    # its month has been closed since).
    existing = Payment.objects.filter(idempotency_key=key).select_related("customer").first()
    if existing is not None:
        return _same_payment(existing, customer, amount)
    require_month_open(customer.station_id, paid_on)
    receivables = _open_receivables(customer) if kind == PaymentKind.BILLS else []
    if expected_balance_yuan not in (None, ""):
        expected = money(expected_balance_yuan, "expected_balance_yuan", positive=False)
        owed = _owed(receivables if kind == PaymentKind.BILLS else _open_receivables(customer))
        if owed != expected:
            last = _last_payment(customer)
            if last is not None and owed < expected:
                message = _(
                    "The bills of %(name)s were paid meanwhile by %(collector)s (payment %(number)s, "
                    "%(amount)s yuan at %(at)s): %(owed)s yuan is owed now. Nothing was posted."
                ) % {
                    "name": customer.name,
                    "collector": last.collector or _("bank or online"),
                    "number": last.number,
                    "amount": f"{last.amount_yuan:.2f}",
                    "at": f"{timezone.localtime(last.received_at):%Y-%m-%d %H:%M}",
                    "owed": f"{owed:.2f}",
                }
            else:
                message = _(
                    "The balance of %(name)s changed since the page was opened (%(expected)s -> %(owed)s "
                    "yuan). Nothing was posted: open the page again."
                ) % {"name": customer.name, "expected": f"{expected:.2f}", "owed": f"{owed:.2f}"}
            raise ValidationError(message)

    receipt_number = (receipt_number or "").strip()
    if collector is None and channel in HANDED_CHANNELS and user is not None:
        collector = user
    if receipt_number and (
        Payment.objects.filter(station_id=customer.station_id, receipt_number=receipt_number)
        .exclude(receipt_number="")  # the partial index's condition, for SQLite to use it
        .exclude(status=PaymentStatus.REVERSED)
        .exists()
    ):
        raise ValidationError(
            {"receipt_number": _("Receipt number %(n)s is already used.") % {"n": receipt_number}}
        )

    # The allocation is reckoned first, so that the payment is written once with its figures (one history
    # row); the bills and allocations are written once it exists.
    # The company's practice counts only for a bill paid after its due date (the common case needs none).
    late = any(r.due_date < paid_on for r in receivables)
    practice = practice_for(customer.station.company_id) if late else None
    sink = Sink()
    draft = SimpleNamespace(number="", received_on=paid_on, principal_yuan=ZERO, late_fee_yuan=ZERO)
    rest = allocate(
        payment=draft,
        receivables=receivables,
        money_left=amount,
        paid_on=paid_on,
        practice=practice,
        sink=sink,
    )
    payment, created = _create(
        customer=customer,
        key=key,
        kind=kind,
        channel=channel,
        amount=amount,
        received_at=received_at,
        paid_on=paid_on,
        collector=collector,
        receipt_number=receipt_number,
        # An electronic receipt (DZ + the payment number's digits) when the collector gave no paper one.
        electronic_receipt=channel in HANDED_CHANNELS and not receipt_number,
        bank_file=bank_file,
        bank_serial=bank_serial,
        note=note,
        principal_yuan=draft.principal_yuan,
        late_fee_yuan=draft.late_fee_yuan,
        credit_yuan=rest,
    )
    if not created:
        return _same_payment(payment, customer, amount)
    allocations_write(sink, payment)
    if rest > 0:
        account.credit_yuan += rest
        account.save(update_fields=["credit_yuan", "updated_at"])
    event(payment, to_status=PaymentStatus.POSTED, actor=user, note=note or _describe(payment))
    if kind == PaymentKind.TOP_UP and rest > 0:
        credit_apply(customer_ids=[customer.pk], user=user, on=paid_on)
        payment.refresh_from_db()
    after_payments(customer_ids=[customer.pk], user=user)
    return payment


def after_payments(*, customer_ids, user=None) -> None:
    """What a payment sets off: the dunning notices of paid arrears settled, a disconnection proposal
    cancelled or the reconnection ordered (only customers with open notices or disconnections)."""
    from gridcheck.archive.models import Customer
    from gridcheck.collection.choices import DisconnectionStatus, DunningStatus
    from gridcheck.collection.models import Disconnection, DunningNotice
    from gridcheck.collection.services.disconnections import disconnection_reconnect_if_paid
    from gridcheck.collection.services.dunning import dunning_settle_paid

    open_notices = DunningStatus.ISSUED, DunningStatus.DELIVERED, DunningStatus.SENT
    open_cuts = [s for s in DisconnectionStatus.values if s not in ("reconnected", "cancelled", "rejected")]
    ids = list(customer_ids)
    # Two plain look-ups (the common answer is none): cheaper to build than one query joining both.
    concerned = set(
        DunningNotice.objects.filter(customer_id__in=ids, status__in=open_notices).values_list(
            "customer_id", flat=True
        )
    ) | set(
        Disconnection.objects.filter(customer_id__in=ids, status__in=open_cuts).values_list(
            "customer_id", flat=True
        )
    )
    if not concerned:
        return
    for customer in Customer.objects.filter(pk__in=concerned).order_by("pk"):
        dunning_settle_paid(customer, user=user)
        disconnection_reconnect_if_paid(customer, user=user)


def _describe(payment: Payment) -> str:
    return _("%(amount)s yuan: %(principal)s to bills, %(fee)s late fee, %(credit)s to credit") % {
        "amount": f"{payment.amount_yuan:.2f}",
        "principal": f"{payment.principal_yuan:.2f}",
        "fee": f"{payment.late_fee_yuan:.2f}",
        "credit": f"{payment.credit_yuan:.2f}",
    }


def _create(
    *,
    customer,
    key,
    kind,
    channel,
    amount,
    received_at,
    paid_on,
    collector,
    receipt_number,
    electronic_receipt=False,
    **extra,
) -> tuple[Payment, bool]:
    """The payment row with the next number (retried when another station took the same number)."""
    prefix = _number_prefix(paid_on)
    for attempt in range(NUMBER_ATTEMPTS):
        number = next_number(Payment, "number", prefix)
        if electronic_receipt:
            receipt_number = "DZ" + number[2:]
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    number=number,
                    idempotency_key=key,
                    customer=customer,
                    station_id=customer.station_id,
                    area_id=customer.area_id,
                    kind=kind,
                    channel=channel,
                    amount_yuan=amount,
                    received_at=received_at,
                    received_on=paid_on,
                    collector=collector,
                    receipt_number=receipt_number,
                    **extra,
                )
        except IntegrityError:
            existing = Payment.objects.filter(idempotency_key=key).select_related("customer").first()
            if existing is not None:
                return existing, False
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
            continue
        return payment, True
    raise AssertionError("unreachable")


@transaction.atomic
def credit_apply(*, customer_ids, user=None, on: datetime.date | None = None) -> int:
    """Pay the open bills of these customers from their accounts' credit, oldest due first.

    The credit came from payments (an overpayment, a top-up): each application is an allocation of the
    payment the credit came from (oldest credit first), so that the payment page and a reversal see where
    its money went. Credit not traced to a payment (a refund above what was paid) pays the bill directly,
    recorded as an event of the bill. Returns how many bills were paid in part or whole.
    """
    on = on or local_day()
    accounts = list(
        Account.objects.select_for_update()
        .filter(customer_id__in=list(customer_ids), credit_yuan__gt=0)
        .select_related("customer__station")
        .order_by("pk")
    )
    touched = 0
    for account in accounts:
        receivables = _open_receivables(account.customer)
        if not receivables:
            continue
        practice = practice_for(account.customer.station.company_id)
        credit = account.credit_yuan
        sources = list(
            Payment.objects.select_for_update()
            .filter(customer_id=account.customer_id, status=PaymentStatus.POSTED, credit_yuan__gt=0)
            .order_by("received_at", "pk")
        )
        for source in sources:
            if credit <= 0:
                break
            available = min(source.credit_yuan, credit)
            before_principal, before_fee = source.principal_yuan, source.late_fee_yuan
            rest = allocate(
                payment=source, receivables=receivables, money_left=available, paid_on=on, practice=practice
            )
            used = available - rest
            if used <= 0:
                break
            touched += 1
            source.credit_yuan -= used
            credit -= used
            source.save(update_fields=["principal_yuan", "late_fee_yuan", "credit_yuan", "updated_at"])
            event(
                source,
                from_status=source.status,
                to_status=source.status,
                actor=user,
                note=_(
                    "Credit %(used)s yuan applied to new bills (%(principal)s principal, %(fee)s late fee)."
                )
                % {
                    "used": f"{used:.2f}",
                    "principal": f"{source.principal_yuan - before_principal:.2f}",
                    "fee": f"{source.late_fee_yuan - before_fee:.2f}",
                },
            )
        for r in receivables:
            if credit <= 0:
                break
            if r.status != ReceivableStatus.OPEN or r.balance_yuan <= 0:
                continue
            part = min(r.balance_yuan, credit)
            r.paid_yuan += part
            credit -= part
            before = r.status
            if r.paid_yuan >= r.amount_yuan:
                r.status, r.settled_on = ReceivableStatus.PAID, on
            r.save(update_fields=["paid_yuan", "status", "settled_on", "updated_at"])
            event(
                r,
                from_status=before,
                to_status=r.status,
                actor=user,
                note=_("Paid from the account's credit."),
            )
            touched += 1
        if credit != account.credit_yuan:
            account.credit_yuan = credit
            account.save(update_fields=["credit_yuan", "updated_at"])
    return touched
