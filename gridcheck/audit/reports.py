"""The monthly audit report (营销稽查月报): the findings of an audited month summed up by module, theme,
station, person (the assignee) and rule, with their state on a day; its XLSX and PDF.

"Found in the month" means the audited month the finding was first found in (``Finding.month``): the
nightly runs of a month and the monthly run of that month (on the audit day of the next) both count
there. A finding's figures, as of ``as_of`` (default today):

- ``found``: every finding of the month;
- ``closed``: closed after rectification and verification; ``dismissed``: closed as "not a problem"
  (approved by someone other than its assignee);
- ``open``: not finished yet (open, assigned, rectified, verified, or "not a problem" awaiting approval);
- ``overdue``: not finished and past its deadline on ``as_of``;
- ``closed_on_time``: finished (closed or dismissed) no later than its deadline;
- ``closure_rate_percent``: finished (closed + dismissed) of found, one decimal; None when nothing was
  found.

Read functions take the user whose scope they count (``scope_queryset``: a station's staff their station,
an area manager their areas, county-level users every station), or ``user=None`` for the whole county
(``findings_per_person`` for the staff assessment, issue 18).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from gridcheck.archive.models import Company, Station
from gridcheck.audit.choices import FINISHED, UNFINISHED, FindingStatus, Module, Theme
from gridcheck.audit.models import Finding
from gridcheck.core.periods import month_parse
from gridcheck.core.scoping import scope_queryset, scoped

#: The figures of every row, in the order the tables show them.
FIGURES = ("found", "closed", "dismissed", "open", "overdue", "closed_on_time")
UNASSIGNED_LABEL = "未分派"
#: The modules and themes as the official report (PDF, XLSX) names them, whatever the page's language.
MODULE_CN = {"metering": "电能计量", "inspection": "用电检查", "tariff": "电费电价", "business": "营业受理"}
THEME_CN = {"energy": "量", "price": "价", "fees": "费", "loss": "损"}


def _counts(as_of: datetime.date) -> dict:
    finished = Q(status__in=[str(s) for s in FINISHED])
    unfinished = Q(status__in=list(UNFINISHED))
    return {
        "found": Count("pk"),
        "closed": Count("pk", filter=Q(status=FindingStatus.CLOSED)),
        "dismissed": Count("pk", filter=Q(status=FindingStatus.DISMISSED)),
        "open": Count("pk", filter=unfinished),
        "overdue": Count("pk", filter=unfinished & Q(deadline__lt=as_of)),
        "closed_on_time": Count("pk", filter=finished & Q(closed_at__date__lte=F("deadline"))),
    }


def closure_rate(found: int, finished: int) -> Decimal | None:
    """Finished of found in per cent, one decimal (``66.7``); None when nothing was found."""
    if not found:
        return None
    return (Decimal(finished) * 100 / Decimal(found)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _complete(row: dict) -> dict:
    for name in FIGURES:
        row[name] = row.get(name) or 0
    row["closure_rate_percent"] = closure_rate(row["found"], row["closed"] + row["dismissed"])
    return row


def _zero() -> dict:
    return _complete({})


def month_findings(*, month, user=None, station: Station | None = None) -> QuerySet:
    """The findings first found in audited ``month`` within ``user``'s scope (all with ``user=None``),
    of one ``station`` when given."""
    queryset = Finding.objects.filter(month=month_parse(month))
    if user is not None:
        queryset = scope_queryset(queryset, user)
    if station is not None:
        queryset = queryset.filter(station=station)
    return queryset


def month_totals(*, month, user=None, as_of: datetime.date | None = None) -> dict:
    """The figures of every finding of audited ``month`` in ``user``'s scope (all with ``user=None``)."""
    as_of = as_of or timezone.localdate()
    findings = month_findings(month=month, user=user).order_by()
    return _complete(findings.aggregate(**_counts(as_of)))


def _grouped(queryset: QuerySet, fields: list[str], as_of: datetime.date) -> list[dict]:
    return [
        _complete(row)
        for row in queryset.order_by().values(*fields).annotate(**_counts(as_of)).order_by(*fields)
    ]


def _person_label(row: dict) -> str:
    if row["assignee_id"] is None:
        return UNASSIGNED_LABEL
    return row["assignee__full_name"] or row["assignee__username"]


