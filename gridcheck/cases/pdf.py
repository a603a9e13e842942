"""The notices of a case as PDF: 窃电通知书, 违约用电通知书 and 缴费通知单.

Rendered by ``gridcheck.core.pdf.render_pdf`` (WeasyPrint, Noto CJK) from ``templates/cases/pdf/*.html``, which
extend the one letterhead of ``pdf/base.html``; the company on it is the case station's
(``selectors.case_letterhead``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from gridcheck.cases.choices import CaseKind
from gridcheck.cases.models import Case
from gridcheck.cases.selectors import case_letterhead
from gridcheck.core.pdf import chinese_date, render_pdf
from gridcheck_analytics.penalties.labels import inputs_text

#: Items recorded on the case but not billed to the customer.
NOT_BILLED = ("admin_fine_max_yuan", "criminal_amount_yuan")
UNITS = {"kW": "千瓦", "h": "小时", "kWh": "千瓦时", "元": "元", "d": "天", "month": "月"}

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL = ["", "拾", "佰", "仟"]
_BIG = ["", "万", "亿", "万亿"]


def rmb_upper(amount: Decimal) -> str:
    """An amount in the capital numerals of financial documents: 2661.12 -> 贰仟陆佰陆拾壹元壹角贰分."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        return "负" + rmb_upper(-amount)
    yuan = int(amount)
    jiao, fen = divmod(int((amount - yuan) * 100), 10)
    text = ""
    if yuan:
        groups = []
        n = yuan
        while n:
            groups.append(n % 10000)
            n //= 10000
        parts = []
        zero = False
        for gi in range(len(groups) - 1, -1, -1):
            g = groups[gi]
            if g == 0:
                zero = bool(parts)
                continue
            chunk = ""
            if parts and (zero or g < 1000):
                chunk += "零"
            inner_zero = False
            for pos in range(3, -1, -1):
                d = (g // 10**pos) % 10
                if d == 0:
                    inner_zero = bool(chunk) and not chunk.endswith("零")
                    continue
                if inner_zero:
                    chunk += "零"
                    inner_zero = False
                chunk += _DIGITS[d] + _SMALL[pos]
            parts.append(chunk + _BIG[gi])
            zero = False
        text = "".join(parts) + "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def notice_items(case: Case) -> tuple[list[dict], list[dict]]:
    """(billed items, recorded-only items) of the case's calculation, ready for a notice."""
    billed, recorded = [], []
    for item in case.calculation.get("items", []):
        row = dict(item)
        row["unit_cn"] = UNITS.get(item.get("unit"), item.get("unit"))
        row["inputs_text"] = inputs_text(item.get("inputs"))
        (recorded if item["key"] in NOT_BILLED else billed).append(row)
    return billed, recorded


def _context(case: Case, **extra) -> dict:
    billed, recorded = notice_items(case)
    issued_on = case.notified_on or timezone.localdate()
    return {
        "letterhead": case_letterhead(case),
        "document_number": case.number,
        "case": case,
        "customer": case.customer,
        "station": case.station,
        "company": case.station.company,
        "meter": case.meter,
        "items": billed,
        "recorded": recorded,
        "flags": case.calculation.get("flags", []),
        "total_upper": rmb_upper(case.total_due_yuan or Decimal(0)),
        "issued_on": issued_on,
        "issued_on_cn": chinese_date(issued_on),
        "case_date_cn": chinese_date(case.case_date),
        "is_theft": case.kind == CaseKind.THEFT,
        **extra,
    }


def case_notice_pdf(case: Case) -> bytes:
    """The 窃电通知书 or 违约用电通知书 of a computed case."""
    title = "窃电通知书" if case.kind == CaseKind.THEFT else "违约用电通知书"
    return render_pdf("cases/pdf/case_notice.html", _context(case, title=title))


def payment_notice_pdf(case: Case, *, paid_yuan: Decimal) -> bytes:
    """The 缴费通知单 of an approved case: what is due, what is paid, what is outstanding."""
    outstanding = (case.total_due_yuan or Decimal(0)) - paid_yuan
    return render_pdf(
        "cases/pdf/payment_notice.html",
        _context(
            case,
            title="缴费通知单",
            money_items=[i for i in notice_items(case)[0] if i.get("unit") == "元"],
            issued_on=timezone.localdate(),
            issued_on_cn=chinese_date(timezone.localdate()),
            paid_yuan=paid_yuan,
            outstanding_yuan=outstanding,
            outstanding_upper=rmb_upper(outstanding),
            payments=list(case.payments.order_by("paid_on", "pk")),
        ),
    )
