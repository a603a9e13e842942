"""Official documents as PDF, one path for every app: WeasyPrint with Debian's Noto CJK fonts.

A document template extends ``pdf/base.html`` (``gridcheck/templates``), which prints the letterhead: the
issuing company in red, the document number and the red line (红头). The app passes the company name in
the context as ``letterhead`` (core knows no app model) and the number as ``document_number``::

    render_pdf("hazards/pdf/briefing.html", {"letterhead": "国网示范县供电公司", "document_number": ..., ...})

Fonts: Noto Serif CJK SC for the body (公文 style), Noto Sans CJK SC for headings and tables. WeasyPrint
runs no JavaScript: a chart in a PDF is inline SVG.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

CN_DIGITS = "〇一二三四五六七八九"


def chinese_date(day: datetime.date) -> str:
    """2026-11-25 -> 二〇二六年十一月二十五日 (the form used on official documents)."""

    def number(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + ("" if ones == 0 else CN_DIGITS[ones])

    year = "".join(CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{number(day.month)}月{number(day.day)}日"


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render ``template_name`` to PDF bytes; media files (photos) resolve against ``MEDIA_ROOT``.

    ``context`` carries ``letterhead`` (the issuing company as printed) and ``document_number`` for the
    letterhead of ``pdf/base.html``. The document is rendered in the site language (its fixed wording is
    Chinese anyway), whatever the language of the request that asked for it.
    """
    from weasyprint import HTML

    if not context.get("letterhead"):
        raise ValueError("a PDF document needs the issuing company in context['letterhead']")
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    base_url = Path(settings.MEDIA_ROOT).as_uri() + "/"
    return HTML(string=html, base_url=base_url).write_pdf()