def _by_person(queryset: QuerySet, as_of: datetime.date) -> list[dict]:
    rows = _grouped(
        queryset,
        ["assignee_id", "assignee__username", "assignee__full_name", "assignee__station__name"],
        as_of,
    )
    out = [
        {
            "user_id": r["assignee_id"],
            "username": r["assignee__username"] or "",
            "name": _person_label(r),
            "station_name": r["assignee__station__name"] or ("" if r["assignee_id"] is None else "县公司"),
            **{name: r[name] for name in (*FIGURES, "closure_rate_percent")},
        }
        for r in rows
    ]
    # The people first, by how much they were given; the unassigned findings last.
    out.sort(key=lambda r: (r["user_id"] is None, -r["found"], r["name"]))
    return out


def findings_per_person(month, *, user=None, as_of: datetime.date | None = None) -> list[dict]:
    """Findings of audited ``month`` per assignee, for the staff assessment (issue 18): one dict per
    person ``{"user_id", "username", "name", "station_name", "found", "closed", "dismissed", "open",
    "overdue", "closed_on_time", "closure_rate_percent"}``; findings nobody was given are one row with
    ``user_id`` None. County-wide unless ``user`` is given (then that user's scope)."""
    as_of = as_of or timezone.localdate()
    return _by_person(month_findings(month=month, user=user), as_of)


@dataclass
class AuditReport:
    """The monthly audit report of ``month`` as seen by one user (their scope), on ``as_of``."""

    month: datetime.date
    as_of: datetime.date
    station: Station | None
    stations: list[Station]
    total: dict
    by_module: list[dict]
    by_theme: list[dict]
    by_station: list[dict]
    by_person: list[dict]
    by_rule: list[dict]
    severity: dict = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        """Whose figures: one station's name, or the county's."""
        if self.station is not None:
            return self.station.name
        if len(self.stations) == 1:
            return self.stations[0].name
        return "全县"


def _by_choice(queryset, field_name: str, choices, as_of) -> list[dict]:
    rows = {r[field_name]: r for r in _grouped(queryset, [field_name], as_of)}
    return [
        {"key": value, "label": str(label), **rows.get(value, _zero())} for value, label in choices.choices
    ]


def audit_report(
    *, user, month, station: Station | None = None, as_of: datetime.date | None = None
) -> AuditReport:
    """The monthly audit report of ``month`` within ``user``'s scope (one ``station`` of it when given)."""
    month = month_parse(month)
    as_of = as_of or timezone.localdate()
    findings = month_findings(month=month, user=user, station=station)
    stations = list(scoped(Station, user).select_related("company").order_by("code"))
    if station is not None:
        stations = [s for s in stations if s.pk == station.pk]
    total = _complete(findings.order_by().aggregate(**_counts(as_of)))
    per_station = {r["station_id"]: r for r in _grouped(findings, ["station_id"], as_of)}
    by_station = [
        {"station_id": s.pk, "code": s.code, "name": s.name, **per_station.pop(s.pk, _zero())}
        for s in stations
    ]
    for station_id, row in per_station.items():  # an area manager's findings of a station not listed
        by_station.append({"station_id": station_id, "code": "", "name": "", **row})
    by_rule = [
        {
            "code": r["rule__code"],
            "title": r["rule__title"],
            "module_key": r["rule__module"],
            "theme_key": r["rule__theme"],
            "module": str(Module(r["rule__module"]).label),
            "theme": str(Theme(r["rule__theme"]).label),
            **{name: r[name] for name in (*FIGURES, "closure_rate_percent")},
        }
        for r in _grouped(findings, ["rule__code", "rule__title", "rule__module", "rule__theme"], as_of)
    ]
    by_rule.sort(key=lambda r: (-r["found"], r["code"]))
    severity = dict(findings.order_by().values_list("severity").annotate(n=Count("pk")))
    return AuditReport(
        month=month,
        as_of=as_of,
        station=station,
        stations=stations,
        total=total,
        by_module=_by_choice(findings, "module", Module, as_of),
        by_theme=_by_choice(findings, "theme", Theme, as_of),
        by_station=by_station,
        by_person=_by_person(findings, as_of),
        by_rule=by_rule,
        severity=severity,
    )


def finding_months(*, user, limit: int = 36) -> list[datetime.date]:
    """The audited months with findings in ``user``'s scope, newest first."""
    return list(
        scope_queryset(Finding.objects.all(), user)
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:limit]
    )


# ------------------------------------------------------------------------------------------- XLSX
#: The columns of every figure table: (heading, key).
FIGURE_COLUMNS = [
    ("发现数", "found"),
    ("已闭环（整改）", "closed"),
    ("核实非问题", "dismissed"),
    ("未闭环", "open"),
    ("超期未闭环", "overdue"),
    ("按期闭环", "closed_on_time"),
    ("闭环率(%)", "closure_rate_percent"),
]


def _figure_cells(row: dict) -> list:
    return [row[key] for _heading, key in FIGURE_COLUMNS]


