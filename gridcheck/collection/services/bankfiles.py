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
import json
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Customer
from gridcheck.collection.choices import PaymentChannel, PaymentKind, PaymentStatus, ReceivableStatus
from gridcheck.collection.models import (
    ZERO,
    Account,
    BankFile,
    BankFileRow,
    CollectionEvent,
    Disconnection,
    DunningNotice,
    MonthClose,
    Payment,
    PaymentAllocation,
    Receivable,
)
from gridcheck.collection.selectors.payments import LIVE, practice_for
from gridcheck.collection.services.common import FEN, month_of, next_number, require
from gridcheck.collection.services.payments import (
    RECEIVABLE_FIELDS,
    BillState,
    Sink,
    after_payments,
    allocate,
)
from gridcheck.core.bulk import update_rows
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
#: Rows matched and customers posted per chunk on PostgreSQL (arrays and COPY: no parameter limit).
BIG_CHUNK = 50_000
#: Rows matched per query on PostgreSQL (one array parameter of account numbers, one of serials).
MATCH_CHUNK = 1_000_000
#: PostgreSQL: write the posted rows with COPY (False: the ORM path, as on SQLite; tests compare the two).
COPY_ON_POSTGRESQL = True
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
        rows = [r for r in rows if any(str(c or "").strip() for c in r)]
    else:
        text = _decode(data)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;|")
        except csv.Error:
            dialect = csv.excel
        rows = [r for r in csv.reader(io.StringIO(text), dialect) if "".join(r).strip()]
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
    if type(value) is str:
        return value.strip()
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
    del data
    positions = column_positions(name, header)

    bank_file = BankFile.objects.create(
        station_id=getattr(user, "station_id", None),
        channel=channel,
        bank=bank[:60],
        file_name=name,
        sha256=digest,
        imported_by=user,
    )
    parsed = _parse(rows, len(header), positions)
    count = len(parsed)
    del rows
    unmatched: list[BankFileRow] = []
    to_post: list[tuple] = []
    total = Decimal("0.00")
    customers_scope = (
        scope_queryset(Customer.objects.all(), user) if user is not None else Customer.objects.all()
    )
    closed = set(MonthClose.objects.values_list("station_id", "month"))
    today = timezone.localdate()
    # One query per table for the whole file on PostgreSQL (a chunk would scan the customers each time).
    step = MATCH_CHUNK if connection.vendor == "postgresql" else CHUNK
    for start in range(0, len(parsed), step):
        chunk = parsed[start : start + step]
        accounts = {p[1] for p in chunk if not p[5]}
        customers = {
            row[0]: row[1:]
            for row in customers_scope.filter(
                _among(Customer, "account_number", accounts, "text")
            ).values_list("account_number", "pk", "station_id", "area_id", "station__company_id")
        }
        missing = accounts - set(customers)
        foreign = (
            set(
                Customer.objects.filter(_among(Customer, "account_number", missing, "text")).values_list(
                    "account_number", flat=True
                )
            )
            if missing
            else set()
        )
        keys = [bank_key(bank, p[3]) for p in chunk if not p[5]]
        already = dict(
            Payment.objects.filter(_among(Payment, "idempotency_key", keys, "text")).values_list(
                "idempotency_key", "number"
            )
        )
        for number, account, amount, serial, day, problem in chunk:
            if not problem:
                key = bank_key(bank, serial)
                customer = customers.get(account)
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
                elif closed and (customer[1], month_of(day)) in closed:
                    problem = _("the collection month %(m)s is closed") % {"m": f"{day:%Y-%m}"}
                elif day > today:
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
            to_post.append((customer, amount, serial, day, key))
            total += amount
    del parsed
    posted = _post_bulk(user=user, bank_file=bank_file, channel=channel, rows=to_post)
    BankFileRow.objects.bulk_create(unmatched, batch_size=CHUNK)
    bank_file.rows = count
    bank_file.matched_rows = posted
    bank_file.unmatched_rows = len(unmatched)
    bank_file.total_yuan = total
    bank_file.save(update_fields=["rows", "matched_rows", "unmatched_rows", "total_yuan", "updated_at"])
    return bank_file


