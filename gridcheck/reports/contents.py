"""What each report says: its figures, tables and charts for one station and period, as a ``Document``
that ``documents.py`` prints as PDF and XLSX (the same tables in both).

The figures are read from the apps that own them (billing, line loss, collection, cases, hazards,
inspections, detection) for the one station of the report, whoever asks: a report is the station's
document, and who may ask for which station is checked by the service. A month whose data is not
analysed (no successful line-loss analysis, no bills of the station) is refused with ``ReportRefused``.

The documents' wording is the fixed Chinese of a station's report (see ``pdf/base.html``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gridcheck.archive.models import Station
from gridcheck.core.periods import month_add, month_end
from gridcheck.reports.kinds import Kind

ZERO = Decimal("0")


class ReportRefused(Exception):
    """The report cannot be made for this period (its data is missing or not analysed); ``message``
    says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _County:
    """Reads the station's figures whatever the asking user's scope (the service checked the station)."""

    is_authenticated = True
    is_superuser = True
    is_active = True
    role = ""
    station_id = None
    pk = None
    id = None


COUNTY = _County()

# Column formats: text, int (a count), kwh (whole kWh), yuan (two decimals), pct (one decimal, %),
# pp (a change in percentage points), change (a relative change in %).
TEXT, INT, KWH, YUAN, PCT, PP, CHANGE = "text", "int", "kwh", "yuan", "pct", "pp", "change"
PRICE, BLANK = "price", "blank"  # a price (four decimals); a cell left empty to be filled in by hand


@dataclass
class Section:
    title: str
    header: list[str]
    formats: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    empty: str = "无"
    note: str = ""
    #: Per row, its cells' formats, where rows differ (the comparison table); else ``formats``.
    row_formats: list[list[str]] | None = None


@dataclass
class Document:
    kind: Kind
    station: Station
    period_start: datetime.date
    period_end: datetime.date
    title: str
    document_number: str
    intro: list[str] = field(default_factory=list)
    kpis: list[tuple[str, str]] = field(default_factory=list)
    charts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    conclusions: list[str] = field(default_factory=list)
    signatures: tuple[str, ...] = ("编制", "审核", "批准")
    summary: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ numbers
