"""The census discrepancies as an XLSX export (``core.exports``, entity ``census_discrepancies``)."""

from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Column:
    header: str
    example: object = ""


class DiscrepancyExport:
    entity = "census_discrepancies"
    export_columns = [
        Column(h)
        for h in (
            "普查季度",
            "供电所",
            "台区编码",
            "台区",
            "户号",
            "户名",
            "差异类型",
            "档案/账单",
            "现场",
            "摘要",
            "状态",
            "处理方式",
            "提出人",
            "审批人",
            "处理结果",
            "普查日期",
        )
    ]
    export_related = ("campaign", "station", "area", "customer", "record", "proposed_by", "decided_by")

    @staticmethod
    def export_row(d) -> list:
        return [
            d.campaign.period,
            d.station.name,
            d.area.code,
            d.area.name,
            d.customer.account_number,
            d.customer.name,
            str(d.get_kind_display()),
            d.expected,
            d.seen,
            d.summary,
            str(d.get_status_display()),
            str(d.get_resolution_display()) if d.resolution else "",
            str(d.proposed_by) if d.proposed_by_id else "",
            str(d.decided_by) if d.decided_by_id else "",
            d.result_note,
            timezone.localdate(d.record.visited_at),
        ]
