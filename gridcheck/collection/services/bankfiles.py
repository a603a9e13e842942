"""Importing a bank's withholding or agent result file (银行代扣/代收回盘文件) and posting its rows.

The file: CSV (UTF-8, UTF-8 with a BOM, GBK/GB18030) or XLSX, one header row, then one row per
deduction. Columns (Chinese as the banks send them, or English; docs/collection.md):

=============  ==================================  ==========================================
column         headers accepted                    value
=============  ==================================  ==========================================
account        户号, 用户编号, account_number      the customer's account number, matched exactly
amount         金额, 扣款金额, 交易金额, amount     yuan, > 0, at most two decimals
serial         银行流水号, 流水号, bank_serial     the bank's unique serial of the deduction
date           扣款日期, 交易日期, date            YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD (or a date cell)
=============  ==================================  ==========================================

Other columns (户名, 备注...) are ignored. A row is never guessed: an unknown account, a customer outside
the importer's station, a bad amount or date, a closed month, a serial twice in the file, or a serial
already posted from an earlier file is listed (``BankFileRow``, with the reason) and not posted; the other
rows are posted as payments with the idempotency key ``bank:<bank>:<serial>``. A file already imported
(same SHA-256) is refused whole; the whole import is one transaction (a failure writes nothing).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Customer
from gridcheck.collection.choices import PaymentChannel, PaymentKind, PaymentStatus, ReceivableStatus
from gridcheck.collection.models import (
    Account,
    BankFile,
    BankFileRow,
    CollectionEvent,
    MonthClose,
    Payment,
    PaymentAllocation,
    Receivable,
)
from gridcheck.collection.selectors.payments import practice_for
from gridcheck.collection.services.common import FEN, month_of, next_number, require
from gridcheck.collection.services.payments import RECEIVABLE_FIELDS, Sink, after_payments, allocate
from gridcheck.core.roles import MANAGE_COLLECTION
from gridcheck.core.scoping import scope_queryset

#: Column -> accepted headers (compared without spaces, case-insensitive).
COLUMNS = {
    "account_number": ("户号", "用户编号", "用户号", "客户编号", "account_number", "account", "accountno"),
    "amount_yuan": ("金额", "扣款金额", "交易金额", "实扣金额", "amount_yuan", "amount"),
    "bank_serial": ("银行流水号", "流水号", "交易流水号", "bank_serial", "serial", "serial_number"),
    "paid_on": ("扣款日期", "交易日期", "日期", "date", "paid_on", "deduction_date"),
}
COLUMN_LABELS = {
    "account_number": "户号",
    "amount_yuan": "金额",
    "bank_serial": "银行流水号",
    "paid_on": "扣款日期",
}
BANK_CHANNELS = (
    PaymentChannel.BANK_WITHHOLDING,
    PaymentChannel.BANK_AGENT,
    PaymentChannel.ONLINE,
    PaymentChannel.AGENT_POINT,
)
MAX_BYTES = 200 * 1024 * 1024
CHUNK = 2000
#: PostgreSQL advisory lock key of bank imports (any constant the project does not use elsewhere).
BANK_IMPORT_LOCK = 7_150_001


def bank_key(bank: str, serial: str) -> str:
    """The idempotency key of a bank row: the same deduction in another file never pays twice."""
    return f"bank:{bank[:50]}:{serial}"


def _key(header) -> str:
    return "".join(str(header or "").split()).lower()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is neither UTF-8 nor GBK text.")) from None


def read_rows(name: str, data: bytes) -> tuple[list[str], list[list]]:
    """``(header, rows)`` of a CSV or XLSX file (cells as text, or dates/numbers from XLSX)."""
    lower = name.lower()
    if lower.endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same refusal
            raise ValidationError(_("%(file)s: not a readable XLSX workbook.") % {"file": name}) from None
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        workbook.close()
    else:
        text = _decode(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
        except csv.Error:
            dialect = csv.excel
        rows = [r for r in csv.reader(io.StringIO(text), dialect)]
    rows = [r for r in rows if any(str(c or "").strip() for c in r)]
    if not rows:
        raise ValidationError(_("%(file)s: the file is empty.") % {"file": name})
    return [str(h or "").strip() for h in rows[0]], rows[1:]


def column_positions(name: str, header: list[str]) -> dict[str, int]:
    keys = [_key(h) for h in header]
    positions = {}
    missing = []
    for column, accepted in COLUMNS.items():
        for alias in accepted:
            if _key(alias) in keys:
                positions[column] = keys.index(_key(alias))
                break
        else:
            missing.append(f"{COLUMN_LABELS[column]}（{column}）")
    if missing:
        raise ValidationError(
            _("%(file)s: the header lacks the column(s) %(missing)s (found: %(found)s).")
            % {"file": name, "missing": "、".join(missing), "found": "、".join(h for h in header if h) or "—"}
        )
    return positions


def _amount(value) -> Decimal:
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("¥", "").replace("￥", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(_("amount %(v)s is not a number") % {"v": value}) from None
    if not amount.is_finite():
        raise ValueError(_("amount %(v)s is not a number") % {"v": value})
    if amount <= 0:
        raise ValueError(_("amount %(v)s is not more than zero") % {"v": value})
    if amount != amount.quantize(FEN):
        raise ValueError(_("amount %(v)s has more than two decimals") % {"v": value})
    return amount.quantize(FEN)


def _date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("date %(v)s is not a date (YYYY-MM-DD)") % {"v": text or "—"})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@transaction.atomic
def bank_file_import(*, user, upload, bank: str, channel: str = PaymentChannel.BANK_WITHHOLDING) -> BankFile:
    """Import ``upload`` (an object with ``name`` and ``read()``, or a ``(name, bytes)`` pair).

    Returns the ``BankFile`` with its counts; its ``unmatched`` rows say why each was not posted.
    """
    require(user, MANAGE_COLLECTION, _("Importing bank files needs the collection manager's rights."))
    if isinstance(upload, tuple):
        name, data = upload
    else:
        name, data = upload.name, upload.read()
    name = (name or "bank-file").rsplit("/", 1)[-1][:200]
    bank = (bank or "").strip()
    if not bank:
        raise ValidationError({"bank": _("Name the bank that sent the file.")})
    if channel not in BANK_CHANNELS:
        raise ValidationError({"channel": _("Not a channel of bank or agent files.")})
    if len(data) > MAX_BYTES:
        raise ValidationError(_("%(file)s: the file is larger than 200 MB.") % {"file": name})
    digest = hashlib.sha256(data).hexdigest()
    if connection.vendor == "postgresql":
        # One bank import at a time: its serials and payment numbers are checked and taken without a race.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BANK_IMPORT_LOCK])
    earlier = BankFile.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise ValidationError(
            _("%(file)s: this file was already imported on %(at)s as %(earlier)s: it is not posted twice.")
            % {
                "file": name,
                "at": f"{timezone.localtime(earlier.created_at):%Y-%m-%d %H:%M}",
                "earlier": earlier.file_name,
            }
        )
    header, rows = read_rows(name, data)
    positions = column_positions(name, header)

    bank_file = BankFile.objects.create(
        station_id=getattr(user, "station_id", None),
        channel=channel,
        bank=bank[:60],
        file_name=name,
        sha256=digest,
        imported_by=user,
    )
    tz = ZoneInfo(settings.TIME_ZONE)
    unmatched: list[BankFileRow] = []
    seen_serials: dict[str, int] = {}
    to_post: list[tuple] = []
    total = Decimal("0.00")
    customers_scope = (
        scope_queryset(Customer.objects.all(), user) if user is not None else Customer.objects.all()
    )
    closed = set(MonthClose.objects.values_list("station_id", "month"))

    parsed = []
    for offset, row in enumerate(rows):
        number = offset + 2  # the header is row 1
        cells = list(row) + [None] * (len(header) - len(row))
        account = _text(cells[positions["account_number"]])
        serial = _text(cells[positions["bank_serial"]])
        raw_amount = cells[positions["amount_yuan"]]
        problem = ""
        amount = None
        try:
            amount = _amount(raw_amount)
        except ValueError as error:
            problem = str(error)
        day = None
        if not problem:
            try:
                day = _date(cells[positions["paid_on"]])
            except ValueError as error:
                problem = str(error)
        if not problem and not account:
            problem = _("no account number")
        if not problem and not serial:
            problem = _("no bank serial")
        if not problem and len(serial) > 60:
            problem = _("bank serial longer than 60 characters")
        if not problem and serial in seen_serials:
            problem = _("bank serial %(s)s appears twice in the file (row %(row)s)") % {
                "s": serial,
                "row": seen_serials[serial],
            }
        if serial and serial not in seen_serials:
            seen_serials[serial] = number
        parsed.append((number, account, amount, serial, day, problem, raw_amount))

    for start in range(0, len(parsed), CHUNK):
        chunk = parsed[start : start + CHUNK]
        accounts = {p[1] for p in chunk if not p[5]}
        customers = {
            c.account_number: c
            for c in customers_scope.filter(account_number__in=accounts).select_related("station")
        }
        foreign = set(
            Customer.objects.filter(account_number__in=accounts - set(customers)).values_list(
                "account_number", flat=True
            )
        )
        keys = {bank_key(bank, p[3]): p for p in chunk if not p[5]}
        already = dict(
            Payment.objects.filter(idempotency_key__in=list(keys)).values_list("idempotency_key", "number")
        )
        for number, account, amount, serial, day, problem, _raw in chunk:
            key = bank_key(bank, serial)
            customer = customers.get(account)
            if not problem:
                if customer is None:
                    problem = (
                        _("account %(a)s is not in your station or areas") % {"a": account}
                        if account in foreign
                        else _("unknown account number %(a)s") % {"a": account}
                    )
                elif key in already:
                    problem = _("bank serial %(s)s was already posted as payment %(p)s") % {
                        "s": serial,
                        "p": already[key],
                    }
                elif (customer.station_id, month_of(day)) in closed:
                    problem = _("the collection month %(m)s is closed") % {"m": f"{day:%Y-%m}"}
                elif day > timezone.localdate():
                    problem = _("date %(d)s lies in the future") % {"d": f"{day:%Y-%m-%d}"}
            if problem:
                unmatched.append(
                    BankFileRow(
                        bank_file=bank_file,
                        row_number=number,
                        account_number=account[:60],
                        amount_yuan=amount,
                        bank_serial=serial[:60],
                        reason=f"第{number}行：{problem}"[:200],
                    )
                )
                continue
            to_post.append((customer, amount, serial[:60], day, key))
            total += amount
    posted = _post_bulk(user=user, bank_file=bank_file, channel=channel, rows=to_post, tz=tz)
    BankFileRow.objects.bulk_create(unmatched, batch_size=CHUNK)
    bank_file.rows = len(parsed)
    bank_file.matched_rows = posted
    bank_file.unmatched_rows = len(unmatched)
    bank_file.total_yuan = total
    bank_file.save(update_fields=["rows", "matched_rows", "unmatched_rows", "total_yuan", "updated_at"])
    return bank_file


def _post_bulk(*, user, bank_file: BankFile, channel: str, rows: list[tuple], tz) -> int:
    """Post the matched rows ``(customer, amount, serial, day, key)`` as payments, a chunk of customers at a
    time: their accounts and open bills locked (``select_for_update``, in key order), each row allocated
    as ``payment_post`` allocates it (``services.payments.allocate``), everything written with one query
    per table and chunk. Same rules, same result as posting row by row; the caller holds the transaction.
    """
    if not rows:
        return 0
    customers = {c.pk: c for c, *_ in rows}
    have = set(Account.objects.filter(customer_id__in=list(customers)).values_list("customer_id", flat=True))
    Account.objects.bulk_create(
        [
            Account(customer_id=c.pk, station_id=c.station_id, area_id=c.area_id)
            for pk, c in customers.items()
            if pk not in have
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    sequences: dict[str, int] = {}
    practices: dict[int, dict | None] = {}
    now = timezone.now()
    by_customer: dict[int, list[tuple]] = {}
    for row in rows:
        by_customer.setdefault(row[0].pk, []).append(row)
    customer_ids = sorted(by_customer)
    for start in range(0, len(customer_ids), CHUNK):
        ids = customer_ids[start : start + CHUNK]
        accounts = {
            a.customer_id: a
            for a in Account.objects.select_for_update().filter(customer_id__in=ids).order_by("pk")
        }
        open_bills: dict[int, list[Receivable]] = {}
        for r in (
            Receivable.objects.select_for_update()
            .filter(customer_id__in=ids, status=ReceivableStatus.OPEN)
            .order_by("customer_id", "due_date", "pk")
        ):
            open_bills.setdefault(r.customer_id, []).append(r)
        sink = Sink()
        payments: list[Payment] = []
        changed_accounts = []
        for customer_id in ids:
            for customer, amount, serial, day, key in sorted(
                by_customer[customer_id], key=lambda row: row[3]
            ):
                prefix = f"YH{day:%Y%m%d}"
                if prefix not in sequences:
                    sequences[prefix] = (
                        int(next_number(Payment, "number", prefix, width=7)[len(prefix) :]) - 1
                    )
                sequences[prefix] += 1
                payment = Payment(
                    number=f"{prefix}{sequences[prefix]:07d}",
                    idempotency_key=key,
                    customer=customer,
                    station_id=customer.station_id,
                    area_id=customer.area_id,
                    kind=PaymentKind.BILLS,
                    channel=channel,
                    amount_yuan=amount,
                    received_at=datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=tz),
                    received_on=day,
                    bank_file=bank_file,
                    bank_serial=serial,
                    status=PaymentStatus.POSTED,
                )
                receivables = open_bills.get(customer_id, [])
                company = customer.station.company_id if receivables else None
                if receivables and company not in practices:
                    practices[company] = practice_for(company)
                rest = allocate(
                    payment=payment,
                    receivables=receivables,
                    money_left=amount,
                    paid_on=day,
                    practice=practices.get(company) if receivables else None,
                    sink=sink,
                )
                payment.credit_yuan = rest
                if rest > 0:
                    account = accounts[customer_id]
                    account.credit_yuan += rest
                    account.updated_at = now
                    changed_accounts.append(account)
                payments.append(payment)
        _write(payments, sink, changed_accounts, user)
    after_payments(customer_ids=customer_ids, user=user)
    return len(rows)


def _write(payments: list[Payment], sink: Sink, accounts: list[Account], user) -> None:
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(payments, Payment, batch_size=CHUNK, default_user=user)
    for allocation in sink.allocations:
        allocation.payment_id = allocation.payment.pk
    PaymentAllocation.objects.bulk_create(sink.allocations, batch_size=CHUNK)
    _update_receivables(list(sink.receivables.values()))
    if accounts:
        Account.objects.bulk_update(list({a.pk: a for a in accounts}.values()), ["credit_yuan", "updated_at"])
    actor = user if getattr(user, "is_authenticated", False) else None
    events = [
        CollectionEvent(
            subject_type="Payment",
            subject_id=p.pk,
            to_status=PaymentStatus.POSTED,
            actor=actor,
            note=f"{p.bank_serial}：{p.amount_yuan:.2f} 元",
        )
        for p in payments
    ]
    for e in sink.events:
        e.actor = actor
    CollectionEvent.objects.bulk_create(events + sink.events, batch_size=CHUNK)


def _update_receivables(receivables: list[Receivable]) -> None:
    """Write the receivables' paid amounts and statuses: one ``UPDATE ... FROM unnest(...)`` on PostgreSQL
    (Django's ``bulk_update`` builds a CASE per field and row, most of an import's time), else
    ``bulk_update``."""
    if not receivables:
        return
    if connection.vendor != "postgresql":
        Receivable.objects.bulk_update(receivables, RECEIVABLE_FIELDS, batch_size=CHUNK)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collection_receivable r SET paid_yuan = v.paid, late_fee_paid_yuan = v.fee_paid, "
            "late_fee_accrued_yuan = v.fee, late_fee_accrued_on = v.fee_on, status = v.status, "
            "settled_on = v.settled, updated_at = now() "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[], %s::numeric[], %s::date[], %s::text[], "
            "%s::date[]) AS v(id, paid, fee_paid, fee, fee_on, status, settled) WHERE r.id = v.id",
            [
                [r.pk for r in receivables],
                [r.paid_yuan for r in receivables],
                [r.late_fee_paid_yuan for r in receivables],
                [r.late_fee_accrued_yuan for r in receivables],
                [r.late_fee_accrued_on for r in receivables],
                [str(r.status) for r in receivables],
                [r.settled_on for r in receivables],
            ],
        )
