"""Billing reports (item 8 of the billing issue): built from the bills in the user's scope.

- **Area report** (by the 13th of the next month, rule ``billing.reports.area_report_day``): per area of a
  billing month, customers, energy, every charge, the month's line loss (``lineloss.AreaMonthLoss`` when
  the analysis has run) and the customers still owing (issued or adjusted bills: collection comes later).
- **Monthly business report** (营业报表, by the 25th, ``billing.reports.business_report_day``): one station
  and month, totals by tariff category and the refunds and back-bills approved in the month; prepared by
  a billing clerk and signed by the station head. The signatures are ``BillingEvent`` rows of subject
  ``BusinessReport`` with ``subject_id = yyyymm × 1000 + station id`` (``prepared``, then ``signed``).
- **Posting sheet** (公示表) of one reading cycle: per customer the energy, price, charges and payment
  state, for the rural public posting.

Every figure is a sum of bill columns; money has two decimals, energy whole kWh.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gridcheck.archive.models import Station, Tariff
from gridcheck.billing.choices import BillStatus, ChangeStatus
from gridcheck.billing.models import Bill, BillAdjustment, BillingEvent, ReadingCycle
from gridcheck.core.periods import month_add
from gridcheck.core.roles import APPROVE_STATION, PREPARE_BILLS, has_capability
from gridcheck.core.rules import rule_int
from gridcheck.core.scoping import scoped, user_can_see

ZERO = Decimal("0.00")
MONEY_FIELDS = ("energy_charge_yuan", "basic_charge_yuan", "power_factor_yuan", "funds_yuan", "total_yuan")
OWING = (BillStatus.ISSUED, BillStatus.ADJUSTED)
BUSINESS_REPORT = "BusinessReport"


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def _kwh(value) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal(1))


def due_date(rule: str, period: datetime.date) -> datetime.date:
    """The day of the month after ``period`` by which a report is due (a rule of the rule table)."""
    following = month_add(period.replace(day=1), 1)
    return following.replace(day=rule_int(rule, following))


def _sums(queryset) -> dict:
    sums = queryset.aggregate(
        customers=Count("customer_id", distinct=True),
        bills=Count("pk"),
        energy_kwh=Sum("energy_kwh"),
        **{name: Sum(name) for name in MONEY_FIELDS},
    )
    return {
        "customers": sums["customers"] or 0,
        "bills": sums["bills"] or 0,
        "energy_kwh": _kwh(sums["energy_kwh"]),
        **{name: _money(sums[name]) for name in MONEY_FIELDS},
    }


# ---------------------------------------------------------------------------------------- area report
@dataclass
class AreaReport:
    period: datetime.date
    due_on: datetime.date
    rows: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    owing: list[Bill] = field(default_factory=list)


def area_report(*, user, period: datetime.date, station: Station | None = None) -> AreaReport:
    """Per area of the billing month ``period``: energy, charges, loss and customers still owing."""
    from gridcheck.lineloss.models import AreaMonthLoss

    period = period.replace(day=1)
    bills = scoped(Bill, user).filter(period=period)
    if station is not None:
        bills = bills.filter(station=station)
    rows = list(
        bills.values("area_id", "area__code", "area__name", "station__name")
        .annotate(
            customers=Count("customer_id", distinct=True),
            energy_kwh=Sum("energy_kwh"),
            **{name: Sum(name) for name in MONEY_FIELDS},
            owing_customers=Count("customer_id", distinct=True, filter=Q(status__in=OWING)),
        )
        .order_by("area__code")
    )
    owed = dict(
        bills.filter(status__in=OWING, adjusted_total_yuan__isnull=True)
        .values("area_id")
        .annotate(s=Sum("total_yuan"))
        .values_list("area_id", "s")
    )
    adjusted = dict(
        bills.filter(status__in=OWING, adjusted_total_yuan__isnull=False)
        .values("area_id")
        .annotate(s=Sum("adjusted_total_yuan"))
        .values_list("area_id", "s")
    )
    losses = {
        loss.area_id: loss
        for loss in AreaMonthLoss.objects.filter(month=period, area_id__in=[r["area_id"] for r in rows])
    }
    for row in rows:
        row["energy_kwh"] = _kwh(row["energy_kwh"])
        for name in MONEY_FIELDS:
            row[name] = _money(row[name])
        row["owing_yuan"] = _money(
            (owed.get(row["area_id"]) or ZERO) + (adjusted.get(row["area_id"]) or ZERO)
        )
        loss = losses.get(row["area_id"])
        row["supply_kwh"] = None if loss is None else _kwh(Decimal(str(loss.supply_kwh)))
        row["loss_kwh"] = None if loss is None else _kwh(Decimal(str(loss.loss_kwh)))
        row["loss_rate_percent"] = (
            None
            if loss is None or loss.loss_rate_percent is None
            else Decimal(str(loss.loss_rate_percent)).quantize(Decimal("0.01"))
        )
    totals = _sums(bills)
    totals["owing_customers"] = sum(r["owing_customers"] for r in rows)
    totals["owing_yuan"] = _money(sum((r["owing_yuan"] for r in rows), ZERO))
    owing = list(
        bills.filter(status__in=OWING)
        .select_related("customer", "area")
        .defer("inputs", "calculation")
        .order_by("area__code", "customer__account_number")
    )
    return AreaReport(
        period=period,
        due_on=due_date("billing.reports.area_report_day", period),
        rows=rows,
        totals=totals,
        owing=owing,
    )


# ------------------------------------------------------------------------------------ business report
@dataclass
class BusinessReport:
    station: Station
    period: datetime.date
    due_on: datetime.date
    rows: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    adjustments: list[BillAdjustment] = field(default_factory=list)
    refunds_yuan: Decimal = ZERO
    back_bills_yuan: Decimal = ZERO
    prepared: BillingEvent | None = None
    signed: BillingEvent | None = None


def business_report_id(station: Station, period: datetime.date) -> int:
    """The ``subject_id`` of a station's business report of ``period``: yyyymm × 1000 + station id."""
    return (period.year * 100 + period.month) * 1000 + station.pk


