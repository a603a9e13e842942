"""Collecting in a real browser: the meter reader takes a counter payment on a phone and prints its receipt;
the billing clerk imports a bank withholding file with an unknown account; an overdue customer is dunned
and the area's electrician records the delivery on a phone; the clerk proposes a disconnection, the
station head approves it (never its proposer), it is ordered and executed, and the customer's payment at
the counter orders the reconnection; the figures show the recovery rate per area manager.

The days move as the collection tests move them (``on_day``): services and pages date everything by
``timezone.now()``, which the live server reads in this same process.
"""

import datetime
from decimal import Decimal

import pytest

# The billing app's fixtures (the east station's book and its March readings) and collection's `issued`.
from gridcheck.billing.tests.conftest import book, read_march  # noqa: F401
from gridcheck.collection.tests.conftest import issued  # noqa: F401
from gridcheck.collection.tests.test_dunning import day, on_day
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


def _as(page, live_server, county, username):
    page.context.clear_cookies()
    log_in(page, live_server, username, county.password)


def _fits_phone(page) -> None:
    """Nothing wider than the phone: the page does not scroll sideways, and nothing spills out of <main>
    (which hides what overflows on a phone); a wide table scrolls inside its own card."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, page.url
    assert page.evaluate("(m => m.scrollWidth <= m.clientWidth)(document.querySelector('main'))"), page.url


def _form_data(page, selector: str) -> dict:
    """The fields a form would submit, as the browser has them (to resubmit it as a browser would)."""
    return page.evaluate(
        "(s) => Object.fromEntries(new FormData(document.querySelector(s)).entries())", selector
    )


def test_collection_flow(county, issued, phone_page, desk_page, live_server, shot):  # noqa: F811
    from gridcheck.collection.choices import DisconnectionStatus, DunningStatus, ReceivableStatus
    from gridcheck.collection.models import (
        BankFile,
        Disconnection,
        DunningNotice,
        Payment,
        Receivable,
    )

    url = live_server.url
    east11, east12, east21 = (county.customers[k] for k in ("east11", "east12", "east21"))

    # 1. The meter reader, on a phone, before the due date: east12's account → the balance → the payment.
    page = phone_page
    owed = issued.receivables["east12"].amount_yuan
    with on_day(datetime.date(2025, 4, 15)):
        log_in(page, live_server, "reader_east", county.password)
        page.goto(f"{url}/collection/accounts/?q={east12.account_number}")
        page.click(f"a:has-text('{east12.account_number}')")
        page.wait_for_selector("[data-testid=owed]")
        assert page.locator("[data-testid=owed]").inner_text().strip() == f"{owed:,.2f}"
        _fits_phone(page)
        shot(page, "collection-phone-account")
        page.click("[data-testid=pay]")
        page.wait_for_selector("[data-testid=payment-form]")
        assert page.input_value("#id_amount_yuan") == f"{owed:.2f}"  # the total to pay, filled in
        _fits_phone(page)
        shot(page, "collection-phone-payment-form")
        submitted = _form_data(page, "[data-testid=payment-form]")
        form_url = page.url
        page.dblclick("[data-testid=post-payment]")  # an impatient double tap
        page.wait_for_selector(".alert-success")
        payment = Payment.objects.get(customer=east12)
        assert page.url.endswith(payment.get_absolute_url())
        assert page.locator("[data-testid=amount]").inner_text().strip() == f"{owed:,.2f}"
        assert payment.amount_yuan == owed and payment.collector == county.users["reader_east"]
        # The same form sent again (a resubmit after a dropped connection) lands on the same payment.
        again = page.request.post(form_url, form=submitted)
        assert again.ok and again.url.endswith(payment.get_absolute_url())
        assert Payment.objects.filter(customer=east12).count() == 1
        assert Receivable.objects.get(customer=east12).status == ReceivableStatus.PAID
        _fits_phone(page)
        shot(page, "collection-phone-payment")
        receipt = page.request.get(url + page.get_attribute("[data-testid=print-receipt]", "href"))
        assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
        assert receipt.body().startswith(b"%PDF")

    # 2. The billing clerk imports the bank's withholding file: east21 and an account no one has.
    page = desk_page
    east21_owed = issued.receivables["east21"].amount_yuan
    csv = (
        "户号,户名,金额,银行流水号,扣款日期\n"
        f"{east21.account_number},{east21.name},{east21_owed:.2f},YH-0001,2025-04-20\n"
        "99999999999,无此户,88.00,YH-0002,2025-04-20\n"
    )
    with on_day(datetime.date(2025, 4, 21)):
        _as(page, live_server, county, "auditor_east")
        page.goto(f"{url}/collection/bank-files/upload/")
        page.set_input_files(
            "#id_file",
            files=[{"name": "代扣回盘20250420.csv", "mimeType": "text/csv", "buffer": csv.encode()}],
        )
        page.fill("#id_bank", "农村信用社")
        shot(page, "collection-bank-file-form")
        page.click("[data-testid=import]")
        page.wait_for_selector("[data-testid=unmatched]")
        bank_file = BankFile.objects.get()
        assert page.url.endswith(bank_file.get_absolute_url())
        assert page.locator("[data-testid=matched]").inner_text().strip() == "1"
        assert page.locator("[data-testid=unmatched-count]").inner_text().strip() == "1"
        row = page.locator("[data-testid=unmatched-row]")
        assert row.count() == 1
        assert "99999999999" in row.inner_text() and "88.00" in row.inner_text()
        assert bank_file.unmatched.get().reason in row.inner_text()
        shot(page, "collection-bank-file")
    east21_bill = Receivable.objects.get(customer=east21)
    assert east21_bill.status == ReceivableStatus.PAID and east21_bill.paid_yuan == east21_owed
    assert Payment.objects.get(customer=east21).bank_serial == "YH-0001"

    # 3. east11 is overdue: the clerk issues a paper dunning notice; the area's electrician delivers it.
    with on_day(day(1)):
        page.goto(f"{url}/collection/dunning/customers/{east11.pk}/issue/")
        assert page.locator("[data-testid=arrears]").inner_text().strip() == (
            f"{issued.receivables['east11'].amount_yuan:,.2f}"
        )
        page.select_option("#id_channel", "paper")
        shot(page, "collection-dunning-issue")
        page.click("[data-testid=issue]")
        page.wait_for_selector("[data-testid=delivery]")
        notice = DunningNotice.objects.get(customer=east11)
        assert notice.sequence == 1 and notice.status == DunningStatus.ISSUED
        assert page.locator("[data-testid=delivery-form]").count() == 0  # the clerk does not deliver
    phone = phone_page
    with on_day(day(2)):
        _as(phone, live_server, county, "manager_east")
        phone.goto(f"{url}{notice.get_absolute_url()}")
        _fits_phone(phone)
        shot(phone, "collection-phone-dunning-notice")
        phone.fill("#id_note", "户主本人签收")
        phone.click("[data-testid=deliver]")
        phone.wait_for_selector("[data-testid=delivered]")
        assert "户主本人签收" in phone.locator("[data-testid=delivered]").inner_text()
        _fits_phone(phone)
        shot(phone, "collection-phone-dunning-delivered")
    notice.refresh_from_db()
    assert notice.status == DunningStatus.DELIVERED and notice.delivered_by == county.users["manager_east"]
    # A week later, still unpaid: the second notice.
    with on_day(day(8)):
        _as(page, live_server, county, "auditor_east")
        page.goto(f"{url}/collection/dunning/customers/{east11.pk}/issue/")
        page.select_option("#id_channel", "paper")
        page.click("[data-testid=issue]")
        page.wait_for_selector("[data-testid=delivery]")
    assert DunningNotice.objects.filter(customer=east11).count() == 2

    # 4. A disconnection: the clerk proposes it, the station head approves it, the clerk orders and
    #    records the cut; the customer pays at the counter and the reconnection is ordered.
    page.on("dialog", lambda dialog: dialog.accept())  # "Open the disconnection work order?" — yes
    with on_day(day(31)):
        _as(page, live_server, county, "auditor_east")
        page.goto(f"{url}/collection/disconnections/customers/{east11.pk}/propose/")
        page.fill("#id_reason", "两次催费通知送达后仍未缴费")
        shot(page, "collection-disconnection-propose")
        page.click("[data-testid=propose]")
        page.wait_for_selector("[data-testid=actions]")
        disconnection = Disconnection.objects.get(customer=east11)
        assert disconnection.status == DisconnectionStatus.PROPOSED
        # The proposer cannot approve: no decision form for them.
        assert page.locator("[data-testid=station-decision]").count() == 0
        shot(page, "collection-disconnection-proposed")
    with on_day(day(32)):
        _as(page, live_server, county, "head_east")
        page.goto(f"{url}{disconnection.get_absolute_url()}")
        page.fill("[data-testid=station-decision] textarea[name=comment]", "同意，按期送达停电通知")
        page.click("[data-testid=station-decision] [data-testid=approve]")
        page.wait_for_selector(".alert-success")
        disconnection.refresh_from_db()
        assert disconnection.status == DisconnectionStatus.APPROVED
        assert disconnection.approved_by == county.users["head_east"]
        assert page.locator("[data-testid=cut-not-before]").inner_text().strip() == f"{day(39):%Y-%m-%d}"
        shot(page, "collection-disconnection-approved")
    with on_day(day(39)):
        _as(page, live_server, county, "auditor_east")
        page.goto(f"{url}{disconnection.get_absolute_url()}")
        page.click("[data-testid=order]")
        page.wait_for_selector("[data-testid=execute-form]")
        page.fill("#id_execute_note", "已断开表后开关")
        page.click("[data-testid=execute]")
        page.wait_for_selector(".alert-success")
        disconnection.refresh_from_db()
        assert disconnection.status == DisconnectionStatus.EXECUTED and disconnection.work_order_id
        shot(page, "collection-disconnection-executed")
    with on_day(day(40)):
        _as(phone, live_server, county, "reader_east")
        phone.goto(f"{url}/collection/accounts/{east11.pk}/pay/")
        phone.wait_for_selector("[data-testid=payment-form]")
        total = Decimal(phone.input_value("#id_amount_yuan"))
        assert total > issued.receivables["east11"].amount_yuan  # with the late fee of 40 days
        _fits_phone(phone)
        shot(phone, "collection-phone-payment-overdue")
        phone.click("[data-testid=post-payment]")
        phone.wait_for_selector(".alert-success")
        assert Payment.objects.get(customer=east11).amount_yuan == total
        _as(page, live_server, county, "auditor_east")
        page.goto(f"{url}{disconnection.get_absolute_url()}")
        disconnection.refresh_from_db()
        assert disconnection.status == DisconnectionStatus.RECONNECT_ORDERED
        assert disconnection.reconnect_work_order_id
        assert str(disconnection.get_status_display()) in page.locator("[data-testid=status]").inner_text()
        assert page.locator("[data-testid=reconnected-form]").count() == 1
        assert page.locator("[data-testid=reconnect-ordered]").count() == 1
        shot(page, "collection-disconnection-reconnect-ordered")
    assert Receivable.objects.get(customer=east11).status == ReceivableStatus.PAID

    # 5. The figures: March's recovery by the end of April, per area manager (east11 paid only in June).
    _as(page, live_server, county, "head_east")
    page.goto(f"{url}/collection/figures/recovery/?month=2025-03")
    owners = page.locator("[data-testid=owner-table] tbody tr")
    row = owners.filter(has_text="manager_east")
    assert row.count() == 1
    paid, due = issued.receivables["east12"].amount_yuan, owed + issued.receivables["east11"].amount_yuan
    rate = (paid / due * 100).quantize(Decimal("0.1"))
    assert f"{rate} %" in row.inner_text() and f"{paid:,.2f}" in row.inner_text()
    shot(page, "collection-recovery")
    _as(phone, live_server, county, "manager_east")
    phone.goto(f"{url}/collection/figures/recovery/?month=2025-03")
    assert f"{rate} %" in phone.locator("[data-testid=owner-table]").inner_text()
    _fits_phone(phone)
    shot(phone, "collection-phone-recovery")

    # 6. Every collection page, with this story's records, on a desk and on a phone, for people to look at.
    pages = {
        "account": f"/collection/accounts/{east11.pk}/",
        "payment": Payment.objects.get(customer=east11).get_absolute_url(),
        "notice": notice.get_absolute_url(),
        "disconnection": disconnection.get_absolute_url(),
        "bank-file": bank_file.get_absolute_url(),
        "accounts": "/collection/accounts/",
        "payments": "/collection/payments/",
        "bank-files": "/collection/bank-files/",
        "reversals": "/collection/reversals/",
        "month-close": "/collection/month-close/",
        "dunning": "/collection/dunning/",
        "dunning-due": "/collection/dunning/due/",
        "disconnections": "/collection/disconnections/",
        "stock": "/collection/stock/",
        "deposits": "/collection/deposits/",
        "daily-cash": "/collection/cash/daily/?day=2025-04-15",
        "reconciliation": "/collection/cash/reconciliation/?first=2025-04-01&last=2025-06-30",
        "rural": "/collection/cash/rural/?month=2025-03",
        "figures": "/collection/figures/?month=2025-03",
        "arrears": "/collection/figures/arrears/",
        "late-fees": "/collection/figures/late-fees/?year=2025",
    }
    for view, kind in ((page, "desk"), (phone, "phone")):
        _as(view, live_server, county, "head_east")
        for name, path in pages.items():
            response = view.goto(f"{url}{path}")
            assert response.status == 200, path
            if name == "figures":
                view.wait_for_timeout(1500)  # the charts' drawing animation
            shot(view, f"collection-look-{kind}-{name}")
            if kind == "phone":
                _fits_phone(view)
