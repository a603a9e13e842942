"""One working day through the pieces of issue 19's last part: the morning job tells an inspector and the
station head of an overdue work order (in-app, and by SMS as the inspector chose); the inspector on their
phone reads it and sets what else they want by e-mail; a billing clerk withdraws a category change with a
reason; the station head corrects the overdue work order's due date. Screenshots in
test-artifacts/screenshots/workday-4*.png."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import click_to_load, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, url):
    page.goto(url)


def _click(page, selector):
    click_to_load(page, selector)


def _overdue_work_order(county):
    from gridcheck.inspections import services

    today = timezone.localdate()
    order = services.work_order_create(
        source="manual",
        customer=county.customers["east12"],
        reason="核查计量装置接线",
        created_by=county.users["head_east"],
        due_on=today - datetime.timedelta(days=2),
    )
    return services.work_order_assign(
        work_order=order,
        inspectors=[county.users["inspector_east"], county.users["inspector2_east"]],
        visit_date=today - datetime.timedelta(days=3),
        assigned_by=county.users["head_east"],
    )


def test_overdue_told_settings_chosen_a_change_withdrawn_and_a_work_order_corrected(
    county, phone_page, desk_page, live_server, shot
):
    from gridcheck.billing import services as billing
    from gridcheck.billing.choices import ChangeStatus
    from gridcheck.inspections.services import work_orders_overdue_notify
    from gridcheck.notifications.models import Message, NotificationPreference
    from gridcheck.notifications.services import preferences_save

    inspector = county.users["inspector_east"]
    inspector.phone = "13900139000"
    inspector.email = "inspector@example.cn"
    inspector.save()
    order = _overdue_work_order(county)  # assigned before the choice below: its notice is in-app only
    preferences_save(user=inspector, choices={"work_orders": {"sms": True}})
    change = billing.category_change_apply(
        user=county.users["auditor_east"],
        customer=county.customers["east12"],
        new_tariff_code="RES-1",
        effective_on=timezone.localdate(),
        reason="改为居民自用",
    )
    # The morning job.
    assert work_orders_overdue_notify()["overdue"] == 1
    assert Message.objects.filter(recipient_user=inspector, channel="sms").count() == 1
    url = live_server.url

    # The inspector, on the phone: the bell, the message, the settings.
    page = phone_page
    log_in(page, live_server, "inspector_east", county.password)
    _go(page, f"{url}/")
    assert int(page.locator("[data-testid=bell-count]").inner_text().strip()) >= 1
    _click(page, "[data-testid=bell]")
    item = page.locator("[data-testid=inbox] li", has_text="逾期").first
    assert order.number in item.inner_text()
    shot(page, "workday-41-inspector-phone-overdue")
    _go(page, f"{url}/notifications/settings/")
    assert page.locator("#work_orders-sms").is_checked()
    page.check("#approvals-email")
    _click(page, "[data-testid=save-preferences]")
    assert page.locator("#approvals-email").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, "workday-42-inspector-phone-settings")
    assert NotificationPreference.objects.get(user=inspector, kind="approvals").email

    # The billing clerk withdraws the category change, first without a reason (refused, field named).
    page = desk_page
    log_in(page, live_server, "auditor_east", county.password)
    _go(page, f"{url}{change.get_absolute_url()}")
    page.click("[data-testid=withdraw]")  # the browser refuses an empty required field: no page follows
    page.locator("[data-testid=withdraw-form] textarea").fill("客户到柜台撤回了申请")
    _click(page, "[data-testid=withdraw]")
    assert "已撤回" in page.locator("[data-testid=status]").inner_text()
    shot(page, "workday-43-clerk-withdrew-category-change")
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN

    # The station head: told of the overdue work order; corrects its due date with a reason.
    page.context.clear_cookies()
    log_in(page, live_server, "head_east", county.password)
    _go(page, f"{url}/notifications/")
    assert page.locator("[data-testid=inbox] li", has_text=order.number).count() == 1
    _go(page, f"{url}{order.get_absolute_url()}")
    new_day = timezone.localdate() + datetime.timedelta(days=3)
    page.fill("#id_correct_due_on", new_day.isoformat())
    page.fill("#id_correct_reason", "客户外出，约定三天后检查")
    _click(page, "[data-testid=correct]")
    assert "工单已更正" in page.content()
    assert "客户外出" in page.locator("[data-testid=events]").inner_text()
    shot(page, "workday-44-head-corrected-work-order")
    order.refresh_from_db()
    assert order.due_on == new_day