def report_sections(report: AuditReport) -> list[tuple[str, list[str], list[list]]]:
    """The report's tables as ``(title, header, rows)``, shared by the XLSX and the PDF."""
    figures = [heading for heading, _key in FIGURE_COLUMNS]
    total = report.total
    return [
        (
            "按专业",
            ["稽查专业", *figures],
            [[MODULE_CN[r["key"]], *_figure_cells(r)] for r in report.by_module]
            + [["合计", *_figure_cells(total)]],
        ),
        (
            "按主题",
            ["稽查主题", *figures],
            [[THEME_CN[r["key"]], *_figure_cells(r)] for r in report.by_theme]
            + [["合计", *_figure_cells(total)]],
        ),
        (
            "按供电所",
            ["供电所编号", "供电所", *figures],
            [[r["code"], r["name"], *_figure_cells(r)] for r in report.by_station]
            + [["合计", "", *_figure_cells(total)]],
        ),
        (
            "按责任人",
            ["责任人", "所属单位", *figures],
            [[r["name"], r["station_name"], *_figure_cells(r)] for r in report.by_person],
        ),
        (
            "按规则",
            ["规则编号", "规则名称", "稽查专业", "稽查主题", *figures],
            [
                [
                    r["code"],
                    r["title"],
                    MODULE_CN[r["module_key"]],
                    THEME_CN[r["theme_key"]],
                    *_figure_cells(r),
                ]
                for r in report.by_rule
            ],
        ),
    ]


def report_title(report: AuditReport) -> str:
    return f"{report.scope_label}营销稽查月报（{report.month.year}年{report.month.month}月）"


def report_xlsx(report: AuditReport) -> bytes:
    """The report as a workbook: one sheet per table, figures as numbers, a title line on each."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from gridcheck.core.exports import FORMULA_TRIGGERS

    workbook = Workbook()
    workbook.remove(workbook.active)
    note = f"统计口径：{report.month:%Y-%m} 稽查发现的问题，状态截至 {report.as_of:%Y-%m-%d}"
    for title, header, rows in report_sections(report):
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([report_title(report)])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([note])
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.data_type = "s"  # text, never a formula
                elif isinstance(cell.value, Decimal):
                    cell.number_format = "0.0"
        sheet.freeze_panes = "A4"
        for index, heading in enumerate(header, start=1):
            letter = sheet.cell(row=3, column=index).column_letter
            sheet.column_dimensions[letter].width = 30 if heading == "规则名称" else 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -------------------------------------------------------------------------------------------- PDF
def _letterhead(report: AuditReport) -> str:
    station = report.station or (report.stations[0] if report.stations else None)
    if station is not None:
        return station.company.name
    company = Company.objects.order_by("pk").first()
    return company.name if company else "供电公司"


def _rate_text(value) -> str:
    return "—" if value is None else f"{value}%"


def report_pdf(report: AuditReport) -> bytes:
    """The report as an official document on the letterhead (Chinese), with a bar chart per module."""
    from gridcheck.core.pdf import chinese_date, render_pdf
    from gridcheck.hazards.pdf import bar_chart_svg

    module_chart = bar_chart_svg(
        [MODULE_CN[r["key"]] for r in report.by_module],
        [
            ("发现", [r["found"] for r in report.by_module], "#2f6db5"),
            ("闭环", [r["closed"] + r["dismissed"] for r in report.by_module], "#3a9a5b"),
            ("超期", [r["overdue"] for r in report.by_module], "#c0392b"),
        ],
    )
    sections = []
    for title, header, rows in report_sections(report):
        rate_at = header.index("闭环率(%)")
        sections.append(
            {
                "title": title,
                "header": header,
                "rows": [
                    {
                        "total": row[0] == "合计",
                        "cells": [
                            {
                                "text": _rate_text(value) if index == rate_at else value,
                                "number": index >= rate_at - len(FIGURE_COLUMNS) + 1,
                            }
                            for index, value in enumerate(row)
                        ],
                    }
                    for row in rows
                ],
            }
        )
    single = report.station or (report.stations[0] if len(report.stations) == 1 else None)
    code = single.code if single is not None else "县"
    return render_pdf(
        "audit/pdf/report.html",
        {
            "letterhead": _letterhead(report),
            "document_number": f"营销稽查〔{report.month:%Y}〕{report.month.month:02d}-{code}",
            "report": report,
            "title": report_title(report),
            "period_text": f"{report.month.year}年{report.month.month}月",
            "as_of_text": chinese_date(report.as_of),
            "total_rate": _rate_text(report.total["closure_rate_percent"]),
            "sections": sections,
            "module_chart": module_chart,
        },
    )
