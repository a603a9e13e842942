"""The printed notices of dunning and disconnection (Chinese official documents, WeasyPrint via core).

``dunning_notice_pdf``: the 催费通知单 the area's electrician hands to the customer, with the overdue bills,
the late fee to date, the day to pay by and a receipt slip (回执) for the delivery record.
``disconnection_notice_pdf``: the 欠费停电通知书 served after the final approval (电力供应与使用条例 第三十九条;
供电营业规则 第六十七条), with the earliest day of cutting.
"""

from __future__ import annotations

from django.utils import timezone

from gridcheck.collection.models import Disconnection, DunningNotice


def _letterhead(station) -> str:
    return station.company.name


def dunning_notice_pdf(notice: DunningNotice) -> bytes:
    from gridcheck.core.pdf import chinese_date, render_pdf

    notice = DunningNotice.objects.select_related("customer", "station__company", "area").get(pk=notice.pk)
    receivables = list(notice.receivables.select_related("bill").order_by("due_date", "pk"))
    return render_pdf(
        "collection/dunning/dunning_notice_pdf.html",
        {
            "letterhead": _letterhead(notice.station),
            "document_number": f"催费〔{timezone.localdate(notice.created_at):%Y}〕{notice.number}",
            "notice": notice,
            "customer": notice.customer,
            "receivables": receivables,
            "total_yuan": notice.arrears_yuan + notice.late_fee_yuan,
            "pay_by_text": chinese_date(notice.pay_by),
            "issued_text": chinese_date(timezone.localdate(notice.created_at)),
        },
    )


def disconnection_notice_pdf(disconnection: Disconnection) -> bytes:
    from gridcheck.core.pdf import chinese_date, render_pdf
    from gridcheck.core.rules import rule_int, rule_row

    disconnection = Disconnection.objects.select_related("customer", "station__company", "area").get(
        pk=disconnection.pk
    )
    served = disconnection.notice_served_on
    on = served or timezone.localdate(disconnection.created_at)
    kind = "residential" if disconnection.customer.category == "residential" else "other"
    return render_pdf(
        "collection/dunning/disconnection_notice_pdf.html",
        {
            "letterhead": _letterhead(disconnection.station),
            "document_number": f"停电〔{on:%Y}〕{disconnection.number}",
            "disconnection": disconnection,
            "customer": disconnection.customer,
            "receivables": list(
                disconnection.customer.receivables.filter(status="open")
                .select_related("bill")
                .order_by("due_date")
            ),
            "served_text": chinese_date(served) if served else "",
            "cut_text": chinese_date(disconnection.cut_not_before) if disconnection.cut_not_before else "",
            "notice_days": rule_int(f"collection.disconnection_notice_days.{kind}", on),
            "overdue_article": rule_row("collection.disconnection_min_overdue_days", on).article,
            "notice_article": rule_row(f"collection.disconnection_notice_days.{kind}", on).article,
        },
    )