def _parse(rows: list, width: int, positions: dict[str, int]) -> list[tuple]:
    """``(row number, account, amount, serial, day, problem)`` of each row (``problem`` empty when sound)."""
    at_account, at_amount = positions["account_number"], positions["amount_yuan"]
    at_serial, at_day = positions["bank_serial"], positions["paid_on"]
    seen_serials: dict[str, int] = {}
    days: dict = {}
    parsed = []
    for offset, cells in enumerate(rows):
        number = offset + 2  # the header is row 1
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        account = _text(cells[at_account])
        serial = _text(cells[at_serial])
        raw_amount = cells[at_amount]
        problem = ""
        amount = day = None
        try:
            amount = _amount(raw_amount)
        except ValueError as error:
            problem = str(error)
        if not problem:
            raw_day = cells[at_day]
            try:
                day = days[raw_day]
            except (KeyError, TypeError):
                try:
                    day = _date(raw_day)
                except ValueError as error:
                    problem = str(error)
                else:
                    try:
                        days[raw_day] = day
                    except TypeError:
                        pass
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
        parsed.append((number, account, amount, serial, day, problem))
    return parsed


def _step() -> int:
    """Rows matched per query and customers posted per chunk: PostgreSQL takes whole arrays as one
    parameter; SQLite takes a list of parameters."""
    return BIG_CHUNK if connection.vendor == "postgresql" else CHUNK


