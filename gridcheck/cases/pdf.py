"""The notices of a case as PDF: 窃电通知书, 违约用电通知书 and 缴费通知单.

Rendered by ``gridcheck.core.pdf.render_pdf`` (WeasyPrint, Noto CJK) from ``templates/cases/pdf/*.html``, which
extend the one letterhead of ``pdf/base.html``; the company on it is the case station's
(``selectors.case_letterhead``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone

from gridcheck.cases.choices import CaseKind
from gridcheck.cases.models import Case
from gridcheck.cases.selectors import case_letterhead, tariff_name
from gridcheck.core.pdf import chinese_date, render_pdf
from gridcheck_analytics.penalties.labels import INPUT_LABELS
from gridcheck_analytics.regulations.table import VALUE_NAMES, unit_name

#: Items recorded on the case but not billed to the customer.
NOT_BILLED = ("admin_fine_max_yuan", "criminal_amount_yuan")

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


#: How many decimals each unit is printed with (kW to 0.01, money to the fen; energy as the rule rounded it).
UNIT_PLACES = {"kW": 2, "kVA": 2, "元": 2, "V": 0, "A": 2}
#: Values of named choices, as a person reads them.
VALUE_TEXT = {
    "article": "按第一百零三条（容量×时间）",
    "connected_load": "按实际接入负荷（实务做法）",
    "transformer_kva": "按变压器容量（实务做法）",
    "ct_correction": "按CT变比更正率（实务做法）",
    "correction_factor": "按更正系数（实务做法）",
    "established_energy": "按其他方式查明的电量（实务做法）",
    **VALUE_NAMES,  # the customer classes
}
_INTERNAL_REF = re.compile(r"[（(][^（）()]*(regulations\.md|shared/|workflows\.md)[^（）()]*[)）]")
_TITLE = re.compile(r"《[^》]+》(?:（\d{4}年修订）)?(?:（[^（）]*令[^（）]*）)?")


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _places_of_key(key: str) -> int | None:
    """Decimals of an input by its name's unit suffix (None: as stored, trailing zeros dropped)."""
    if key.endswith("_yuan") or key.startswith("price") or key.endswith("_per_kwh"):
        return 2 if key.endswith("_yuan") else None
    if key.endswith(("_kw", "_kva")) or key == "capacity_kw":
        return 2
    if key.endswith("_kwh"):
        return None
    return None


def number_text(value, places: int | None = None, group: bool = False) -> str:
    """A number as printed: ``places`` decimals (half up), else the stored value without trailing zeros
    (at most 4 decimals); never an exponent."""
    number = _decimal(value)
    if number is None:
        return str(value)
    if places is None:
        exponent = number.normalize().as_tuple().exponent
        places = min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0
    quantized = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{quantized:,.{places}f}" if group else f"{quantized:.{places}f}"


def value_text(value, unit: str) -> str:
    """An item's value rounded to its unit: kW to 0.01, kWh as the rule rounded it, 元 to 0.01."""
    if unit == "kWh":
        return number_text(value, None, group=True)
    return number_text(value, UNIT_PLACES.get(unit), group=unit == "元")