def _dec(value) -> Decimal:
    if value is None:
        return ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _q(value, places: str) -> Decimal | None:
    if value is None:
        return None
    return _dec(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def rate(part, whole) -> Decimal | None:
    """``part`` of ``whole`` in per cent, one decimal; None without a whole."""
    if not whole:
        return None
    return _q(_dec(part) * 100 / _dec(whole), "0.1")


def change(current, previous) -> Decimal | None:
    """The relative change from ``previous`` to ``current`` in per cent, one decimal."""
    if previous is None or current is None or not _dec(previous):
        return None
    return _q((_dec(current) - _dec(previous)) * 100 / abs(_dec(previous)), "0.1")


def points(current, previous) -> Decimal | None:
    if current is None or previous is None:
        return None
    return _q(_dec(current) - _dec(previous), "0.1")


def wan(value, places: str = "0.01") -> str:
    """A figure in 万 (ten thousands), rounded for reading: ``12.35``."""
    return "—" if value is None else f"{_q(_dec(value) / 10000, places):,}"


def fmt(value, kind: str) -> str:
    """A cell as the PDF prints it: rounded for reading, thousands separated, ``—`` for nothing."""
    if kind == BLANK:
        return ""
    if value is None or value == "":
        return "—"
    if kind == TEXT:
        return str(value)
    if kind == INT:
        return f"{int(value):,}"
    if kind == KWH:
        return f"{_q(value, '1'):,}"
    if kind == YUAN:
        return f"{_q(value, '0.01'):,}"
    if kind == PRICE:
        return f"{_q(value, '0.0001')}"
    if kind == PCT:
        return f"{_q(value, '0.1')}%"
    if kind == PP:
        v = _q(value, "0.1")
        return f"{'+' if v > 0 else ''}{v}个百分点"
    if kind == CHANGE:
        v = _q(value, "0.1")
        return f"{'+' if v > 0 else ''}{v}%"
    return str(value)


def document_number(kind: Kind, station: Station, start: datetime.date) -> str:
    prefix = {"month": f"{start:%Y}〕{start.month:02d}", "week": f"{start:%Y}〕W{start.isocalendar()[1]:02d}"}
    body = prefix.get(kind.period_kind, f"{start:%Y}〕{start:%m%d}")
    return f"{station.code}{kind.abbreviation}〔{body}号"


# ----------------------------------------------------------------------------------- refusal checks
def analysis_succeeded(month: datetime.date) -> bool:
    from gridcheck.core.runs import RunStatus
    from gridcheck.lineloss.models import AnalysisRun

    return AnalysisRun.objects.filter(month=month, status=RunStatus.SUCCEEDED).exists()


def _bills(station: Station, month: datetime.date):
    from gridcheck.billing.choices import BillStatus
    from gridcheck.billing.models import Bill

    return Bill.objects.filter(station=station, period=month).exclude(status=BillStatus.DRAFT)


def check_month_analysed(station: Station, month: datetime.date, *, bills: bool = True) -> None:
    """Refuse a month whose line-loss analysis has not succeeded, or (``bills``) with no bills."""
    text = f"{month:%Y-%m}"
    if not analysis_succeeded(month):
        raise ReportRefused(
            _(
                "The data of %(month)s is not analysed yet: no line-loss analysis of the month has "
                "succeeded. Run the analysis of the month first; no report was written."
            )
            % {"month": text}
        )
    from gridcheck.lineloss.models import AreaMonthLoss

    if not AreaMonthLoss.objects.filter(station=station, month=month).exists():
        raise ReportRefused(
            _("The line-loss analysis of %(month)s has no results for %(station)s; no report was written.")
            % {"month": text, "station": station.name}
        )
    if bills and not _bills(station, month).exists():
        raise ReportRefused(
            _("%(station)s has no bills of %(month)s yet; no report was written.")
            % {"month": text, "station": station.name}
        )


# ------------------------------------------------------------------------------ economic activity
def month_figures(station: Station, month: datetime.date) -> dict:
    """The economic-activity figures of one station and month (None where the month has no data)."""
    from gridcheck.cases.choices import CaseKind, CaseStatus
    from gridcheck.cases.models import Case
    from gridcheck.cases.models import Payment as CasePayment
    from gridcheck.collection.selectors.reports import recovery_total
    from gridcheck.detection.models import Suspect
    from gridcheck.hazards.choices import OPEN_STATUSES, HazardSeverity
    from gridcheck.hazards.models import Hazard
    from gridcheck.lineloss.models import AreaMonthLoss

    end = month_end(month)
    bills = _bills(station, month).aggregate(
        n=Count("pk"),
        customers=Count("customer_id", distinct=True),
        kwh=Sum("energy_kwh"),
        yuan=Sum(Coalesce("adjusted_total_yuan", "total_yuan")),
    )
    loss = AreaMonthLoss.objects.filter(station=station, month=month).aggregate(
        supply=Sum("supply_kwh"),
        sales=Sum("sales_kwh"),
        areas=Count("pk"),
        above=Count("pk", filter=Q(above_target=True)),
        flagged=Count("pk", filter=Q(flagged=True)),
    )
    has_loss = bool(loss["areas"])
    supply = _dec(loss["supply"]) if has_loss else None
    metered = _dec(loss["sales"]) if has_loss else None
    recovery = recovery_total(user=COUNTY, month=month, station=station) if bills["n"] else None
    if recovery is not None and not recovery["receivables"]:
        # the month's bills not yet receivable: its figures "—" (not 0.00 and -100 % against last month),
        # as the text and the trend chart say it
        recovery = None
    cases = Case.objects.filter(station=station, case_date__range=(month, end)).exclude(
        status=CaseStatus.REJECTED
    )
    case_sums = cases.aggregate(
        n=Count("pk"),
        theft=Count("pk", filter=Q(kind=CaseKind.THEFT)),
        violation=Count("pk", filter=Q(kind=CaseKind.VIOLATION)),
        due=Sum("total_due_yuan"),
    )
    recovered = CasePayment.objects.filter(case__station=station, paid_on__range=(month, end)).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    closed = Case.objects.filter(station=station, closed_on__range=(month, end)).count()
    hazards = Hazard.objects.filter(station=station)
    found = hazards.filter(found_on__range=(month, end))
    return {
        "month": month,
        "has_bills": bool(bills["n"]),
        "has_loss": has_loss,
        "customers": bills["customers"] or 0,
        "sold_kwh": _dec(bills["kwh"]) if bills["n"] else None,
        "revenue_yuan": _q(bills["yuan"], "0.01") if bills["n"] else None,
        "price_yuan_per_kwh": (
            _q(_dec(bills["yuan"]) / _dec(bills["kwh"]), "0.0001") if bills["n"] and bills["kwh"] else None
        ),
        "supply_kwh": supply,
        "metered_kwh": metered,
        "loss_kwh": None if supply is None else supply - metered,
        "loss_rate": None if supply is None else rate(supply - metered, supply),
        "areas": loss["areas"] or 0,
        "areas_above_target": loss["above"] or 0,
        "areas_flagged": loss["flagged"] or 0,
        "due_yuan": recovery["due_yuan"] if recovery else None,
        "paid_yuan": recovery["paid_yuan"] if recovery else None,
        "recovery_rate": _q(recovery["rate_percent"], "0.1")
        if recovery and recovery["rate_percent"] is not None
        else None,
        "recovery_cutoff": recovery["cutoff"] if recovery else None,
        "cases": case_sums["n"] or 0,
        "theft_cases": case_sums["theft"] or 0,
        "violation_cases": case_sums["violation"] or 0,
        "cases_due_yuan": _q(case_sums["due"] or 0, "0.01"),
        "cases_recovered_yuan": _q(recovered or 0, "0.01"),
        "cases_closed": closed,
        "suspects": Suspect.objects.filter(station=station, month=month).count(),
        "hazards_found": found.count(),
        "hazards_major": found.filter(severity__in=[HazardSeverity.MAJOR, HazardSeverity.SERIOUS]).count(),
        "hazards_rectified": hazards.filter(rectified_on__range=(month, end)).count(),
        "hazards_open": hazards.filter(found_on__lte=end)
        .filter(Q(status__in=OPEN_STATUSES) | Q(rectified_on__gt=end))
        .count(),
    }


#: The comparison table: (label, key, format, how it compares: "change" relative, "pp" in points).
ECONOMIC_ROWS = [
    ("售电量（千瓦时）", "sold_kwh", KWH, CHANGE),
    ("电费收入（元）", "revenue_yuan", YUAN, CHANGE),
    ("平均电价（元/千瓦时）", "price_yuan_per_kwh", PRICE, CHANGE),
    ("供电量（千瓦时）", "supply_kwh", KWH, CHANGE),
    ("损失电量（千瓦时）", "loss_kwh", KWH, CHANGE),
    ("线损率", "loss_rate", PCT, PP),
    ("应收电费（元）", "due_yuan", YUAN, CHANGE),
    ("实收电费（元）", "paid_yuan", YUAN, CHANGE),
    ("电费回收率", "recovery_rate", PCT, PP),
    ("查处窃电及违约用电（件）", "cases", INT, CHANGE),
    ("追补电费及违约使用电费（元）", "cases_due_yuan", YUAN, CHANGE),
    ("案件收回金额（元）", "cases_recovered_yuan", YUAN, CHANGE),
    ("新增安全隐患（处）", "hazards_found", INT, CHANGE),
    ("月末未整改隐患（处）", "hazards_open", INT, CHANGE),
]


def _compare_row(label, key, value_format, how, cur, prev, last_year) -> list:
    compare = change if how == CHANGE else points
    return [
        label,
        cur[key],
        prev[key],
        compare(cur[key], prev[key]),
        last_year[key],
        compare(cur[key], last_year[key]),
    ]


def _trend(station: Station, month: datetime.date, months: int = 13) -> list[dict]:
    from gridcheck.lineloss.models import AreaMonthLoss

    first = month_add(month, -(months - 1))
    sold = dict(
        _bills_range(station, first, month)
        .values("period")
        .annotate(s=Sum("energy_kwh"))
        .values_list("period", "s")
    )
    revenue = dict(
        _bills_range(station, first, month)
        .values("period")
        .annotate(s=Sum(Coalesce("adjusted_total_yuan", "total_yuan")))
        .values_list("period", "s")
    )
    loss = {
        r["month"]: r
        for r in AreaMonthLoss.objects.filter(station=station, month__range=(first, month))
        .values("month")
        .annotate(supply=Sum("supply_kwh"), sales=Sum("sales_kwh"))
    }
    rows = []
    for back in range(months - 1, -1, -1):
        m = month_add(month, -back)
        row = loss.get(m)
        rows.append(
            {
                "month": m,
                "sold_kwh": sold.get(m),
                "revenue_yuan": revenue.get(m),
                "loss_rate": rate(row["supply"] - row["sales"], row["supply"]) if row else None,
            }
        )
    return rows


def _bills_range(station, first, last):
    from gridcheck.billing.choices import BillStatus
    from gridcheck.billing.models import Bill

    return (
        Bill.objects.filter(station=station, period__range=(first, last))
        .exclude(status=BillStatus.DRAFT)
        .order_by()
    )


def _recovery_trend(
    station: Station, month: datetime.date, months: int = 6
) -> list[tuple[datetime.date, Decimal | None, Decimal | None]]:
    from gridcheck.collection.selectors.reports import recovery_trend

    return [
        (row["month"], row["due_yuan"] if row["receivables"] else None, row["rate_percent"])
        for row in recovery_trend(user=COUNTY, month=month, months=months, station=station)
    ]


def economic_activity(kind: Kind, station: Station, month: datetime.date) -> Document:
    from gridcheck.reports import charts

    check_month_analysed(station, month)
    cur = month_figures(station, month)
    prev = month_figures(station, month_add(month, -1))
    last_year = month_figures(station, month_add(month, -12))
    period = kind.period_text(month)
    doc = Document(
        kind=kind,
        station=station,
        period_start=month,
        period_end=month_end(month),
        title=f"{station.name}{period}经济活动分析",
        document_number=document_number(kind, station, month),
    )
    sold_change = change(cur["sold_kwh"], prev["sold_kwh"])
    yoy = change(cur["sold_kwh"], last_year["sold_kwh"])
    doc.intro = [
        f"{period}，{station.name}完成售电量{wan(cur['sold_kwh'])}万千瓦时"
        + (f"，环比{_moved(sold_change)}" if sold_change is not None else "")
        + (f"，同比{_moved(yoy)}" if yoy is not None else "，去年同期无可比数据")
        + f"；电费收入{wan(cur['revenue_yuan'])}万元，平均电价{fmt(cur['price_yuan_per_kwh'], PRICE)}元/千瓦时。",
        f"本月供电量{wan(cur['supply_kwh'])}万千瓦时，损失电量{wan(cur['loss_kwh'])}万千瓦时，"
        f"线损率{fmt(cur['loss_rate'], PCT)}"
        + (f"（上月{fmt(prev['loss_rate'], PCT)}）" if prev["loss_rate"] is not None else "")
        + f"；{cur['areas']}个台区中{cur['areas_above_target']}个超过线损指标，{cur['areas_flagged']}个列入异常清单。",
        (
            f"本月应收电费{wan(cur['due_yuan'])}万元，截至{_day(min(cur['recovery_cutoff'], timezone.localdate()))}"
            f"实收{wan(cur['paid_yuan'])}万元，电费回收率{fmt(cur['recovery_rate'], PCT)}。"
            if cur["due_yuan"]
            else "本月电费尚未形成应收记录，电费回收情况在下月分析中报告。"
        ),
        f"本月查处窃电及违约用电{cur['cases']}件（窃电{cur['theft_cases']}件、违约用电{cur['violation_cases']}件），"
        f"应追补电费及违约使用电费{fmt(cur['cases_due_yuan'], YUAN)}元，当月收回{fmt(cur['cases_recovered_yuan'], YUAN)}元，"
        f"结案{cur['cases_closed']}件；反窃电模型本月疑似客户{cur['suspects']}户。",
        f"本月新增客户安全隐患{cur['hazards_found']}处（其中重大、较大{cur['hazards_major']}处），"
        f"整改{cur['hazards_rectified']}处，月末尚未整改{cur['hazards_open']}处。",
    ]
    doc.kpis = [
        ("售电量（万千瓦时）", wan(cur["sold_kwh"])),
        ("电费收入（万元）", wan(cur["revenue_yuan"])),
        ("线损率", fmt(cur["loss_rate"], PCT)),
        ("电费回收率", fmt(cur["recovery_rate"], PCT)),
        ("查处案件（件）", str(cur["cases"])),
        ("新增隐患（处）", str(cur["hazards_found"])),
    ]
    trend = _trend(station, month)
    labels = [f"{r['month'].year % 100:02d}/{r['month'].month:02d}" for r in trend]
    doc.charts.append(
        (
            "图1 近13个月售电量与线损率",
            charts.bars_and_line(
                labels,
                [float(_dec(r["sold_kwh"]) / 10000) if r["sold_kwh"] is not None else None for r in trend],
                [float(r["loss_rate"]) if r["loss_rate"] is not None else None for r in trend],
                bar_label="售电量（万千瓦时）",
                line_label="线损率（%）",
                title="",
            ),
        )
    )
    recovery_rows = _recovery_trend(station, month)
    doc.charts.append(
        (
            "图2 近6个月应收电费与电费回收率",
            charts.bars_and_line(
                [f"{m.year % 100:02d}/{m.month:02d}" for m, _due, _rate in recovery_rows],
                [float(_dec(due) / 10000) if due is not None else None for _m, due, _rate in recovery_rows],
                [float(r) if r is not None else None for _m, _due, r in recovery_rows],
                bar_label="应收电费（万元）",
                line_label="回收率（%）",
                title="",
                reference=100.0,
                reference_label="目标100%",
                height_cm=5.6,
            ),
        )
    )
    doc.sections.append(
        Section(
            title="一、主要指标及环比、同比",
            header=["指标", "本月", "上月", "环比", "去年同月", "同比"],
            formats=[TEXT, TEXT, TEXT, TEXT, TEXT, TEXT],
            rows=[
                _compare_row(label, key, f, how, cur, prev, last_year) for label, key, f, how in ECONOMIC_ROWS
            ],
            row_formats=[[TEXT, f, f, how, f, how] for _label, _key, f, how in ECONOMIC_ROWS],
            note="环比、同比：数量为增减百分比，线损率与回收率为增减百分点；“—”为无可比数据。",
        )
    )
    doc.sections.append(
        Section(
            title="二、近13个月售电量、电费收入与线损率",
            header=["月份", "售电量（千瓦时）", "电费收入（元）", "线损率"],
            formats=[TEXT, KWH, YUAN, PCT],
            rows=[
                [f"{r['month']:%Y-%m}", r["sold_kwh"], r["revenue_yuan"], r["loss_rate"]]
                for r in trend
                if r["sold_kwh"] is not None or r["loss_rate"] is not None
            ],
        )
    )
    doc.conclusions = _economic_conclusions(cur, prev)
    doc.summary = _summary(
        cur, ("sold_kwh", "revenue_yuan", "loss_rate", "recovery_rate", "cases", "hazards_found")
    )
    return doc


def _moved(value: Decimal) -> str:
    if value > 0:
        return f"增长{value}%"
    if value < 0:
        return f"下降{abs(value)}%"
    return "持平"


def _day(day: datetime.date | None) -> str:
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日"


def _economic_conclusions(cur: dict, prev: dict) -> list[str]:
    out = []
    if cur["loss_rate"] is not None and prev["loss_rate"] is not None:
        moved = points(cur["loss_rate"], prev["loss_rate"])
        if moved > 0:
            out.append(f"线损率较上月上升{moved}个百分点，应对超指标台区逐一分析原因，安排用电检查。")
        else:
            out.append("线损率较上月未上升，继续保持台区线损的日常监控。")
    if cur["areas_above_target"]:
        out.append(f"{cur['areas_above_target']}个台区线损超过指标，由台区经理提出治理措施并限期完成。")
    if cur["recovery_rate"] is not None and cur["recovery_rate"] < 100:
        out.append("电费尚未全部回收，按规定程序催收欠费，确保月结月清。")
    if cur["hazards_open"]:
        out.append(f"尚有{cur['hazards_open']}处安全隐患未整改，按“1+1+1”机制督促客户整改并报送政府部门。")
    if not out:
        out.append("本月各项指标正常。")
    return out


def _summary(figures: dict, keys) -> dict:
    return {k: (str(figures[k]) if isinstance(figures[k], Decimal) else figures[k]) for k in keys}


# -------------------------------------------------------------------------------- line-loss monthly
def lineloss_monthly(kind: Kind, station: Station, month: datetime.date) -> Document:
    from gridcheck.lineloss import selectors as loss
    from gridcheck.reports import charts

    check_month_analysed(station, month, bills=False)
    summary = loss.loss_summary(user=COUNTY, month=month, station_id=station.pk)
    rows = loss.loss_breakdown(user=COUNTY, month=month, level="area", station_id=station.pk)
    lines = loss.loss_breakdown(user=COUNTY, month=month, level="line", station_id=station.pk)
    trend = loss.loss_trend(user=COUNTY, station_id=station.pk, months=13)
    trend = [t for t in trend if t["month"] <= f"{month:%Y-%m}"]
    period = kind.period_text(month)
    doc = Document(
        kind=kind,
        station=station,
        period_start=month,
        period_end=month_end(month),
        title=f"{station.name}{period}线损月报",
        document_number=document_number(kind, station, month),
    )
    above = [
        r for r in rows if r["loss_rate_percent"] is not None and r["loss_rate_percent"] > r["target_percent"]
    ]
    doc.intro = [
        f"{period}，{station.name}所辖{summary['areas']}个台区供电量{wan(summary['supply_kwh'])}万千瓦时，"
        f"售电量{wan(summary['sales_kwh'])}万千瓦时，损失电量{wan(summary['loss_kwh'])}万千瓦时，"
        f"综合线损率{fmt(summary['loss_rate_percent'], PCT)}；抄表成功率{fmt(summary['reading_rate_percent'], PCT)}。",
        f"超过线损指标的台区{len(above)}个，负线损台区{summary['negative']}个，列入异常清单的台区{summary['flagged']}个。",
    ]
    doc.kpis = [
        ("供电量（万千瓦时）", wan(summary["supply_kwh"])),
        ("售电量（万千瓦时）", wan(summary["sales_kwh"])),
        ("损失电量（万千瓦时）", wan(summary["loss_kwh"])),
        ("综合线损率", fmt(summary["loss_rate_percent"], PCT)),
        ("超指标台区（个）", str(len(above))),
        ("异常台区（个）", str(summary["flagged"])),
    ]
    doc.charts.append(
        (
            "图1 近13个月线损率与售电量",
            charts.bars_and_line(
                [t["month"][2:].replace("-", "/") for t in trend],
                [t["sales_kwh"] / 10000 for t in trend],
                [t["loss_rate_percent"] for t in trend],
                bar_label="售电量（万千瓦时）",
                line_label="线损率（%）",
                title="",
            ),
        )
    )
    doc.sections.append(
        Section(
            title="一、分线路线损",
            header=[
                "线路编号",
                "线路名称",
                "台区数",
                "供电量（千瓦时）",
                "售电量（千瓦时）",
                "损失电量（千瓦时）",
                "线损率",
            ],
            formats=[TEXT, TEXT, INT, KWH, KWH, KWH, PCT],
            rows=[
                [
                    r["code"],
                    r["name"],
                    r["areas"],
                    r["supply_kwh"],
                    r["sales_kwh"],
                    r["loss_kwh"],
                    r["loss_rate_percent"],
                ]
                for r in lines
            ],
            total=[
                "合计",
                "",
                summary["areas"],
                summary["supply_kwh"],
                summary["sales_kwh"],
                summary["loss_kwh"],
                summary["loss_rate_percent"],
            ],
        )
    )
    doc.sections.append(
        Section(
            title="二、分台区线损",
            header=[
                "台区编号",
                "台区名称",
                "供电量（千瓦时）",
                "售电量（千瓦时）",
                "损失电量（千瓦时）",
                "线损率",
                "指标",
                "异常",
            ],
            formats=[TEXT, TEXT, KWH, KWH, KWH, PCT, PCT, TEXT],
            rows=[
                [
                    r["code"],
                    r["name"],
                    r["supply_kwh"],
                    r["sales_kwh"],
                    r["loss_kwh"],
                    r["loss_rate_percent"],
                    r["target_percent"],
                    "、".join(str(f) for f in r["flags"]) if r["flags"] else "",
                ]
                for r in rows
            ],
        )
    )
    doc.conclusions = (
        [
            f"超指标台区{'、'.join(r['name'] for r in above[:8])}{'等' if len(above) > 8 else ''}应分析原因、制定治理措施并安排用电检查。"
        ]
        if above
        else ["本月各台区线损均在指标以内。"]
    )
    doc.summary = {
        "supply_kwh": round(summary["supply_kwh"], 1),
        "sales_kwh": round(summary["sales_kwh"], 1),
        "loss_rate": summary["loss_rate_percent"],
        "areas": summary["areas"],
        "above_target": len(above),
    }
    return doc


# ------------------------------------------------------------------------------- inspection weekly
def _people(order) -> str:
    return "、".join(str(u) for u in order.assignees.all()) or "未派"


def inspection_weekly(kind: Kind, station: Station, week: datetime.date) -> Document:
    from gridcheck.hazards.models import Hazard
    from gridcheck.inspections import selectors as inspections
    from gridcheck.inspections.choices import OPEN_STATUSES, WorkOrderStatus

    report = inspections.weekly_report(COUNTY, week)
    row = next(
        (r for r in report["rows"] if r["station"] == station.name),
        {"opened": 0, "visited": 0, "closed": 0, "overdue": 0, "findings": 0},
    )
    end = kind.period_end(week)
    orders = inspections.work_orders_for(COUNTY).filter(station=station)
    closed = orders.filter(status=WorkOrderStatus.CLOSED, closed_at__date__range=(week, end)).order_by(
        "number"
    )
    overdue = orders.filter(status__in=OPEN_STATUSES, due_on__lt=end).order_by("due_on", "number")
    hazards = Hazard.objects.filter(station=station, found_on__range=(week, end)).select_related("customer")
    period = kind.period_text(week)
    doc = Document(
        kind=kind,
        station=station,
        period_start=week,
        period_end=end,
        title=f"{station.name}用电检查周报（{period}）",
        document_number=document_number(kind, station, week),
        signatures=("编制", "审核"),
    )
    doc.intro = [
        f"本周（{period}）新开用电检查工单{row['opened']}张，现场检查{row['visited']}次，发现问题{row['findings']}项，"
        f"办结工单{row['closed']}张；截至周末超期未办结工单{row['overdue']}张；新登记客户安全隐患{hazards.count()}处。"
    ]
    doc.kpis = [
        ("新开工单", str(row["opened"])),
        ("现场检查", str(row["visited"])),
        ("发现问题", str(row["findings"])),
        ("办结工单", str(row["closed"])),
        ("超期未办结", str(row["overdue"])),
        ("新增隐患", str(hazards.count())),
    ]
    doc.sections = [
        Section(
            title="一、本周办结工单",
            header=["工单号", "客户", "事由", "检查人员", "办结日期"],
            formats=[TEXT] * 5,
            rows=[
                [
                    o.number,
                    o.customer.name,
                    o.reason,
                    _people(o),
                    f"{o.closed_at:%Y-%m-%d}" if o.closed_at else "",
                ]
                for o in closed
            ],
            empty="本周无办结工单",
        ),
        Section(
            title="二、超期未办结工单",
            header=["工单号", "客户", "事由", "状态", "期限"],
            formats=[TEXT] * 5,
            rows=[
                [o.number, o.customer.name, o.reason, str(o.get_status_display()), f"{o.due_on:%Y-%m-%d}"]
                for o in overdue
            ],
            empty="无超期工单",
        ),
        Section(
            title="三、本周新增安全隐患",
            header=["发现日期", "客户", "隐患描述", "等级", "整改期限"],
            formats=[TEXT] * 5,
            rows=[
                [
                    f"{h.found_on:%Y-%m-%d}",
                    h.customer.name,
                    h.description,
                    str(h.get_severity_display()),
                    f"{h.deadline:%Y-%m-%d}",
                ]
                for h in hazards.order_by("found_on", "pk")
            ],
            empty="本周未发现安全隐患",
        ),
    ]
    doc.summary = {k: row[k] for k in ("opened", "visited", "closed", "overdue", "findings")}
    return doc


# -------------------------------------------------------------------------------- dispatch list
def dispatch_list(kind: Kind, station: Station, day: datetime.date) -> Document:
    from gridcheck.inspections import selectors as inspections

    orders = list(inspections.dispatch_list(COUNTY, day).filter(station=station))
    doc = Document(
        kind=kind,
        station=station,
        period_start=day,
        period_end=day,
        title=f"{station.name}派工单日清单（{kind.period_text(day)}）",
        document_number=document_number(kind, station, day),
        signatures=("派工人", "接收人"),
    )
    doc.intro = [
        f"{kind.period_text(day)}安排现场工作及两日内到期待派工单共{len(orders)}张。"
        "检查人员须两人以上同行并出示证件，完成后当日在移动作业终端提交检查记录。"
    ]
    doc.sections = [
        Section(
            title="派工清单",
            header=["序号", "工单号", "客户", "地址", "事由", "计划日期", "期限", "检查人员", "状态"],
            formats=[INT] + [TEXT] * 8,
            rows=[
                [
                    i,
                    o.number,
                    o.customer.name,
                    o.customer.address,
                    o.reason,
                    f"{o.visit_date:%m-%d}" if o.visit_date else "",
                    f"{o.due_on:%m-%d}" if o.due_on else "",
                    _people(o),
                    str(o.get_status_display()),
                ]
                for i, o in enumerate(orders, start=1)
            ],
            empty="当日无派工",
        )
    ]
    doc.summary = {"work_orders": len(orders)}
    return doc
