"""The billing pages: who sees them, what they show, and each action through its POST."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gridcheck.billing import services
from gridcheck.billing.choices import BillStatus, ChangeStatus, ReviewFlag
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BookChange,
    CategoryChange,
    MeterReading,
    ReaderAnomaly,
)


def _issue(county, book):
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    services.cycle_bill(user=auditor, cycle=book.cycle)
    for bill in Bill.objects.all():
        services.bill_check(user=head, bill=bill, note="核对无误")
    services.cycle_issue(user=head, cycle=book.cycle)


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="JPEG")
    return SimpleUploadedFile("display.jpg", buffer.getvalue(), content_type="image/jpeg")


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.mark.parametrize(
    "name",
    ["book_list", "cycle_list", "bill_list", "adjustment_list", "category_change_list", "anomaly_list"],
)
def test_lists_render_for_readers_and_not_for_the_liaison(county, login, book, read_march, name):
    read_march()
    services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    for username in ("head_east", "auditor_east", "reader_east", "manager_east", "admin"):
        response = login(username).get(reverse(f"billing:{name}"))
        assert response.status_code == 200, (username, name)
    assert login("liaison").get(reverse(f"billing:{name}")).status_code == 403


def test_other_station_sees_no_east_rows_and_gets_404(county, login, book, read_march):
    read_march()
    services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    bill = Bill.objects.get(customer=county.customers["east11"])
    client = login("inspector_west")
    assert bill.number not in client.get(reverse("billing:bill_list")).content.decode()
    assert "E-01" not in client.get(reverse("billing:book_list")).content.decode()
    assert client.get(reverse("billing:bill_detail", args=[bill.pk])).status_code == 404
    assert client.get(reverse("billing:cycle_detail", args=[book.cycle.pk])).status_code == 404
    assert client.get(reverse("billing:book_detail", args=[book.book.pk])).status_code == 404
    # And the east head's list shows it.
    assert bill.number in login("head_east").get(reverse("billing:bill_list")).content.decode()


def test_book_pages_and_create(county, login, book):
    client = login("auditor_east")
    page = client.get(reverse("billing:book_detail", args=[book.book.pk])).content.decode()
    assert "东城一册" in page and "S01-A1" in page and "2025-03" in page
    assert client.get(reverse("billing:book_create")).status_code == 200
    # An area already in a book is not offered, and one given anyway is refused with the service's words.
    response = client.post(
        reverse("billing:book_create"),
        {
            "station": county.stations["east"].pk,
            "code": "E-02",
            "name": "东城二册",
            "reading_day": 8,
            "cycle_months": 1,
            "reader": county.users["reader_east"].pk,
            "areas": [],
        },
    )
    assert response.status_code == 302
    assert login("reader_east").get(reverse("billing:book_create")).status_code == 403
    assert login("inspector_east").get(reverse("billing:book_create")).status_code == 403


def test_book_change_request_and_decision(county, login, book):
    url = reverse("billing:book_change_request", args=[book.book.pk])
    client = login("auditor_east")
    assert client.get(url).status_code == 200
    response = client.post(url, {"reading_day": 5, "cycle_months": 1, "reason": "x"})
    assert response.status_code == 200 and "当前" in response.content.decode() or response.status_code == 200
    response = client.post(url, {"reading_day": 10, "cycle_months": 1, "reason": "合并抄表线路"})
    assert response.status_code == 302
    change = BookChange.objects.get()
    # The requester may not decide (no approve_station), the head may.
    decide = reverse("billing:book_change_decide", args=[change.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    response = login("head_east").post(decide, {"decision": "approve"}, follow=True)
    assert response.status_code == 200
    change.refresh_from_db()
    book.book.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED and book.book.reading_day == 10


def test_cycle_page_shows_figures_and_the_review_list(county, login, book, read_march):
    read_march(east11="1150.00")
    url = reverse("billing:cycle_detail", args=[book.cycle.pk])
    client = login("auditor_east")
    response = client.post(reverse("billing:cycle_bill", args=[book.cycle.pk]), follow=True)
    assert "计费" in _messages(response) or response.status_code == 200
    assert Bill.objects.count() == 4
    page = client.get(url).content.decode()
    assert "100.00 %" in page
    assert 'data-testid="review-list"' in page
    # The reader sees the cycle but no action button.
    page = login("reader_east").get(url).content.decode()
    assert 'data-testid="bill"' not in page


def test_bill_run_errors_are_listed_not_a_500(county, login, book, read_march):
    read_march()
    MeterReading.objects.filter(cycle=book.cycle, meter=book.meters["east22"]).delete()
    response = login("auditor_east").post(reverse("billing:cycle_bill", args=[book.cycle.pk]), follow=True)
    assert response.status_code == 200
    assert county.customers["east22"].account_number in _messages(response)
    assert not Bill.objects.exists()


def test_check_issue_and_preparer_refused(county, login, book, read_march):
    read_march()
    auditor = login("auditor_east")
    auditor.post(reverse("billing:cycle_bill", args=[book.cycle.pk]))
    bill = Bill.objects.get(customer=county.customers["east11"])
    # The preparer is refused by the service: a message, not an error page.
    response = auditor.post(reverse("billing:bill_check", args=[bill.pk]), {"note": ""}, follow=True)
    assert response.status_code == 200 and _messages(response)
    bill.refresh_from_db()
    assert bill.status == BillStatus.DRAFT
    head = login("head_east")
    page = head.get(reverse("billing:bill_detail", args=[bill.pk])).content.decode()
    assert "84.00" in page and "150 kWh" in page and "2025-02-05" in page and 'data-testid="check"' in page
    # the rules used, each named by what it means (its key only in a tooltip)
    rules = bill.calculation["rules"]
    assert rules and all(f'<td title="{r["key"]}">{r["description"]}</td>' in page for r in rules)
    head.post(reverse("billing:cycle_check", args=[book.cycle.pk]))
    for flagged in Bill.objects.filter(status=BillStatus.DRAFT):
        head.post(reverse("billing:bill_check", args=[flagged.pk]), {"note": "已核对"})
    head.post(reverse("billing:cycle_issue", args=[book.cycle.pk]))
    assert set(Bill.objects.values_list("status", flat=True)) == {BillStatus.ISSUED}


def test_reader_enters_a_reading_with_a_photo_on_the_phone_page(county, login, book, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login("reader_east")
    assert client.get(reverse("billing:reader_home")).status_code == 200
    page = client.get(reverse("billing:reader_cycle", args=[book.cycle.pk])).content.decode()
    assert "客户east11" in page and "1000.00" in page
    meter = book.meters["east11"]
    url = reverse("billing:reading_entry", args=[book.cycle.pk]) + f"?meter={meter.pk}"
    assert client.get(url).status_code == 200
    # Going backwards: the service's message on the form.
    response = client.post(url, {"meter": meter.pk, "total": "999", "source": "handheld"})
    assert response.status_code == 200 and "总示数" in response.content.decode()
    response = client.post(url, {"meter": meter.pk, "total": "1150", "source": "handheld", "photo": _jpeg()})
    assert response.status_code == 302
    reading = MeterReading.objects.get(cycle=book.cycle, meter=meter)
    assert reading.total == Decimal("1150.00") and reading.photo.name.endswith(".jpg")
    # Not an image: refused on the photo field.
    bad = SimpleUploadedFile("x.jpg", b"not a photo", content_type="image/jpeg")
    response = client.post(url, {"meter": meter.pk, "total": "1151", "source": "handheld", "photo": bad})
    assert response.status_code == 200 and 'data-testid="field-error"' in response.content.decode()
    # Someone else's reader pages: the inspector may not enter readings at all.
    assert (
        login("inspector_east").get(reverse("billing:reader_cycle", args=[book.cycle.pk])).status_code == 403
    )


def test_anomaly_report_work_order_and_resolve(county, login, book):
    meter = book.meters["east12"]
    url = reverse("billing:anomaly_report", args=[book.cycle.pk]) + f"?meter={meter.pk}"
    client = login("reader_east")
    assert client.get(url).status_code == 200
    assert client.post(url, {"meter": meter.pk, "kind": "display_dark", "note": "黑屏"}).status_code == 302
    anomaly = ReaderAnomaly.objects.get()
    page = login("auditor_east").get(reverse("billing:anomaly_list") + "?kind=display_dark").content.decode()
    assert "显示" in page or "客户east12" in page
    auditor = login("auditor_east")
    assert auditor.get(reverse("billing:anomaly_detail", args=[anomaly.pk])).status_code == 200
    auditor.post(reverse("billing:anomaly_work_order", args=[anomaly.pk]))
    anomaly.refresh_from_db()
    assert anomaly.work_order_id_ref
    response = auditor.post(
        reverse("billing:anomaly_resolve", args=[anomaly.pk]), {"outcome": ""}, follow=True
    )
    assert _messages(response)
    auditor.post(reverse("billing:anomaly_resolve", args=[anomaly.pk]), {"outcome": "已换表"})
    anomaly.refresh_from_db()
    assert anomaly.status == "resolved"
    assert (
        login("reader_east")
        .post(reverse("billing:anomaly_resolve", args=[anomaly.pk]), {"outcome": "x"})
        .status_code
        == 403
    )


def test_refund_prepared_then_approved_by_another(county, login, book, read_march):
    read_march()
    _issue(county, book)
    bill = Bill.objects.get(customer=county.customers["east11"])
    head = login("head_east")
    url = reverse("billing:adjustment_create", args=[bill.pk])
    assert head.get(url).status_code == 200
    response = head.post(url, {"kind": "correction", "reason": "抄表错误", "total_kwh": ""})
    assert response.status_code == 200
    response = head.post(url, {"kind": "correction", "reason": "抄表错误，实际示数1120", "total_kwh": "120"})
    adjustment = BillAdjustment.objects.get()
    assert response.status_code == 302 and adjustment.amount_yuan == Decimal("-16.80")
    page = head.get(reverse("billing:adjustment_detail", args=[adjustment.pk])).content.decode()
    assert "-16.80" in page
    decide = reverse("billing:adjustment_decide", args=[adjustment.pk])
    response = head.post(decide, {"decision": "approve"}, follow=True)
    assert _messages(response)
    adjustment.refresh_from_db()
    assert adjustment.status == ChangeStatus.PENDING
    login("admin").post(decide, {"decision": "approve"})
    bill.refresh_from_db()
    assert bill.status == BillStatus.ADJUSTED and bill.adjusted_total_yuan == Decimal("67.20")


def test_meter_error_refund_passes_only_the_fields_given(county, login, book, read_march):
    read_march()
    _issue(county, book)
    bill = Bill.objects.get(customer=county.customers["east12"])
    response = login("auditor_east").post(
        reverse("billing:adjustment_create", args=[bill.pk]),
        {
            "kind": "meter_error",
            "reason": "倍率错误",
            "cause": "wrong_multiplier",
            "register_difference_kwh": "12.5",
            "actual_multiplier": "50",
            "billed_multiplier": "40",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    adjustment = BillAdjustment.objects.get()
    assert adjustment.inputs["cause"] == "wrong_multiplier" and "error_percent" not in adjustment.inputs


def test_category_change_apply_check_approve(county, login):
    customer = county.customers["east12"]
    auditor = login("auditor_east")
    url = reverse("billing:category_change_create") + f"?customer={customer.pk}"
    assert customer.account_number in auditor.get(url).content.decode()
    response = auditor.post(
        url,
        {
            "customer_account": customer.account_number,
            "new_tariff_code": "GEN-1",
            "effective_on": "2025-05-01",
            "reason": "x",
        },
    )
    assert response.status_code == 200  # the present tariff: refused on the form
    auditor.post(
        url,
        {
            "customer_account": customer.account_number,
            "new_tariff_code": "RES-1",
            "effective_on": "2025-05-01",
            "reason": "改为居民自用",
        },
    )
    change = CategoryChange.objects.get()
    assert auditor.post(reverse("billing:category_change_check", args=[change.pk])).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.PENDING  # the applicant may not check
    login("head_east").post(reverse("billing:category_change_check", args=[change.pk]), {"note": "核实"})
    login("admin").post(reverse("billing:category_change_decide", args=[change.pk]), {"decision": "approve"})
    customer.refresh_from_db()
    assert customer.tariff_code == "RES-1"
    page = (
        login("head_east").get(reverse("billing:category_change_detail", args=[change.pk])).content.decode()
    )
    assert "RES-1 居民生活用电" in page


def test_open_next_cycle_and_collect_without_ami_data(county, login, book):
    client = login("auditor_east")
    response = client.post(reverse("billing:cycle_open_next", args=[book.cycle.pk]))
    assert response.status_code == 302
    april = book.book.cycles.get(period=datetime.date(2025, 4, 1))
    response = client.post(reverse("billing:cycle_collect", args=[april.pk]), follow=True)
    assert response.status_code == 200
    response = client.post(
        reverse("billing:book_open_cycle", args=[book.book.pk]), {"period": "bad"}, follow=True
    )
    assert response.status_code == 200 and _messages(response)


def test_an_area_managers_cycle_page_lists_only_their_areas(county, login, book, read_march):
    """The book is its station's and an area manager reads it, but the bills, unread meters and anomalies
    listed are only their own areas' (the bills of the others' areas were listed, and each linked to a
    404)."""
    read_march()
    services.cycle_bill(user=county.users["auditor_east"], cycle=book.cycle)
    # a bill of each area on the review list
    Bill.objects.filter(customer__in=[county.customers["east11"], county.customers["east21"]]).update(
        review_flags=[ReviewFlag.CHANGE_LAST_MONTH]
    )
    MeterReading.objects.filter(
        cycle=book.cycle, meter__in=[book.meters["east12"], book.meters["east22"]]
    ).delete()
    for key in ("east11", "east21"):
        ReaderAnomaly.objects.create(
            cycle=book.cycle,
            customer=county.customers[key],
            meter=book.meters[key],
            area=county.customers[key].area,
            station=county.stations["east"],
            kind=ReaderAnomaly._meta.get_field("kind").choices[0][0],
            reported_by=county.users["reader_east"],
            found_on=book.cycle.reading_date,
        )
    url = reverse("billing:cycle_detail", args=[book.cycle.pk])
    head = login("head_east").get(url).content.decode()
    manager = login("manager_east").get(url).content.decode()
    others = [county.customers[key].name for key in ("east21", "east22")]
    assert all(name in head for name in [county.customers["east11"].name, *others])
    assert county.customers["east11"].name in manager and county.customers["east12"].name in manager
    assert not any(name in manager for name in others)
    # the figures stay the whole book's, and the manager is told the lists are their areas'
    assert 'data-testid="lists-scoped"' in manager and 'data-testid="lists-scoped"' not in head
    bills = Bill.objects.filter(customer=county.customers["east21"])
    assert bills and all(bill.number in head and bill.number not in manager for bill in bills)
