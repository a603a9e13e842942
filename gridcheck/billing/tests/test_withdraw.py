"""No dead ends: a refund or back-bill, or a category change, awaiting its decision can be withdrawn by
whoever prepared it, with a reason: a "withdrawn" status and a recorded event; nobody else may."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gridcheck.billing import services
from gridcheck.billing.choices import BillStatus, ChangeStatus
from gridcheck.billing.models import Bill, BillingEvent
from gridcheck.billing.tests.test_views import _issue, _messages


def _refund(county, book, read_march):
    read_march()
    _issue(county, book)
    bill = Bill.objects.get(customer=county.customers["east11"])
    return services.adjustment_prepare(
        user=county.users["auditor_east"],
        bill=bill,
        kind="correction",
        reason="抄表错误，实际示数1120",
        inputs={"energies": {"total": 120}},
    )


def _change(county):
    return services.category_change_apply(
        user=county.users["auditor_east"],
        customer=county.customers["east12"],
        new_tariff_code="RES-1",
        effective_on=datetime.date(2025, 5, 1),
        reason="改为居民自用",
    )


def test_a_refund_is_withdrawn_by_its_preparer_with_a_reason(county, book, read_march):
    adjustment = _refund(county, book, read_march)
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    with pytest.raises(PermissionDenied):
        services.adjustment_withdraw(user=head, adjustment=adjustment, reason="不要了")
    with pytest.raises(ValidationError) as info:
        services.adjustment_withdraw(user=auditor, adjustment=adjustment, reason="  ")
    assert "reason" in info.value.message_dict
    adjustment = services.adjustment_withdraw(
        user=auditor, adjustment=adjustment, reason="示数录错，重新申请"
    )
    assert adjustment.status == ChangeStatus.WITHDRAWN and adjustment.comment == "示数录错，重新申请"
    event = BillingEvent.objects.filter(subject_type="BillAdjustment", subject_id=adjustment.pk).last()
    assert (event.from_status, event.to_status, event.actor, event.note) == (
        "pending",
        "withdrawn",
        auditor,
        "示数录错，重新申请",
    )
    # Withdrawn is final: it can be neither approved nor withdrawn again, and the bill is untouched.
    with pytest.raises(ValidationError):
        services.adjustment_decide(user=head, adjustment=adjustment, approve=True)
    with pytest.raises(ValidationError):
        services.adjustment_withdraw(user=auditor, adjustment=adjustment, reason="再次")
    assert adjustment.bill.status == BillStatus.ISSUED


def test_a_category_change_is_withdrawn_before_or_after_its_check(county):
    auditor, head = county.users["auditor_east"], county.users["head_east"]
    first = _change(county)
    services.category_change_withdraw(user=auditor, change=first, reason="客户撤回申请")
    first.refresh_from_db()
    assert first.status == ChangeStatus.WITHDRAWN
    second = _change(county)
    services.category_change_check(user=head, change=second)
    with pytest.raises(PermissionDenied):
        services.category_change_withdraw(user=head, change=second, reason="x")
    services.category_change_withdraw(user=auditor, change=second, reason="用电性质未变")
    second.refresh_from_db()
    assert second.status == ChangeStatus.WITHDRAWN
    county.customers["east12"].refresh_from_db()
    assert county.customers["east12"].tariff_code == "GEN-1"


def test_the_withdraw_form_on_the_pages(county, login, book, read_march):
    adjustment = _refund(county, book, read_march)
    page_url = reverse("billing:adjustment_detail", args=[adjustment.pk])
    assert 'data-testid="withdraw-form"' not in login("head_east").get(page_url).content.decode()
    auditor = login("auditor_east")
    assert 'data-testid="withdraw-form"' in auditor.get(page_url).content.decode()
    url = reverse("billing:adjustment_withdraw", args=[adjustment.pk])
    # No reason: refused, the message names the field.
    response = auditor.post(url, {"reason": ""}, follow=True)
    assert "撤回原因" in _messages(response)
    adjustment.refresh_from_db()
    assert adjustment.status == ChangeStatus.PENDING
    auditor.post(url, {"reason": "示数录错"})
    adjustment.refresh_from_db()
    assert adjustment.status == ChangeStatus.WITHDRAWN
    assert "已撤回" in auditor.get(page_url).content.decode()

    change = _change(county)
    url = reverse("billing:category_change_withdraw", args=[change.pk])
    assert url in auditor.get(reverse("billing:category_change_detail", args=[change.pk])).content.decode()
    assert auditor.post(url, {"reason": "客户撤回"}).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN
