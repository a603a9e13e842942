"""The monthly assessment sheet (月度考核表) of a station, for signature, from the assessment app's
scorecards (``gridcheck.assessment.selectors.assessment_sheet``).

One table per group (area managers, meter readers, inspectors, the station) with each scorecard's rank,
points and fine and a column for the person's signature, then each scorecard's KPI lines and the
approved adjustments. A month whose scorecards are not computed yet is refused; a month with scorecards
not yet signed off in the assessment pages is printed as a draft (草稿) and says so.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from gridcheck.archive.models import Station
from gridcheck.core.periods import month_end
from gridcheck.reports.contents import (
    BLANK,
    INT,
    TEXT,
    YUAN,
    Document,
    ReportRefused,
    Section,
    document_number,
)

#: The groups as the printed sheet names them.
SUBJECT_CN = {
    "area_manager": "台区专责",
    "meter_reader": "抄表员",
    "inspector": "用电检查员",
    "station": "供电所",
}
CN_ORDINALS = "一二三四五六七八九十"


def _value(value, unit: str) -> str:
    if value is None:
        return "无数据"
    value = Decimal(value)
    if unit in ("%", "percent"):
        return f"{value.quantize(Decimal('0.1'))}%"
    if unit in ("yuan", "元"):
        return f"{value.quantize(Decimal('0.01')):,}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01'))}"


def assessment_document(kind, station: Station, month: datetime.date) -> Document:
    from gridcheck.assessment.selectors import assessment_sheet

    sheet = assessment_sheet(station, month)
    if not sheet["groups"]:
        raise ReportRefused(
            _(
                "The assessment of %(month)s is not computed yet for %(station)s: compute the month's "
                "scorecards in the assessment first; no report was written."
            )
            % {"month": f"{month:%Y-%m}", "station": station.name}
        )
    period = kind.period_text(month)
    draft = not sheet["all_signed"]
    doc = Document(
        kind=kind,
        station=station,
        period_start=month,
        period_end=month_end(month),
        title=f"{station.name}{period}绩效考核表{'（草稿）' if draft else ''}",
        document_number=document_number(kind, station, month),
        signatures=("考核人", "审核", "所长"),
    )
    people = sum(len(g["rows"]) for g in sheet["groups"])
    doc.intro = [
        f"根据{period}各岗位考核指标的完成情况及经所长批准的加减分，{station.name}共{people}张考核卡，"
        "总分 = 基础分 + 指标得分 + 加减分；考核金额按指标扣罚规定计算。"
        "被考核人确认后在本人签字栏签字，经审核、所长签字后生效。"
    ]
    if draft:
        doc.intro.append(
            f"本月尚有{sheet['unsigned']}张考核卡未签认、{sheet['pending_adjustments']}项加减分待批准，本表为草稿，"
            "全部签认后重新生成正式考核表。"
        )
    header = [
        "名次",
        "姓名",
        "工号",
        "基础分",
        "指标得分",
        "加减分",
        "总分",
        "考核金额（元）",
        "状态",
        "本人签字",
    ]
    formats = [INT, TEXT, TEXT, YUAN, YUAN, YUAN, YUAN, YUAN, TEXT, BLANK]  # points: two decimals
    for index, group in enumerate(sheet["groups"]):
        title = SUBJECT_CN.get(group["subject"], str(group["subject_label"]))
        doc.sections.append(
            Section(
                title=f"{CN_ORDINALS[index]}、{title}",
                header=header,
                formats=formats,
                rows=[
                    [
                        r["rank"],
                        r["person"] or station.name,
                        r["employee_number"],
                        r["base_points"],
                        r["kpi_points"],
                        r["adjustment_points"],
                        r["total_points"],
                        r["fine_yuan"],
                        "已签认" if r["status"] == "signed" else "待签认",
                        "",
                    ]
                    for r in group["rows"]
                ],
            )
        )
    details = []
    adjustments = []
    for group in sheet["groups"]:
        for r in group["rows"]:
            who = r["person"] or station.name
            for line in r["lines"]:
                met = {True: "达标", False: "未达标"}.get(line["met"], "—")
                details.append(
                    [
                        who,
                        str(line["name"]),
                        _value(line["value"], str(line["unit"])),
                        _value(line["target"], str(line["unit"])),
                        met,
                        line["points"],
                    ]
                )
            for a in r["adjustments"]:
                adjustments.append(
                    [who, "加分" if a["kind"] == "bonus" else "扣分", a["points"], a["reason"]]
                )
    n = len(doc.sections)
    doc.sections.append(
        Section(
            title=f"{CN_ORDINALS[n]}、考核指标明细",
            header=["被考核人", "考核指标", "完成值", "目标值", "完成情况", "得分"],
            formats=[TEXT, TEXT, TEXT, TEXT, TEXT, YUAN],
            rows=details,
            empty="无考核指标",
        )
    )
    doc.sections.append(
        Section(
            title=f"{CN_ORDINALS[n + 1]}、经批准的加减分",
            header=["被考核人", "类别", "分值", "事由"],
            formats=[TEXT, TEXT, YUAN, TEXT],
            rows=adjustments,
            empty="本月无加减分",
        )
    )
    doc.summary = {
        "scorecards": people,
        "all_signed": sheet["all_signed"],
        "unsigned": sheet["unsigned"],
    }
    return doc
