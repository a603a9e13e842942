"""A report ``Document`` printed: the PDF on the letterhead (tables, charts, signature lines) and the XLSX
with the same tables (figures as numbers)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone

from gridcheck.reports.contents import CHANGE, INT, KWH, PCT, PP, PRICE, YUAN, Document, fmt

NUMERIC = {INT, KWH, YUAN, PCT, PP, CHANGE, PRICE}


def _cells(section, row_index: int, row: list) -> list[dict]:
    formats = section.row_formats[row_index] if section.row_formats else section.formats
    return [{"text": fmt(value, formats[i]), "number": formats[i] in NUMERIC} for i, value in enumerate(row)]


CN_ORDINALS = "一二三四五六七八九十"


def _next_number(doc: Document) -> str:
    """The heading number after the numbered sections (``三、``), or none when they are not numbered."""
    numbered = [s for s in doc.sections if s.title[:1] in CN_ORDINALS and s.title[1:2] == "、"]
    if not numbered or len(numbered) >= len(CN_ORDINALS):
        return ""
    return CN_ORDINALS[len(numbered)] + "、"


def render_document_pdf(doc: Document) -> bytes:
    from gridcheck.core.pdf import chinese_date, render_pdf

    sections = []
    for section in doc.sections:
        sections.append(
            {
                "title": section.title,
                "header": section.header,
                "rows": [_cells(section, i, row) for i, row in enumerate(section.rows)],
                "total": _cells(section, 0, section.total) if section.total else None,
                "empty": section.empty,
                "note": section.note,
                "wide": len(section.header) > 8,
            }
        )
    return render_pdf(
        "reports/pdf/report.html",
        {
            "letterhead": doc.station.company.name,
            "document_number": doc.document_number,
            "doc": doc,
            "sections": sections,
            "issued_text": chinese_date(timezone.localdate()),
            "station_name": doc.station.name,
            "landscape": any(s["wide"] for s in sections),
            "period_text": doc.kind.period_text(doc.period_start),
            "next_number": _next_number(doc),
        },
    )


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if kind not in NUMERIC:
        return "" if value == "" else value
    if kind in (KWH,):
        return int(Decimal(str(value)).quantize(Decimal(1)))
    if kind in (YUAN,):
        return float(Decimal(str(value)).quantize(Decimal("0.01")))
    if kind == PRICE:
        return float(Decimal(str(value)).quantize(Decimal("0.0001")))
    if kind in (PCT, PP, CHANGE):
        return float(Decimal(str(value)).quantize(Decimal("0.1")))
    if kind == INT:
        return int(value)
    return value


NUMBER_FORMATS = {
    KWH: "#,##0",
    YUAN: "#,##0.00",
    PCT: "0.0",
    PP: "+0.0;-0.0;0.0",
    CHANGE: "+0.0;-0.0;0.0",
    INT: "0",
}


def render_document_xlsx(doc: Document) -> bytes:
    """The same tables as the PDF: one sheet per table, a title and the period on top of each."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from gridcheck.core.exports import FORMULA_TRIGGERS

    workbook = Workbook()
    workbook.remove(workbook.active)
    if doc.kpis or doc.intro:
        sheet = workbook.create_sheet("概况")
        sheet.append([doc.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([f"文号：{doc.document_number}"])
        for label, value in doc.kpis:
            sheet.append([label, value])
        sheet.append([])
        for paragraph in doc.intro + doc.conclusions:
            sheet.append([paragraph])
            sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(wrap_text=True)
        sheet.column_dimensions["A"].width = 90
        sheet.column_dimensions["B"].width = 16
    for index, section in enumerate(doc.sections, start=1):
        name = section.title.split("、", 1)[-1][:28] or f"表{index}"
        sheet = workbook.create_sheet(f"{index}{name}"[:31].replace("/", "／"))
        sheet.append([f"{doc.title}：{section.title}"])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([f"{doc.station.name}  {doc.kind.period_text(doc.period_start)}"])
        sheet.append(section.header)
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        rows = list(section.rows) + ([section.total] if section.total else [])
        for row_index, row in enumerate(rows):
            formats = (
                section.row_formats[row_index]
                if section.row_formats and row_index < len(section.row_formats)
                else section.formats
            )
            sheet.append([_xlsx_value(v, formats[i]) for i, v in enumerate(row)])
            for i, cell in enumerate(sheet[sheet.max_row]):
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    cell.data_type = "s"
                elif formats[i] in NUMBER_FORMATS and cell.value is not None:
                    cell.number_format = NUMBER_FORMATS[formats[i]]
        if section.note:
            sheet.append([section.note])
        sheet.freeze_panes = "A4"
        for i, heading in enumerate(section.header, start=1):
            letter = sheet.cell(row=3, column=i).column_letter
            sheet.column_dimensions[letter].width = max(10, min(40, len(heading) * 2 + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
