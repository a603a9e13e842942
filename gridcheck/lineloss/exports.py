"""XLSX exports of the line-loss lists (``core.exports``): the area and line results of the four-way view
and the rectification plans. Headers are Chinese (the export is read by people, not re-imported)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str
    example: object = ""


def _r(value, digits=2):
    return None if value is None else round(value, digits)


class AreaMonthExport:
    entity = "lineloss_area_months"
    export_columns = [
        Column(h)
        for h in (
            "月份", "供电所", "线路", "台区编码", "台区", "供电量(kWh)", "售电量(kWh)", "损失电量(kWh)",
            "线损率(%)", "目标线损率(%)", "采集成功率(%)", "异常", "可能原因",
        )
    ]  # fmt: skip
    export_related = ("station", "line", "area")

    @staticmethod
    def export_row(r) -> list:
        return [
            f"{r.month:%Y-%m}",
            r.station.name,
            r.line.name,
            r.area.code,
            r.area.name,
            _r(r.supply_kwh, 1),
            _r(r.sales_kwh, 1),
            _r(r.loss_kwh, 1),
            _r(r.loss_rate_percent),
            _r(r.target_percent),
            _r(r.reading_rate_percent),
            "、".join(r.flag_labels),
            "；".join(r.cause_list),
        ]


class LineMonthExport:
    entity = "lineloss_line_months"
    export_columns = [
        Column(h)
        for h in (
            "月份",
            "供电所",
            "线路编码",
            "线路",
            "电压等级(kV)",
            "供电量(kWh)",
            "售电量(kWh)",
            "损失电量(kWh)",
            "线损率(%)",
        )
    ]
    export_related = ("station", "line")

    @staticmethod
    def export_row(r) -> list:
        return [
            f"{r.month:%Y-%m}",
            r.station.name,
            r.line.code,
            r.line.name,
            r.line.voltage_kv,
            _r(r.supply_kwh, 1),
            _r(r.sales_kwh, 1),
            _r(r.loss_kwh, 1),
            _r(r.loss_rate_percent),
        ]


class PlanExport:
    entity = "lineloss_plans"
    export_columns = [
        Column(h)
        for h in (
            "供电所",
            "台区编码",
            "台区",
            "月份",
            "整改措施",
            "责任人",
            "制定日期",
            "整改期限",
            "状态",
            "完成日期",
            "整改结果",
        )
    ]
    export_related = ("station", "area", "responsible")

    @staticmethod
    def export_row(p) -> list:
        return [
            p.station.name,
            p.area.code,
            p.area.name,
            f"{p.month:%Y-%m}",
            p.measures,
            str(p.responsible),
            p.opened_on,
            p.deadline,
            str(p.get_status_display()),
            p.closed_on,
            p.result,
        ]


EXPORTS = (AreaMonthExport, LineMonthExport, PlanExport)
