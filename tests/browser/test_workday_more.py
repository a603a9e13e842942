"""More of each role's working day (issue 19): the auditor, the customer on the portal and the government
liaison open home, see their items, act on one, and the next role is told and sees it on their home.
Screenshots in test-artifacts/screenshots/workday-*.png."""

import datetime

import pytest

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, url):
    page.goto(url)


def _click(page, selector):
    click_to_load(page, selector)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _finding_of_the_auditor(county):
    """DF-01 (a residential customer on the general tariff) run over March: east11's finding, assigned by
    its rule's owner role to the east auditor, as the audit app's own tests make it."""
    from gridcheck.audit import services
    from gridcheck.audit.models import Finding

    east11 = county.customers["east11"]
    east11.tariff_code = "GEN-1"
    east11.save()
    today = datetime.date.today()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    run = services.audit_run_start(
        month=month, user=county.users["admin"], rule_codes=["DF-01"], run_on=today, enqueue=False
    )
    services.audit_run_execute(run)
    return Finding.objects.get(customer=east11)


def test_the_auditor_rectifies_a_finding_and_the_station_head_is_told_to_verify_it(
    county, desk_page, live_server, shot
):
    from django.utils import translation
    from django.utils.translation import gettext

    from gridcheck.audit.choices import FindingStatus

    finding = _finding_of_the_auditor(county)
    assert finding.assignee == county.users["auditor_east"]
    page = desk_page
    url = live_server.url

    # The auditor's home: the finding waits for them, a link to their findings.
    log_in(page, live_server, "auditor_east", county.password)
    _go(page, f"{url}/")
    todo = page.locator("[data-testid=todo] a[href*='assignee=mine']").first
    assert "稽查" in todo.inner_text() and todo.locator(".badge").inner_text().strip() == "1"
    _no_horizontal_scroll(page)
    shot(page, "workday-21-auditor-home")
    click_to_load(page, todo)
    rows = page.locator("[data-testid=finding-table] tbody tr")
    assert rows.count() == 1 and county.customers["east11"].account_number in rows.first.inner_text()
    _click(page, "[data-testid=finding-table] tbody tr td a[href*='/audit/findings/']")
    assert page.url.endswith(finding.get_absolute_url())

    # The auditor records what was put right.
    page.fill("#id_resolution", "已核实为居民生活用电，电价改回居民生活用电并退还差额")
    shot(page, "workday-22-auditor-finding")
    _click(page, "[data-testid=rectify]")
    assert page.locator("[data-testid=finding-status] [data-status=rectified]").count() == 1
    assert page.locator("[data-testid=verify-waiting]").count() == 1  # not the assignee's to verify
    shot(page, "workday-23-auditor-rectified")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.RECTIFIED

    # The station head: the bell counts the hand-over, the home lists the finding to verify.
    page.context.clear_cookies()
    log_in(page, live_server, "head_east", county.password)
    _go(page, f"{url}/")
    assert page.locator("[data-testid=bell-count]").inner_text().strip() == "1"
    verify = page.locator(f"[data-testid=todo] a[href*='status={FindingStatus.RECTIFIED}']")
    assert verify.count() == 1 and verify.locator(".badge").inner_text().strip() == "1"
    shot(page, "workday-24-station-head-home-verify")
    _click(page, "[data-testid=bell]")
    with translation.override("zh-hans"):
        subject = gettext("Audit finding %(code)s rectified: waits for your verification") % {"code": "DF-01"}
    assert subject in page.inner_text("main")
    shot(page, "workday-25-station-head-messages")
    _go(page, f"{url}/")
    _click(page, f"[data-testid=todo] a[href*='status={FindingStatus.RECTIFIED}']")
    _click(page, "[data-testid=finding-table] tbody tr td a[href*='/audit/findings/']")
    assert page.locator("[data-testid=verify-accept]").count() == 1
    shot(page, "workday-26-station-head-verifies")