def _signatures(station: Station, period: datetime.date) -> dict[str, BillingEvent]:
    events = BillingEvent.objects.filter(
        subject_type=BUSINESS_REPORT, subject_id=business_report_id(station, period)
    ).select_related("actor")
    return {event.to_status: event for event in events}


def business_report(*, user, station: Station, period: datetime.date) -> BusinessReport:
    """The monthly business report (营业报表) of ``station``: totals by tariff category, refunds approved."""
    if not user_can_see(user, station):
        raise PermissionDenied(_("This record lies outside your station or areas."))
    period = period.replace(day=1)
    bills = scoped(Bill, user).filter(station=station, period=period)
    categories = dict(Tariff.objects.order_by("effective_from").values_list("code", "category"))
    labels = dict(Tariff._meta.get_field("category").choices)
    by_code = bills.values("tariff_code").annotate(
        customers=Count("customer_id", distinct=True),
        energy_kwh=Sum("energy_kwh"),
        **{name: Sum(name) for name in MONEY_FIELDS},
    )
    grouped: dict[str, dict] = {}
    for row in by_code:
        category = categories.get(row["tariff_code"], "")
        target = grouped.setdefault(
            category,
            {
                "category": category,
                "label": str(labels.get(category, category or _("Unknown tariff"))),
                "customers": 0,
                "energy_kwh": Decimal(0),
                **{name: ZERO for name in MONEY_FIELDS},
            },
        )
        target["customers"] += row["customers"]
        target["energy_kwh"] += row["energy_kwh"] or 0
        for name in MONEY_FIELDS:
            target[name] += row[name] or ZERO
    order = [c for c, _label in Tariff._meta.get_field("category").choices]
    rows = sorted(
        grouped.values(), key=lambda r: order.index(r["category"]) if r["category"] in order else 99
    )
    for row in rows:
        row["energy_kwh"] = _kwh(row["energy_kwh"])
        for name in MONEY_FIELDS:
            row[name] = _money(row[name])
    start, end = period, month_add(period, 1)
    adjustments = list(
        scoped(BillAdjustment, user)
        .filter(
            station=station,
            status=ChangeStatus.APPROVED,
            decided_at__date__gte=start,
            decided_at__date__lt=end,
        )
        .select_related("bill__customer", "decided_by", "prepared_by")
        .order_by("decided_at")
    )
    signatures = _signatures(station, period)
    return BusinessReport(
        station=station,
        period=period,
        due_on=due_date("billing.reports.business_report_day", period),
        rows=rows,
        totals=_sums(bills),
        adjustments=adjustments,
        refunds_yuan=_money(sum((a.amount_yuan for a in adjustments if a.amount_yuan < 0), ZERO)),
        back_bills_yuan=_money(sum((a.amount_yuan for a in adjustments if a.amount_yuan > 0), ZERO)),
        prepared=signatures.get("prepared"),
        signed=signatures.get("signed"),
    )


