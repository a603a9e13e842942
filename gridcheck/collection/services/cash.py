"""The station's cash: receipt and invoice stock (票据), cancelled receipts, bank deposits and remittance.

- **Stock** is issued to a collector by whoever manages collection (never two stocks with overlapping
  numbers of the same kind and series); a spoiled receipt is cancelled by its holder and the cancellation
  is checked by someone else (never the collector); returned stock is checked by someone other than its
  holder; destroying it needs approval from above (``approve_county``), never from its requester.
- **Deposits** (解款): a collector records what they paid into the electricity account for a collection
  day (managers record for anyone of their station); deposits are **remitted** upward (上缴) together.

Every change is a ``CollectionEvent``; each refusal is a ``ValidationError`` or ``PermissionDenied`` with a
Chinese message that names the stock, number or slip.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Station
from gridcheck.collection.choices import DecisionStatus, RemittanceStatus, StockKind, StockStatus
from gridcheck.collection.models import BankDeposit, ReceiptCancellation, ReceiptStock
from gridcheck.collection.selectors.cash import stock_counts, stock_usable_numbers, used_numbers
from gridcheck.collection.services.common import (
    event,
    local_day,
    money,
    require,
    require_scope,
    require_status,
)
from gridcheck.core.roles import APPROVE_COUNTY, COLLECT, MANAGE_COLLECTION, has_capability

#: The most numbers one issue of stock may hold (a receipt book holds 50 or 100; an invoice roll 1000s).
MAX_STOCK_NUMBERS = 100_000


def _label(stock: ReceiptStock) -> str:
    return f"{stock.get_kind_display()} {stock}"


def _may_collect_at(holder, station: Station) -> bool:
    return (
        holder is not None
        and holder.is_active
        and holder.station_id == station.pk
        and has_capability(holder, COLLECT)
    )


# ------------------------------------------------------------------------------------------ stock
@transaction.atomic
def stock_issue(
    *, user, station: Station, kind: str, series: str, first_number: int, last_number: int, holder
) -> ReceiptStock:
    """Issue receipt or invoice numbers ``first_number``..``last_number`` of ``series`` to ``holder``."""
    require(user, MANAGE_COLLECTION, _("Only collection managers issue receipt and invoice stock."))
    require_scope(user, station)
    series = (series or "").strip().upper()
    errors = {}
    if kind not in StockKind.values:
        errors["kind"] = _("Choose a receipt book or invoice stock.")
    if not series:
        errors["series"] = _("The series is required.")
    elif len(series) > 20:
        errors["series"] = _("A series has at most 20 characters.")
    if first_number is None or int(first_number) < 1:
        errors["first_number"] = _("The first number must be 1 or more.")
    elif last_number is None or int(last_number) < int(first_number):
        errors["last_number"] = _("The last number must not be below the first.")
    elif int(last_number) - int(first_number) + 1 > MAX_STOCK_NUMBERS:
        errors["last_number"] = _("One issue holds at most %(n)s numbers.") % {"n": MAX_STOCK_NUMBERS}
    if not _may_collect_at(holder, station):
        errors["holder"] = _("%(holder)s is not a collector of %(station)s.") % {
            "holder": holder,
            "station": station,
        }
    if errors:
        raise ValidationError(errors)
    first_number, last_number = int(first_number), int(last_number)
    # One issue at a time per station: the overlap check and the insert cannot interleave.
    Station.objects.select_for_update().filter(pk=station.pk).first()
    overlap = (
        ReceiptStock.objects.filter(
            kind=kind, series=series, first_number__lte=last_number, last_number__gte=first_number
        )
        .order_by("first_number")
        .first()
    )
    if overlap is not None:
        raise ValidationError(
            {
                "first_number": _(
                    "Numbers %(first)s-%(last)s of series %(series)s overlap stock %(stock)s already issued "
                    "to %(holder)s."
                )
                % {
                    "first": f"{first_number:08d}",
                    "last": f"{last_number:08d}",
                    "series": series,
                    "stock": overlap,
                    "holder": overlap.holder,
                }
            }
        )
    try:
        with transaction.atomic():
            stock = ReceiptStock.objects.create(
                station=station,
                kind=kind,
                series=series,
                first_number=first_number,
                last_number=last_number,
                holder=holder,
                issued_by=user,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "first_number": _("Stock of series %(series)s from this number is already issued.")
                % {"series": series}
            }
        ) from None
    event(
        stock,
        to_status=StockStatus.ISSUED,
        actor=user,
        note=_("Issued to %(holder)s.") % {"holder": holder},
    )
    return stock


def stock_next_number(stock: ReceiptStock) -> int | None:
    """The lowest number of ``stock`` neither used by a payment nor cancelled; ``None`` when none is left."""
    if stock.status != StockStatus.ISSUED:
        return None
    numbers = stock_usable_numbers(stock, limit=1)
    return numbers[0] if numbers else None


@transaction.atomic
def receipt_cancel(*, user, stock: ReceiptStock, number: int, reason: str) -> ReceiptCancellation:
    """The holder cancels a spoiled number of their stock (作废); it waits for someone else's check."""
    require(user, COLLECT, _("Only collectors cancel receipts."))
    stock = ReceiptStock.objects.select_for_update().get(pk=stock.pk)
    require_scope(user, stock)
    if user is not None and stock.holder_id != user.pk:
        raise PermissionDenied(
            _("Only the holder of %(stock)s (%(holder)s) cancels its numbers.")
            % {"stock": _label(stock), "holder": stock.holder}
        )
    require_status(stock, StockStatus.ISSUED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the receipt is cancelled.")})
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise ValidationError({"number": _("A receipt number is a whole number.")}) from None
    if not stock.first_number <= number <= stock.last_number:
        raise ValidationError(
            {
                "number": _("Number %(number)s is not in %(stock)s.")
                % {"number": f"{number:08d}", "stock": _label(stock)}
            }
        )
    if number in used_numbers(stock):
        raise ValidationError(
            {
                "number": _("Number %(number)s of %(stock)s is on a payment: reverse the payment instead.")
                % {"number": f"{number:08d}", "stock": _label(stock)}
            }
        )
    if stock.cancellations.filter(number=number).exists():
        raise ValidationError(
            {
                "number": _("Number %(number)s of %(stock)s is already cancelled.")
                % {"number": f"{number:08d}", "stock": _label(stock)}
            }
        )
    cancellation = ReceiptCancellation.objects.create(
        stock=stock, number=number, reason=reason, cancelled_by=user
    )
    event(cancellation, to_status=DecisionStatus.PENDING, actor=user, note=reason)
    return cancellation


@transaction.atomic
def receipt_cancellation_check(
    *, user, cancellation: ReceiptCancellation, approve: bool, comment: str = ""
) -> ReceiptCancellation:
    """A manager checks a cancelled receipt (the paper copies in hand); never the collector who cancelled."""
    require(user, MANAGE_COLLECTION, _("Only collection managers check cancelled receipts."))
    cancellation = (
        ReceiptCancellation.objects.select_for_update().select_related("stock").get(pk=cancellation.pk)
    )
    require_scope(user, cancellation)
    if user is not None and user.pk in (cancellation.cancelled_by_id, cancellation.stock.holder_id):
        raise PermissionDenied(_("A collector never checks the cancellation of their own receipt."))
    require_status(cancellation, DecisionStatus.PENDING)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("A rejection needs a comment.")})
    cancellation.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    cancellation.checked_by = user
    cancellation.checked_at = timezone.now()
    cancellation.save(update_fields=["status", "checked_by", "checked_at", "updated_at"])
    event(
        cancellation,
        from_status=DecisionStatus.PENDING,
        to_status=cancellation.status,
        actor=user,
        note=comment,
    )
    return cancellation