def _png(path):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_the_customer_confirms_a_rectification_on_the_portal_and_the_inspector_is_told(
    county, desk_page, phone_page, live_server, shot, tmp_path, settings
):
    from django.utils import translation
    from django.utils.translation import gettext

    from gridcheck.core.roles import Role
    from gridcheck.hazards import services
    from gridcheck.hazards.choices import HazardCategory, HazardSeverity, HazardStatus
    from gridcheck.users.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    customer = county.customers["east12"]
    today = datetime.date.today()
    inspector = county.users["inspector_east"]
    hazard = services.hazard_create(
        customer=customer,
        category=HazardCategory.choices[0][0],
        severity=HazardSeverity.SERIOUS,
        description="配电箱门锁损坏，带电部位外露",
        found_on=today - datetime.timedelta(days=3),
        deadline=today + datetime.timedelta(days=12),
        responsible_person="刘电工",
        found_by=inspector,
    )
    services.hazard_transition(hazard=hazard, to_status=HazardStatus.NOTIFIED, actor=inspector)
    portal_user = User.objects.create_user(
        username="customer_east12", password=county.password, role=Role.CUSTOMER
    )
    services.customer_contact_create(
        customer=customer, name="刘电工", email="liu@example.cn", portal_user=portal_user
    )

    # The customer, on a phone: the portal lists their hazard with its deadline.
    page = phone_page
    log_in(page, live_server, "customer_east12", county.password)
    _go(page, f"{live_server.url}/hazards/portal/")
    row = page.locator("main tr", has_text="配电箱门锁损坏").first
    assert hazard.deadline.isoformat() in row.inner_text()
    _no_horizontal_scroll(page)
    shot(page, "workday-31-customer-portal-home")
    _go(page, f"{live_server.url}/hazards/portal/{hazard.pk}/")
    assert hazard.deadline.isoformat() in page.inner_text("main")
    page.set_input_files("[data-testid=confirm-form] input[type=file]", str(_png(tmp_path / "after.png")))
    note = page.locator("[data-testid=confirm-form] textarea, [data-testid=confirm-form] input[name=note]")
    if note.count():
        note.first.fill("已更换门锁并加装防护挡板")
    shot(page, "workday-32-customer-portal-confirm")
    _click(page, "[data-testid=confirm-form] button[type=submit]")
    hazard.refresh_from_db()
    assert hazard.status == HazardStatus.RECTIFIED
    _no_horizontal_scroll(page)
    shot(page, "workday-33-customer-portal-confirmed")

    # The inspector who found it: the bell on their start page counts it, the message leads to the hazard.
    desk = desk_page
    log_in(desk, live_server, "inspector_east", county.password)
    assert desk.locator("[data-testid=bell-count]").inner_text().strip() == "1"
    shot(desk, "workday-34-inspector-told")
    _click(desk, "[data-testid=bell]")
    with translation.override("zh-hans"):
        subject = gettext("A hazard was rectified by the customer: re-inspect it")
    assert subject in desk.inner_text("main")
    shot(desk, "workday-35-inspector-messages")
    _go(desk, f"{live_server.url}{hazard.get_absolute_url()}")
    assert desk.locator("select[name=to_status] option[value=verified]").count() == 1
    shot(desk, "workday-36-inspector-hazard-to-verify")


def test_the_government_liaison_opens_the_months_hazard_summary_from_home(
    county, desk_page, live_server, shot, tmp_path, settings
):
    from gridcheck.hazards import services
    from gridcheck.hazards.choices import HazardCategory, HazardSeverity, NoticeKind
    from gridcheck.hazards.models import Notice

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = datetime.date.today()
    services.hazard_create(
        customer=county.customers["east12"],
        category=HazardCategory.choices[0][0],
        severity=HazardSeverity.SERIOUS,
        description="配电箱门锁损坏，带电部位外露",
        found_on=today,
        deadline=today + datetime.timedelta(days=12),
        responsible_person="刘电工",
        found_by=county.users["inspector_east"],
    )
    services.hazard_monthly_run(month=today.replace(day=1), actor=county.users["head_east"], today=today)
    summary = Notice.objects.get(kind=NoticeKind.GOVERNMENT_MONTHLY)

    # Home: the liaison's menu leads to hazards and their notices only.
    page = desk_page
    log_in(page, live_server, "liaison", county.password)
    _go(page, f"{live_server.url}/")
    nav = page.inner_text("nav")
    assert "通知与通报" in nav and "案件" not in nav
    _no_horizontal_scroll(page)
    shot(page, "workday-41-liaison-home")

    # The notices: the month's summary sent to the government, read on its page (reading is the action).
    _click(page, "nav a:has-text('通知与通报')")
    assert summary.document_number in page.inner_text("main")
    shot(page, "workday-42-liaison-notices")
    _click(page, f"main a[href$='{summary.get_absolute_url()}']")
    main = page.inner_text("main")
    assert summary.document_number in main and f"{today:%Y-%m}" in main
    assert page.locator(f"a[href$='/hazards/notices/{summary.pk}/pdf/']").count() >= 1
    shot(page, "workday-43-liaison-summary")