@transaction.atomic
def business_report_prepare(*, user, station: Station, period: datetime.date) -> BillingEvent:
    """A billing clerk states that they prepared the month's business report (once; again is refused)."""
    if not has_capability(user, PREPARE_BILLS):
        raise PermissionDenied(_("Your role may not prepare the business report."))
    if not user_can_see(user, station):
        raise PermissionDenied(_("This record lies outside your station or areas."))
    period = period.replace(day=1)
    # Serialise the signatures of one report: lock the station row.
    Station.objects.select_for_update().filter(pk=station.pk).first()
    signatures = _signatures(station, period)
    if "prepared" in signatures:
        raise ValidationError(_("The business report of this month is prepared already."))
    if not scoped(Bill, user).filter(station=station, period=period).exists():
        raise ValidationError(_("There are no bills of this month to report."))
    return BillingEvent.objects.create(
        subject_type=BUSINESS_REPORT,
        subject_id=business_report_id(station, period),
        from_status="",
        to_status="prepared",
        actor=user,
        note=f"{station.code} {period:%Y-%m}",
    )


@transaction.atomic
def business_report_sign(*, user, station: Station, period: datetime.date) -> BillingEvent:
    """The station head signs a prepared business report; never whoever prepared it."""
    if not has_capability(user, APPROVE_STATION):
        raise PermissionDenied(_("Only the station head signs the business report."))
    if not user_can_see(user, station):
        raise PermissionDenied(_("This record lies outside your station or areas."))
    period = period.replace(day=1)
    Station.objects.select_for_update().filter(pk=station.pk).first()
    signatures = _signatures(station, period)
    if "prepared" not in signatures:
        raise ValidationError(_("The business report must be prepared before it is signed."))
    if "signed" in signatures:
        raise ValidationError(_("The business report of this month is signed already."))
    if signatures["prepared"].actor_id == user.pk:
        raise PermissionDenied(_("Whoever prepared the business report may not sign it."))
    return BillingEvent.objects.create(
        subject_type=BUSINESS_REPORT,
        subject_id=business_report_id(station, period),
        from_status="prepared",
        to_status="signed",
        actor=user,
        note=f"{station.code} {period:%Y-%m}",
    )


# --------------------------------------------------------------------------------------- posting sheet
PAYMENT_STATE = {
    BillStatus.DRAFT: "未出账",
    BillStatus.CHECKED: "未出账",
    BillStatus.ISSUED: "未缴费",
    BillStatus.ADJUSTED: "未缴费（已退补）",
}


def posting_sheet(*, user, cycle: ReadingCycle) -> dict:
    """The rural public posting sheet (公示表) of ``cycle``: one row per customer."""
    if not user_can_see(user, cycle):
        raise PermissionDenied(_("This record lies outside your station or areas."))
    bills = (
        scoped(Bill, user)
        .filter(cycle=cycle)
        .select_related("customer", "area")
        .defer("inputs", "calculation")
        .order_by("area__code", "customer__account_number")
    )
    rows = []
    for bill in bills:
        energy = _kwh(bill.energy_kwh)
        rows.append(
            {
                "bill": bill,
                "account_number": bill.customer.account_number,
                "name": bill.customer.name,
                "area": bill.area.name,
                "tariff": bill.tariff_name,
                "energy_kwh": energy,
                "price_yuan_per_kwh": (
                    (bill.energy_charge_yuan / energy).quantize(Decimal("0.0001")) if energy else None
                ),
                "energy_charge_yuan": _money(bill.energy_charge_yuan),
                "other_yuan": _money(bill.basic_charge_yuan + bill.power_factor_yuan + bill.funds_yuan),
                "amount_yuan": _money(bill.amount_due_yuan),
                "payment_state": PAYMENT_STATE.get(bill.status, bill.get_status_display()),
            }
        )
    return {
        "cycle": cycle,
        "rows": rows,
        "totals": _sums(scoped(Bill, user).filter(cycle=cycle)),
        "amount_yuan": _money(sum((r["amount_yuan"] for r in rows), ZERO)),
    }