@transaction.atomic
def stock_return(*, user, stock: ReceiptStock, note: str = "") -> dict:
    """The holder hands the stock back; someone other than the holder checks it. Returns the counts."""
    require(user, MANAGE_COLLECTION, _("Only collection managers check returned stock."))
    stock = ReceiptStock.objects.select_for_update().get(pk=stock.pk)
    require_scope(user, stock)
    if user is not None and user.pk == stock.holder_id:
        raise PermissionDenied(_("The holder never checks their own returned stock."))
    require_status(stock, StockStatus.ISSUED)
    if stock.cancellations.filter(status=DecisionStatus.PENDING).exists():
        raise ValidationError(
            _("Check the pending cancellations of %(stock)s first.") % {"stock": _label(stock)}
        )
    counts = stock_counts(stock)
    stock.status = StockStatus.RETURNED
    stock.checked_by = user
    stock.checked_at = timezone.now()
    stock.save(update_fields=["status", "checked_by", "checked_at", "updated_at"])
    summary = _("Used %(used)s, cancelled %(cancelled)s, unused %(unused)s.") % counts
    event(
        stock,
        from_status=StockStatus.ISSUED,
        to_status=StockStatus.RETURNED,
        actor=user,
        note=f"{summary} {(note or '').strip()}".strip(),
    )
    return counts


