"""PDF documents of the 1+1+1 network, from ``templates/hazards/pdf/*.html`` (which extend the letterhead of
``pdf/base.html``), rendered by ``gridcheck.core.pdf.render_pdf``.

This module only renders: the figures, rows and photos come from ``gridcheck.hazards.selectors`` through the
service that produces the document. Charts are inline SVG drawn here (WeasyPrint runs no JavaScript, so
ECharts cannot be used in a PDF).
"""

from __future__ import annotations

import datetime
from html import escape

from gridcheck.core.pdf import chinese_date, render_pdf


def _document(notice, issuer: str, issued_on: datetime.date) -> dict:
    """The context every document shares: its letterhead, number and issue date."""
    return {
        "letterhead": issuer,
        "document_number": notice.document_number,
        "notice": notice,
        "issuer": issuer,
        "issued_on": issued_on,
        "issued_on_cn": chinese_date(issued_on),
    }


def bar_chart_svg(
    categories: list[str], series: list[tuple[str, list[int], str]], width: int = 640, height: int = 230
) -> str:
    """A grouped bar chart as SVG: ``series`` is ``[(name, values, colour)]``, one value per category."""
    left, right, top, bottom = 40, 10, 28, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for _n, values, _c in series for v in values] + [1])
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        step = candidate
        if peak / candidate <= 5:
            break
    top_value = step * (peak // step + 1)  # always a step of headroom for the value labels
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="Noto Sans CJK SC" font-size="11">'
    ]
    for i in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * i / top_value
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{i}</text>')
    n_cat = max(len(categories), 1)
    group_w = plot_w / n_cat
    bar_w = min(28, group_w * 0.7 / max(len(series), 1))
    for ci, category in enumerate(categories):
        x0 = left + ci * group_w + (group_w - bar_w * len(series)) / 2
        for si, (_name, values, colour) in enumerate(series):
            value = values[ci]
            h = plot_h * value / top_value
            x = x0 + si * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{colour}"/>'
            )
            if value:
                parts.append(
                    f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" fill="#333">{value}</text>'
                )
        parts.append(
            f'<text x="{left + ci * group_w + group_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'fill="#222">{escape(category)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#444"/>'
    )
    lx = left
    for name, _values, colour in series:
        parts.append(f'<rect x="{lx}" y="6" width="12" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16}" y="15" fill="#222">{escape(name)}</text>')
        lx += 30 + 12 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def customer_notice_pdf(*, notice, customer, figures, contacts, issuer, issued_on) -> bytes:
    """The monthly hazard rectification notice (安全隐患整改通知书) to one customer.

    ``figures``: ``selectors.customer_notice_figures`` (each hazard with its photo before rectification).
    """
    return render_pdf(
        "hazards/pdf/customer_notice.html",
        {
            **_document(notice, issuer, issued_on),
            **figures,
            "customer": customer,
            "contacts": contacts,
            "station": customer.station,
        },
    )


def government_summary_pdf(*, notice, hazards, figures, issuer, issued_on, first, last) -> bytes:
    """The monthly summary of hazards for the county government (安全隐患情况月报).

    ``figures``: ``selectors.government_summary_figures`` (statistics, departments, number of customers).
    """
    return render_pdf(
        "hazards/pdf/government_summary.html",
        {**_document(notice, issuer, issued_on), **figures, "hazards": hazards, "first": first, "last": last},
    )


def briefing_pdf(*, notice, figures, issuer, issued_on, first, last) -> bytes:
    """The quarterly hazard briefing report (安全隐患通报), with statistics, charts, photos and drills.

    ``figures``: ``selectors.briefing_figures`` (statistics, drills, featured hazards, rectification rate).
    """
    stats = figures["stats"]
    charts = {}
    for name, rows in (("severity_chart", stats["by_severity"]), ("station_chart", stats["by_station"])):
        charts[name] = bar_chart_svg(
            [row["label"] for row in rows],
            [
                ("发现", [row["found"] for row in rows], "#2f6db5"),
                ("整改", [row["rectified"] for row in rows], "#3a9a5b"),
                ("逾期", [row["overdue"] for row in rows], "#c0392b"),
            ],
        )
    return render_pdf(
        "hazards/pdf/briefing.html",
        {**_document(notice, issuer, issued_on), **figures, **charts, "first": first, "last": last},
    )