# ---------------------------------------------------------------------------------------------- XLSX
def _workbook(title: str, header: list[str], rows: list[list], *, preamble: list[list] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from gridcheck.core.exports import FORMULA_TRIGGERS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for line in preamble:
        sheet.append(line)
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "0" if cell.value.as_tuple().exponent >= 0 else "0.00"
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def area_report_xlsx(report: AreaReport) -> bytes:
    header = [
        "台区编号", "台区名称", "客户数", "电量(kWh)", "电度电费(元)", "基本电费(元)", "力调电费(元)",
        "基金及附加(元)", "应收电费(元)", "供电量(kWh)", "损失电量(kWh)", "线损率(%)", "欠费户数", "欠费金额(元)",
    ]  # fmt: skip
    rows = [
        [
            r["area__code"],
            r["area__name"],
            r["customers"],
            r["energy_kwh"],
            r["energy_charge_yuan"],
            r["basic_charge_yuan"],
            r["power_factor_yuan"],
            r["funds_yuan"],
            r["total_yuan"],
            r["supply_kwh"],
            r["loss_kwh"],
            r["loss_rate_percent"],
            r["owing_customers"],
            r["owing_yuan"],
        ]  # fmt: skip
        for r in report.rows
    ]
    t = report.totals
    rows.append(
        ["合计", "", t["customers"], t["energy_kwh"], t["energy_charge_yuan"], t["basic_charge_yuan"],
         t["power_factor_yuan"], t["funds_yuan"], t["total_yuan"], None, None, None, t["owing_customers"],
         t["owing_yuan"]]
    )  # fmt: skip
    rows.append([])
    rows.append(["欠费客户", "户号", "户名", "账单号", "电量(kWh)", "应收电费(元)"])
    for bill in report.owing:
        rows.append(
            [bill.area.code, bill.customer.account_number, bill.customer.name, bill.number,
             _kwh(bill.energy_kwh), _money(bill.amount_due_yuan)]
        )  # fmt: skip
    preamble = [[f"台区电量电费及线损月报 {report.period:%Y-%m}（{report.due_on:%Y-%m-%d}前报送）"]]
    return _workbook(f"台区月报{report.period:%Y%m}", header, rows, preamble=preamble)


def business_report_xlsx(report: BusinessReport) -> bytes:
    header = [
        "电价类别", "户数", "电量(kWh)", "电度电费(元)", "基本电费(元)", "力调电费(元)", "基金及附加(元)",
        "应收电费合计(元)",
    ]  # fmt: skip
    rows = [
        [r["label"], r["customers"], r["energy_kwh"], r["energy_charge_yuan"], r["basic_charge_yuan"],
         r["power_factor_yuan"], r["funds_yuan"], r["total_yuan"]]
        for r in report.rows
    ]  # fmt: skip
    t = report.totals
    rows.append(
        ["合计", t["customers"], t["energy_kwh"], t["energy_charge_yuan"], t["basic_charge_yuan"],
         t["power_factor_yuan"], t["funds_yuan"], t["total_yuan"]]
    )  # fmt: skip
    rows.append([])
    rows.append(["本月批准退补", "账单号", "户号", "类别", "金额(元)", "原因", "批准人"])
    for a in report.adjustments:
        rows.append(
            ["", a.bill.number, a.bill.customer.account_number, a.get_kind_display(), _money(a.amount_yuan),
             a.reason, str(a.decided_by or "")]
        )  # fmt: skip
    rows.append(["退费合计", "", "", "", report.refunds_yuan])
    rows.append(["补收合计", "", "", "", report.back_bills_yuan])
    rows.append([])
    prepared = str(report.prepared.actor) if report.prepared else ""
    signed = str(report.signed.actor) if report.signed else ""
    rows.append(["编制", prepared, "所长签字", signed])
    preamble = [[f"{report.station.name} 营业报表 {report.period:%Y-%m}（{report.due_on:%Y-%m-%d}前报送）"]]
    return _workbook(f"营业报表{report.period:%Y%m}", header, rows, preamble=preamble)


# ----------------------------------------------------------------------------------------------- PDF
def _letterhead(station: Station) -> str:
    return station.company.name


def business_report_pdf(report: BusinessReport) -> bytes:
    from gridcheck.core.pdf import chinese_date, render_pdf

    return render_pdf(
        "billing/reports/business_report_pdf.html",
        {
            "letterhead": _letterhead(report.station),
            "document_number": f"营业报表〔{report.period:%Y}〕{report.period.month:02d}-{report.station.code}",
            "report": report,
            "period_text": f"{report.period.year}年{report.period.month}月",
            "due_text": chinese_date(report.due_on),
        },
    )


def posting_sheet_pdf(sheet: dict) -> bytes:
    from gridcheck.core.pdf import render_pdf

    cycle = sheet["cycle"]
    station = Station.objects.select_related("company").get(pk=cycle.station_id)
    return render_pdf(
        "billing/reports/posting_sheet_pdf.html",
        {
            "letterhead": _letterhead(station),
            "document_number": f"电费公示〔{cycle.period:%Y}〕{cycle.period.month:02d}-{cycle.book.code}",
            "sheet": sheet,
            "station": station,
            "period_text": f"{cycle.period.year}年{cycle.period.month}月",
        },
    )
