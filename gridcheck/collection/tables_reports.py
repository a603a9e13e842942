"""Tables of the collection figures (django-tables2) and their XLSX downloads.

The figure rows come from ``selectors.reports`` as dicts; ``table_rows`` gives them plain keys (django-
tables2 reads ``a__b`` as a path). Money is shown with two decimals and thousands separators, rates with
one decimal and "%"; the XLSX cells hold the numbers themselves (Decimal), with those formats.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import django_tables2 as tables
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridcheck.collection.selectors.reports import AGEING_BUCKETS, bucket_of
from gridcheck.core.tables import NUM as CELL_NUM
from gridcheck.core.tables import BaseTable

#: a figure column whose footer holds its total
NUM = {**CELL_NUM, "tf": {"class": "text-end"}}


def yuan(value) -> str:
    """Money for reading: two decimals, thousands separators (``12,345.60``); "—" for nothing."""
    return "—" if value is None else f"{Decimal(value):,.2f}"


def pct(value) -> str:
    """A rate for reading: one decimal and a per-cent sign (``98.5 %``); "—" when there is no rate."""
    return "—" if value is None else f"{Decimal(value):,.1f} %"


def table_rows(rows: list[dict]) -> list[dict]:
    """``rows`` with ``a__b`` keys renamed ``a_b`` (for django-tables2's accessors)."""
    return [{key.replace("__", "_"): value for key, value in row.items()} for row in rows]


class MoneyColumn(tables.Column):
    """Money, right-aligned; the footer shows ``table.totals[total_key]`` when the table has totals."""

    def __init__(self, *args, total_key: str | None = None, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)
        self.total_key = total_key

    def render(self, value):
        return yuan(value)

    def render_footer(self, bound_column, table):
        totals = getattr(table, "totals", None)
        if totals is None or self.total_key is None:
            return ""
        return yuan(totals.get(self.total_key))


class RateColumn(MoneyColumn):
    def render(self, value):
        return pct(value)

    def render_footer(self, bound_column, table):
        totals = getattr(table, "totals", None)
        if totals is None or self.total_key is None:
            return ""
        return pct(totals.get(self.total_key))


class CountColumn(tables.Column):
    def __init__(self, *args, total_key: str | None = None, **kwargs):
        kwargs.setdefault("attrs", NUM)
        super().__init__(*args, **kwargs)
        self.total_key = total_key

    def render(self, value):
        return f"{value:,}"

    def render_footer(self, bound_column, table):
        totals = getattr(table, "totals", None)
        if totals is None or self.total_key is None:
            return ""
        return f"{totals.get(self.total_key) or 0:,}"


class FigureTable(BaseTable):
    """A table of figure rows: not sortable (several on a page), totals in the footer."""

    def __init__(self, data, *, totals: dict | None = None, **kwargs):
        super().__init__(table_rows(data), **kwargs)
        self.totals = totals

    class Meta(BaseTable.Meta):
        orderable = False
        empty_text = gettext_lazy("No receivables in this month.")


class TotalLabelColumn(tables.Column):
    def render_footer(self, bound_column, table):
        return _("Total") if getattr(table, "totals", None) is not None else ""


# ------------------------------------------------------------------------------------ recovery rate
class RecoveryAreaTable(FigureTable):
    station_name = tables.Column(verbose_name=gettext_lazy("Station"))
    area_code = TotalLabelColumn(verbose_name=gettext_lazy("Area code"))
    area_name = tables.Column(verbose_name=gettext_lazy("Transformer area"))
    owner = tables.Column(verbose_name=gettext_lazy("Area manager"))
    receivables = CountColumn(verbose_name=gettext_lazy("Bills"), total_key="receivables")
    due_yuan = MoneyColumn(verbose_name=gettext_lazy("Billed [yuan]"), total_key="due_yuan")
    paid_yuan = MoneyColumn(verbose_name=gettext_lazy("Collected [yuan]"), total_key="paid_yuan")
    unpaid_yuan = MoneyColumn(verbose_name=gettext_lazy("Uncollected [yuan]"), total_key="unpaid_yuan")
    rate_percent = RateColumn(verbose_name=gettext_lazy("Recovery rate"), total_key="rate_percent")

    class Meta(FigureTable.Meta):
        pass


class RecoveryOwnerTable(FigureTable):
    station_name = tables.Column(verbose_name=gettext_lazy("Station"))
    owner = TotalLabelColumn(verbose_name=gettext_lazy("Area manager"))
    areas = CountColumn(verbose_name=gettext_lazy("Areas"))
    receivables = CountColumn(verbose_name=gettext_lazy("Bills"), total_key="receivables")
    due_yuan = MoneyColumn(verbose_name=gettext_lazy("Billed [yuan]"), total_key="due_yuan")
    paid_yuan = MoneyColumn(verbose_name=gettext_lazy("Collected [yuan]"), total_key="paid_yuan")
    unpaid_yuan = MoneyColumn(verbose_name=gettext_lazy("Uncollected [yuan]"), total_key="unpaid_yuan")
    rate_percent = RateColumn(verbose_name=gettext_lazy("Recovery rate"), total_key="rate_percent")

    class Meta(FigureTable.Meta):
        pass


class RecoveryStationTable(FigureTable):
    station_code = TotalLabelColumn(verbose_name=gettext_lazy("Station code"))
    station_name = tables.Column(verbose_name=gettext_lazy("Station"))
    receivables = CountColumn(verbose_name=gettext_lazy("Bills"), total_key="receivables")
    due_yuan = MoneyColumn(verbose_name=gettext_lazy("Billed [yuan]"), total_key="due_yuan")
    paid_yuan = MoneyColumn(verbose_name=gettext_lazy("Collected [yuan]"), total_key="paid_yuan")
    unpaid_yuan = MoneyColumn(verbose_name=gettext_lazy("Uncollected [yuan]"), total_key="unpaid_yuan")
    rate_percent = RateColumn(verbose_name=gettext_lazy("Recovery rate"), total_key="rate_percent")

    class Meta(FigureTable.Meta):
        pass


class RemittanceTable(FigureTable):
    station_code = TotalLabelColumn(verbose_name=gettext_lazy("Station code"))
    station_name = tables.Column(verbose_name=gettext_lazy("Station"))
    cash_yuan = MoneyColumn(verbose_name=gettext_lazy("Cash collected [yuan]"), total_key="cash_yuan")
    deposited_yuan = MoneyColumn(verbose_name=gettext_lazy("Deposited [yuan]"), total_key="deposited_yuan")
    remitted_yuan = MoneyColumn(verbose_name=gettext_lazy("Remitted [yuan]"), total_key="remitted_yuan")
    unremitted_yuan = MoneyColumn(
        verbose_name=gettext_lazy("Not yet remitted [yuan]"), total_key="unremitted_yuan"
    )
    rate_percent = RateColumn(verbose_name=gettext_lazy("Remittance rate"), total_key="rate_percent")

    class Meta(FigureTable.Meta):
        empty_text = gettext_lazy("No cash collected in this month.")


# ------------------------------------------------------------------------------------------ arrears
def _ageing_table(name: str, first: dict) -> type[FigureTable]:
    attrs = dict(first)
    attrs["customers"] = CountColumn(verbose_name=gettext_lazy("Customers"), total_key="customers")
    attrs["arrears_yuan"] = MoneyColumn(verbose_name=gettext_lazy("Arrears [yuan]"), total_key="arrears_yuan")
    for index, bucket in enumerate(AGEING_BUCKETS):
        attrs[f"b{index}"] = MoneyColumn(verbose_name=bucket.label, total_key=f"b{index}")
    attrs["Meta"] = type("Meta", (FigureTable.Meta,), {"empty_text": gettext_lazy("No arrears.")})
    return type(name, (FigureTable,), attrs)


def ageing_rows(rows: list[dict]) -> list[dict]:
    """Figure rows with their bucket amounts as ``b0``..``b4``."""
    result = []
    for row in rows:
        row = dict(row)
        for index, amount in enumerate(row.get("buckets") or []):
            row[f"b{index}"] = amount
        result.append(row)
    return result


ArrearsAreaTable = _ageing_table(
    "ArrearsAreaTable",
    {
        "station_name": tables.Column(verbose_name=gettext_lazy("Station")),
        "area_code": TotalLabelColumn(verbose_name=gettext_lazy("Area code")),
        "area_name": tables.Column(verbose_name=gettext_lazy("Transformer area")),
        "owner": tables.Column(verbose_name=gettext_lazy("Area manager")),
    },
)
ArrearsOwnerTable = _ageing_table(
    "ArrearsOwnerTable",
    {
        "station_name": tables.Column(verbose_name=gettext_lazy("Station")),
        "owner": TotalLabelColumn(verbose_name=gettext_lazy("Area manager")),
        "areas": CountColumn(verbose_name=gettext_lazy("Areas")),
    },
)


class ArrearsTable(BaseTable):
    """The receivables in arrears on the day of reckoning (``table.as_of``), oldest due first."""

    account_number = tables.Column(
        accessor="customer__account_number", verbose_name=gettext_lazy("Account number"), linkify=False
    )
    customer = tables.Column(accessor="customer__name", verbose_name=gettext_lazy("Customer"))
    area = tables.Column(accessor="area__name", verbose_name=gettext_lazy("Transformer area"))
    owner = tables.Column(
        accessor="area__owner", verbose_name=gettext_lazy("Area manager"), default=gettext_lazy("None")
    )
    period = tables.Column(verbose_name=gettext_lazy("Billing month"))
    due_date = tables.Column(verbose_name=gettext_lazy("Due date"))
    days = tables.Column(
        accessor="due_date", verbose_name=gettext_lazy("Days overdue"), attrs=NUM, orderable=False
    )
    bucket = tables.Column(accessor="due_date", verbose_name=gettext_lazy("Ageing"), orderable=False)
    amount_yuan = MoneyColumn(verbose_name=gettext_lazy("Billed [yuan]"))
    arrears_yuan = MoneyColumn(verbose_name=gettext_lazy("Arrears [yuan]"))
    late_fee_accrued_yuan = MoneyColumn(verbose_name=gettext_lazy("Late fee to date [yuan]"))

    class Meta(BaseTable.Meta):
        empty_text = gettext_lazy("No arrears.")
        order_by = ("due_date",)

    def __init__(self, data, *, as_of: datetime.date, **kwargs):
        super().__init__(data, **kwargs)
        self.as_of = as_of

    def render_period(self, value):
        return f"{value:%Y-%m}"

    def render_due_date(self, value):
        return f"{value:%Y-%m-%d}"

    def render_days(self, value):
        return f"{(self.as_of - value).days:,}"

    def render_bucket(self, value):
        bucket = bucket_of((self.as_of - value).days)
        return bucket.label if bucket else "—"


# ---------------------------------------------------------------------------------- late-fee income
class LateFeeIncomeTable(FigureTable):
    station_code = TotalLabelColumn(verbose_name=gettext_lazy("Station code"))
    station_name = tables.Column(verbose_name=gettext_lazy("Station"))
    income_yuan = MoneyColumn(
        verbose_name=gettext_lazy("Late fees collected [yuan]"), total_key="income_yuan"
    )
    target_yuan = MoneyColumn(verbose_name=gettext_lazy("Target [yuan]"), total_key="target_yuan")
    reached_percent = RateColumn(verbose_name=gettext_lazy("Target reached"), total_key="reached_percent")
    set_by = tables.Column(accessor="target", verbose_name=gettext_lazy("Target set by"), default="—")

    class Meta(FigureTable.Meta):
        empty_text = gettext_lazy("No stations.")

    def render_set_by(self, value):
        if value is None:
            return "—"
        who = str(value.set_by) if value.set_by else _("System")
        return f"{who} {value.updated_at:%Y-%m-%d}"


# ---------------------------------------------------------------------------------------------- XLSX
XLSX_MONEY = "#,##0.00"
XLSX_RATE = "0.0"


def workbook(sheets: list[tuple[str, list[str], list[list], list[str]]], *, title: str = "") -> bytes:
    """An XLSX workbook of ``(name, header, rows, formats)`` sheets; ``formats`` per column: ``"money"``,
    ``"rate"``, ``"date"``, ``"month"`` or ``""``. Text that a spreadsheet would read as a formula stays
    text (core's rule)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from gridcheck.core.exports import FORMULA_TRIGGERS

    fill = PatternFill("solid", fgColor="DDE7F3")
    book = Workbook()
    book.remove(book.active)
    for name, header, rows, formats in sheets:
        sheet = book.create_sheet(title=name[:31])
        if title:
            sheet.append([title])
            sheet.cell(row=1, column=1).font = Font(bold=True)
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.fill = Font(bold=True), fill
        sheet.freeze_panes = f"A{sheet.max_row + 1}"
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
            for cell, kind in zip(sheet[sheet.max_row], formats, strict=False):
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.data_type = "s"
                elif kind == "money" and isinstance(cell.value, Decimal):
                    cell.number_format = XLSX_MONEY
                elif kind == "rate" and isinstance(cell.value, Decimal):
                    cell.number_format = XLSX_RATE
                elif kind == "date" and isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
                elif kind == "month" and isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm"
        for index, text in enumerate(header, start=1):
            sheet.column_dimensions[
                sheet.cell(row=2 if title else 1, column=index).column_letter
            ].width = max(12, len(str(text)) * 2 + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if value is None:
        return None
    if isinstance(value, Decimal | int | float | datetime.date):
        return value
    return str(value)


def recovery_sheets(result, remittance: dict) -> list:
    """The recovery report as sheets: per area, per area manager, per station, remittance per station."""
    money = ["money"] * 4
    areas = [
        [r["station__name"], r["area__code"], r["area__name"], r["owner"], r["receivables"],
         r["due_yuan"], r["paid_yuan"], r["unpaid_yuan"], r["rate_percent"]]
        for r in result.by_area
    ]  # fmt: skip
    t = result.total
    areas.append([_("Total"), "", "", "", t["receivables"], t["due_yuan"], t["paid_yuan"], t["unpaid_yuan"],
                  t["rate_percent"]])  # fmt: skip
    owners = [
        [r["station__name"], r["owner"], r["areas"], r["receivables"], r["due_yuan"], r["paid_yuan"],
         r["unpaid_yuan"], r["rate_percent"]]
        for r in result.by_owner
    ]  # fmt: skip
    stations = [
        [r["station__code"], r["station__name"], r["receivables"], r["due_yuan"], r["paid_yuan"],
         r["unpaid_yuan"], r["rate_percent"]]
        for r in result.by_station
    ]  # fmt: skip
    stations.append([_("Total"), "", t["receivables"], t["due_yuan"], t["paid_yuan"], t["unpaid_yuan"],
                     t["rate_percent"]])  # fmt: skip
    remit = [
        [r["station__code"], r["station__name"], r["cash_yuan"], r["deposited_yuan"], r["remitted_yuan"],
         r["unremitted_yuan"], r["rate_percent"]]
        for r in remittance["by_station"]
    ]  # fmt: skip
    rt = remittance["total"]
    remit.append([_("Total"), "", rt["cash_yuan"], rt["deposited_yuan"], rt["remitted_yuan"],
                  rt["unremitted_yuan"], rt["rate_percent"]])  # fmt: skip
    figures = [_("Billed [yuan]"), _("Collected [yuan]"), _("Uncollected [yuan]"), _("Recovery rate [%]")]
    return [
        (_("By area"), [_("Station"), _("Area code"), _("Transformer area"), _("Area manager"), _("Bills"),
                        *figures], areas, ["", "", "", "", "", *money[:3], "rate"]),
        (_("By area manager"), [_("Station"), _("Area manager"), _("Areas"), _("Bills"), *figures], owners,
         ["", "", "", "", *money[:3], "rate"]),
        (_("By station"), [_("Station code"), _("Station"), _("Bills"), *figures], stations,
         ["", "", "", *money[:3], "rate"]),
        (_("Remittance"), [_("Station code"), _("Station"), _("Cash collected [yuan]"), _("Deposited [yuan]"),
                           _("Remitted [yuan]"), _("Not yet remitted [yuan]"), _("Remittance rate [%]")], remit,
         ["", "", *money, "rate"]),
    ]  # fmt: skip


def arrears_sheets(rows, summary: dict, as_of: datetime.date) -> list:
    """The arrears list (every receivable in arrears) and its ageing per area and per area manager."""
    labels = [str(b.label) for b in AGEING_BUCKETS]
    listing = []
    for r in rows:
        days = (as_of - r.due_date).days
        bucket = bucket_of(days)
        listing.append(
            [r.customer.account_number, r.customer.name, r.station.name, r.area.code, r.area.name,
             str(r.area.owner) if r.area.owner_id else "", r.period, r.due_date, days,
             str(bucket.label) if bucket else "", r.amount_yuan, r.arrears_yuan, r.late_fee_accrued_yuan]
        )  # fmt: skip
    per_area = [
        [r["station__name"], r["area__code"], r["area__name"], r["owner"], r["customers"], r["arrears_yuan"],
         *r["buckets"]]
        for r in summary["by_area"]
    ]  # fmt: skip
    t = summary["total"]
    per_area.append([_("Total"), "", "", "", t["customers"], t["arrears_yuan"], *t["buckets"]])
    per_owner = [
        [r["station__name"], r["owner"], r["areas"], r["customers"], r["arrears_yuan"], *r["buckets"]]
        for r in summary["by_owner"]
    ]
    ageing = ["money"] * (1 + len(AGEING_BUCKETS))
    return [
        (_("Arrears"), [_("Account number"), _("Customer"), _("Station"), _("Area code"), _("Transformer area"),
                        _("Area manager"), _("Billing month"), _("Due date"), _("Days overdue"), _("Ageing"),
                        _("Billed [yuan]"), _("Arrears [yuan]"), _("Late fee to date [yuan]")], listing,
         ["", "", "", "", "", "", "month", "date", "", "", "money", "money", "money"]),
        (_("By area"), [_("Station"), _("Area code"), _("Transformer area"), _("Area manager"), _("Customers"),
                        _("Arrears [yuan]"), *labels], per_area, ["", "", "", "", "", *ageing]),
        (_("By area manager"), [_("Station"), _("Area manager"), _("Areas"), _("Customers"), _("Arrears [yuan]"),
                                *labels], per_owner, ["", "", "", "", *ageing]),
    ]  # fmt: skip


def late_fee_sheets(income: dict, months: list) -> list:
    rows = [
        [r["station__code"], r["station__name"], r["income_yuan"], r["target_yuan"], r["reached_percent"]]
        for r in income["by_station"]
    ]
    t = income["total"]
    rows.append([_("Total"), "", t["income_yuan"], t["target_yuan"], t["reached_percent"]])
    by_month = [[f"{income['year']}-{m:02d}", amount] for m, amount in enumerate(months, start=1)]
    return [
        (_("Late-fee income"), [_("Station code"), _("Station"), _("Late fees collected [yuan]"),
                                _("Target [yuan]"), _("Target reached [%]")], rows,
         ["", "", "money", "money", "rate"]),
        (_("By month"), [_("Month"), _("Late fees collected [yuan]")], by_month, ["", "money"]),
    ]  # fmt: skip