@transaction.atomic
def stock_destroy_request(*, user, stock: ReceiptStock, reason: str) -> ReceiptStock:
    """Ask for returned stock to be destroyed (销毁); the county approves it."""
    require(user, MANAGE_COLLECTION, _("Only collection managers ask for stock to be destroyed."))
    stock = ReceiptStock.objects.select_for_update().get(pk=stock.pk)
    require_scope(user, stock)
    require_status(stock, StockStatus.RETURNED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the stock is destroyed.")})
    stock.status = StockStatus.DESTROY_PENDING
    stock.destroy_requested_by = user
    stock.save(update_fields=["status", "destroy_requested_by", "updated_at"])
    event(stock, from_status=StockStatus.RETURNED, to_status=stock.status, actor=user, note=reason)
    return stock


@transaction.atomic
def stock_destroy_approve(
    *, user, stock: ReceiptStock, approve: bool = True, comment: str = ""
) -> ReceiptStock:
    """The county approves (or rejects) a destruction: never its requester, never the stock's holder."""
    require(user, APPROVE_COUNTY, _("Only the county approves the destruction of receipt stock."))
    stock = ReceiptStock.objects.select_for_update().get(pk=stock.pk)
    require_scope(user, stock)
    if user is not None and user.pk in (stock.destroy_requested_by_id, stock.holder_id):
        raise PermissionDenied(_("Whoever asked for a destruction (or held the stock) never approves it."))
    require_status(stock, StockStatus.DESTROY_PENDING)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise ValidationError({"comment": _("A rejection needs a comment.")})
    if approve:
        stock.status = StockStatus.DESTROYED
        stock.destroy_approved_by = user
        stock.destroyed_at = timezone.now()
    else:
        stock.status = StockStatus.RETURNED
        stock.destroy_requested_by = None
    stock.save(
        update_fields=["status", "destroy_approved_by", "destroyed_at", "destroy_requested_by", "updated_at"]
    )
    event(stock, from_status=StockStatus.DESTROY_PENDING, to_status=stock.status, actor=user, note=comment)
    return stock


# --------------------------------------------------------------------------------------- deposits
@transaction.atomic
def deposit_record(
    *,
    user,
    collector,
    collection_day: datetime.date,
    deposited_on: datetime.date,
    amount_yuan,
    bank: str,
    slip_number: str,
) -> BankDeposit:
    """Record cash paid into the electricity account (解款) for ``collector``'s ``collection_day``."""
    if user is not None and collector is not None and collector.pk == user.pk:
        require(user, COLLECT, _("Only collectors and collection managers record bank deposits."))
    else:
        require(user, MANAGE_COLLECTION, _("Only collection managers record deposits for someone else."))
    errors = {}
    station = None
    if collector is None or collector.station_id is None or not has_capability(collector, COLLECT):
        errors["collector"] = _("%(collector)s is not a collector of a station.") % {
            "collector": collector or "—"
        }
    else:
        station = Station.objects.get(pk=collector.station_id)
        require_scope(user, station)
    try:
        amount = money(amount_yuan)
    except ValidationError as error:
        errors.update(error.message_dict)
        amount = None
    bank = (bank or "").strip()
    if not bank:
        errors["bank"] = _("The bank is required.")
    slip_number = (slip_number or "").strip()
    if not slip_number:
        errors["slip_number"] = _("The deposit slip number is required.")
    today = local_day()
    if collection_day is None:
        errors["collection_day"] = _("The collection day is required.")
    elif collection_day > today:
        errors["collection_day"] = _("The collection day lies in the future.")
    if deposited_on is None:
        errors["deposited_on"] = _("The deposit day is required.")
    elif deposited_on > today:
        errors["deposited_on"] = _("The deposit day lies in the future.")
    elif collection_day is not None and deposited_on < collection_day:
        errors["deposited_on"] = _("Cash is deposited on or after the day it was collected.")
    if slip_number and BankDeposit.objects.filter(slip_number=slip_number).exists():
        errors["slip_number"] = _("Deposit slip %(slip)s is already recorded.") % {"slip": slip_number}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            deposit = BankDeposit.objects.create(
                station=station,
                collector=collector,
                collection_day=collection_day,
                deposited_on=deposited_on,
                amount_yuan=amount,
                bank=bank,
                slip_number=slip_number,
                recorded_by=user,
            )
    except IntegrityError:
        raise ValidationError(
            {"slip_number": _("Deposit slip %(slip)s is already recorded.") % {"slip": slip_number}}
        ) from None
    event(
        deposit,
        to_status=RemittanceStatus.DEPOSITED,
        actor=user,
        note=_("%(amount)s yuan of %(day)s, slip %(slip)s.")
        % {"amount": f"{amount:.2f}", "day": f"{collection_day:%Y-%m-%d}", "slip": slip_number},
    )
    return deposit


@transaction.atomic
def deposits_remit(*, user, deposits, remitted_on: datetime.date, reference: str) -> int:
    """Mark ``deposits`` as remitted upward (上缴) on ``remitted_on`` under ``reference``; returns how many."""
    require(user, MANAGE_COLLECTION, _("Only collection managers remit deposits."))
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = _("The remittance reference is required.")
    if remitted_on is None:
        errors["remitted_on"] = _("The remittance day is required.")
    elif remitted_on > local_day():
        errors["remitted_on"] = _("The remittance day lies in the future.")
    ids = [d.pk for d in deposits]
    if not ids:
        errors["deposits"] = _("Choose the deposits to remit.")
    if errors:
        raise ValidationError(errors)
    rows = list(BankDeposit.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for deposit in rows:
        require_scope(user, deposit)
        if deposit.status != RemittanceStatus.DEPOSITED:
            raise ValidationError(
                _("Deposit slip %(slip)s is already remitted.") % {"slip": deposit.slip_number}
            )
        if remitted_on < deposit.deposited_on:
            raise ValidationError(
                {
                    "remitted_on": _("Deposit slip %(slip)s was deposited on %(day)s, after that day.")
                    % {"slip": deposit.slip_number, "day": f"{deposit.deposited_on:%Y-%m-%d}"}
                }
            )
    for deposit in rows:
        deposit.status = RemittanceStatus.REMITTED
        deposit.remitted_on = remitted_on
        deposit.remittance_reference = reference
        deposit.save(update_fields=["status", "remitted_on", "remittance_reference", "updated_at"])
        event(
            deposit,
            from_status=RemittanceStatus.DEPOSITED,
            to_status=RemittanceStatus.REMITTED,
            actor=user,
            note=reference,
        )
    return len(rows)
