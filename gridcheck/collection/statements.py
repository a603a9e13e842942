"""Printable documents of collection: a customer's account statement and a payment's receipt (PDF).

Both extend the one letterhead (``pdf/base.html``, WeasyPrint with Noto CJK, ``gridcheck.core.pdf``); their
wording is the fixed Chinese form handed to customers.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from gridcheck.archive.models import Station
from gridcheck.collection.models import Payment
from gridcheck.collection.selectors.payments import account_statement, open_bills


def _letterhead(station_id: int) -> tuple[str, Station]:
    station = Station.objects.select_related("company").get(pk=station_id)
    return station.company.name, station


def _amount_words(amount) -> str:
    """An amount in Chinese capitals (大写), as a receipt writes it: 壹佰贰拾叁元肆角伍分."""
    digits = "零壹贰叁肆伍陆柒捌玖"
    units = ["", "拾", "佰", "仟"]
    big = ["", "万", "亿"]
    fen = int(round(amount * 100))
    yuan, rest = divmod(fen, 100)
    jiao, fen = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    text = ""
    groups = []
    n = yuan
    while n:
        groups.append(n % 10000)
        n //= 10000
    for gi in range(len(groups) - 1, -1, -1):
        group = groups[gi]
        part = ""
        zero = False
        for ui in range(3, -1, -1):
            d = group // (10**ui) % 10
            if d == 0:
                zero = bool(part)
                continue
            if zero:
                part += "零"
                zero = False
            part += digits[d] + units[ui]
        if part:
            if text and group < 1000:
                text += "零"
            text += part + big[gi]
    if text:
        text += "元"
    if jiao:
        text += digits[jiao] + "角"
    elif fen and text:
        text += "零"
    if fen:
        text += digits[fen] + "分"
    return text if (jiao or fen) else text + "整"


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt (电费收据) of one payment: customer, amount in figures and capitals, bills paid."""
    from gridcheck.core.pdf import render_pdf

    letterhead, station = _letterhead(payment.station_id)
    allocations = list(payment.allocations.select_related("receivable__bill").order_by("pk"))
    return render_pdf(
        "collection/payments/receipt_pdf.html",
        {
            "letterhead": letterhead,
            "document_number": f"电费收据 {payment.receipt_number or payment.number}",
            "payment": payment,
            "station": station,
            "customer": payment.customer,
            "allocations": allocations,
            "amount_words": _amount_words(payment.amount_yuan),
            "received_at": timezone.localtime(payment.received_at),
        },
    )


def statement_pdf(customer, until: datetime.date | None = None) -> bytes:
    """The account statement (电费对账单) of ``customer``: every bill, fee, payment and reversal."""
    from gridcheck.core.pdf import chinese_date, render_pdf

    letterhead, station = _letterhead(customer.station_id)
    today = until or timezone.localdate()
    statement = account_statement(customer, until=until)
    return render_pdf(
        "collection/payments/statement_pdf.html",
        {
            "letterhead": letterhead,
            "document_number": f"电费对账单 {customer.account_number}-{today:%Y%m%d}",
            "statement": statement,
            "customer": customer,
            "station": station,
            "open_bills": open_bills(customer, today),
            "date_text": chinese_date(today),
        },
    )