def _input_value_text(key: str, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "，".join(f"{input_label(k)} {_input_value_text(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return " + ".join(_input_value_text(key, v) for v in value)
    if isinstance(value, str) and value in VALUE_TEXT:
        return VALUE_TEXT[value]
    if _decimal(value) is not None and not (isinstance(value, str) and "-" in value[1:]):
        return number_text(value, _places_of_key(key))
    return str(value)


def input_label(key: str) -> str:
    """The Chinese name of an input; an input the label table lacks is shown as "参数"."""
    from gridcheck.cases.forms import input_label as form_label

    label = INPUT_LABELS.get(key) or form_label(key)
    return label if label and label != key and not re.fullmatch(r"[a-z_0-9.]+", label) else "参数"


def notice_inputs_text(inputs: dict | None) -> str:
    """The inputs of a line as a person reads them: Chinese names, numbers rounded to their unit."""
    return "；".join(f"{input_label(k)} = {_input_value_text(k, v)}" for k, v in (inputs or {}).items())


def _unverified_rows(case: Case) -> list[dict]:
    return [r for r in case.calculation.get("rules", []) if r.get("status") == "U"]


def unverified_citations(case: Case) -> list[dict]:
    """The rule rows the calculation used that are not verified (status U), for the staff's review."""
    return _unverified_rows(case)


def _is_unverified(article: str, case: Case) -> bool:
    if "未核实" in article or "2024年修订" in article or article.startswith("供电所实务做法"):
        return True
    return any(r.get("citation") and r["citation"] in article for r in _unverified_rows(case))


def customer_citation(article: str, case: Case) -> str:
    """An article as the customer's copy cites it: verified rows with their article number; an unverified
    row by the regulation's name only (never a guessed number); internal references dropped."""
    article = _INTERNAL_REF.sub("", article or "").strip()
    if not _is_unverified(article, case):
        return article
    titles = []
    for match in _TITLE.finditer(article):
        title = match.group(0).replace("（2024年修订）", "")
        if title not in titles:
            titles.append(title)
    if titles:
        return "、".join(titles)
    return "供电企业实务做法（非法规条文）" if "实务" in article else "供电企业计算约定"


def uses_2024_rules(case: Case) -> bool:
    """Whether the calculation used a row of the 2024 rules (whose article numbers are unverified)."""
    return any("2024年修订" in (r.get("citation") or "") for r in case.calculation.get("rules", []))


def notice_items(case: Case, *, customer_copy: bool = False) -> tuple[list[dict], list[dict]]:
    """(billed items, recorded-only items) of the case's calculation, ready for a page or a notice:
    values rounded to their unit, inputs with Chinese names; on the customer's copy, unverified citations
    by the regulation's name only."""
    billed, recorded = [], []
    for item in case.calculation.get("items", []):
        row = dict(item)
        row["unit_cn"] = unit_name(item.get("unit") or "")
        row["value"] = value_text(item.get("value"), item.get("unit", ""))
        row["inputs_text"] = notice_inputs_text(item.get("inputs"))
        row["unverified"] = _is_unverified(item.get("article", ""), case)
        if customer_copy:
            row["article"] = customer_citation(item.get("article", ""), case)
        (recorded if item["key"] in NOT_BILLED else billed).append(row)
    return billed, recorded


def _context(case: Case, **extra) -> dict:
    from gridcheck.cases import calc_settings

    billed, recorded = notice_items(case, customer_copy=True)
    issued_on = case.notified_on or timezone.localdate()
    return {
        "letterhead": case_letterhead(case),
        "document_number": case.number,
        "case": case,
        "customer": case.customer,
        "station": case.station,
        "company": case.station.company,
        "meter": case.meter,
        "tariff_name": tariff_name(case),
        "items": billed,
        "recorded": recorded,
        "flags": case.calculation.get("flags", []),
        "total_upper": rmb_upper(case.total_due_yuan or Decimal(0)),
        "issued_on": issued_on,
        "issued_on_cn": chinese_date(issued_on),
        "case_date_cn": chinese_date(case.case_date),
        "is_theft": case.kind == CaseKind.THEFT,
        "rules_2024": uses_2024_rules(case),
        "chosen_settings": calc_settings.describe(case.calc_settings),
        "capacity_voltage": number_text(case.capacity_voltage_v, 0) if case.capacity_voltage_v else "",
        "settled_amount": case.settled_amount_yuan,
        **extra,
    }


def case_notice_pdf(case: Case) -> bytes:
    """The 窃电通知书 or 违约用电通知书 of a computed case."""
    title = "窃电通知书" if case.kind == CaseKind.THEFT else "违约用电通知书"
    return render_pdf("cases/pdf/case_notice.html", _context(case, title=title))


def payment_notice_pdf(case: Case, *, paid_yuan: Decimal) -> bytes:
    """The 缴费通知单 of an approved case: what is due, what is paid, what is outstanding."""
    outstanding = (case.amount_due_yuan or Decimal(0)) - paid_yuan
    return render_pdf(
        "cases/pdf/payment_notice.html",
        _context(
            case,
            title="缴费通知单",
            money_items=[i for i in notice_items(case, customer_copy=True)[0] if i.get("unit") == "元"],
            issued_on=timezone.localdate(),
            issued_on_cn=chinese_date(timezone.localdate()),
            paid_yuan=paid_yuan,
            outstanding_yuan=outstanding,
            outstanding_upper=rmb_upper(outstanding),
            payments=list(case.payments.order_by("paid_on", "pk")),
        ),
    )