def _among(model, field: str, values, sql_type: str):
    """A filter ``field`` in ``values``: ``= ANY(array)`` on PostgreSQL (one parameter, however many
    values), ``IN (...)`` elsewhere."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": list(values)})
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(field).column)}"
    return RawSQL(f"{column} = ANY(%s::{sql_type}[])", [list(values)], output_field=BooleanField())


class _Posting:
    """One matched row being posted (plain values; ``allocate`` adds its principal and late fee)."""

    __slots__ = (
        "pk",
        "number",
        "key",
        "customer",
        "amount_yuan",
        "bank_serial",
        "received_on",
        "principal_yuan",
        "late_fee_yuan",
        "credit_yuan",
    )

    def __init__(self, number, key, customer, amount, serial, day) -> None:
        self.pk = None
        self.number = number
        self.key = key
        self.customer = customer  # (pk, station_id, area_id, company_id)
        self.amount_yuan = amount
        self.bank_serial = serial
        self.received_on = day
        self.principal_yuan = self.late_fee_yuan = self.credit_yuan = ZERO


def _post_bulk(*, user, bank_file: BankFile, channel: str, rows: list[tuple]) -> int:
    """Post the matched rows ``((customer pk, station, area, company), amount, serial, day, key)`` as
    payments, a chunk of customers at a time: their accounts and open bills locked (``select_for_update``,
    in key order) and read as plain values, each row allocated as ``payment_post`` allocates it
    (``services.payments.allocate``), then one write per table and chunk. Same rules, same result as
    posting row by row; the caller holds the transaction.

    PostgreSQL: each chunk's payments and allocations are copied (``COPY``) into their tables, the bills'
    new amounts into a temporary table; the rest (the bills' ``UPDATE ... FROM``, history rows and events,
    ``_apply_copy``) is done by the server while this process allocates the next chunk and writes its
    ``COPY`` text in a worker thread (it touches no database), so that the two CPUs work at once; the foreign keys are checked as each statement ends (``SET CONSTRAINTS ALL
    IMMEDIATE`` for the posting), not all at the commit. Elsewhere the ORM writes each chunk.
    """
    if not rows:
        return 0
    by_customer: dict[int, list[tuple]] = {}
    for row in rows:
        by_customer.setdefault(row[0][0], []).append(row)
    customer_ids = sorted(by_customer)
    step = _step()
    chunks = [customer_ids[start : start + step] for start in range(0, len(customer_ids), step)]
    sequences: dict[str, int] = {}
    practices: dict[int, dict | None] = {}
    followed: list[int] = []
    if connection.vendor != "postgresql" or not COPY_ON_POSTGRESQL:
        for ids in chunks:
            accounts, open_bills, sink = _read_chunk(ids)
            _numbers_and_practices(ids, by_customer, open_bills, sequences, practices)
            postings, credits = _allocate_chunk(
                ids, by_customer, accounts, open_bills, sink, sequences, practices
            )
            _write_orm(postings, sink, credits, user=user, bank_file=bank_file, channel=channel)
            followed += _with_notices_or_cuts(ids)
    else:
        from concurrent.futures import ThreadPoolExecutor

        _stage_tables()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        staged: list[int] | None = None  # the payment ids of the chunk copied but not yet applied
        stamp = {"now": timezone.now(), "bank_file_id": bank_file.pk, "channel": channel}
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bank-allocate") as worker:
                chunk = _read_chunk(chunks[0])
                for k, ids in enumerate(chunks):
                    accounts, open_bills, sink = chunk
                    _numbers_and_practices(ids, by_customer, open_bills, sequences, practices)
                    pks = _payment_ids(sum(len(by_customer[i]) for i in ids))
                    future = worker.submit(
                        _allocate_and_encode,
                        ids,
                        by_customer,
                        accounts,
                        open_bills,
                        sink,
                        sequences,
                        practices,
                        pks,
                        stamp,
                    )
                    if staged is not None:
                        # the chunk before, while this one allocates and encodes
                        _apply_copy(user=user, payment_ids=staged)
                    payloads, credits = future.result()
                    _stage_copy(payloads, credits, now=stamp["now"])
                    staged = pks
                    followed += _with_notices_or_cuts(ids)
                    if k + 1 < len(chunks):
                        chunk = _read_chunk(chunks[k + 1])
                if staged is not None:
                    _apply_copy(user=user, payment_ids=staged)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if followed:
        after_payments(customer_ids=followed, user=user)
    return len(rows)


def _read_chunk(ids: list[int]) -> tuple[dict, dict, Sink]:
    """Lock and read the chunk's accounts (``customer -> [pk, credit]``) and open bills (``BillState``,
    oldest due first), with the stored partial payments of bills partly paid."""
    _accounts_ensure(ids)
    accounts = {
        customer_id: [pk, credit]
        for customer_id, pk, credit in Account.objects.select_for_update()
        .filter(
            _among(Account, "customer_id", ids, "bigint"), customer_id__gte=ids[0], customer_id__lte=ids[-1]
        )
        .order_by("pk")
        .values_list("customer_id", "pk", "credit_yuan")
    }
    open_bills: dict[int, list[BillState]] = {}
    sink = Sink()
    for values in (
        Receivable.objects.select_for_update()
        .filter(
            # the range lets the server read the chunk's rows by index (ids are sorted)
            _among(Receivable, "customer_id", ids, "bigint"),
            customer_id__gte=ids[0],
            customer_id__lte=ids[-1],
            status=ReceivableStatus.OPEN,
        )
        .order_by("customer_id", "due_date", "pk")
        .values_list(*BillState.FIELDS)
    ):
        bill = BillState(*values)
        open_bills.setdefault(bill.customer_id, []).append(bill)
        if bill.paid_yuan <= 0:
            sink.earlier[bill.pk] = []
    _read_earlier(sink, open_bills)
    return accounts, open_bills, sink


def _numbers_and_practices(ids, by_customer, open_bills, sequences: dict, practices: dict) -> None:
    """What allocating the chunk reads from the database, read first: the last payment number of each new
    day, the late-fee practice of each company with open bills."""
    for customer_id in ids:
        for customer, _amount, _serial, day, _key in by_customer[customer_id]:
            prefix = f"YH{day:%Y%m%d}"
            if prefix not in sequences:
                sequences[prefix] = int(next_number(Payment, "number", prefix, width=7)[len(prefix) :]) - 1
            if customer[3] not in practices and open_bills.get(customer_id):
                practices[customer[3]] = practice_for(customer[3])


def _allocate_chunk(ids, by_customer, accounts, open_bills, sink: Sink, sequences: dict, practices: dict):
    """Number and allocate the chunk's rows, customer by customer, each customer's rows by day (no
    database: run in a worker thread on PostgreSQL). Returns the postings and the changed accounts."""
    postings: list[_Posting] = []
    credits: dict[int, list] = {}
    for customer_id in ids:
        bills = open_bills.get(customer_id, [])
        for customer, amount, serial, day, key in sorted(by_customer[customer_id], key=lambda row: row[3]):
            prefix = f"YH{day:%Y%m%d}"
            sequences[prefix] += 1
            posting = _Posting(f"{prefix}{sequences[prefix]:07d}", key, customer, amount, serial, day)
            rest = allocate(
                payment=posting,
                receivables=bills,
                money_left=amount,
                paid_on=day,
                practice=practices.get(customer[3]) if bills else None,
                sink=sink,
            )
            posting.credit_yuan = rest
            if rest > 0:
                account = accounts[customer_id]
                account[1] += rest
                credits[account[0]] = account
            postings.append(posting)
    return postings, list(credits.values())


def _with_notices_or_cuts(customer_ids: list[int]) -> list[int]:
    """The customers with any dunning notice or disconnection: the only ones ``after_payments`` can
    act on (it picks those with open ones), found with one array parameter instead of a list of ids."""
    found = set()
    for model in (DunningNotice, Disconnection):
        found.update(
            model.objects.filter(_among(model, "customer_id", customer_ids, "bigint"))
            .values_list("customer_id", flat=True)
            .distinct()
        )
    return sorted(found)


def _accounts_ensure(customer_ids: list[int]) -> None:
    """A collection account for each customer that has none yet (``receivables_create`` makes them)."""
    if connection.vendor != "postgresql":
        have = set(Account.objects.filter(customer_id__in=customer_ids).values_list("customer_id", flat=True))
        Account.objects.bulk_create(
            [
                Account(customer_id=c.pk, station_id=c.station_id, area_id=c.area_id)
                for c in Customer.objects.filter(pk__in=[i for i in customer_ids if i not in have])
            ],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO collection_account (created_at, updated_at, customer_id, station_id, area_id, "
            "credit_yuan, is_prepaid, low_balance_yuan) "
            "SELECT now(), now(), c.id, c.station_id, c.area_id, 0, false, 0 FROM archive_customer c "
            "WHERE c.id = ANY(%s::bigint[]) AND NOT EXISTS "
            "(SELECT 1 FROM collection_account a WHERE a.customer_id = c.id) "
            "ORDER BY c.id ON CONFLICT (customer_id) DO NOTHING",
            [customer_ids],
        )


def _read_earlier(sink: Sink, open_bills: dict[int, list[BillState]]) -> None:
    """The stored partial payments of the bills already partly paid, in one query (``earlier_payments``
    for many bills: live allocations of principal, oldest payment first)."""
    paid = [b.pk for bills in open_bills.values() for b in bills if b.pk not in sink.earlier]
    for start in range(0, len(paid), CHUNK):
        part = paid[start : start + CHUNK]
        for pk in part:
            sink.earlier[pk] = []
        for pk, day, principal in (
            PaymentAllocation.objects.filter(
                receivable_id__in=part, payment__status__in=LIVE, principal_yuan__gt=0
            )
            .order_by("payment__received_at", "pk")
            .values_list("receivable_id", "payment__received_on", "principal_yuan")
        ):
            sink.earlier[pk].append((day, principal))


def _write_orm(postings, sink: Sink, credits, *, user, bank_file, channel) -> None:
    """Write a chunk with the ORM (SQLite, and the reference the ``COPY`` path is tested against)."""
    from simple_history.utils import bulk_create_with_history

    payments = [
        Payment(
            number=p.number,
            idempotency_key=p.key,
            customer_id=p.customer[0],
            station_id=p.customer[1],
            area_id=p.customer[2],
            kind=PaymentKind.BILLS,
            channel=channel,
            amount_yuan=p.amount_yuan,
            principal_yuan=p.principal_yuan,
            late_fee_yuan=p.late_fee_yuan,
            credit_yuan=p.credit_yuan,
            received_at=_noon(p.received_on),
            received_on=p.received_on,
            bank_file=bank_file,
            bank_serial=p.bank_serial,
            status=PaymentStatus.POSTED,
        )
        for p in postings
    ]
    bulk_create_with_history(payments, Payment, batch_size=CHUNK, default_user=user)
    for posting, payment in zip(postings, payments, strict=True):
        posting.pk = payment.pk
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                payment_id=p.pk,
                receivable_id=r.pk,
                principal_yuan=principal,
                late_fee_yuan=fee,
                late_fee_calculation=calculation,
            )
            for p, r, principal, fee, calculation in sink.allocations
        ],
        batch_size=CHUNK,
    )
    now = timezone.now()
    update_rows(
        Receivable,
        [
            Receivable(pk=r.pk, updated_at=now, **{f: getattr(r, f) for f in RECEIVABLE_FIELDS[:-1]})
            for r in sink.receivables.values()
        ],
        RECEIVABLE_FIELDS,
    )
    update_rows(
        Account,
        [Account(pk=pk, credit_yuan=credit, updated_at=now) for pk, credit in credits],
        ["credit_yuan", "updated_at"],
    )
    actor = _actor(user)
    CollectionEvent.objects.bulk_create(
        [
            CollectionEvent(
                subject_type="Payment",
                subject_id=p.pk,
                to_status=PaymentStatus.POSTED,
                actor=actor,
                note=f"{p.bank_serial}：{p.amount_yuan:.2f} 元",
            )
            for p in postings
        ]
        + [
            CollectionEvent(
                subject_type="Receivable",
                subject_id=pk,
                from_status=ReceivableStatus.OPEN,
                to_status=ReceivableStatus.PAID,
                actor=actor,
                note=number,
            )
            for pk, number in sink.settled
        ],
        batch_size=CHUNK,
    )


#: Temporary tables a chunk is copied into on PostgreSQL (dropped at the commit).
STAGE_TABLES = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS gridcheck_bank_receivable (id bigint, paid numeric, fee_paid numeric, "
    "fee numeric, fee_on date, status text, settled date) ON COMMIT DROP",
    "CREATE TEMPORARY TABLE IF NOT EXISTS gridcheck_bank_settled (id bigint, note text) ON COMMIT DROP",
)
ALLOCATION_COLUMNS = "payment_id, receivable_id, principal_yuan, late_fee_yuan, late_fee_calculation"
PAYMENT_COLUMNS = (
    "id, created_at, updated_at, number, idempotency_key, customer_id, station_id, area_id, kind, channel, "
    "amount_yuan, principal_yuan, late_fee_yuan, credit_yuan, received_at, received_on, receipt_number, "
    "bank_file_id, bank_serial, status, note"
)


def _stage_tables() -> None:
    with connection.cursor() as cursor:
        for statement in STAGE_TABLES:
            cursor.execute(statement)
        cursor.execute("TRUNCATE gridcheck_bank_receivable, gridcheck_bank_settled")


def _payment_ids(count: int) -> list[int]:
    """``count`` new ids of ``collection_payment``, taken from its sequence (the worker numbers the rows
    with them before the chunk is copied)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('collection_payment', 'id')) FROM generate_series(1, %s)",
            [count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _allocate_and_encode(ids, by_customer, accounts, open_bills, sink, sequences, practices, pks, stamp):
    """The worker's part of a chunk (no database): allocate it (``_allocate_chunk``), give the payments
    their ids ``pks`` and write the rows ``_stage_copy`` copies as ``COPY`` text, so that the main
    thread only sends bytes. Returns ``(payloads, credits)``."""
    postings, credits = _allocate_chunk(ids, by_customer, accounts, open_bills, sink, sequences, practices)
    for posting, pk in zip(postings, pks, strict=True):
        posting.pk = pk
    return _encode_chunk(postings, sink, **stamp), credits


def _copy_text(value) -> str:
    """One field of PostgreSQL's ``COPY`` text format: ``\\N`` for NULL, text with its backslashes,
    tabs and line breaks escaped, anything else as ``str`` (numbers, ``Decimal``, ISO dates and
    times with their offset)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    return str(value)


def _encode_chunk(postings, sink: Sink, *, now, bank_file_id, channel) -> tuple[bytes, bytes, bytes, bytes]:
    """The ``COPY`` text of a chunk's payments (``PAYMENT_COLUMNS``), allocations, bills and settled
    bills, as ``_stage_copy`` sends them."""
    f = _copy_text
    head = f"\t{f(now)}\t{f(now)}\t"
    fixed = f"\t{f(str(PaymentKind.BILLS))}\t{f(str(channel))}\t"
    tail = f"\t{f(bank_file_id)}\t"
    posted = f"\t{f(str(PaymentStatus.POSTED))}\t\n"
    payments = "".join(
        f"{p.pk}{head}{f(p.number)}\t{f(p.key)}\t{f(p.customer[0])}\t{f(p.customer[1])}\t{f(p.customer[2])}"
        f"{fixed}{p.amount_yuan}\t{p.principal_yuan}\t{p.late_fee_yuan}\t{p.credit_yuan}\t"
        f"{_noon(p.received_on)}\t{p.received_on}\t{tail}{f(p.bank_serial)}{posted}"
        for p in postings
    )
    allocations = "".join(
        f"{p.pk}\t{r.pk}\t{principal}\t{fee}\t{f(json.dumps(calculation) if calculation else '{}')}\n"
        for p, r, principal, fee, calculation in sink.allocations
    )
    bills = "".join(
        f"{r.pk}\t{r.paid_yuan}\t{r.late_fee_paid_yuan}\t{r.late_fee_accrued_yuan}\t"
        f"{f(r.late_fee_accrued_on)}\t{f(r.status)}\t{f(r.settled_on)}\n"
        for r in sink.receivables.values()
    )
    settled = "".join(f"{pk}\t{f(number)}\n" for pk, number in sink.settled)
    return tuple(text.encode() for text in (payments, allocations, bills, settled))


def _stage_copy(payloads, credits, *, now) -> None:
    """Copy a chunk's encoded rows (``_encode_chunk``): the payments and their allocations into their
    tables, the bills' new amounts and the settled bills into the temporary tables; write the accounts'
    credit. ``_apply_copy`` does the rest."""
    payments, allocations, bills, settled = payloads
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE gridcheck_bank_receivable, gridcheck_bank_settled")
        for statement, data in (
            (f"COPY collection_payment ({PAYMENT_COLUMNS}) FROM STDIN", payments),
            (f"COPY collection_paymentallocation ({ALLOCATION_COLUMNS}) FROM STDIN", allocations),
            ("COPY gridcheck_bank_receivable FROM STDIN", bills),
            ("COPY gridcheck_bank_settled FROM STDIN", settled),
        ):
            if data:
                with cursor.copy(statement) as copy:
                    copy.write(data)
        if credits:
            cursor.execute(
                "UPDATE collection_account a SET credit_yuan = v.credit, updated_at = %s "
                "FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, credit) WHERE a.id = v.id",
                [now, [pk for pk, _c in credits], [c for _pk, c in credits]],
            )


def _apply_copy(*, user, payment_ids: list[int]) -> None:
    """The rest of a copied chunk, by the server: the bills' new amounts (one ``UPDATE ... FROM``), the
    payments' history rows ('+', by the importer, as ``bulk_create_with_history``) and 'posted' events,
    and the settled bills' events."""
    quote = connection.ops.quote_name
    history = Payment.history.model
    columns = ", ".join(
        quote(f.column) for f in history._meta.concrete_fields if not f.name.startswith("history_")
    )
    now = timezone.now()
    actor_id = _actor_id(user)
    chunk = "FROM collection_payment WHERE id = ANY(%s::bigint[]) ORDER BY id"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collection_receivable r SET paid_yuan = v.paid, late_fee_paid_yuan = v.fee_paid, "
            "late_fee_accrued_yuan = v.fee, late_fee_accrued_on = v.fee_on, status = v.status, "
            "settled_on = v.settled, updated_at = %s FROM gridcheck_bank_receivable v WHERE r.id = v.id",
            [now],
        )
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {columns}, %s, '', '+', %s {chunk}",
            [now, getattr(user, "pk", None), payment_ids],
        )
        cursor.execute(
            "INSERT INTO collection_collectionevent (subject_type, subject_id, from_status, to_status, "
            "actor_id, note, at) SELECT 'Payment', id, '', %s, %s, bank_serial || '：' || amount_yuan::text "
            f"|| ' 元', %s {chunk}",
            [str(PaymentStatus.POSTED), actor_id, now, payment_ids],
        )
        cursor.execute(
            "INSERT INTO collection_collectionevent (subject_type, subject_id, from_status, to_status, "
            "actor_id, note, at) SELECT 'Receivable', id, %s, %s, %s, note, %s FROM gridcheck_bank_settled",
            [str(ReceivableStatus.OPEN), str(ReceivableStatus.PAID), actor_id, now],
        )


_NOON: dict[datetime.date, datetime.datetime] = {}


def _noon(day: datetime.date) -> datetime.datetime:
    """12:00 of ``day`` in the deployment's time zone (a bank row's time of receipt)."""
    moment = _NOON.get(day)
    if moment is None:
        moment = _NOON[day] = datetime.datetime.combine(
            day, datetime.time(12, 0), tzinfo=ZoneInfo(settings.TIME_ZONE)
        )
    return moment


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _actor_id(user):
    actor = _actor(user)
    return actor.pk if actor is not None else None
